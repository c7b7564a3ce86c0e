package cli

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"discdesk/internal/corpus"
)

func TestRenderCommand(t *testing.T) {
	src := corpus.Path(t, "generated/ct_slice_variants/ct_gdcm_jpeg_lossless.dcm")
	dir := t.TempDir()
	out := filepath.Join(dir, "ct.png")
	var so, se bytes.Buffer
	code := Run(context.Background(), []string{"--data", dir, "render", "--window", "40/400", "--size", "256x256", "--out", out, src}, &so, &se)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, se.String())
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil || img.Bounds().Dx() != 256 || img.Bounds().Dy() != 256 {
		t.Fatalf("png %v %v", img.Bounds(), err)
	}
	if !strings.Contains(so.String(), "40/400") {
		t.Errorf("output %q does not name the window", so.String())
	}
	// Bad window: usage error, exit 2. JPEG XL decodes now (viewer/codec, libjxl).
	if code := Run(context.Background(), []string{"--data", dir, "render", "--window", "40", "--out", out, src}, &so, &se); code != 2 {
		t.Errorf("bad --window: exit %d", code)
	}
	se.Reset()
	jxl := corpus.Path(t, "transfer_syntax/us_jpegxl.dcm")
	if code := Run(context.Background(), []string{"--data", dir, "render", "--out", filepath.Join(dir, "x.jpg"), jxl}, &so, &se); code != 0 {
		t.Errorf("JPEG XL: exit %d, stderr %q", code, se.String())
	}
}
