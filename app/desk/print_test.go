package desk

import (
	"os/exec"
	"strings"
	"testing"

	"fyne.io/fyne/v2/widget"

	"discdesk/app/handoff"
	"discdesk/app/handoff/docs"
	"discdesk/app/printing/cupstest"
	"discdesk/app/staff"
)

// The clerk's print buttons print: with a printer chosen in Settings the
// receipt goes through CUPS to a cups-pdf queue the test starts, and what
// comes out carries the request code the kiosk asks for; with none set,
// the PDF is opened instead.
func TestPrintButtonsPrintThroughCUPS(t *testing.T) {
	c := cupstest.Start(t)
	c.AddPDFQueue(t, "FrontDesk")
	f := newFixture(t, true)
	f.signIn(staff.DemoName, staff.DemoPIN)
	st := f.study("DEMO0003")
	r, err := f.svc.Handoff.NewRequest(SameDayInput(st, *f.d.User()), handoff.Actor{Staff: "t", Workstation: "w"})
	if err != nil {
		t.Fatal(err)
	}
	code := docs.RequestCode(r.ID)

	// No printer set: the PDF opens.
	f.d.selectTab("Requests")
	f.d.requests.show(r)
	f.tap("handoff.doc.receipt")
	if len(f.opened) != 1 || !strings.Contains(f.label("handoff.msg"), "No printer is set") {
		t.Fatalf("without a printer: opened %v, msg %q", f.opened, f.label("handoff.msg"))
	}

	// Settings: the CUPS server, then its queue is offered and chosen.
	f.d.selectTab("Settings")
	f.typ("settings.printing.server", c.Socket)
	f.tap("settings.printing.find")
	if got := f.label("settings.printing.status"); got != "1 printers found" {
		t.Fatalf("printer search: %q", got)
	}
	sel := w[*widget.Select](f, "settings.printing.printer")
	if !strings.Contains(strings.Join(sel.Options, ","), "FrontDesk") {
		t.Fatalf("printer choices %q lack the CUPS queue", sel.Options)
	}
	f.choose("settings.printing.printer", "FrontDesk")
	f.choose("settings.printing.labellayout", docs.LayoutDisc.Describe())
	f.tap("settings.save")
	if got := f.label("settings.msg"); !strings.HasPrefix(got, "Saved") {
		t.Fatalf("save: %q", got)
	}
	cur, _ := f.svc.Settings.Get()
	if cur.Printing.Printer != "FrontDesk" || cur.Printing.LabelLayout != "disc" || cur.Printing.Server != c.Socket {
		t.Fatalf("saved printing settings %+v", cur.Printing)
	}

	f.d.selectTab("Requests")
	f.d.requests.show(r)
	f.tap("handoff.doc.receipt")
	if got := f.label("handoff.msg"); !strings.Contains(got, "Printed: sent to FrontDesk (job FrontDesk-") {
		t.Fatalf("after printing: %q", got)
	}
	out, err := exec.Command("pdftotext", c.Printed(t, 1), "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v\n%s", err, out)
	}
	if text := strings.Join(strings.Fields(string(out)), " "); !strings.Contains(text, "Your request code "+code) {
		t.Fatalf("the printed receipt lacks the request code %s:\n%s", code, text)
	}
}
