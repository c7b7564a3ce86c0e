package render

import (
	"bytes"
	"errors"
	"image"
	"image/jpeg"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"testing"

	"discdesk/internal/corpus"
)

// fresh renders frame n of path the plain way: Open, Render.
func fresh(t *testing.T, path string, n int) image.Image {
	t.Helper()
	r, frame, err := Open(path, n)
	if err != nil {
		t.Fatal(err)
	}
	img, err := r.Render(frame)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func readImage(t *testing.T, path string, dec func([]byte) (image.Image, error)) image.Image {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	img, err := dec(b)
	if err != nil {
		t.Fatalf("decode %s: %v", filepath.Base(path), err)
	}
	return img
}

func decodePNG(b []byte) (image.Image, error)  { return png.Decode(bytes.NewReader(b)) }
func decodeJPEG(b []byte) (image.Image, error) { return jpeg.Decode(bytes.NewReader(b)) }

// TestExporterMatchesFreshRender: one Exporter through files that share a
// description (two syntaxes of one CT slice), one that does not (an MR), a
// big-endian file (frame swapped, not read in place) and a colour one
// writes exactly the pixels a fresh Open+Render gives, as PNG.
func TestExporterMatchesFreshRender(t *testing.T) {
	x := NewExporter()
	dir := t.TempDir()
	for i, rel := range []string{
		"generated/ct_slice_variants/ct_explicit_le_source.dcm",
		"generated/ct_slice_variants/ct_gdcm_implicit_le.dcm",
		"mr_series/dcm4che_mr16/MR01.dcm",
		"generated/ct_slice_variants/ct_dcmtk_big_endian.dcm",
		"multiframe/us_8f_jpeg_baseline_fragmented.dcm",
		"generated/ct_slice_variants/ct_explicit_le_source.dcm",
	} {
		src := corpus.Path(t, filepath.FromSlash(rel))
		dst := filepath.Join(dir, filepath.Base(rel)+".png")
		if err := x.ExportFile(src, 0, dst); err != nil {
			t.Fatalf("%s: %v", rel, err)
		}
		got, want := readImage(t, dst, decodePNG), fresh(t, src, 0)
		if got.Bounds() != want.Bounds() {
			t.Fatalf("%s: %v, want %v", rel, got.Bounds(), want.Bounds())
		}
		b := want.Bounds()
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				r1, g1, b1, _ := got.At(x, y).RGBA()
				r2, g2, b2, _ := want.At(x, y).RGBA()
				if r1 != r2 || g1 != g2 || b1 != b2 {
					t.Fatalf("file %d %s: pixel (%d,%d) differs from a fresh render", i, rel, x, y)
				}
			}
		}
		if fi, err := os.Stat(dst); err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("%s: %v, %v", dst, fi.Mode(), err)
		}
	}
}

// TestExporterJPEGQuality: the JPEG of a corpus CT slice decodes (image/jpeg)
// to within 40 dB PSNR of the exact (PNG) render.
func TestExporterJPEGQuality(t *testing.T) {
	src := corpus.Path(t, "generated/ct_slice_variants/ct_explicit_le_source.dcm")
	dir := t.TempDir()
	x := NewExporter()
	for _, ext := range []string{".jpg", ".png"} {
		if err := x.ExportFile(src, 0, filepath.Join(dir, "ct"+ext)); err != nil {
			t.Fatal(err)
		}
	}
	exact := readImage(t, filepath.Join(dir, "ct.png"), decodePNG).(*image.Gray)
	lossy, ok := readImage(t, filepath.Join(dir, "ct.jpg"), decodeJPEG).(*image.Gray)
	if !ok || lossy.Rect != exact.Rect {
		t.Fatalf("JPEG decodes as %T %v", lossy, lossy.Bounds())
	}
	var se float64
	for i := range exact.Pix {
		d := float64(exact.Pix[i]) - float64(lossy.Pix[i])
		se += d * d
	}
	p := 10 * math.Log10(255*255/(se/float64(len(exact.Pix))))
	t.Logf("PSNR %.2f dB at quality %d", p, JPEGQuality)
	if p < 40 {
		t.Errorf("PSNR %.2f dB, want > 40", p)
	}
	if err := x.ExportFile(src, 0, filepath.Join(dir, "ct.gif")); !errors.Is(err, ErrUnsupported) {
		t.Errorf(".gif: %v, want ErrUnsupported", err)
	}
}

// BenchmarkExportFile is the per-file work of the 500-slice benchmark as
// batchrender does it: parse, window, encode JPEG, write.
func BenchmarkExportFile(b *testing.B) {
	src := corpus.Path(b, "generated/ct_slice_variants/ct_explicit_le_source.dcm")
	dst := filepath.Join(b.TempDir(), "ct.jpg")
	x := NewExporter()
	b.ReportAllocs()
	for b.Loop() {
		if err := x.ExportFile(src, 0, dst); err != nil {
			b.Fatal(err)
		}
	}
}
