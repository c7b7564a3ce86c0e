package pacs

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Spool files made ahead are unnamed until taken: the spool folder holds
// only the files taken, each named as cleanSpool expects, and nothing is
// left once the server's context ends.
func TestSpoolAheadLeavesNothingUntaken(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	p := newSpoolAhead(ctx, dir)
	var taken []string
	for range 10 {
		f, err := p.take()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.WriteString("data"); err != nil {
			t.Fatal(err)
		}
		taken = append(taken, f.Name())
		f.Close()
	}
	cancel()
	p.wait()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) != len(taken) {
		t.Errorf("spool folder holds %d files, %d were taken", len(ents), len(taken))
	}
	for _, name := range taken {
		base := filepath.Base(name)
		if filepath.Dir(name) != dir || !strings.HasPrefix(base, ".rx-") || !strings.HasSuffix(base, ".part") || spoolLeftover(base, nil) {
			t.Errorf("taken spool file %s: not named as this process's spool file", name)
		}
		if b, err := os.ReadFile(name); err != nil || string(b) != "data" {
			t.Errorf("%s: %q %v", name, b, err)
		}
		if fi, err := os.Stat(name); err == nil && fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, want 0600", name, fi.Mode().Perm())
		}
	}
}
