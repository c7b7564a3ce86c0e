package codec

import (
	"testing"

	"discdesk/internal/corpus"
)

// fuzzSeeds adds the first frame of each corpus file as a seed with its
// geometry; small files only, so the seeds run fast as regular tests.
func fuzzSeeds(f *testing.F, files ...string) {
	for _, file := range files {
		img := readTestImage(f, corpus.Path(f, file))
		p := img.params
		f.Add(img.frame(f, 0), uint16(p.Rows), uint16(p.Columns), uint8(p.SamplesPerPixel), uint8(p.BitsAllocated))
	}
}

func fuzzDecode(f *testing.F, syntax string) {
	f.Fuzz(func(t *testing.T, src []byte, rows, cols uint16, spp, bits uint8) {
		p := Params{Rows: int(rows) % 1024, Columns: int(cols) % 1024, SamplesPerPixel: int(spp), BitsAllocated: int(bits)}
		out, err := Decode(syntax, src, p)
		if err == nil && len(out) != p.FrameBytes() {
			t.Fatalf("decoded %d bytes, want %d", len(out), p.FrameBytes())
		}
	})
}

func FuzzDecodeRLE(f *testing.F) {
	fuzzSeeds(f, "transfer_syntax/mr_small_rle.dcm", "transfer_syntax/sc_rgb_rle.dcm")
	fuzzDecode(f, RLELossless)
}

func FuzzDecodeJPEGLossless(f *testing.F) {
	fuzzSeeds(f, "multiframe/ect_2f_jpeg_lossless_sv1_fragmented.dcm")
	fuzzDecode(f, JPEGLosslessSV1)
}

func FuzzDecodeJPEGDCT(f *testing.F) {
	fuzzSeeds(f, "transfer_syntax/sc_rgb_jpeg_baseline_dcmtk.dcm", "transfer_syntax/nm_jpeg_extended_12bit.dcm", "transfer_syntax/nm_jpeg_lossy_broken_sos.dcm")
	fuzzDecode(f, JPEGExtended12Bit)
}

func FuzzDecodeJPEGLS(f *testing.F) {
	fuzzSeeds(f, "transfer_syntax/mr_small_jpegls_lossless.dcm", "transfer_syntax/jpegls_near_lossless_16.dcm")
	fuzzDecode(f, JPEGLSLossless)
}

func FuzzDecodeJPEG2000(f *testing.F) {
	fuzzSeeds(f, "transfer_syntax/mr_small_j2k_lossless.dcm", "transfer_syntax/ct_j2k_bitsstored_mismatch.dcm")
	fuzzDecode(f, JPEG2000)
}
