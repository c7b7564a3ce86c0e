package desk

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"discdesk/app/burnqueue"
	"discdesk/app/facility"
	"discdesk/app/handoff"
	"discdesk/app/library"
	"discdesk/app/staff"
	"discdesk/burner/disc"
	"discdesk/burner/drive"
	"discdesk/internal/corpus"
	"discdesk/internal/pgtest"
)

// deskNow is the fixed clock of the desk tests' goldens: a Monday
// afternoon, due dates shown in UTC.
var deskNow = time.Date(2026, 11, 2, 15, 0, 0, 0, time.UTC)

// fixedDesk is a signed-in desk at deskNow with due dates in UTC.
func fixedDesk(t *testing.T) *fixture {
	t.Helper()
	f := newFixture(t, true)
	f.clock.mu.Lock()
	f.clock.t = deskNow
	f.clock.mu.Unlock()
	cfg := f.svc.Handoff.Config()
	cfg.Location = time.UTC
	if err := f.svc.Handoff.SetConfig(cfg); err != nil {
		t.Fatal(err)
	}
	f.signIn(staff.DemoName, staff.DemoPIN)
	return f
}

// openForm selects the demo study of pid and opens the request form.
func (f *fixture) openForm(pid string) {
	f.t.Helper()
	st := f.study(pid)
	f.d.selectTab("Studies")
	test.Tap(w[*widget.Check](f, "study.select."+st.UID))
	f.tap("studies.request")
}

// errText is the problem shown under a form field ("" when none or hidden).
func (f *fixture) errText(key string) string {
	f.t.Helper()
	if !f.rowShown(key) {
		return ""
	}
	l := w[*widget.Label](f, "request.err."+key)
	if !l.Visible() {
		return ""
	}
	return l.Text
}

// rowShown reports whether the form shows the field's row.
func (f *fixture) rowShown(key string) bool {
	f.t.Helper()
	return w[*fyne.Container](f, "request.row."+key).Visible()
}

// The form shows the fee (itemized, naming the rule) and the target and
// legal due dates as it is filled, marks every field the request would be
// refused for at once, and shows only the fields that apply.
func TestRequestFormLiveFeeDueAndInlineProblems(t *testing.T) {
	f := fixedDesk(t)
	f.openForm("DEMO0003")
	if got := f.errText("identity"); got != "Please fill in the identity check." {
		t.Errorf("identity problem %q", got)
	}
	for _, k := range []string{"requester.relationship", "requester.organization", "address", "labour"} {
		if f.rowShown(k) {
			t.Errorf("row %s shown on a patient's pickup request at a flat fee", k)
		}
	}
	fee := f.label("request.fee")
	for _, want := range []string{"Rule: flat fee of $6.50 per request, whatever the medium", "Flat fee (CD included): $6.50", "Total: $6.50", "No state fee cap is configured."} {
		if !strings.Contains(fee, want) {
			t.Errorf("fee %q lacks %q", fee, want)
		}
	}
	if strings.Contains(fee, "electronic copy") {
		t.Errorf("a CD quoted as an electronic copy: %q", fee)
	}
	if got, want := f.label("request.due"), "Target (routine): Wed Dec 2, 2026 15:00, 30 days left\nLegal limit (30 days): Wed Dec 2, 2026 15:00"; got != want {
		t.Errorf("due %q, want %q", got, want)
	}
	test.AssertObjectRendersToMarkup(t, "request_form/new.xml", f.d.studies.content)

	// Every problem at once, under its own field.
	w[*widget.Entry](f, "request.patient").SetText("")
	f.choose("request.requester", string(handoff.RequesterRepresentative))
	f.choose("request.delivery", string(handoff.DeliveryOvernight))
	w[*widget.Entry](f, "request.birth").SetText("31/31/1990")
	w[*widget.Entry](f, "request.copies").SetText("two")
	want := map[string]string{
		"patient":                "Please fill in the patient's name.",
		"birth":                  "not a date the desk understands",
		"requester.relationship": "Please fill in the relationship.",
		"requester.name":         "Please fill in the requester's name.",
		"identity":               "Please fill in the identity check.",
		"copies":                 `"two" is not a number`,
		"address":                "Please fill in the mailing address.",
	}
	for k, v := range want {
		if got := f.errText(k); !strings.Contains(got, v) {
			t.Errorf("problem of %s %q, want %q", k, got, v)
		}
	}
	for _, k := range []string{"pid", "requester", "format", "delivery", "urgency", "notes"} {
		if got := f.errText(k); got != "" {
			t.Errorf("%s marked %q", k, got)
		}
	}
	if !f.rowShown("address") || !f.rowShown("requester.relationship") || f.rowShown("requester.organization") {
		t.Error("the overnight representative's rows")
	}
	if fee := f.label("request.fee"); !strings.Contains(fee, "Shipping: overnight (requested): $32.00") || !strings.Contains(fee, "Total: $38.50") {
		t.Errorf("overnight fee %q", fee)
	}
	test.AssertObjectRendersToMarkup(t, "request_form/problems.xml", f.d.studies.content)
	f.tap("request.plan")
	if got := f.label("request.msg"); !strings.Contains(got, "Fix the fields marked in red") || !strings.Contains(got, "copies") {
		t.Errorf("plan with unreadable fields: %q", got)
	}
	f.tap("request.record")
	if n, _ := f.svc.Handoff.Count(); n != 0 {
		t.Fatalf("%d events after a refused record", n)
	}

	// Fixed one by one, the marks go; the fee and due follow the form.
	w[*widget.Entry](f, "request.patient").SetText("O'Brien, Seán")
	w[*widget.Entry](f, "request.birth").SetText("01/02/1990")
	w[*widget.Entry](f, "request.copies").SetText("1")
	f.typ("request.requester.relationship", "daughter")
	f.typ("request.requester.name", "O'Brien, Aoife")
	f.typ("request.identity", "driver licence")
	f.typ("request.address", "12 Quay St\nPortland, ME 04101")
	f.choose("request.urgency", string(handoff.UrgencyExpedited))
	f.choose("request.fee.method", "actual cost")
	if !f.rowShown("labour") {
		t.Error("labour row hidden at actual cost")
	}
	f.typ("request.labour", "10")
	for _, k := range formKeys {
		if got := f.errText(k); got != "" {
			t.Errorf("%s still marked %q", k, got)
		}
	}
	fee = f.label("request.fee")
	for _, want := range []string{"Rule: actual cost, itemized: labour at $24.00 an hour", "Labour (minutes): 10 × $0.40 = $4.00", "Media: CD: $0.75", "Padded envelope: $0.85", "Shipping: overnight (requested): $32.00", "Total: $37.60"} {
		if !strings.Contains(fee, want) {
			t.Errorf("actual-cost fee %q lacks %q", fee, want)
		}
	}
	if got := f.label("request.due"); !strings.HasPrefix(got, "Target (expedited): Wed Nov 4, 2026 15:00, 2 days left") {
		t.Errorf("expedited due %q", got)
	}
	test.AssertObjectRendersToMarkup(t, "request_form/filled.xml", f.d.studies.content)
	f.tap("request.record")
	reqs, _ := f.svc.Handoff.OpenRequests(deskNow, false)
	if len(reqs) != 1 {
		t.Fatalf("recorded %d requests (msg %q)", len(reqs), f.label("request.msg"))
	}
	r := reqs[0]
	if r.Fee.Total != 3760 || r.Fee.Method != handoff.FeeActual || r.Patient.BirthDate != "1990-01-02" || r.Requester.Relationship != "daughter" ||
		!r.Due.Equal(deskNow.Add(48*time.Hour)) {
		t.Errorf("recorded %+v", r)
	}
}

// A request recorded now (a phone call) is burned later from Requests with
// its Burn button; while its disc is queued there is no second Burn; the
// handover shows only the fields of the way the disc leaves, and the
// detail shows the tracking number.
func TestRecordNowBurnLaterAndMail(t *testing.T) {
	f := fixedDesk(t)
	f.openForm("DEMO0003")
	f.typ("request.identity", "call-back to the home number")
	f.choose("request.delivery", string(handoff.DeliveryMail))
	f.typ("request.address", "12 Quay St\nPortland, ME 04101")
	f.tap("request.record")
	if f.d.tabs.Selected().Text != "Requests" {
		t.Fatalf("tab %q after recording (msg %q)", f.d.tabs.Selected().Text, f.label("request.msg"))
	}
	reqs, _ := f.svc.Handoff.OpenRequests(deskNow, false)
	if len(reqs) != 1 {
		t.Fatalf("%d requests", len(reqs))
	}
	r := reqs[0]
	if !strings.Contains(f.label("main.notice"), staff.RequestCode(r.ID)) || !strings.Contains(f.label("main.notice"), "Dec 2, 2026") {
		t.Errorf("notice %q", f.label("main.notice"))
	}
	if jobs, _ := f.svc.Queue.List(); len(jobs) != 0 {
		t.Fatalf("recording queued %v", jobs)
	}
	// The next day, the clerk burns it.
	f.clock.add(24 * time.Hour)
	f.d.requests.refresh()
	f.tap("requests.row." + r.ID)
	if f.d.Named("handoff.burn") == nil {
		t.Fatalf("no Burn button: %v", f.d.NamedKeys("handoff."))
	}
	if ack, ok := f.d.Named("burn.ack.no-report").(*widget.Check); ok {
		test.Tap(ack)
	}
	f.tap("handoff.burn")
	if got := f.label("handoff.msg"); got != "The disc is in the burn queue." {
		t.Fatalf("burn: %q", got)
	}
	if f.d.Named("handoff.burn") != nil || f.d.Named("handoff.queued") == nil {
		t.Fatalf("a queued request offers Burn again: %v", f.d.NamedKeys("handoff."))
	}
	jobs, _ := f.svc.Station.Jobs(r.ID)
	if len(jobs) != 1 {
		t.Fatalf("jobs %v", jobs)
	}
	if _, _, err := f.svc.Station.Worker(f.svc.open, f.svc.progress).RunJob(context.Background(), jobs[0].ID); err != nil {
		t.Fatal(err)
	}
	f.d.requests.refresh()
	// Mailed: carrier and tracking, no identity check at the desk.
	if got := w[*widget.RadioGroup](f, "handoff.leaves").Selected; got != leavesMail {
		t.Errorf("a mail request leaves %q", got)
	}
	if !f.shown("handoff.bymail") || !f.shown("handoff.mail") || f.shown("handoff.atdesk") || f.shown("handoff.pickup") {
		t.Error("mail handover shows the desk's fields")
	}
	w[*widget.RadioGroup](f, "handoff.leaves").SetSelected(leavesDesk)
	if f.shown("handoff.bymail") || f.shown("handoff.mail") || !f.shown("handoff.atdesk") || !f.shown("handoff.pickup") {
		t.Error("desk handover shows carrier and tracking")
	}
	w[*widget.RadioGroup](f, "handoff.leaves").SetSelected(leavesMail)
	f.choose("handoff.carrier", "USPS")
	f.typ("handoff.tracking", "9400100000000000000000")
	f.tap("handoff.mail")
	if got := f.label("handoff.msg"); got != "Mailing recorded." {
		t.Fatalf("mail: %q", got)
	}
	if info := f.label("handoff.info"); !strings.Contains(info, "tracking 9400100000000000000000 (USPS)") {
		t.Errorf("detail without tracking: %q", info)
	}
	if got := f.label("handoff.tellwhy"); got != "Tell the patient: nothing to tell: the copy has not arrived yet (confirm its receipt first)." {
		t.Errorf("why the patient cannot be told yet: %q", got)
	}
}

// shown reports whether the named object is shown.
func (f *fixture) shown(key string) bool {
	f.t.Helper()
	o := f.d.Named(key)
	return o != nil && o.Visible()
}

// Plan warnings read as one line a clerk acts on, details folded away, no
// library paths; the no-report acknowledgement stays.
func TestPlanWarningsPlainLanguage(t *testing.T) {
	f := fixedDesk(t)
	files := func(dir string, from, n int) string {
		var l []string
		for i := from; i < from+n && i < from+3; i++ {
			l = append(l, "file "+dir+"/IM"+string(rune('0'+i))+` (series 2 "Axial", study "CT HEAD")`)
		}
		s := strings.Join(l, ", ")
		if n > 3 {
			s += " and " + string(rune('0'+n-3)) + " more"
		}
		return s
	}
	ws := []disc.Warning{
		{Code: disc.WarnInconsistent, Message: files("/srv/discdesk/library/1.2.3/1.2.3.4", 1, 3) + ": Study Time (0008,0030): instances disagree; using \"093400\" " +
			"(first by Series Number, Instance Number, SOP Instance UID): \"093400\" in 8 file(s): " + files("/srv/discdesk/library/1.2.3/1.2.3.4", 1, 8) +
			"; \"101500\" in 2 file(s): " + files("/srv/discdesk/library/1.2.3/1.2.3.5", 1, 2)},
		{Code: disc.WarnNoReport, NeedsAck: true, Message: "no report for 1 of 1 studies (2026-11-01 CT CT HEAD): the disc will carry images only unless a report is added"},
	}
	rows, acks, codes := planWarnings(f.d, "plan", ws, "this CT")
	if got, want := f.label("plan.warning.inconsistent"), "2 images of this CT carry a different study time; the disc uses 09:34."; got != want {
		t.Errorf("warning %q, want %q", got, want)
	}
	if got := f.label("plan.warning.no-report"); got != "No report for this CT: the disc carries images only unless a report is added." {
		t.Errorf("no-report %q", got)
	}
	if len(acks) != 1 || len(codes) != 1 || codes[0] != disc.WarnNoReport || f.d.Named("plan.ack.no-report") == nil {
		t.Errorf("acknowledgements %v", codes)
	}
	acc := w[*widget.Accordion](f, "plan.warning.inconsistent.details")
	if acc.Items[0].Open {
		t.Error("details open")
	}
	details := acc.Items[0].Detail.(*widget.Label).Text
	if strings.Contains(details, "/srv") || !strings.Contains(details, "10:15: 2 images") || !strings.Contains(details, "09:34: 8 images") {
		t.Errorf("details %q", details)
	}
	box := container.NewVBox(rows...)
	box.Resize(fyne.NewSize(700, 300))
	test.AssertObjectRendersToMarkup(t, "plan_warnings/time_disagreement.xml", box)
}

// The request list's header counts overdue and due-today requests; each
// row has the year, the days left, "Family, Given" and "1 study / 2
// studies"; outside discs are listed apart, without due date or fee.
func TestRequestListCountsAndRows(t *testing.T) {
	f := fixedDesk(t)
	by := f.svc.actor(*f.d.User())
	a, b := f.study("DEMO0001"), f.study("DEMO0002")
	rec := func(name string, u handoff.Urgency, uids ...string) handoff.Request {
		t.Helper()
		r, err := f.svc.Station.Record(handoff.RequestInput{Patient: handoff.Patient{Name: name}, Requester: handoff.Requester{Kind: handoff.RequesterPatient},
			Identity: handoff.IdentityCheck{Method: "known to staff", CheckedBy: "Demo Staff"}, Studies: handoff.Studies{UIDs: uids},
			Format: handoff.FormatCD, Delivery: handoff.DeliveryPickup, Urgency: u}, by)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	today := rec("Yamada^Tarou", handoff.UrgencySameDay, a.UID, b.UID)
	soon := rec("Doe, Jane", handoff.UrgencyExpedited, a.UID)
	later := rec("Roe, Richard", handoff.UrgencyRoutine, b.UID)
	out, err := f.svc.Handoff.RecordOutsideDisc(handoff.Patient{Name: "Doe, Jane"}, handoff.Intake{Sender: "St Elsewhere", Studies: []string{a.UID},
		Instances: 41, Receipt: "Imported 41 of 41 images."}, by)
	if err != nil {
		t.Fatal(err)
	}
	f.d.selectTab("Requests")
	f.d.requests.refresh()
	if got := f.label("requests.head"); got != "Open requests by due date · 3 open: 0 overdue, 1 due today" {
		t.Errorf("head %q", got)
	}
	if got := w[*widget.Button](f, "requests.row."+today.ID).Text; !strings.Contains(got, "Yamada, Tarou") || !strings.Contains(got, "2 studies") {
		t.Errorf("row %q", got)
	}
	if got := w[*widget.Button](f, "requests.row."+soon.ID).Text; !strings.HasSuffix(got, "· 1 study") {
		t.Errorf("row %q", got)
	}
	if got := f.label("requests.row.due." + today.ID); got != "due Mon Nov 2, 2026 23:59 · due today" {
		t.Errorf("same-day due %q", got)
	}
	if got := f.label("requests.row.due." + later.ID); got != "due Wed Dec 2, 2026 15:00 · 30 days left" {
		t.Errorf("routine due %q", got)
	}
	if got := f.label("requests.row.due." + out.ID); got != "outside disc from St Elsewhere, received Nov 2, 2026" {
		t.Errorf("outside disc row %q", got)
	}
	f.tap("requests.row." + out.ID)
	if info := f.label("handoff.info"); strings.Contains(info, "Due") || strings.Contains(info, "Fee") || f.d.Named("handoff.doc.invoice") != nil {
		t.Errorf("outside disc shown as a copy request: %q", info)
	}
	// It stands on the tell-the-patient list, so the desk may mark it told
	// (CanTell is the list's rule); told, it leaves the list.
	f.tap("handoff.told")
	if got, err := f.svc.Handoff.Request(out.ID); err != nil || got.PatientTold.IsZero() {
		t.Fatalf("outside disc not told: %v", err)
	}
	if f.d.Named("handoff.told") != nil || f.d.Named("requests.row."+out.ID) != nil {
		t.Error("told outside disc still offers \"patient told\" or stays on the list")
	}
	f.clock.add(49 * time.Hour)
	f.d.requests.refresh()
	if got := f.label("requests.head"); got != "Open requests by due date · 3 open: 2 overdue, 0 due today" {
		t.Errorf("head two days on %q", got)
	}
	if got := f.label("requests.row.due." + today.ID); got != "OVERDUE since Mon Nov 2, 2026 23:59 · 2 days overdue" {
		t.Errorf("overdue %q", got)
	}
	f.tap("requests.row." + later.ID)
	if info := f.label("handoff.info"); !strings.Contains(info, "Due Wed Dec 2, 2026 15:00 (28 days left)") || !strings.Contains(info, "Fee: $6.50 (flat fee)") {
		t.Errorf("detail %q", info)
	}
}

// The same-day box quotes the fee and due date the request will get, from
// the handoff rules (not the settings' list prices).
func TestSameDayBoxFeeAndDue(t *testing.T) {
	f := fixedDesk(t)
	f.tap("study.sameday." + f.study("DEMO0003").UID)
	if got := f.label("sameday.info"); !strings.Contains(got, "due Mon Nov 2, 2026 23:59 · fee $6.50 (flat fee)") {
		t.Errorf("same-day box %q", got)
	}
	f.tap("sameday.cancel")
}

// "obrien" and "sean" find O'Brien, Seán's request: the search ignores
// punctuation, case and accents.
func TestRequestSearchIgnoresPunctuationAndAccents(t *testing.T) {
	f := fixedDesk(t)
	r, err := f.svc.Station.Record(handoff.RequestInput{Patient: handoff.Patient{Name: "O'Brien, Seán"}, Requester: handoff.Requester{Kind: handoff.RequesterPatient},
		Identity: handoff.IdentityCheck{Method: "known to staff", CheckedBy: "Demo Staff"}, Studies: handoff.Studies{UIDs: []string{f.study("DEMO0003").UID}},
		Format: handoff.FormatCD, Delivery: handoff.DeliveryPickup}, f.svc.actor(*f.d.User()))
	if err != nil {
		t.Fatal(err)
	}
	f.d.selectTab("Requests")
	for _, q := range []string{"obrien", "O'Brien", "sean", "SEÁN O BRIEN"} {
		w[*widget.Entry](f, "requests.search").SetText(q)
		if f.d.Named("requests.row."+r.ID) == nil {
			t.Errorf("%q does not find O'Brien, Seán (%q)", q, f.label("requests.head"))
		}
	}
	w[*widget.Entry](f, "requests.search").SetText("yamada")
	if f.d.Named("requests.row."+r.ID) != nil || f.label("requests.head") != "Found 0 requests" {
		t.Errorf("yamada finds %q", f.label("requests.head"))
	}
}

// tab returns the content of the main tab named text.
func (f *fixture) tab(text string) fyne.CanvasObject {
	f.t.Helper()
	for _, it := range f.d.tabs.Items {
		if it.Text == text {
			f.d.selectTab(text)
			return it.Content
		}
	}
	f.t.Fatalf("no tab %q", text)
	return nil
}

// Goldens of the desk's own screens as a clerk first sees them on the
// demo library at the fixed clock.
func TestDeskScreensMarkup(t *testing.T) {
	f := fixedDesk(t)
	f.d.requests.refresh()
	for _, s := range []struct{ tab, golden string }{
		{"Requests", "desk_screens/requests_empty.xml"},
		{"Offers", "desk_screens/offers.xml"},
		{"Outside disc", "desk_screens/outside_disc.xml"},
	} {
		o := f.tab(s.tab)
		test.AssertObjectRendersToMarkup(t, s.golden, o)
	}
}

// The queue's rows bind their progress and phase: a progress event updates
// the bar in place; the row is rebuilt only when the jobs change.
func TestQueueRowsBindProgress(t *testing.T) {
	f := fixedDesk(t)
	by := f.svc.actor(*f.d.User())
	r, err := f.svc.Station.Record(handoff.RequestInput{Patient: handoff.Patient{Name: "Yamada^Tarou"}, Requester: handoff.Requester{Kind: handoff.RequesterPatient},
		Identity: handoff.IdentityCheck{Method: "known to staff", CheckedBy: "Demo Staff"}, Studies: handoff.Studies{UIDs: []string{f.study("DEMO0003").UID}},
		Format: handoff.FormatCD, Delivery: handoff.DeliveryPickup}, by)
	if err != nil {
		t.Fatal(err)
	}
	job, err := f.svc.BurnRequest(context.Background(), r.ID, []disc.WarningCode{disc.WarnNoReport}, *f.d.User())
	if err != nil {
		t.Fatal(err)
	}
	f.d.queue.refresh()
	id := job.ID.String()
	row := f.d.Named("queue.job." + id)
	if got := f.label("queue.job." + id + ".who"); !strings.Contains(got, "Yamada, Tarou") {
		t.Errorf("queue row names %q", got)
	}
	f.svc.progress(burnqueue.Event{Job: job.ID, Progress: drive.Progress{Done: 1, Total: 4}})
	f.d.queue.refresh()
	if f.d.Named("queue.job."+id) != row {
		t.Error("a progress event rebuilt the row")
	}
	if v := w[*widget.ProgressBar](f, "queue.job."+id+".progress").Value; v != 0.25 {
		t.Errorf("progress %v", v)
	}
	if got := f.label("queue.job." + id + ".state"); got != "Waiting for the drive" {
		t.Errorf("phase %q", got)
	}
}

// With a state fee rule in force the form names it and its cap, and says
// at once when a fee is above it.
func TestRequestFormStateCap(t *testing.T) {
	f := fixedDesk(t)
	caps, err := handoff.ExampleFeeCaps()
	if err != nil {
		t.Fatal(err)
	}
	cfg := f.svc.Handoff.Config()
	cfg.Fees.State, cfg.Fees.Caps = "NJ", &caps
	if err := f.svc.Handoff.SetConfig(cfg); err != nil {
		t.Fatal(err)
	}
	f.openForm("DEMO0003")
	if fee := f.label("request.fee"); !strings.Contains(fee, "State rule: Example rule NJ-2 (placeholder, to be checked by compliance) (NJ, facility state): cap $8.00.") {
		t.Errorf("fee %q", fee)
	}
	if f.shown("request.fee.refused") {
		t.Error("a $6.50 fee refused under an $8.00 cap")
	}
	f.choose("request.fee.method", "actual cost")
	f.typ("request.labour", "60")
	if got := f.label("request.fee.refused"); !f.shown("request.fee.refused") || !strings.Contains(got, "$24.75 is more than $8.00 allows") {
		t.Errorf("fee above the cap: %q", got)
	}
}

// fixedRequests are requests with fixed IDs (the log's are random), for
// the goldens of the list and the detail.
func fixedRequests() []handoff.Request {
	base := func(id, pname string, u handoff.Urgency, dl handoff.Delivery, due time.Time) handoff.Request {
		return handoff.Request{ID: id, Created: deskNow, Due: due, Status: handoff.StatusOpen, Updated: deskNow,
			RequestInput: handoff.RequestInput{Patient: handoff.Patient{Name: pname, BirthDate: "1990-01-02", ID: "DEMO0003"},
				Requester: handoff.Requester{Kind: handoff.RequesterPatient, Name: pname}, Recipient: pname,
				Identity: handoff.IdentityCheck{Method: "driver licence", CheckedBy: "Demo Staff"},
				Studies:  handoff.Studies{UIDs: []string{"1.2.826.0.1.3680043.10.1"}}, Format: handoff.FormatCD, Copies: 1, Delivery: dl, Urgency: u},
			Fee: handoff.Fee{Method: handoff.FeeFlat, Total: 650, Items: []handoff.LineItem{{Desc: "Flat fee (HIPAA flat-fee option), any medium", Qty: 1, UnitCents: 650, Cents: 650}}}}
	}
	over := base("01a23723-0000-7000-8000-00000000a001", "Yamada^Tarou", handoff.UrgencyExpedited, handoff.DeliveryPickup, deskNow.Add(-26*time.Hour))
	over.Studies.UIDs = append(over.Studies.UIDs, "1.2.826.0.1.3680043.10.2")
	today := base("01a23723-0000-7000-8000-00000000a002", "O'Brien, Seán", handoff.UrgencySameDay, handoff.DeliveryPickup, time.Date(2026, 11, 2, 23, 59, 59, 0, time.UTC))
	today.Status = handoff.StatusBurned
	today.Discs = []handoff.Disc{{UUID: "01a23723-0000-7000-8000-0000000d0001", N: 1, M: 1, Verified: true, Burned: deskNow}}
	mailed := base("01a23723-0000-7000-8000-00000000a003", "Doe, Jane", handoff.UrgencyRoutine, handoff.DeliveryMail, deskNow.AddDate(0, 0, 30))
	mailed.Address = &handoff.Address{Street: "12 Quay St", City: "Portland", Region: "ME", PostalCode: "04101", Country: "US"}
	mailed.Status = handoff.StatusDelivered
	mailed.Discs = []handoff.Disc{{UUID: "01a23723-0000-7000-8000-0000000d0002", N: 1, M: 1, Verified: true, Burned: deskNow,
		HandedOver: deskNow.Add(time.Hour), Method: "mail", Tracking: "9400100000000000000000"}}
	return []handoff.Request{over, today, mailed}
}

// Goldens of the request list's rows and of a request's detail: a pickup
// disc ready at the desk (identity fields, no carrier), and a mailed one
// (tracking shown, awaiting receipt).
func TestRequestListAndDetailMarkup(t *testing.T) {
	f := fixedDesk(t)
	reqs := fixedRequests()
	r := f.d.requests
	list := container.NewVBox(widget.NewLabel(openCounts(reqs, deskNow, time.UTC)))
	for _, q := range reqs {
		list.Add(r.row(q, deskNow))
	}
	list.Resize(fyne.NewSize(560, list.MinSize().Height))
	test.AssertObjectRendersToMarkup(t, "request_list/rows.xml", list)
	if got := openCounts(reqs, deskNow, time.UTC); got != "3 open: 1 overdue, 1 due today" {
		t.Errorf("counts %q", got)
	}
	for _, c := range []struct {
		q      handoff.Request
		golden string
	}{{reqs[1], "request_detail/pickup_ready.xml"}, {reqs[2], "request_detail/mailed.xml"}} {
		f.d.selectTab("Requests")
		r.show(c.q)
		r.detail.Resize(fyne.NewSize(720, r.detail.MinSize().Height))
		test.AssertObjectRendersToMarkup(t, c.golden, r.detail)
	}
	if f.shown("handoff.bymail") {
		t.Error("carrier and tracking on a pickup")
	}
	// Part paid, the rest waived: the payments and no payment fields.
	paid := reqs[2]
	paid.Payments = []handoff.Payment{{Cents: 300, Method: handoff.PayCheck, Reference: "1001", Time: deskNow, Staff: staff.DemoName},
		{Waived: true, Reason: "financial hardship", Time: deskNow.Add(time.Hour), Staff: staff.DemoName}}
	r.show(paid)
	r.detail.Resize(fyne.NewSize(720, r.detail.MinSize().Height))
	test.AssertObjectRendersToMarkup(t, "request_detail/paid_waived.xml", r.detail)
	if f.d.Named("handoff.pay.record") != nil || f.d.Named("handoff.pay.waive") != nil {
		t.Error("payment fields on a waived fee")
	}
}

// The detail says what is due; a clerk records part of it paid (a
// refusal above the balance, inline), then waives the rest with a reason;
// each is in the log in the signed-in member's name, and nothing more is
// offered once the fee is waived.
func TestRecordPaymentAndWaiveAtTheDesk(t *testing.T) {
	f := fixedDesk(t)
	by := f.svc.actor(*f.d.User())
	r, err := f.svc.Station.Record(handoff.RequestInput{Patient: handoff.Patient{Name: "Doe, Jane"}, Requester: handoff.Requester{Kind: handoff.RequesterPatient},
		Identity: handoff.IdentityCheck{Method: "known to staff", CheckedBy: "Demo Staff"}, Studies: handoff.Studies{UIDs: []string{f.study("DEMO0003").UID}},
		Format: handoff.FormatCD, Delivery: handoff.DeliveryPickup}, by)
	if err != nil {
		t.Fatal(err)
	}
	f.d.selectTab("Requests")
	f.d.requests.refresh()
	f.tap("requests.row." + r.ID)
	if info := f.label("handoff.info"); !strings.Contains(info, "Fee: $6.50 (flat fee)\nBalance due $6.50") {
		t.Errorf("detail %q", info)
	}
	if got := w[*widget.Entry](f, "handoff.pay.amount").Text; got != "6.50" {
		t.Errorf("amount offered %q", got)
	}
	f.tap("handoff.pay.record")
	if got := f.label("handoff.msg"); got != "Please choose how the fee was paid." {
		t.Errorf("no method: %q", got)
	}
	f.choose("handoff.pay.method", handoff.PayCash)
	for _, c := range []struct{ amount, want string }{
		{"7", "That is more than the $6.50 due."},
		{"six", `Check the amount: "six" is not an amount like 6.50.`},
		{"0.00", "Check the amount: a payment is more than $0.00."},
		{"1.234", `Check the amount: "1.234" is not an amount like 6.50.`},
	} {
		w[*widget.Entry](f, "handoff.pay.amount").SetText(c.amount)
		f.tap("handoff.pay.record")
		if got := f.label("handoff.msg"); got != c.want {
			t.Errorf("amount %q: %q, want %q", c.amount, got, c.want)
		}
	}
	if n, _ := f.svc.Handoff.Count(); n != 1 {
		t.Fatalf("%d events after refused payments", n)
	}
	w[*widget.Entry](f, "handoff.pay.amount").SetText("$3")
	f.typ("handoff.pay.reference", "receipt 17")
	f.tap("handoff.pay.record")
	if got := f.label("handoff.msg"); got != "Payment of $3.00 recorded." {
		t.Fatalf("payment: %q", got)
	}
	if info := f.label("handoff.info"); !strings.Contains(info, "Paid $3.00 cash (ref receipt 17) on 2 Nov 2026\nBalance due $3.50") {
		t.Errorf("detail after $3.00: %q", info)
	}
	if got := w[*widget.Entry](f, "handoff.pay.amount").Text; got != "3.50" {
		t.Errorf("amount offered after $3.00: %q", got)
	}
	f.tap("handoff.pay.waive")
	if got := f.label("handoff.msg"); got != "Please say why the fee is waived." {
		t.Errorf("waiver without a reason: %q", got)
	}
	f.typ("handoff.pay.reason", "financial hardship")
	f.tap("handoff.pay.waive")
	if got := f.label("handoff.msg"); got != "Fee waived." {
		t.Fatalf("waiver: %q", got)
	}
	if info := f.label("handoff.info"); !strings.Contains(info, "Fee waived: financial hardship (Demo Staff, 2 Nov 2026)") || strings.Contains(info, "Balance due") {
		t.Errorf("detail after the waiver: %q", info)
	}
	if f.d.Named("handoff.pay.record") != nil || f.d.Named("handoff.pay.waive") != nil {
		t.Errorf("payment offered after a waiver: %v", f.d.NamedKeys("handoff.pay."))
	}
	evs, _ := f.svc.Handoff.Events(r.ID, "")
	var who []string
	for _, ev := range evs {
		if ev.Kind == handoff.EventPaid {
			who = append(who, ev.Staff+": "+ev.Detail())
		}
	}
	if got := strings.Join(who, "; "); got != "Demo Staff: paid $3.00 cash (ref receipt 17); Demo Staff: waived: financial hardship" {
		t.Errorf("logged %q", got)
	}
}

// A request recorded for a date range (by phone, `request new --from`)
// names no studies: its detail takes the clerk to the patient's studies of
// that range instead of a dead end.
func TestDateRangeRequestFindsItsStudies(t *testing.T) {
	f := fixedDesk(t)
	st := f.study("DEMO0003")
	r, err := f.svc.Station.Record(handoff.RequestInput{Patient: handoff.Patient{Name: "O'Brien, Seán", ID: "DEMO0003"}, Requester: handoff.Requester{Kind: handoff.RequesterPatient},
		Identity: handoff.IdentityCheck{Method: "call-back", CheckedBy: "Demo Staff"}, Studies: handoff.Studies{From: "2026-11-01", To: "2026-11-30"},
		Format: handoff.FormatCD, Delivery: handoff.DeliveryPickup}, f.svc.actor(*f.d.User()))
	if err != nil {
		t.Fatal(err)
	}
	f.d.selectTab("Requests")
	f.d.requests.refresh()
	f.tap("requests.row." + r.ID)
	if got := f.label("handoff.burnwhy"); !strings.Contains(got, "all imaging from 2026-11-01 to 2026-11-30") {
		t.Fatalf("burn why %q", got)
	}
	f.tap("handoff.findstudies")
	if f.d.tabs.Selected().Text != "Studies" || w[*widget.Entry](f, "studies.search").Text != "DEMO0003" || f.d.Named("study.select."+st.UID) == nil {
		t.Errorf("studies screen: tab %q, search %q, count %q", f.d.tabs.Selected().Text, w[*widget.Entry](f, "studies.search").Text, f.label("studies.count"))
	}
}

// A payment recorded at one desk of a facility database (PostgreSQL) is
// the facility's: the other desk shows it and its balance, the rule holds
// there too, and the facility's log verifies with it.
func TestPaymentAtOneDeskIsTheFacilitys(t *testing.T) {
	srv := pgtest.Start(t)
	srv.CreateDB(t, "facility")
	url := srv.AdminURL("facility")
	if err := facility.Setup(context.Background(), facility.Config{URL: url}); err != nil {
		t.Fatal(err)
	}
	front := facilityFixture(t, url, "FRONT-DESK")
	back := facilityFixture(t, url, "HIM-OFFICE")
	front.signIn(staff.DemoName, staff.DemoPIN)
	r, err := front.svc.Station.Record(SameDayInput(front.study("DEMO0002"), *front.d.User()), front.svc.actor(*front.d.User()))
	if err != nil {
		t.Fatal(err)
	}
	front.d.ShowMain()
	front.d.selectTab("Requests")
	front.d.requests.refresh()
	front.tap("requests.row." + r.ID)
	front.choose("handoff.pay.method", handoff.PayCard)
	w[*widget.Entry](front, "handoff.pay.amount").SetText("2.50")
	front.tap("handoff.pay.record")
	if got := front.label("handoff.msg"); got != "Payment of $2.50 recorded." {
		t.Fatalf("payment at the front desk: %q", got)
	}

	back.signIn(staff.DemoName, staff.DemoPIN)
	back.d.ShowMain()
	back.d.selectTab("Requests")
	back.d.requests.refresh()
	back.tap("requests.row." + r.ID)
	if info := back.label("handoff.info"); !strings.Contains(info, "Paid $2.50 card on ") || !strings.Contains(info, "Balance due "+(r.Fee.Total-250).String()) {
		t.Errorf("the other desk's detail: %q", info)
	}
	w[*widget.Entry](back, "handoff.pay.amount").SetText(r.Fee.Total.String())
	back.choose("handoff.pay.method", handoff.PayCash)
	back.tap("handoff.pay.record")
	if got := back.label("handoff.msg"); !strings.HasPrefix(got, "That is more than the ") {
		t.Errorf("more than the balance at the other desk: %q", got)
	}
	if _, err := back.svc.Station.RecordPayment(r.ID, handoff.Payment{Waived: true, Reason: "staff courtesy"}, *back.d.User(), back.svc.actor(*back.d.User()).Workstation); err != nil {
		t.Fatal(err)
	}
	got, err := front.svc.Handoff.Request(r.ID)
	if err != nil || got.Balance() != 0 || len(got.Payments) != 2 || got.Payments[1].Reason != "staff courtesy" {
		t.Fatalf("the front desk's view: %+v %v", got.Payments, err)
	}
	// Cancelled, the $2.50 paid goes back at the other desk; the facility
	// holds the refund to the same rule and replays it.
	if _, err := front.svc.Station.Cancel(r.ID, "patient withdrew", front.svc.actor(*front.d.User())); err != nil {
		t.Fatal(err)
	}
	back.d.requests.show(mustGet(t, back, r.ID))
	back.choose("handoff.refund.method", handoff.PayCash)
	back.typ("handoff.refund.reason", "request withdrawn")
	if got := back.refund("2.51"); got != "That is more than the $2.50 owed." {
		t.Errorf("refund beyond what was paid at the other desk: %q", got)
	}
	if got := back.refund("2.50"); got != "Refund of $2.50 recorded." {
		t.Fatalf("refund at the other desk: %q", got)
	}
	if got, err := front.svc.Handoff.Request(r.ID); err != nil || got.Paid() != 0 || got.Refunded() != 250 || got.Refundable() != 0 {
		t.Errorf("the front desk's view of the refund: %+v %v", got.Payments, err)
	}
	if _, err := front.svc.Handoff.Verify(); err != nil {
		t.Fatalf("facility log: %v", err)
	}
}

// Waiving and refunding are a supervisor's: a front-desk member records a
// payment but is offered no waiver and no refund, only who may. A
// supervisor gives back what was paid on a cancelled request, with a
// reason, never more; the detail shows the refund and the log names it.
func TestWaiveAndRefundNeedASupervisorAtTheDesk(t *testing.T) {
	f := fixedDesk(t)
	sup := *f.d.User()
	if _, err := f.svc.Staff.Add(sup, "Ann Clerk", staff.FrontDesk, "4321"); err != nil {
		t.Fatal(err)
	}
	by := f.svc.actor(sup)
	r, err := f.svc.Station.Record(handoff.RequestInput{Patient: handoff.Patient{Name: "Doe, Jane"}, Requester: handoff.Requester{Kind: handoff.RequesterPatient},
		Identity: handoff.IdentityCheck{Method: "known to staff", CheckedBy: "Demo Staff"}, Studies: handoff.Studies{UIDs: []string{f.study("DEMO0003").UID}},
		Format: handoff.FormatCD, Delivery: handoff.DeliveryPickup}, by)
	if err != nil {
		t.Fatal(err)
	}
	f.signIn("Ann Clerk", "4321")
	f.d.ShowMain()
	f.d.selectTab("Requests")
	f.d.requests.refresh()
	f.tap("requests.row." + r.ID)
	if f.d.Named("handoff.pay.waive") != nil || f.d.Named("handoff.pay.reason") != nil || f.label("handoff.pay.waivewho") != "Only a supervisor may waive the fee." {
		t.Errorf("waiver offered to the front desk: %v", f.d.NamedKeys("handoff.pay."))
	}
	f.choose("handoff.pay.method", handoff.PayCash)
	f.tap("handoff.pay.record")
	if got := f.label("handoff.msg"); got != "Payment of $6.50 recorded." {
		t.Fatalf("payment by the front desk: %q", got)
	}
	if _, err := f.svc.Station.Cancel(r.ID, "patient withdrew", by); err != nil {
		t.Fatal(err)
	}
	f.d.requests.refresh()
	f.d.requests.show(mustGet(t, f, r.ID))
	if f.label("handoff.refund.head") != "Refund: $6.50 owed to the requester" || f.label("handoff.refund.who") != "Only a supervisor may give money back." || f.d.Named("handoff.refund.record") != nil {
		t.Errorf("refund offered to the front desk: %v", f.d.NamedKeys("handoff.refund."))
	}

	f.signIn(staff.DemoName, staff.DemoPIN)
	f.d.ShowMain()
	f.d.selectTab("Requests")
	f.d.requests.show(mustGet(t, f, r.ID))
	if info := f.label("handoff.info"); !strings.Contains(info, "Refund owed $6.50") || strings.Contains(info, "Balance due") {
		t.Errorf("cancelled, paid: %q", info)
	}
	if got := w[*widget.Entry](f, "handoff.refund.amount").Text; got != "6.50" {
		t.Errorf("refund offered %q", got)
	}
	f.choose("handoff.refund.method", handoff.PayCash)
	f.tap("handoff.refund.record")
	if got := f.label("handoff.msg"); got != "Please say why the money is given back." {
		t.Errorf("refund without a reason: %q", got)
	}
	f.typ("handoff.refund.reason", "request withdrawn")
	if got := f.refund("7"); got != "That is more than the $6.50 owed." {
		t.Errorf("refund beyond what was paid: %q", got)
	}
	if got := f.refund("6.50"); got != "Refund of $6.50 recorded." {
		t.Fatalf("refund: %q", got)
	}
	if info := f.label("handoff.info"); !strings.Contains(info, "Refunded $6.50 cash on 2 Nov 2026: request withdrawn (Demo Staff)") || strings.Contains(info, "Refund owed") {
		t.Errorf("detail after the refund: %q", info)
	}
	if f.d.Named("handoff.refund.record") != nil {
		t.Error("refund offered once all went back")
	}
	evs, _ := f.svc.Handoff.Events(r.ID, "")
	if last := evs[len(evs)-1]; last.Kind != handoff.EventRefunded || last.Staff != staff.DemoName || last.Detail() != "refunded $6.50 cash: request withdrawn" {
		t.Errorf("logged %s %s %q", last.Kind, last.Staff, last.Detail())
	}
	if _, err := f.svc.Handoff.Verify(); err != nil {
		t.Fatal(err)
	}
}

// refund records a refund of amount with the detail's refund fields and
// returns the detail's message.
func (f *fixture) refund(amount string) string {
	f.t.Helper()
	w[*widget.Entry](f, "handoff.refund.amount").SetText(amount)
	f.tap("handoff.refund.record")
	return f.label("handoff.msg")
}

func mustGet(t *testing.T, f *fixture, id string) handoff.Request {
	t.Helper()
	q, err := f.svc.Handoff.Request(id)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

// The request form records the Issuer of Patient ID of the study it was
// opened from, so the patient's history and the kiosk match the exact ID
// under that issuer; an ID typed over it has no known issuer.
func TestRequestFormRecordsTheIssuer(t *testing.T) {
	f := fixedDesk(t)
	src := corpus.Path(t, "generated", "ct_slice_variants", "ct_explicit_le_source.dcm")
	dst := filepath.Join(t.TempDir(), "issuer.dcm")
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("dcmodify", "-nb", "-gst", "-gse", "-gin", "-i", "(0010,0020)=ISS0001", "-i", "(0010,0021)=HOSP_A",
		"-i", "(0010,0010)=Issuer^Ida", "-i", "(0010,0030)=19610203", dst).CombinedOutput(); err != nil {
		t.Fatalf("dcmodify: %v\n%s", err, out)
	}
	if rep, err := f.svc.Lib.Import(context.Background(), []string{dst}, library.Options{}); err != nil || rep.Imported != 1 {
		t.Fatalf("import: %+v %v", rep, err)
	}
	f.d.studies.refresh()
	record := func(pid string) handoff.Request {
		t.Helper()
		before, _ := f.svc.Handoff.OpenRequests(deskNow, false)
		f.openForm("ISS0001")
		if pid != "" {
			w[*widget.Entry](f, "request.pid").SetText(pid)
		}
		f.typ("request.identity", "driver licence")
		f.tap("request.record")
		reqs, _ := f.svc.Handoff.OpenRequests(deskNow, false)
		if len(reqs) != len(before)+1 {
			t.Fatalf("%d requests after recording, %d before (msg %q)", len(reqs), len(before), f.label("request.msg"))
		}
		for _, r := range reqs {
			if !slices.ContainsFunc(before, func(o handoff.Request) bool { return o.ID == r.ID }) {
				return r
			}
		}
		t.Fatal("the new request is not listed")
		return handoff.Request{}
	}
	if r := record(""); r.Patient.ID != "ISS0001" || r.Patient.Issuer != "HOSP_A" {
		t.Errorf("recorded patient %+v, want ISS0001 issued by HOSP_A", r.Patient)
	}
	if r := record("ISS0001-B"); r.Patient.ID != "ISS0001-B" || r.Patient.Issuer != "" {
		t.Errorf("recorded patient %+v, want ISS0001-B with no issuer", r.Patient)
	}
}
