package layers

import (
	"encoding/json"
	"io"
	"os/exec"
	"strings"
	"testing"

	"discdesk/internal/corpus"
)

type pkg struct {
	ImportPath string
	Deps       []string
}

func list(t *testing.T) []pkg {
	cmd := exec.Command("go", "list", "-json", "./...")
	cmd.Dir = corpus.RepoRoot()
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var pkgs []pkg
	dec := json.NewDecoder(out)
	for {
		var p pkg
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	return pkgs
}

func under(path, prefix string) bool {
	return path == prefix || strings.HasPrefix(path, prefix+"/")
}

// fyneFree are the packages that must run headless.
var fyneFree = []string{
	"discdesk/viewer/dcm", "discdesk/viewer/codec", "discdesk/viewer/render", "discdesk/viewer/dicomdir", "discdesk/viewer/study",
	"discdesk/burner", "discdesk/app/library", "discdesk/app/handoff", "discdesk/app/store",
	"discdesk/app/pacs", "discdesk/app/burnqueue", "discdesk/app/intake", "discdesk/app/offers", "discdesk/app/reconcile",
	"discdesk/app/ecopy", "discdesk/app/staff", "discdesk/app/settings", "discdesk/app/station",
	"discdesk/app/retrieve", "discdesk/app/facility", "discdesk/app/control", "discdesk/app/printing", "discdesk/app/support",
}

func TestLayers(t *testing.T) {
	pkgs := list(t)
	if len(pkgs) < 5 {
		t.Fatalf("go list found only %d packages", len(pkgs))
	}
	for _, p := range pkgs {
		for _, d := range p.Deps {
			if (under(p.ImportPath, "discdesk/burner") || under(p.ImportPath, "discdesk/viewer")) && under(d, "discdesk/app") {
				t.Errorf("%s imports %s: burner and viewer never import app", p.ImportPath, d)
			}
			if under(p.ImportPath, "discdesk/viewer") && under(d, "discdesk/burner") {
				t.Errorf("%s imports %s: viewer is the lowest layer", p.ImportPath, d)
			}
			for _, f := range fyneFree {
				if under(p.ImportPath, f) && strings.HasPrefix(d, "fyne.io/") {
					t.Errorf("%s imports %s: it must not depend on Fyne", p.ImportPath, d)
				}
			}
		}
	}
}
