package disc

import (
	"testing"
)

// BenchmarkWebFramesCT packs one CT slice for the browser viewer (compare
// with the cost of copying it: the disc authoring time budget is 1.5x bare
// xorriso).
func BenchmarkWebFramesCT(b *testing.B) {
	path := files(b, "disc_layouts/philips_ct_partial/DICOM/S21610/S2010")[0]
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, _, err := webFrames(path, nil, "DICOM/X", true); err != nil {
			b.Fatal(err)
		}
	}
}
