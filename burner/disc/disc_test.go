package disc

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"discdesk/burner"
	"discdesk/burner/drive"
	"discdesk/internal/corpus"
)

var fixedNow = func() time.Time { return time.Date(2026, 1, 27, 10, 30, 0, 0, time.UTC) }

var testFacility = Facility{Name: "Riverside Imaging", Address: "1 River Road\nSpringfield", Phone: "+1 555 0100"}

// files lists corpus files (relative paths or folders).
func files(t testing.TB, rel ...string) []string {
	t.Helper()
	var out []string
	for _, r := range rel {
		p := corpus.Path(t, strings.Split(r, "/")...)
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if !fi.IsDir() {
			out = append(out, p)
			continue
		}
		ents, err := os.ReadDir(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range ents {
			if !e.IsDir() && e.Name() != "DIRFILE" && !strings.HasSuffix(e.Name(), ".txt") {
				out = append(out, filepath.Join(p, e.Name()))
			}
		}
	}
	return out
}

func plan(t *testing.T, in Input, opts Options) *Plan {
	t.Helper()
	if in.Facility.Name == "" {
		in.Facility = testFacility
	}
	if opts.Now == nil {
		opts.Now = fixedNow
	}
	if opts.WorkDir == "" {
		opts.WorkDir = t.TempDir()
	}
	if opts.ViewerDir == "" && !opts.NoViewer {
		opts.NoViewer = true
	}
	p, err := NewPlan(context.Background(), in, opts)
	if err != nil {
		t.Fatalf("NewPlan: %v", err)
	}
	return p
}

func build(t *testing.T, p *Plan) []*burner.Tree {
	t.Helper()
	for _, w := range p.Unacknowledged() {
		p.Acknowledge(w.Code, "test")
	}
	trees, err := p.Build(context.Background(), nil)
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	return trees
}

// validate runs the shared validator on a folder or ISO; a missing tool
// fails the test.
func validate(t *testing.T, target string, compressed bool) {
	t.Helper()
	tool := filepath.Join(corpus.RepoRoot(), "..", "shared", "tools", "validate-disc")
	args := []string{}
	if compressed {
		args = append(args, "--allow-compressed")
	}
	out, err := exec.Command(tool, append(args, target)...).CombinedOutput()
	if err != nil {
		t.Fatalf("validate-disc %s: %v\n%s", target, err, out)
	}
}

func TestSmokeCT(t *testing.T) {
	p := plan(t, Input{Files: files(t, "disc_layouts/philips_ct_partial/DICOM/S21610/S2010")}, Options{})
	trees := build(t, p)
	dir := filepath.Join(t.TempDir(), "disc")
	burnTo(t, trees[0], "dir:"+dir)
	validate(t, dir, false)
	for _, w := range p.Warnings {
		t.Log(w)
	}
	t.Log(string(Manifest(trees[0])))
}

func errorsAs(err error, target any) bool { return errors.As(err, target) }

// burnTo writes the tree to a burner/drive target (dir:FOLDER or
// iso:FILE), as the desk and the command line do.
func burnTo(t *testing.T, tree *burner.Tree, spec string) {
	t.Helper()
	if err := burnSpec(context.Background(), tree, spec); err != nil {
		t.Fatal(err)
	}
}

func burnSpec(ctx context.Context, tree *burner.Tree, spec string) error {
	d, err := drive.Open(spec, drive.Options{})
	if err != nil {
		return err
	}
	if err := d.Burn(ctx, tree, nil); err != nil {
		return fmt.Errorf("burn %s: %w", spec, err)
	}
	return nil
}

// WriteISO and WriteFolder write a tree through burner/drive for tests
// (the package's own writers went: the desk and the command line burn
// through burner/drive, and so do the tests).
func WriteISO(ctx context.Context, tree *burner.Tree, path string) error {
	return burnSpec(ctx, tree, "iso:"+path)
}

func WriteFolder(tree *burner.Tree, dir string) error {
	return burnSpec(context.Background(), tree, "dir:"+dir)
}
