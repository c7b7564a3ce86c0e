//go:build unix

package drive_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"discdesk/burner/drive"
	"discdesk/burner/drive/drivetest"
)

// The ISO image is private (0600) and hidden from its first byte: while
// xorriso writes, the patient's folder holds only .NAME.partial with mode
// 0600, whatever the umask; afterwards only NAME, still 0600.
func TestISOFilePartialPrivateAndHidden(t *testing.T) {
	old := syscall.Umask(0o022) // the usual default, which would give 0644
	defer syscall.Umask(old)
	dir := t.TempDir()
	name := filepath.Join(dir, "CT 2025.iso")
	partial := filepath.Join(dir, ".CT 2025.iso.partial")
	d := open(t, "iso:"+name, drive.Options{})
	tree := drivetest.CorpusTree(t)
	var seen []os.FileMode
	var stray []string
	err := d.Burn(context.Background(), tree, func(p drive.Progress) {
		if p.Phase != drive.PhaseWriting {
			return
		}
		if fi, err := os.Stat(partial); err == nil {
			seen = append(seen, fi.Mode().Perm())
		}
		ents, _ := os.ReadDir(dir)
		for _, e := range ents {
			if e.Name() != filepath.Base(partial) {
				stray = append(stray, e.Name())
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) == 0 {
		t.Fatal("no writing progress saw the hidden partial file")
	}
	for _, m := range seen {
		if m != 0o600 {
			t.Fatalf("partial file mode %v while writing, want 0600", m)
		}
	}
	if len(stray) > 0 {
		t.Fatalf("folder held %v while writing, want only the hidden partial file", stray)
	}
	fi, err := os.Stat(name)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("image: %v, mode %v; want 0600", err, fi.Mode())
	}
	if _, err := os.Stat(partial); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("partial file left behind: %v", err)
	}
	if rep, err := d.Verify(context.Background(), drivetest.Manifest(tree), nil); err != nil || !rep.OK {
		t.Fatalf("verify: %v %+v", err, rep)
	}
}

// A leftover partial file from an interrupted run (mode 0644) is replaced by
// a fresh private one.
func TestISOFileLeftoverPartialReplaced(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "disc.iso")
	partial := filepath.Join(dir, ".disc.iso.partial")
	if err := os.WriteFile(partial, []byte("junk from a crash"), 0o644); err != nil {
		t.Fatal(err)
	}
	os.Chmod(partial, 0o644)
	d := open(t, "iso:"+name, drive.Options{})
	mode := os.FileMode(0)
	err := d.Burn(context.Background(), drivetest.CorpusTree(t), func(p drive.Progress) {
		if fi, err := os.Stat(partial); err == nil && p.Phase == drive.PhaseWriting {
			mode = fi.Mode().Perm()
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if mode != 0o600 {
		t.Fatalf("partial mode while writing %v, want 0600", mode)
	}
}
