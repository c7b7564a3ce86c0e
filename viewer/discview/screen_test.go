package discview_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"discdesk/internal/corpus"
	"discdesk/viewer/dcm"
	"discdesk/viewer/discview"
	"discdesk/viewer/study"
	"discdesk/viewer/study/studytest"
)

// twoSeries writes one patient's 12-slice CT series and a 4-slice second
// series of the same study into a folder and opens it.
func twoSeries(t *testing.T) *study.Disc {
	t.Helper()
	dir := studytest.CTSeries(t, t.TempDir(), 12)
	for i := 1; i <= 4; i++ {
		f, err := dcm.ParseFile(filepath.Join(dir, fmt.Sprintf("IM%05d.dcm", i)))
		if err != nil {
			t.Fatal(err)
		}
		ds := f.DataSet
		ds.Set(dcm.Str(dcm.SeriesInstanceUID, "UI", "2.25.7701.9"))
		ds.Set(dcm.Str(dcm.SOPInstanceUID, "UI", fmt.Sprintf("2.25.7701.9.%d", i)))
		ds.Set(dcm.Str(dcm.T(0x0020, 0x0011), "IS", "2"))
		var buf bytes.Buffer
		if err := dcm.WriteExplicitLE(&buf, ds, dcm.ExplicitVRLittleEndian); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("S2IM%d.dcm", i)), buf.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	d, err := study.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestSideBySideSync(t *testing.T) {
	a := test.NewTempApp(t)
	d := twoSeries(t)
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
	var long, short *study.Series
	for _, se := range d.Series() {
		switch len(se.Images()) {
		case 12:
			long = se
		case 4:
			short = se
		}
	}
	if long == nil || short == nil {
		t.Fatalf("series %v", d.Series())
	}
	s.SetSideBySide(true)
	s.Show(0, short)
	s.Show(1, long)
	if left.Len() != 4 || right.Len() != 12 {
		t.Fatalf("lengths %d and %d, want 4 and 12", left.Len(), right.Len())
	}
	left.SetIndex(3)
	if right.Index != 11 {
		t.Errorf("synchronised pane at %d, want 11 (the end, as the left)", right.Index)
	}
	right.SetIndex(4)
	if left.Index != 1 {
		t.Errorf("left followed to %d, want 1", left.Index)
	}
	s.Sync = false
	left.SetIndex(0)
	if right.Index != 4 {
		t.Errorf("unsynchronised right pane moved to %d", right.Index)
	}
}

// A report series replaces the viewer by the report view.
func TestReportPane(t *testing.T) {
	a := test.NewTempApp(t)
	d, err := study.Open(studytest.MakeDisc(t, t.TempDir(), studytest.Default))
	if err != nil {
		t.Fatal(err)
	}
	s := discview.NewScreen(a, d)
	w := test.NewWindow(s.Content)
	defer w.Close()
	defer s.Close()
	n := 0
	for _, se := range d.Series() {
		if len(se.Images()) == 0 && len(se.Reports()) > 0 {
			n++
			s.Show(0, se)
			if _, isViewer := s.Panes[0].Box.Objects[0].(interface{ Len() int }); isViewer {
				t.Errorf("report series %s shown in an image viewer", se.Label())
			}
		}
	}
	if n == 0 {
		t.Error("no report series on the test disc")
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
