package desk

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/widget"

	"discdesk/app/handoff"
	"discdesk/app/library"
	"discdesk/app/offers"
	"discdesk/app/staff"
	"discdesk/internal/corpus"
)

// waitFor polls cond (a screen updated from a goroutine through the desk's uiDo).
func (f *fixture) waitFor(what string, cond func() bool) {
	f.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for f.ui.pump(); !cond(); f.ui.pump() {
		if time.Now().After(deadline) {
			f.t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (f *fixture) offersDesk() *offers.Desk {
	f.t.Helper()
	od, err := f.svc.openOffers()
	if err != nil {
		f.t.Fatal(err)
	}
	return od
}

// TestOffersDeclineOfferAndRequest flags three demo studies for discharge,
// then: declined (a reason is required), offered only, and offered through
// the request flow pre-filled from the discharge list's ordering note; each
// action is recorded with the signed-in member.
func TestOffersDeclineOfferAndRequest(t *testing.T) {
	f := newFixture(t, true)
	by := handoff.Actor{Staff: "ward clerk", Workstation: "WARD-3"}
	od := f.offersDesk()
	for _, pid := range []string{"DEMO0001", "DEMO0002", "DEMO0003"} {
		if _, err := od.Flag(f.study(pid).UID, "discharge today", by); err != nil {
			t.Fatal(err)
		}
	}
	f.signIn(staff.DemoName, staff.DemoPIN)
	list, _, err := od.List(t.Context())
	if err != nil || len(list) != 3 {
		t.Fatalf("list %d %v", len(list), err)
	}
	key := map[string]string{}
	for _, c := range list {
		key[c.Patient.ID] = c.Key
		if f.d.Named("offers.offer."+c.Key) == nil {
			t.Fatalf("no row for %s: %v", c.Patient.ID, f.d.NamedKeys("offers."))
		}
	}
	// Declined: no reason, refused; with one, recorded.
	f.tap("offers.decline." + key["DEMO0001"])
	f.tap("offers.popup.decline")
	if !strings.Contains(f.label("offers.popup.msg"), "why the patient declined") {
		t.Fatalf("empty reason: %q", f.label("offers.popup.msg"))
	}
	f.typ("offers.reason", "has a portal account")
	f.tap("offers.popup.decline")
	acts, _ := od.Actions(key["DEMO0001"])
	if len(acts) != 1 || acts[0].Kind != offers.ActionDeclined || acts[0].Note != "has a portal account" || acts[0].Staff != staff.DemoName {
		t.Fatalf("declined: %+v", acts)
	}
	// The decline closes the discharge flag: the list no longer shows the patient.
	if f.d.Named("offers.row."+key["DEMO0001"]) != nil || f.d.Named("offers.row."+key["DEMO0002"]) == nil {
		t.Errorf("rows after decline: %v", f.d.NamedKeys("offers.row."))
	}
	// Offer recorded without a request.
	f.tap("offers.offer." + key["DEMO0002"])
	f.typ("offers.note", "CD at pickup")
	f.tap("offers.popup.record")
	acts, _ = od.Actions(key["DEMO0002"])
	if len(acts) != 1 || acts[0].Kind != offers.ActionOffered || acts[0].Note != "CD at pickup" || acts[0].Request != "" || acts[0].Staff != staff.DemoName {
		t.Fatalf("offered: %+v", acts)
	}
	// Offer through the request flow: the form is pre-filled, the offer
	// is recorded with the saved request.
	f.tap("offers.offer." + key["DEMO0003"])
	f.tap("offers.popup.request")
	if got := w[*widget.Entry](f, "request.pid").Text; got != "DEMO0003" {
		t.Fatalf("request form patient ID %q", got)
	}
	if got := w[*widget.Select](f, "request.urgency").Selected; got != string(handoff.UrgencySameDay) {
		t.Errorf("urgency %q", got)
	}
	f.typ("request.identity", "driver licence")
	f.tap("request.plan")
	if ack, ok := f.d.Named("plan.ack.no-report").(*widget.Check); ok {
		ack.SetChecked(true)
	}
	f.tap("plan.burn")
	acts, _ = od.Actions(key["DEMO0003"])
	if len(acts) != 1 || acts[0].Kind != offers.ActionOffered || acts[0].Request == "" || acts[0].Staff != staff.DemoName {
		t.Fatalf("offered with request: %+v (notice %q)", acts, f.label("main.notice"))
	}
	r, err := f.svc.Handoff.Request(acts[0].Request)
	if err != nil || r.Patient.ID != "DEMO0003" || r.Studies.UIDs[0] != f.study("DEMO0003").UID {
		t.Fatalf("request %+v %v", r, err)
	}
}

// TestPreparedRequestFillsTheForm: an ordering note on the discharge list
// becomes the form's requester and delivery.
func TestPreparedRequestFillsTheForm(t *testing.T) {
	f := newFixture(t, true)
	f.signIn(staff.DemoName, staff.DemoPIN)
	st := f.study("DEMO0002")
	in := offers.Prepare(offers.ParseNotes("CD to Dr. Amal Haddad")[0], handoff.Patient{Name: "Yamada, Kenji", ID: "DEMO0002"}, []string{st.UID}, "")
	form := &requestForm{d: f.d, s: f.d.studies, studies: []library.Study{st}}
	form.view = form.build()
	fill(form, in)
	if form.kind.Selected != string(handoff.RequesterPhysician) || form.reqName.Text != "Dr. Amal Haddad" || form.delivery.Selected != string(handoff.DeliveryPhysician) ||
		form.urg.Selected != string(handoff.UrgencyDischarge) || !strings.Contains(form.notes.Text, "Dr. Amal Haddad") {
		t.Fatalf("form: %s %q %s %s %q", form.kind.Selected, form.reqName.Text, form.delivery.Selected, form.urg.Selected, form.notes.Text)
	}
}

// TestReconcileOutsideDisc reads a corpus MR disc in place, maps its IDs to
// local ones and runs: the library holds the local IDs, the log the receipt.
func TestReconcileOutsideDisc(t *testing.T) {
	f := newFixture(t, true)
	f.signIn(staff.DemoName, staff.DemoPIN)
	f.typ("reconcile.folder", filepath.Join(t.TempDir(), "nothing"))
	f.tap("reconcile.scan")
	if !strings.Contains(f.label("reconcile.msg"), "cannot be read") {
		t.Fatalf("missing folder: %q", f.label("reconcile.msg"))
	}
	w[*widget.Entry](f, "reconcile.folder").SetText(corpus.Path(t, "mr_series", "dcm4che_mr16"))
	f.tap("reconcile.scan")
	if info := f.label("reconcile.p.0.info"); !strings.Contains(info, "ID 583295") || !strings.Contains(info, "accession MOF5026") || !strings.Contains(info, "16 object(s)") {
		t.Fatalf("disc shown: %q", info)
	}
	f.tap("reconcile.p.0.run") // no local ID yet
	f.waitFor("refusal", func() bool { return f.label("reconcile.p.0.result") != "Importing…" })
	if !strings.Contains(f.label("reconcile.p.0.result"), "Patient ID") {
		t.Fatalf("no local ID: %q", f.label("reconcile.p.0.result"))
	}
	// Nobody matches automatically: staff search the library for the local
	// patient, and the hits become choices.
	f.typ("reconcile.p.0.find", "ramirez")
	f.tap("reconcile.p.0.find.run")
	if !strings.Contains(f.label("reconcile.p.0.find.msg"), "found") || len(w[*widget.RadioGroup](f, "reconcile.p.0.match").Options) == 0 {
		t.Errorf("search for a local patient: %q, options %v", f.label("reconcile.p.0.find.msg"), w[*widget.RadioGroup](f, "reconcile.p.0.match").Options)
	}
	f.typ("reconcile.p.0.localid", "MRN0042")
	f.typ("reconcile.p.0.acc.MOF5026", "LAKE-1")
	w[*widget.Entry](f, "reconcile.p.0.sender").SetText("Riverside Hospital")
	f.tap("reconcile.p.0.run")
	// done: the receipt is shown after the result, or the result is an error
	f.waitFor("the run", func() bool {
		res := f.label("reconcile.p.0.result")
		if res == "Importing…" {
			return false
		}
		return !strings.HasPrefix(res, "Took") || w[*widget.Entry](f, "reconcile.p.0.receipt").Visible()
	})
	res := f.label("reconcile.p.0.result")
	if !strings.Contains(res, "Took 16 of the 16 objects") || !strings.Contains(res, "PatientID 583295 → MRN0042") || !strings.Contains(res, "AccessionNumber MOF5026 → LAKE-1") {
		t.Fatalf("result %q", res)
	}
	receipt := w[*widget.Entry](f, "reconcile.p.0.receipt").Text
	if !strings.Contains(receipt, "Your images were received on") || !strings.Contains(receipt, "from Riverside Hospital") {
		t.Fatalf("receipt %q", receipt)
	}
	sts, _ := f.svc.Lib.Search(library.Query{PatientID: "MRN0042"})
	if len(sts) != 1 || sts[0].InstanceCount != 16 {
		t.Fatalf("library after import: %+v", sts)
	}
	if old, _ := f.svc.Lib.Search(library.Query{PatientID: "583295"}); len(old) != 0 {
		t.Errorf("outside ID still in the library: %d studies", len(old))
	}
	recs, err := f.svc.Handoff.Search("MRN0042")
	if err != nil || len(recs) != 1 || recs[0].Intake == nil || recs[0].Intake.Receipt != receipt || recs[0].Intake.Sender != "Riverside Hospital" {
		t.Fatalf("log: %+v %v", recs, err)
	}
	if evs, _ := f.svc.Handoff.Events(recs[0].ID, ""); len(evs) == 0 || evs[0].Staff != staff.DemoName {
		t.Errorf("recorded by %+v", evs)
	}
}

// TestElectronicCopyFromRequest writes a request's study as a ZIP into a
// chosen folder through the desk and finds it verified in the log.
func TestElectronicCopyFromRequest(t *testing.T) {
	f := newFixture(t, true)
	f.signIn(staff.DemoName, staff.DemoPIN)
	r, err := f.svc.Handoff.NewRequest(SameDayInput(f.study("DEMO0002"), *f.d.User()), f.svc.actor(*f.d.User()))
	if err != nil {
		t.Fatal(err)
	}
	f.d.requests.refresh()
	f.tap("requests.row." + r.ID)
	f.tap("handoff.copy")
	f.tap("copy.start")
	if !strings.Contains(f.label("copy.msg"), "destination folder") {
		t.Fatalf("no folder: %q", f.label("copy.msg"))
	}
	out := filepath.Join(t.TempDir(), "OneDrive")
	os.Mkdir(out, 0o700)
	f.typ("copy.folder", out)
	f.tap("copy.start")
	if ack := w[*widget.Check](f, "copy.ack"); ack.Visible() {
		ack.SetChecked(true)
		f.tap("copy.start")
	}
	<-f.d.copyDone()
	f.waitFor("the copy's message", func() bool { return !strings.HasPrefix(f.label("copy.msg"), "Writing") })
	msg := f.label("copy.msg")
	if !strings.Contains(msg, "read back and verified") || !strings.Contains(msg, "Recorded in the log") {
		t.Fatalf("copy: %q", msg)
	}
	got, _ := f.svc.Handoff.Request(r.ID)
	if len(got.Discs) != 1 || got.Discs[0].Format != handoff.FormatZIP || !got.Discs[0].Verified || filepath.Dir(got.Discs[0].Destination) != out {
		t.Fatalf("logged %+v", got.Discs)
	}
	if m := fileMode(t, got.Discs[0].Destination); m != 0o600 {
		t.Errorf("zip mode %v", m)
	}
	if evs, _ := f.svc.Handoff.Events(r.ID, got.Discs[0].UUID); len(evs) == 0 || evs[len(evs)-1].Staff != staff.DemoName {
		t.Errorf("copy recorded by %+v", evs)
	}
}
