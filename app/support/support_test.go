package support

import (
	"archive/zip"
	"fmt"
	"image"
	"image/color"
	"io"
	"os"
	"strings"
	"testing"
	"time"
)

func TestBundleHasScreensLogsAndWarning(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	img.Set(3, 3, color.White)
	ring := NewRing(3)
	for i := 0; i < 5; i++ {
		fmt.Fprintf(ring, "line %d\n", i)
	}
	dir := t.TempDir()
	path, err := Write(dir, Report{Note: "burn stuck", By: "Sue", Screens: []image.Image{img}, Logs: ring.Lines(),
		About: map[string]string{"workstation": "desk-1"}, Time: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("bundle mode %v %v", st.Mode(), err)
	}
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	files := map[string]string{}
	for _, f := range zr.File {
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		files[f.Name] = string(b)
	}
	if !strings.Contains(files["ABOUT.TXT"], "may contain patient data") || !strings.Contains(files["ABOUT.TXT"], "burn stuck") {
		t.Errorf("ABOUT.TXT = %q", files["ABOUT.TXT"])
	}
	if files["log.txt"] != "line 2\nline 3\nline 4\n" {
		t.Errorf("log.txt = %q", files["log.txt"])
	}
	if _, ok := files["screen-1.png"]; !ok {
		t.Errorf("no screen in %v", files)
	}
}

func TestBlank(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	if !Blank(img) {
		t.Error("uniform image not blank")
	}
	img.Set(2, 1, color.White)
	if Blank(img) {
		t.Error("image with a white pixel blank")
	}
	if !Blank(nil) {
		t.Error("nil not blank")
	}
}
