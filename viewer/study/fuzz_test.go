package study_test

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"discdesk/viewer/study"
)

// FuzzISO feeds images to the ISO 9660 reader: it must fail cleanly, never
// panic or loop. Seeds: a real xorriso image and a bare volume descriptor.
func FuzzISO(f *testing.F) {
	dir := f.TempDir()
	src := filepath.Join(dir, "src")
	if err := os.MkdirAll(filepath.Join(src, "DICOM", "SUB"), 0o755); err != nil {
		f.Fatal(err)
	}
	for _, n := range []string{"DICOMDIR", "DICOM/I0000001", "DICOM/SUB/I0000002"} {
		if err := os.WriteFile(filepath.Join(src, n), []byte("not dicom "+n), 0o600); err != nil {
			f.Fatal(err)
		}
	}
	iso := filepath.Join(dir, "seed.iso")
	if out, err := exec.Command("xorriso", "-outdev", iso, "-rockridge", "off", "-joliet", "off", "-map", src, "/", "-commit").CombinedOutput(); err != nil {
		f.Fatalf("xorriso: %v\n%s", err, out)
	}
	b, err := os.ReadFile(iso)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	bare := make([]byte, 18*2048)
	copy(bare[16*2048:], "\x01CD001")
	f.Add(bare)
	f.Fuzz(func(t *testing.T, b []byte) {
		fsys, err := study.NewISO(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			return
		}
		n := 0
		_ = fs.WalkDir(fsys, ".", func(p string, e fs.DirEntry, err error) error {
			if n++; n > 1000 || err != nil {
				return fs.SkipAll
			}
			if e.Type().IsRegular() {
				_, _ = fs.ReadFile(fsys, p)
			}
			return nil
		})
	})
}
