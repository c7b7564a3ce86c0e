package drive_test

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

	"discdesk/burner/drive"
	"discdesk/burner/drive/drivetest"
)

func openZIP(t *testing.T, spec string, opt drive.Options) drive.Drive {
	t.Helper()
	d, err := drive.Open(spec, opt)
	if err != nil {
		t.Fatalf("Open(%s): %v", spec, err)
	}
	return d
}

// rewriteZIP rewrites the archive with one byte of discPath's content
// flipped and valid CRCs, so only the SHA-256 comparison can notice.
func rewriteZIP(t *testing.T, name, discPath string) {
	t.Helper()
	zr, err := zip.OpenReader(name)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	found := false
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		if f.Name == discPath {
			b[len(b)/2] ^= 1
			found = true
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: f.Name, Method: f.Method})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(b)
	}
	zw.SetComment(zr.Comment)
	zw.Close()
	zr.Close()
	if !found {
		t.Fatalf("%s not in %s", discPath, name)
	}
	if err := os.WriteFile(name, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestSuiteZIP(t *testing.T) {
	drivetest.Suite(t, drivetest.Harness{
		New: func(t *testing.T, opt drive.Options) drive.Drive {
			return openZIP(t, "zip:"+filepath.Join(t.TempDir(), "disc.zip"), opt)
		},
		Corrupt: func(t *testing.T, d drive.Drive, p string) {
			rewriteZIP(t, d.Info().Spec[len("zip:"):], p)
		},
		Fault: func(t *testing.T, f drivetest.Fault) drive.Drive {
			if f == drivetest.NoDrive {
				return openZIP(t, "zip:/nonexistent/folder/disc.zip", drive.Options{})
			}
			return nil
		},
	})
}

func TestZIPAtomicPrivateAndDamageCaught(t *testing.T) {
	ctx := context.Background()
	tree := drivetest.CorpusTree(t)
	dir := t.TempDir()
	name := filepath.Join(dir, "CT 2025 (Jane).zip") // a patient-chosen name, spaces and all
	d := openZIP(t, "zip:"+name, drive.Options{})
	if d.Info().Backend != "zip" {
		t.Fatalf("info %+v", d.Info())
	}
	if err := d.Burn(ctx, tree, nil); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(name)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("archive %v mode %v, want 0600", err, fi.Mode())
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Fatalf("folder holds %d entries (temporary file left?)", len(ents))
	}
	zr, err := zip.OpenReader(name)
	if err != nil {
		t.Fatal(err)
	}
	if zr.Comment != tree.VolumeID || len(zr.File) != len(tree.Files) {
		t.Fatalf("comment %q, %d entries; want %q, %d", zr.Comment, len(zr.File), tree.VolumeID, len(tree.Files))
	}
	for i, f := range zr.File {
		if f.Name != tree.Files[i].Path {
			t.Errorf("entry %d = %s, want %s", i, f.Name, tree.Files[i].Path)
		}
	}
	zr.Close()
	// A truncated archive (interrupted sync) is unreadable, not "verified".
	b, _ := os.ReadFile(name)
	os.WriteFile(name, b[:len(b)/2], 0o600)
	if _, err := d.Verify(ctx, drivetest.Manifest(tree), nil); err == nil {
		t.Fatal("truncated archive verified")
	}
	// A byte flipped in compressed data: the CRC check reports the entry unreadable.
	os.WriteFile(name, b, 0o600)
	zr, _ = zip.OpenReader(name)
	off, _ := zr.File[0].DataOffset()
	zr.Close()
	b[off+10] ^= 0xff
	os.WriteFile(name, b, 0o600)
	rep, err := d.Verify(ctx, drivetest.Manifest(tree), nil)
	if err == nil || rep == nil || rep.OK || len(rep.Problems) == 0 {
		t.Fatalf("flipped compressed byte: %v %+v", err, rep)
	}
}
