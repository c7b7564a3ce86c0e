package desk

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/widget"

	"discdesk/app/pacs"
	"discdesk/app/pacs/pacstest"
	"discdesk/app/settings"
	"discdesk/app/staff"
	"discdesk/internal/corpus"
)

// The PACS tab: with no node configured it says so and points to
// Settings; with nodes it searches a real Orthanc by name, retrieves the
// study chosen in the table with C-MOVE to the desk's temporary SCP, says
// what arrived in plain words, and the Studies screen then lists the
// study; a second retrieve says it was already held, and a node that does
// not answer is named in the error.
func TestPacsScreenSearchesAndRetrieves(t *testing.T) {
	const study = "1.113654.3.13.1026" // dcm4che_mr16, patient DOE^J1
	files, err := filepath.Glob(filepath.Join(corpus.Dir(t), "mr_series", "dcm4che_mr16", "*.dcm"))
	if err != nil || len(files) != 16 {
		t.Fatalf("mr study: %d files %v", len(files), err)
	}
	f := newFixture(t, true)
	f.svc.ReceiveHost = "127.0.0.1"

	f.signIn(staff.DemoName, staff.DemoPIN)
	f.d.selectTab("PACS")
	if got := f.label("pacs.msg"); !strings.Contains(got, "No PACS nodes are configured") || !strings.Contains(got, "Settings") {
		t.Fatalf("no nodes: %q", got)
	}
	f.tap("pacs.settings")
	if got := f.d.tabs.Selected().Text; got != "Settings" {
		t.Errorf("Open Settings went to %q", got)
	}

	port := pacstest.FreePort(t)
	o := pacstest.Orthanc(t, "ORTHANC", []pacstest.Peer{{AETitle: "DISCDESK", Host: "127.0.0.1", Port: port}})
	if res, err := (&pacs.Client{AETitle: "DISCDESK"}).Store(context.Background(), pacs.Node{AETitle: o.AETitle, Host: o.Host, Port: o.Port}, files); err != nil || res[0].Status != 0 {
		t.Fatalf("load Orthanc: %v", err)
	}
	cur, err := f.svc.Settings.Get()
	if err != nil {
		t.Fatal(err)
	}
	cur.LocalAE = "DISCDESK"
	cur.Receive.Port = port // not receiving: the retrieve's own SCP listens here
	cur.Nodes = []settings.Node{{Name: "orthanc", AETitle: o.AETitle, Host: o.Host, Port: o.Port},
		{Name: "down", AETitle: "DOWN", Host: "127.0.0.1", Port: pacstest.FreePort(t)}}
	if _, err := f.svc.Settings.SaveAs("test", cur); err != nil {
		t.Fatal(err)
	}
	f.d.ShowMain()
	f.d.selectTab("PACS")
	if got := w[*widget.Select](f, "pacs.node").Selected; got != "orthanc" {
		t.Fatalf("node picker shows %q", got)
	}
	if d := f.d.Named("study.select." + study); d != nil {
		t.Fatal("the study is in the library before the retrieve")
	}

	f.tap("pacs.search")
	if got := f.label("pacs.count"); !strings.Contains(got, "give a patient ID, name, accession number or study date") {
		t.Errorf("empty search: %q", got)
	}
	f.typ("pacs.patient", "DOE^J*")
	f.choose("pacs.modality", "MR")
	f.tap("pacs.search")
	f.waitFor("search results", func() bool { return strings.Contains(f.label("pacs.count"), "found") })
	if got := f.label("pacs.count"); got != "1 study found on orthanc." {
		t.Fatalf("search: %q", got)
	}
	if w[*widget.Button](f, "pacs.retrieve").Disabled() == false {
		t.Error("Retrieve is enabled with no study chosen")
	}
	w[*widget.Table](f, "pacs.table").Select(widget.TableCellID{Row: 0, Col: 0})
	if got := f.label("pacs.selected"); !strings.Contains(got, "ID 583295") || !strings.Contains(got, "LEFT WRIST") {
		t.Errorf("selected: %q", got)
	}
	f.tap("pacs.retrieve")
	if !w[*widget.Button](f, "pacs.retrieve").Disabled() || w[*widget.Button](f, "pacs.cancel").Hidden {
		t.Error("while retrieving: Retrieve should be disabled and Cancel shown")
	}
	f.waitFor("retrieve done", func() bool { return strings.HasPrefix(f.label("pacs.msg"), "Retrieved") })
	if got := f.label("pacs.msg"); !strings.Contains(got, "16 instances from PACS node orthanc") || !strings.Contains(got, "16 new, 0 already held") {
		t.Fatalf("retrieve message: %q", got)
	}
	if bar := w[*widget.ProgressBar](f, "pacs.progress"); bar.Value != 16 || bar.Max != 16 {
		t.Errorf("progress bar at %v of %v", bar.Value, bar.Max)
	}
	f.d.selectTab("Studies")
	if f.d.Named("study.select."+study) == nil {
		t.Fatalf("the Studies screen does not list the retrieved study (%v)", f.d.NamedKeys("study.select."))
	}
	if st, err := f.svc.Lib.Study(study); err != nil || st.InstanceCount != 16 {
		t.Fatalf("library: %+v %v", st, err)
	}

	f.d.selectTab("PACS")
	f.tap("pacs.retrieve")
	f.waitFor("second retrieve", func() bool { return strings.Contains(f.label("pacs.msg"), "already held") })
	if got := f.label("pacs.msg"); !strings.Contains(got, "0 new, 16 already held") {
		t.Errorf("second retrieve: %q", got)
	}

	f.choose("pacs.node", "down")
	f.tap("pacs.search")
	f.waitFor("search of a dead node", func() bool { return strings.Contains(f.label("pacs.count"), "did not work") })
	if got := f.label("pacs.count"); !strings.Contains(got, "PACS node down") || !strings.Contains(got, "does not answer") {
		t.Errorf("dead node: %q", got)
	}

	// Cancel: the UI work is handed over one piece at a time, so the
	// retrieve waits at its first progress report (0 of 16, before the
	// C-MOVE starts) until Cancel was pressed.
	step := make(mainLoop)
	f.d.uiDo = step.do
	f.choose("pacs.node", "orthanc")
	f.tap("pacs.retrieve")
	var first func()
	select {
	case first = <-step:
	case <-time.After(20 * time.Second):
		t.Fatal("the retrieve reported no progress")
	}
	f.tap("pacs.cancel")
	if got := f.label("pacs.msg"); got != "Cancelling…" {
		t.Errorf("after Cancel: %q", got)
	}
	first()
	f.waitFor("cancelled", func() bool { step.pump(); return strings.HasPrefix(f.label("pacs.msg"), "Retrieve cancelled") })
	if !w[*widget.Button](f, "pacs.cancel").Hidden || w[*widget.Button](f, "pacs.retrieve").Disabled() || w[*widget.Button](f, "pacs.search").Disabled() {
		t.Error("after the cancel: Cancel still shown or Retrieve/Search disabled")
	}
}
