package desk

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"discdesk/app/handoff"
	"discdesk/app/staff"
	"discdesk/internal/corpus"
	"discdesk/viewer/imageview"
	"discdesk/viewer/render"
	"discdesk/viewer/study"
)

// kioskFixture has two patients' requests and the kiosk showing.
func kioskFixture(t *testing.T) (*fixture, handoff.Request, handoff.Request) {
	f := newFixture(t, true)
	f.signIn(staff.DemoName, staff.DemoPIN)
	by := f.svc.actor(*f.d.User())
	lucia, err := f.svc.Handoff.NewRequest(SameDayInput(f.study("DEMO0001"), *f.d.User()), by)
	if err != nil {
		t.Fatal(err)
	}
	yamada, err := f.svc.Handoff.NewRequest(SameDayInput(f.study("DEMO0002"), *f.d.User()), by)
	if err != nil {
		t.Fatal(err)
	}
	f.tap("main.kiosk")
	if !f.d.InKiosk() || f.d.User() != nil || !f.win.FullScreen() {
		t.Fatalf("kiosk: in %v, user %v, full screen %v", f.d.InKiosk(), f.d.User(), f.win.FullScreen())
	}
	return f, lucia, yamada
}

func (f *fixture) kioskSignIn(code, y, m, d string) {
	f.t.Helper()
	f.typ("kiosk.code", code)
	f.typ("kiosk.year", y)
	f.typ("kiosk.month", m)
	f.typ("kiosk.day", d)
	f.tap("kiosk.open")
}

func TestKioskShowsOnlyTheRequestsStudies(t *testing.T) {
	f, lucia, yamada := kioskFixture(t)
	f.assertMarkup("kiosk_welcome.xml")
	// Lucía's code with Yamada's birth date opens nothing.
	f.kioskSignIn(staff.RequestCode(lucia.ID), "1971", "09", "23")
	if !strings.Contains(f.label("kiosk.msg"), "could not find") || f.d.kiosk.access != nil {
		t.Fatalf("wrong birth date: %q", f.label("kiosk.msg"))
	}
	f.kioskSignIn(strings.ToLower(staff.RequestCode(lucia.ID)), "1958", "4", "12")
	ct, mr := lucia.Studies.UIDs[0], yamada.Studies.UIDs[0]
	if f.d.Named("kiosk.study."+ct) == nil || len(f.d.NamedKeys("kiosk.study.")) != 1 {
		t.Fatalf("studies shown: %v", f.d.NamedKeys("kiosk.study."))
	}
	f.tap("kiosk.study." + ct)
	if f.d.Named("viewer.image") == nil || !strings.Contains(f.label("viewer.position"), "image 21 of 40") {
		t.Fatalf("viewer: %v %q", f.d.NamedKeys("viewer."), f.label("viewer.position"))
	}
	if _, ok := f.d.Named("viewer.image").(*imageview.Viewer); !ok {
		t.Errorf("the kiosk does not use the viewer widget: %T", f.d.Named("viewer.image"))
	}
	f.tap("viewer.next")
	if !strings.Contains(f.label("viewer.position"), "image 22 of 40") {
		t.Errorf("next: %q", f.label("viewer.position"))
	}
	// Reaching another patient's study by any path fails and forgets the access.
	f.d.kiosk.showStudy(mr)
	if f.d.Named("viewer.image") != nil || f.d.kiosk.access != nil || f.d.Named("kiosk.code") == nil {
		t.Fatalf("another patient's study was shown: %v", f.d.NamedKeys(""))
	}
	v := newStudyViewer(f.d, f.d.kiosk.imgs, mr, true, (&staff.KioskAccess{Studies: []string{ct}}).Allows)
	if f.d.Named("viewer.denied") == nil || v.img != nil {
		t.Error("the viewer rendered a study outside the access")
	}
	// Nothing of the staff screens is reachable.
	for _, k := range []string{"main.tabs", "main.signout", "studies.search", "settings.save", "main.problem",
		"offers.refresh", "reconcile.folder", "reconcile.browse", "handoff.copy", "copy.folder", "copy.browse"} {
		if f.d.Named(k) != nil {
			t.Errorf("%s reachable from the kiosk", k)
		}
	}
}

func TestKioskEscapeNeedsStaffPIN(t *testing.T) {
	f, lucia, _ := kioskFixture(t)
	f.kioskSignIn(staff.RequestCode(lucia.ID), "1958", "04", "12")
	// The window's close button asks for a PIN instead of closing.
	f.d.kiosk.onClose()
	if !w[*widget.PopUp](f, "kiosk.exit.popup").Visible() {
		t.Fatal("close did not ask for a staff PIN")
	}
	// The dialog names no staff member: the member types their name.
	if _, ok := f.d.Named("kiosk.exit.staff").(*widget.Entry); !ok {
		t.Fatalf("the exit dialog offers %T, not a typed name", f.d.Named("kiosk.exit.staff"))
	}
	members, _ := f.svc.Staff.Active()
	for _, o := range test.LaidOutObjects(w[*widget.PopUp](f, "kiosk.exit.popup")) {
		var text string
		switch x := o.(type) {
		case *widget.Label:
			text = x.Text
		case *widget.Select:
			text = strings.Join(x.Options, " ")
		case *widget.Entry:
			text = x.Text + x.PlaceHolder
		}
		for _, m := range members {
			if strings.Contains(text, m.Name) {
				t.Errorf("the kiosk's exit dialog shows the staff name %q", m.Name)
			}
		}
	}
	f.typ("kiosk.exit.staff", staff.DemoName)
	f.typ("kiosk.exit.pin", "0000")
	f.tap("kiosk.exit.leave")
	if !f.d.InKiosk() || f.d.User() != nil || !strings.Contains(f.label("kiosk.exit.msg"), "Wrong name or PIN") {
		t.Fatalf("wrong PIN left the kiosk: %v %q", f.d.InKiosk(), f.label("kiosk.exit.msg"))
	}
	// Cancel returns to the welcome screen and forgets the patient.
	f.tap("kiosk.exit.cancel")
	if f.d.kiosk.access != nil || f.d.Named("kiosk.code") == nil {
		t.Fatal("cancel kept the patient's access")
	}
	// Wrong tries at the kiosk never lock the member out of the desk.
	for range 12 {
		f.tap("kiosk.staff")
		f.typ("kiosk.exit.staff", staff.DemoName)
		f.typ("kiosk.exit.pin", "0000")
		f.tap("kiosk.exit.leave")
		f.tap("kiosk.exit.cancel")
	}
	if _, err := f.svc.Staff.SignIn(members[0].ID, staff.DemoPIN); err != nil {
		t.Fatalf("the member at the desk after wrong tries at the kiosk: %v", err)
	}
	f.d.kiosk.exit = staff.NewExit(f.svc.Staff, nil) // the kiosk's own exit lock is tested in app/staff
	f.tap("kiosk.staff")
	f.typ("kiosk.exit.staff", staff.DemoName)
	f.typ("kiosk.exit.pin", staff.DemoPIN)
	f.tap("kiosk.exit.leave")
	if f.d.InKiosk() || f.d.User() == nil || f.win.FullScreen() || f.d.Named("main.tabs") == nil {
		t.Fatal("the right PIN did not leave the kiosk")
	}
}

// 15.10: the kiosk's medium for a study holds only files whose own header
// names the signed-in patient.
func TestKioskMediumHoldsOnlyThePatient(t *testing.T) {
	f, lucia, _ := kioskFixture(t)
	f.kioskSignIn(staff.RequestCode(lucia.ID), "1958", "04", "12")
	if f.d.kiosk.access == nil {
		t.Fatalf("sign-in failed: %q", f.label("kiosk.msg"))
	}
	n := 0
	for _, uid := range f.d.kiosk.access.Studies {
		fsys, err := f.d.kiosk.imgs.studyFS(uid)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range fsys {
			n++
			if m := staff.CheckFile(p, f.d.kiosk.access.Identity); m != "" {
				t.Errorf("the kiosk's medium holds a file whose %s is another patient's", m)
			}
		}
	}
	if n == 0 {
		t.Fatal("the kiosk's medium is empty")
	}
}

func TestKioskIdleTimeoutForgets(t *testing.T) {
	f := newFixture(t, true)
	f.d.kioskIdle = 150 * time.Millisecond
	f.signIn(staff.DemoName, staff.DemoPIN)
	r, err := f.svc.Handoff.NewRequest(SameDayInput(f.study("DEMO0003"), *f.d.User()), f.svc.actor(*f.d.User()))
	if err != nil {
		t.Fatal(err)
	}
	f.tap("main.kiosk")
	f.kioskSignIn(staff.RequestCode(r.ID), "1990", "01", "01")
	if f.d.kiosk.access == nil {
		t.Fatalf("sign-in failed: %q", f.label("kiosk.msg"))
	}
	deadline := time.Now().Add(5 * time.Second)
	for f.ui.pump(); f.d.Named("kiosk.code") == nil && time.Now().Before(deadline); f.ui.pump() {
		time.Sleep(20 * time.Millisecond)
	}
	if f.d.kiosk.access != nil || f.d.Named("kiosk.finish") != nil {
		t.Fatal("the idle timeout did not forget the patient")
	}
	if got := w[*widget.Entry](f, "kiosk.code").Text; got != "" {
		t.Errorf("code still typed: %q", got)
	}
}

func TestKioskSpanishAndLockout(t *testing.T) {
	f, _, _ := kioskFixture(t)
	f.tap("kiosk.lang")
	if got := w[*widget.Button](f, "kiosk.open").Text; got != "Ver mis imágenes" {
		t.Fatalf("Spanish open button %q", got)
	}
	for i := 0; i < 5; i++ {
		f.kioskSignIn("0000-0000", "1958", "04", "12")
	}
	if got := f.label("kiosk.msg"); !strings.Contains(got, "Demasiados intentos") {
		t.Errorf("lockout in Spanish: %q", got)
	}
	for k := range kioskText["en"] {
		if kioskText["es"][k] == "" {
			t.Errorf("no Spanish for %q", k)
		}
	}
}

func TestStudyDiscHoldsOnlyThatStudy(t *testing.T) {
	f := newFixture(t, true)
	ct := f.study("DEMO0001")
	d, err := openStudyDisc(f.svc.Lib, ct.UID)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Patients) != 1 || d.Patients[0].ID != "DEMO0001" || len(d.Patients[0].Studies) != 1 || d.Patients[0].Studies[0].UID != ct.UID {
		t.Fatalf("disc tree: %+v", d.Patients)
	}
	n := 0
	for _, se := range d.Series() {
		n += len(se.Instances)
	}
	if n != ct.InstanceCount {
		t.Errorf("%d instances on the medium, study has %d", n, ct.InstanceCount)
	}
	if _, err := d.FS.Open("../discdesk.db"); err == nil {
		t.Error("the medium opens a path outside the study")
	}
}

// kioskTexts is every label, button, entry placeholder and choice shown.
func kioskTexts(f *fixture) []string {
	var out []string
	objs := test.LaidOutObjects(f.win.Canvas().Content())
	for _, o := range f.win.Canvas().Overlays().List() {
		objs = append(objs, test.LaidOutObjects(o)...)
	}
	for _, o := range objs {
		switch x := o.(type) {
		case *widget.Label:
			out = append(out, x.Text)
		case *widget.Button:
			out = append(out, x.Text)
		case *widget.Entry:
			out = append(out, x.PlaceHolder)
		case *widget.Select:
			out = append(out, x.PlaceHolder)
		case *imageview.Viewer: // its overlay's words, when shown
			for _, c := range x.Annotations() {
				out = append(out, c...)
			}
		}
	}
	return out
}

// untranslated returns the shown texts that hold an English kiosk string
// (or the viewer's English words) while the kiosk speaks Spanish.
func untranslated(f *fixture) []string {
	var bad []string
	for _, s := range kioskTexts(f) {
		for k, en := range kioskText["en"] {
			if en == kioskText["es"][k] {
				continue
			}
			word, _, _ := strings.Cut(en, " %")
			if s == en || strings.Contains(word, " ") && strings.Contains(s, word) || strings.Contains(s, "Series ") || strings.Contains(s, " of ") ||
				strings.HasPrefix(s, "Im ") || strings.HasPrefix(s, "Born ") || strings.HasPrefix(s, "Zoom ") {
				bad = append(bad, s)
				break
			}
		}
	}
	return bad
}

// 17.8: every string on every kiosk screen follows the language, the
// position label is the viewer's one counter, and an idle reset brings the
// next patient the facility's language.
func TestKioskSpanishEverywhereAndIdleReset(t *testing.T) {
	f, lucia, _ := kioskFixture(t)
	f.tap("kiosk.lang")
	if bad := untranslated(f); len(bad) > 0 {
		t.Errorf("welcome screen in Spanish shows English: %q", bad)
	}
	f.kioskSignIn(staff.RequestCode(lucia.ID), "1958", "04", "12")
	if bad := untranslated(f); len(bad) > 0 {
		t.Errorf("study list in Spanish shows English: %q", bad)
	}
	f.tap("kiosk.study." + lucia.Studies.UIDs[0])
	if bad := untranslated(f); len(bad) > 0 {
		t.Errorf("viewer in Spanish shows English: %q", bad)
	}
	if got := f.label("viewer.position"); !strings.Contains(got, "imagen 21 de 40") {
		t.Errorf("position in Spanish: %q", got)
	}
	// However the image moves (wheel, keys), the label follows the widget.
	v := w[*imageview.Viewer](f, "viewer.image")
	v.SetIndex(30)
	if got := f.label("viewer.position"); !strings.Contains(got, "imagen 31 de 40") {
		t.Errorf("after the widget moved to image 31: label %q", got)
	}
	f.d.kiosk.onClose()
	if bad := untranslated(f); len(bad) > 0 {
		t.Errorf("staff exit dialog in Spanish shows English: %q", bad)
	}
	f.tap("kiosk.exit.cancel")
	// The idle reset: the next patient meets the facility's language.
	f.d.kiosk.fresh()
	if got := w[*widget.Button](f, "kiosk.open").Text; got != kioskText["en"]["open"] {
		t.Errorf("after the idle reset the kiosk still speaks the last patient's language: %q", got)
	}
}

// press taps the on-screen keyboard's keys, one per character ('<' is
// delete, '>' next box).
func (f *fixture) press(keys string) {
	f.t.Helper()
	for _, c := range keys {
		id := string(c)
		switch c {
		case '<':
			id = "del"
		case '>':
			id = "next"
		case '-':
			continue
		}
		f.tap("kiosk.key." + id)
	}
}

// 17.8: a patient with only a touch screen types the request code and the
// birth date on the kiosk's keyboard: the code gets its dash, full boxes
// move on, letters are off in the date, delete and next work, and the keys
// follow the language.
func TestKioskOnScreenKeyboard(t *testing.T) {
	f, lucia, _ := kioskFixture(t)
	code := staff.RequestCode(lucia.ID)
	f.press(code[:3] + "9<" + code[3:])
	if got := w[*widget.Entry](f, "kiosk.code").Text; got != code {
		t.Fatalf("code typed on the keyboard: %q, want %q", got, code)
	}
	if !w[*widget.Button](f, "kiosk.key.A").Disabled() {
		t.Error("letter keys are on while the year is typed")
	}
	f.press("1958")
	f.press("4>12")
	for k, want := range map[string]string{"kiosk.year": "1958", "kiosk.month": "4", "kiosk.day": "12"} {
		if got := w[*widget.Entry](f, k).Text; got != want {
			t.Errorf("%s typed on the keyboard: %q, want %q", k, got, want)
		}
	}
	// Touching a box (the driver focuses it on the press) sends the keys there.
	f.win.Canvas().Focus(f.d.kiosk.kb.fields[2].field)
	f.tap("kiosk.key.clear")
	f.press("04")
	if got := w[*widget.Entry](f, "kiosk.month").Text; got != "04" {
		t.Errorf("month after touching it, clear and 04: %q", got)
	}
	f.tap("kiosk.open")
	if f.d.kiosk.access == nil || f.d.Named("kiosk.study."+lucia.Studies.UIDs[0]) == nil {
		t.Fatalf("sign-in typed on the keyboard failed: %q", f.label("kiosk.msg"))
	}
	f.tap("kiosk.finish")
	f.tap("kiosk.lang")
	if got := w[*widget.Button](f, "kiosk.key.del").Text; !strings.Contains(got, "Borrar") {
		t.Errorf("delete key in Spanish: %q", got)
	}
}

// 17.8: the patient reads the study's report in large text on the kiosk,
// and only their own: the report button reads the kiosk's medium, which
// holds only the signed-in patient's files.
func TestKioskReportInPlainView(t *testing.T) {
	f, lucia, _ := kioskFixture(t)
	f.kioskSignIn(staff.RequestCode(lucia.ID), "1958", "04", "12")
	f.tap("kiosk.study." + lucia.Studies.UIDs[0])
	f.tap("kiosk.report")
	text := f.label("kiosk.report.text.1")
	if !strings.Contains(text, "No evidence of metastatic disease") {
		t.Fatalf("report text: %q", text)
	}
	if strings.Contains(text, "MR brain") {
		t.Error("the kiosk shows another patient's report")
	}
	if f.d.Named("viewer.image") != nil || f.d.Named("kiosk.images") == nil {
		t.Errorf("report screen: %v", f.d.NamedKeys(""))
	}
	f.tap("kiosk.images")
	if f.d.Named("viewer.image") == nil {
		t.Fatal("back to the images failed")
	}
	f.tap("kiosk.finish")
	if f.d.kiosk.access != nil || f.d.Named("kiosk.code") == nil {
		t.Error("finish did not forget the patient")
	}
}

// A PDF report's text is read with pdftotext; one without text says to ask
// for a printed copy.
func TestKioskDocumentText(t *testing.T) {
	d, err := study.OpenFS(filesFS{"F000001": corpus.Path(t, "generated", "documents", "encapsulated_pdf_report.dcm")}, "pdf report")
	if err != nil {
		t.Fatal(err)
	}
	k := &kioskScreen{lang: "es"}
	var texts []string
	for _, se := range d.Series() {
		for _, in := range se.Reports() {
			texts = append(texts, kioskReport{disc: d, in: in}.text(k))
		}
	}
	if len(texts) != 1 || !strings.Contains(texts[0], "CT HEAD phantom: no abnormality.") {
		t.Errorf("the encapsulated PDF report reads %q", texts)
	}
	if got := documentText([]byte("Impression: normal."), "text/plain"); got != "Impression: normal." {
		t.Errorf("plain text: %q", got)
	}
	if got := documentText([]byte("not a pdf"), "application/pdf"); got != "" {
		t.Errorf("broken PDF: %q", got)
	}
}

// 17.8: one image counter. The desk's label and the viewer widget's overlay
// give the same series number, image and count wherever the image moved
// from (buttons, the widget's own scrolling), in the staff layout and the
// large one. The kiosk's viewer shows the patient's overlay, not the
// staff's.
func TestViewerCounterMatchesOverlay(t *testing.T) {
	f := newFixture(t, true)
	ct := f.study("DEMO0001")
	for _, large := range []bool{false, true} {
		v := newStudyViewer(f.d, newImages(f.svc.Lib), ct.UID, large, nil)
		if v.view == nil {
			t.Fatal("the study did not open in the viewer widget")
		}
		check := func(when string) {
			t.Helper()
			corner := strings.Join(v.view.Annotations()[2], " | ")
			var se, im, n int
			fmt.Sscanf(v.pos.Text, "Series %d · image %d of %d", &se, &im, &n)
			if want := fmt.Sprintf("Im %d/%d", im, n); !strings.Contains(corner, want) || !strings.Contains(corner, fmt.Sprintf("CT %d", se)) {
				t.Errorf("large=%v %s: label %q, overlay %q", large, when, v.pos.Text, corner)
			}
		}
		check("opened")
		test.Tap(w[*widget.Button](f, "viewer.next"))
		check("after next")
		v.view.ScrollBy(-5) // the wheel or a key
		check("after scrolling")
		v.view.SetIndex(v.view.Len() - 1)
		check("at the last image")
	}
	f.signIn(staff.DemoName, staff.DemoPIN)
	f.tap("main.kiosk")
	v := newStudyViewer(f.d, newImages(f.svc.Lib), ct.UID, true, nil)
	if v.view.HideOverlay || v.view.Words == nil {
		t.Fatal("the kiosk's viewer hides the overlay or shows the staff's")
	}
	if got := strings.Join(v.view.Annotations()[2], " | "); !strings.Contains(got, "Image 21 of 40") || strings.Contains(got, "Im 21/40") {
		t.Errorf("the kiosk's overlay: %q", got)
	}
}

// overlayLines is everything the kiosk's viewer widget says over the
// image: its corner lines and edge letters, as given and as drawn.
func overlayLines(t *testing.T, v *imageview.Viewer) []string {
	t.Helper()
	var out []string
	for _, c := range v.Annotations() {
		out = append(out, c...)
	}
	for _, e := range v.EdgeLabels() {
		if e != "" {
			out = append(out, e)
		}
	}
	for _, o := range test.LaidOutObjects(v) {
		if x, ok := o.(*canvas.Text); ok && x.Text != "" && !slices.Contains(out, x.Text) {
			t.Errorf("the viewer draws %q, which Annotations does not give", x.Text)
		}
	}
	return out
}

// 17.8: the Spanish kiosk shows the viewer's overlay in Spanish: the
// patient's own name, study, date and series, "imagen n de N" agreeing with
// the label, the window's name; no English word and none of the staff's
// items (ID, birth date, accession, institution, slice data, window
// numbers, edge letters). It names only the signed-in patient.
func TestKioskOverlayInThePatientsLanguage(t *testing.T) {
	f, lucia, yamada := kioskFixture(t)
	f.tap("kiosk.lang")
	f.kioskOpenStudy(lucia, "1958", "04", "12")
	v := w[*imageview.Viewer](f, "viewer.image")
	if v.HideOverlay {
		t.Fatal("the kiosk hides the overlay")
	}
	lines := overlayLines(t, v)
	for _, want := range []string{"Ramírez, Lucía", "CT CHEST ABDOMEN PELVIS WITH CONTRAST", "2026-11-02", "CT 1: AXIAL 5MM",
		"Imagen 21 de 40", "Ventana: abdomen"} {
		if !slices.Contains(lines, want) {
			t.Errorf("the Spanish overlay lacks %q: %q", want, lines)
		}
	}
	if got := f.label("viewer.position"); !strings.Contains(got, "imagen 21 de 40") {
		t.Errorf("label %q beside the overlay's Imagen 21 de 40", got)
	}
	ct := f.study("DEMO0001")
	staffOnly := []string{"DEMO0001", "1958", ct.AccessionNumber, "Riverside", "Thk", "Loc", "W 400", "mm"}
	english := []string{"Image ", "Window", "Magnified", "Frame ", "Im ", "Born", "Acc ", "Zoom", "Cine", "Error", "stored in the image"}
	other := f.study("DEMO0002")
	check := func(when string) {
		t.Helper()
		lines := overlayLines(t, v)
		for _, l := range lines {
			for _, bad := range append(append(staffOnly, english...), "%!", PersonName(other.Patient.Name), yamada.Patient.Name, other.Description) {
				if bad != "" && strings.Contains(l, bad) {
					t.Errorf("%s: the Spanish kiosk's overlay says %q (%q)", when, l, bad)
				}
			}
		}
		if e := v.EdgeLabels(); e != [4]string{} {
			t.Errorf("%s: edge letters %q on the kiosk", when, e)
		}
	}
	check("opened")
	// Whatever the patient does with the image, the overlay stays Spanish.
	v.Rotate()
	v.FlipHorizontal()
	v.Play(30)
	check("turned, mirrored, playing")
	v.Stop()
	if got := v.Annotations()[3]; !slices.Contains(got, "Girada 90°, reflejada de arriba abajo") {
		t.Errorf("turned and mirrored: %q", got)
	}
	if err := v.ApplyPreset(slices.IndexFunc(v.Presets(), func(w render.Window) bool { return w.Explanation == "LUNG" })); err != nil {
		t.Fatal(err) // the demo CT stores a LUNG window
	}
	if got := v.Annotations()[3]; !slices.Contains(got, "Ventana: pulmón") {
		t.Errorf("lung window: %q", got)
	}
	v.Err = fmt.Errorf("load F000001 frame 0: broken")
	if got := v.Annotations()[2]; !slices.Contains(got, kioskText["es"]["cantshow"]) {
		t.Errorf("an image that cannot be shown: %q", got)
	}
	check("lung window, an error")
	v.Err = nil
	// English kiosk: the patient's overlay in English, the same lines.
	f.tap("kiosk.finish")
	f.kioskOpenStudy(lucia, "1958", "04", "12")
	en := overlayLines(t, w[*imageview.Viewer](f, "viewer.image"))
	for _, want := range []string{"Ramírez, Lucía", "Image 21 of 40", "Window: abdomen"} {
		if !slices.Contains(en, want) {
			t.Errorf("the English kiosk's overlay lacks %q: %q", want, en)
		}
	}
	if len(en) != len(lines) {
		t.Errorf("English overlay %q, Spanish %q: not the same lines", en, lines)
	}
}

// Both languages name the same overlay lines: a line the English kiosk
// shows is never missing in Spanish, nor the other way round.
func TestKioskOverlayWordsInBothLanguages(t *testing.T) {
	for k, en := range kioskOverlay["en"] {
		es, ok := kioskOverlay["es"][k]
		if !ok || es == "" {
			t.Errorf("no Spanish for the overlay's %q (%q)", k, en)
		}
		if strings.Count(en, "%")-2*strings.Count(en, "%%") != strings.Count(es, "%")-2*strings.Count(es, "%%") {
			t.Errorf("%q: %q and %q take different values", k, en, es)
		}
	}
	for k := range kioskOverlay["es"] {
		if _, ok := kioskOverlay["en"][k]; !ok {
			t.Errorf("the overlay's %q is Spanish only", k)
		}
	}
	if kioskWords("fr")(imageview.WordImage) != kioskOverlay["en"][imageview.WordImage] {
		t.Error("a language the kiosk does not know is not English")
	}
}

// kioskOpenStudy signs in at the kiosk with r's code and the birth date
// and opens r's first study.
func (f *fixture) kioskOpenStudy(r handoff.Request, y, m, d string) {
	f.t.Helper()
	f.kioskSignIn(staff.RequestCode(r.ID), y, m, d)
	f.tap("kiosk.study." + r.Studies.UIDs[0])
}

// The kiosk's counter follows the widget's length, not only its index:
// when the series the widget shows changes length (here the same
// patient's series cut to its first ten images, set on the widget
// directly, as a multi-frame image's frames learnt after layout change it
// in imageview's tests), the label says "of 10" with the overlay.
func TestKioskCounterFollowsTheCount(t *testing.T) {
	f, lucia, _ := kioskFixture(t)
	f.tap("kiosk.lang")
	f.kioskOpenStudy(lucia, "1958", "04", "12")
	v := w[*imageview.Viewer](f, "viewer.image")
	if got := f.label("viewer.position"); !strings.Contains(got, "imagen 21 de 40") {
		t.Fatalf("label %q", got)
	}
	cut := *v.Series
	cut.Instances = cut.Images()[:10]
	if err := v.SetSeries(v.Disc, &cut); err != nil {
		t.Fatal(err)
	}
	if got := f.label("viewer.position"); !strings.Contains(got, "imagen 6 de 10") {
		t.Errorf("after the series changed length: label %q", got)
	}
	if got := v.Annotations()[2]; !slices.Contains(got, "Imagen 6 de 10") {
		t.Errorf("after the series changed length: overlay %q", got)
	}
	f.tap("viewer.next")
	if got := f.label("viewer.position"); !strings.Contains(got, "imagen 7 de 10") {
		t.Errorf("next: label %q", got)
	}
}

// 17.8: the Spanish kiosk frames the SR report in Spanish (final or
// preliminary, verified by whom, dated) and leaves the radiologist's text
// as written.
func TestKioskReportFramedInSpanish(t *testing.T) {
	f, lucia, _ := kioskFixture(t)
	read := func() string {
		f.kioskOpenStudy(lucia, "1958", "04", "12")
		f.tap("kiosk.report")
		return f.label("kiosk.report.text.1")
	}
	en := read()
	f.tap("kiosk.finish")
	f.tap("kiosk.lang")
	es := read()
	if !strings.Contains(es, "No evidence of metastatic disease") {
		t.Fatalf("the radiologist's text is not as written: %q", es)
	}
	for _, english := range []string{"Final report", "Preliminary", "verified by", "not yet verified", "dated ", "(reference to"} {
		if strings.Contains(es, english) {
			t.Errorf("the Spanish report says %q:\n%s", english, es)
		}
	}
	if !strings.Contains(es, "Informe final") && !strings.Contains(es, "Informe preliminar") {
		t.Errorf("the Spanish report does not say whether it is final:\n%s", es)
	}
	// Only the framing line differs: the content lines are the same.
	_, enBody, _ := strings.Cut(en, "\n\n")
	_, esBody, _ := strings.Cut(es, "\n\n")
	if enBody != esBody {
		t.Errorf("the report's content changed with the language:\n en: %q\n es: %q", enBody, esBody)
	}
}
