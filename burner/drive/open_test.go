package drive_test

import (
	"errors"
	"path/filepath"
	"testing"

	"discdesk/burner/drive"
)

func TestOpenSpecs(t *testing.T) {
	dir := t.TempDir()
	for spec, backend := range map[string]string{
		"zip:" + filepath.Join(dir, "a.zip"):   "zip",
		"iso:" + filepath.Join(dir, "a.iso"):   "iso",
		"stdio:" + filepath.Join(dir, "a.iso"): "xorriso",
		"dir:" + filepath.Join(dir, "d"):       "dir",
		"usb:" + filepath.Join(dir, "u"):       "usb",
	} {
		d, err := drive.Open(spec, drive.Options{})
		if err != nil {
			t.Errorf("Open(%q): %v", spec, err)
			continue
		}
		if d.Info().Backend != backend {
			t.Errorf("Open(%q) backend %q, want %q", spec, d.Info().Backend, backend)
		}
	}
	for _, spec := range []string{"", "zip:", "iso:", "stdio:", "dir: ", "usb:", "tape:/x"} {
		if _, err := drive.Open(spec, drive.Options{}); !errors.Is(err, drive.ErrNoDrive) {
			t.Errorf("Open(%q) = %v, want ErrNoDrive", spec, err)
		}
	}
}
