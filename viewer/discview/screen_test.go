package discview_test

import (
	"os/exec"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"discdesk/internal/corpus"
	"discdesk/viewer/discview"
	"discdesk/viewer/study"
	"discdesk/viewer/study/studytest"
)

func TestSideBySideSync(t *testing.T) {
	a := test.NewTempApp(t)
	d, err := study.Open(studytest.MakeDisc(t, t.TempDir(), studytest.Default))
	if err != nil {
		t.Fatal(err)
	}
	s := discview.NewScreen(a, d)
	w := test.NewWindow(s.Content)
	defer w.Close()
	defer s.Close()
	w.Resize(fyne.NewSize(1000, 700))
	s.ShowFirst()
	left, right := s.Panes[0].Viewer, s.Panes[1].Viewer
	if left.Series == nil || len(left.Series.Images()) == 0 {
		t.Fatal("first series not shown")
	}
	var mr, us *study.Series
	for _, se := range d.Series() {
		switch se.Modality {
		case "MR":
			mr = se
		case "US":
			us = se
		}
	}
	s.SetSideBySide(true)
	s.Show(0, mr)
	s.Show(1, us)
	if left.Len() != 3 || right.Len() != 30 {
		t.Fatalf("lengths %d and %d, want 3 MR slices and 30 US frames", left.Len(), right.Len())
	}
	left.ScrollBy(2)
	if right.Index != 29 {
		t.Errorf("synchronised pane at %d, want 29 (the end, as the left)", right.Index)
	}
	right.SetIndex(15)
	if left.Index != 1 {
		t.Errorf("left followed to %d, want 1", left.Index)
	}
	s.Sync = false
	left.SetIndex(0)
	if right.Index != 15 {
		t.Errorf("unsynchronised right pane moved to %d", right.Index)
	}
	// A report series replaces the viewer by the report view.
	for _, se := range d.Series() {
		if len(se.Images()) == 0 && len(se.Reports()) > 0 {
			s.Show(1, se)
			if _, isViewer := s.Panes[1].Box.Objects[0].(interface{ Len() int }); isViewer {
				t.Errorf("report series %s shown in an image viewer", se.Label())
			}
		}
	}
}

// The disc viewer imports no desk code.
func TestNoDeskImports(t *testing.T) {
	cmd := exec.Command("go", "list", "-deps", "discdesk/viewer/cmd/discviewer")
	cmd.Dir = corpus.RepoRoot()
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, p := range strings.Fields(string(out)) {
		if strings.HasPrefix(p, "discdesk/") {
			n++
			if !strings.HasPrefix(p, "discdesk/viewer/") {
				t.Errorf("the disc viewer depends on %s", p)
			}
		}
	}
	if n < 5 {
		t.Errorf("only %d discdesk packages in the viewer's dependencies", n)
	}
}

func TestLocate(t *testing.T) {
	if p, err := discview.Locate([]string{"/some/disc"}); err != nil || p != "/some/disc" {
		t.Errorf("Locate(arg) = %q, %v", p, err)
	}
	// The test binary has no DICOMDIR beside it.
	if _, err := discview.Locate(nil); err == nil {
		t.Error("Locate found a disc beside the test binary")
	}
}
