package xvfbtest

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"discdesk/internal/corpus"
)

// TestParallelServersGetTheirOwnDisplays starts several servers at the same
// moment (as parallel test packages do) and checks each got its own display
// and answers on it while all are up.
func TestParallelServersGetTheirOwnDisplays(t *testing.T) {
	bin, err := exec.LookPath("Xvfb")
	if err != nil {
		StartScreen(t, "320x200x24") // fails, naming the package to install
	}
	const n = 6
	displays := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	gate := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-gate
			var stop func()
			displays[i], stop, errs[i] = start(bin, "320x200x24", 30*time.Second)
			if stop != nil {
				t.Cleanup(stop)
			}
		}()
	}
	close(gate)
	wg.Wait()
	seen := map[string]bool{}
	for i, d := range displays {
		if errs[i] != nil {
			t.Errorf("server %d: %v", i, errs[i])
			continue
		}
		if seen[d] {
			t.Errorf("two servers report display %s: %v", d, displays)
		}
		seen[d] = true
		out, err := exec.Command("xdpyinfo", "-display", d).CombinedOutput()
		if err != nil {
			t.Errorf("xdpyinfo -display %s: %v\n%s", d, err, out)
		} else if !strings.Contains(string(out), "320x200") {
			t.Errorf("display %s is not the 320x200 screen asked for:\n%s", d, out)
		}
	}
}

// TestStartReportsAFailedServer: a server that exits at once is an error
// naming what it printed, not a hang.
func TestStartReportsAFailedServer(t *testing.T) {
	bin, err := exec.LookPath("Xvfb")
	if err != nil {
		StartScreen(t, "320x200x24")
	}
	_, _, err = start(bin, "not-a-geometry", 10*time.Second)
	if err == nil {
		t.Fatal("Xvfb with a bad -screen reported a display")
	}
	t.Logf("bad screen: %v", err)
}

// TestNoTestPicksItsOwnDisplay keeps every test that needs an X screen on
// this helper: no other Go file in the module starts Xvfb by name or looks
// for a free display number in the X socket and lock files.
func TestNoTestPicksItsOwnDisplay(t *testing.T) {
	root := corpus.RepoRoot()
	self, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	banned := []string{`"Xvfb"`, `.X11-unix/X`, `-lock"`}
	checked := 0
	err = filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if e.IsDir() {
			switch e.Name() {
			case ".git", "node_modules", "testdata", "out":
				return filepath.SkipDir
			}
			if p == self {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		checked++
		for _, s := range banned {
			if strings.Contains(string(b), s) {
				rel, _ := filepath.Rel(root, p)
				t.Errorf("%s contains %s: start X screens with xvfbtest.Start (Xvfb -displayfd), never on a display number the test picks", rel, s)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 50 {
		t.Fatalf("only %d Go files found under the module root %s", checked, root)
	}
}
