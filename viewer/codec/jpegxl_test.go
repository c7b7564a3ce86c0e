//go:build cgo && linux && !discviewer

package codec

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"discdesk/internal/corpus"
	"discdesk/viewer/dcm"
)

// JPEG XL streams made with libjxl's cjxl: lossless ones decode to exactly
// the source samples (8-bit colour, 8- and 16-bit grey) and to what djxl
// decodes; a lossy one stays close to the source. (cjxl 0.7 keeps only 8
// bits of a 12-bit PGM or PGX, djxl agreeing: 12-bit data is tested in a
// 16-bit container, see burner/disc's JPEG XL disc test.)
func TestJPEGXLAgainstCjxl(t *testing.T) {
	for _, c := range []struct {
		name              string
		spp, maxval, bits int
		distance          string
	}{
		{"grey16_lossless", 1, 65535, 16, "0"},
		{"grey8_lossless", 1, 255, 8, "0"},
		{"rgb8_lossless", 3, 255, 8, "0"},
		{"rgb8_lossy", 3, 255, 8, "1"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			rows, cols := 61, 89
			src := patternImage(rows, cols, c.spp, c.maxval)
			ext := ".pgm"
			if c.spp == 3 {
				ext = ".ppm"
			}
			in, jxl, back := filepath.Join(dir, "in"+ext), filepath.Join(dir, "out.jxl"), filepath.Join(dir, "back"+ext)
			writePNM(t, in, src, rows, cols, c.spp, c.maxval)
			ojph(t, "cjxl", in, jxl, "-d", c.distance, "-e", "3")
			stream, err := os.ReadFile(jxl)
			if err != nil {
				t.Fatal(err)
			}
			syntax := JPEGXLLossless
			if c.distance != "0" {
				syntax = JPEGXL
			}
			frame, err := Decode(syntax, stream, Params{Rows: rows, Columns: cols, SamplesPerPixel: c.spp, BitsAllocated: c.bits})
			if err != nil {
				t.Fatal(err)
			}
			got := samples(frame, c.bits)
			if c.distance != "0" {
				var sum int
				for i := range got {
					sum += max(got[i]-src[i], src[i]-got[i])
				}
				if mean := float64(sum) / float64(len(got)); mean > 8 {
					t.Errorf("lossy decode far from the source: mean error %.1f", mean)
				}
				return
			}
			for i := range got {
				if got[i] != src[i] {
					t.Fatalf("lossless decode differs from the source at sample %d: %d, want %d", i, got[i], src[i])
				}
			}
			ojph(t, "djxl", jxl, back, "--bits_per_sample", strconv.Itoa(bitsOf(c.maxval)))
			ref := readPNM(t, back)
			for i := range ref {
				if i >= len(got) || got[i] != ref[i] {
					t.Fatalf("decode differs from djxl's at sample %d", i)
				}
			}
		})
	}
}

func bitsOf(maxval int) int {
	b := 0
	for ; maxval > 0; maxval >>= 1 {
		b++
	}
	return b
}

// JPEG XL JPEG Recompression (.111): a JPEG recompressed by cjxl comes back
// as the samples of the original JPEG, bit for bit.
func TestJPEGXLRecompressionIsTheJPEG(t *testing.T) {
	f, err := dcm.ParseFile(corpus.Path(t, "transfer_syntax", "sc_rgb_jpeg_baseline_dcmtk.dcm"))
	if err != nil {
		t.Fatal(err)
	}
	frags := f.DataSet.Get(dcm.PixelData).Fragments
	var jpg []byte
	for _, fr := range frags[1:] {
		jpg = append(jpg, fr.Data...)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "in.jpg"), jpg, 0o600); err != nil {
		t.Fatal(err)
	}
	ojph(t, "cjxl", filepath.Join(dir, "in.jpg"), filepath.Join(dir, "out.jxl"), "--lossless_jpeg=1")
	stream, _ := os.ReadFile(filepath.Join(dir, "out.jxl"))
	p := Params{Rows: 100, Columns: 100, SamplesPerPixel: 3, BitsAllocated: 8}
	want, err := Decode(JPEGBaseline8Bit, jpg, p)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Decode(JPEGXLJPEGRecompression, stream, p)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Error("JPEG XL recompression decodes to other samples than the JPEG")
	}
	if _, err := exec.LookPath("djxl"); err != nil {
		t.Fatal(err)
	}
}

// The corpus's JPEG XL object (JPEG Recompression of a YBR_FULL_422 JPEG)
// decodes to a full frame.
func TestJPEGXLCorpusObject(t *testing.T) {
	img := readTestImage(t, corpus.Path(t, "transfer_syntax/us_jpegxl.dcm"))
	out, err := Decode(img.syntax, img.frame(t, 0), img.params)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != img.params.FrameBytes() {
		t.Errorf("%d bytes", len(out))
	}
}

func FuzzDecodeJPEGXL(f *testing.F) {
	fuzzSeeds(f, "transfer_syntax/us_jpegxl.dcm")
	f.Add([]byte{0xFF, 0x0A, 0xFA, 0x7F}, uint16(8), uint16(8), uint8(1), uint8(8))
	fuzzDecode(f, JPEGXLLossless)
}
