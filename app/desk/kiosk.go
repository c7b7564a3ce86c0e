package desk

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image/color"
	"os/exec"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"discdesk/app/library"
	"discdesk/app/staff"
	"discdesk/viewer/srtext"
	"discdesk/viewer/study"
)

// kioskTheme is large text and high contrast for the patient kiosk.
type kioskTheme struct {
	large, contrast bool
}

func (k kioskTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	if k.contrast {
		switch n {
		case theme.ColorNameBackground, theme.ColorNameOverlayBackground, theme.ColorNameMenuBackground:
			return color.Black
		case theme.ColorNameForeground:
			return color.White
		case theme.ColorNamePrimary, theme.ColorNameFocus:
			return color.NRGBA{R: 0xff, G: 0xd4, A: 0xff}
		case theme.ColorNameForegroundOnPrimary:
			return color.Black
		case theme.ColorNameButton, theme.ColorNameInputBackground:
			return color.NRGBA{R: 0x22, G: 0x22, B: 0x22, A: 0xff}
		case theme.ColorNameInputBorder:
			return color.White
		case theme.ColorNamePlaceHolder:
			return color.NRGBA{R: 0xbb, G: 0xbb, B: 0xbb, A: 0xff}
		}
		return theme.DefaultTheme().Color(n, theme.VariantDark)
	}
	return theme.DefaultTheme().Color(n, v)
}

func (k kioskTheme) Font(s fyne.TextStyle) fyne.Resource     { return theme.DefaultTheme().Font(s) }
func (k kioskTheme) Icon(n fyne.ThemeIconName) fyne.Resource { return theme.DefaultTheme().Icon(n) }
func (k kioskTheme) Size(n fyne.ThemeSizeName) float32 {
	s := theme.DefaultTheme().Size(n)
	if k.large {
		switch n {
		case theme.SizeNameText, theme.SizeNameInputBorder, theme.SizeNameInnerPadding, theme.SizeNamePadding, theme.SizeNameInlineIcon:
			return s * 1.75
		case theme.SizeNameHeadingText:
			return s * 1.6
		}
	}
	return s
}

// kioskScreen is the patient kiosk: a request code and a birth date open
// that request's studies and nothing else. An idle timeout forgets
// everything; leaving needs a staff PIN.
type kioskScreen struct {
	d      *Desk
	lang   string
	theme  kioskTheme
	idle   time.Duration
	access *staff.KioskAccess
	imgs   *images
	exit   *staff.Exit // the staff exit's own escalating lock

	kb *keyboard // the welcome screen's on-screen keyboard

	mu    sync.Mutex
	timer *time.Timer
	gen   int // bumps on each touch, so a stale timer does nothing
}

// ErrNotKioskStaff means the signed-in member may not start the kiosk.
var ErrNotKioskStaff = errors.New("your role may not start the kiosk")

// EnterKiosk signs the staff member out and turns the window into the kiosk.
func (d *Desk) EnterKiosk() error {
	if d.user == nil || !d.user.Role.Can(staff.ActionKiosk) {
		return ErrNotKioskStaff
	}
	cur, _ := d.svc.Settings.Get()
	d.svc.Logger.Printf("kiosk started by %s", d.user.ID)
	d.user = nil
	d.tabs, d.studies, d.queue, d.requests = nil, nil, nil, nil
	k := &kioskScreen{d: d, lang: cur.Kiosk.Language, theme: kioskTheme{large: cur.Kiosk.LargeText, contrast: cur.Kiosk.HighContrast},
		idle: time.Duration(cur.Kiosk.IdleSeconds) * time.Second, imgs: newImages(d.svc.Lib), exit: staff.NewExit(d.svc.Staff, d.svc.Now)}
	if d.kioskIdle > 0 {
		k.idle = d.kioskIdle
	}
	d.kiosk = k
	d.win.SetMainMenu(nil)
	d.win.SetFullScreen(true)
	d.win.SetCloseIntercept(k.onClose)
	k.welcome("")
	return nil
}

// onClose is the window's close button in the kiosk: it asks for a staff
// PIN instead of closing.
func (k *kioskScreen) onClose() { k.askStaff() }

// InKiosk reports whether the kiosk is showing.
func (d *Desk) InKiosk() bool { return d.kiosk != nil }

func (k *kioskScreen) t(key string) string { return tr(k.lang, key) }

// set shows content in the kiosk theme, with the small staff button.
func (k *kioskScreen) set(content fyne.CanvasObject) {
	d := k.d
	staffBtn := name(d, "kiosk.staff", widget.NewButton(k.t("staff"), k.askStaff))
	staffBtn.Importance = widget.LowImportance
	body := container.NewBorder(nil, container.NewBorder(nil, nil, nil, staffBtn), nil, nil, container.NewPadded(content))
	d.win.SetContent(container.NewThemeOverride(body, k.theme))
	k.touch()
}

// touch restarts the idle timer.
func (k *kioskScreen) touch() {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.gen++
	gen := k.gen
	if k.timer != nil {
		k.timer.Stop()
	}
	k.timer = time.AfterFunc(k.idle, func() {
		k.d.uiDo(func() {
			k.mu.Lock()
			stale := gen != k.gen
			k.mu.Unlock()
			if !stale && k.d.kiosk == k {
				k.fresh()
			}
		})
	})
}

func (k *kioskScreen) stop() {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.gen++
	if k.timer != nil {
		k.timer.Stop()
	}
}

// fresh is the kiosk as the next patient finds it: the facility's language
// and text size (a patient's choice never carries over) and the welcome.
func (k *kioskScreen) fresh() {
	if cur, err := k.d.svc.Settings.Get(); err == nil {
		k.lang = cur.Kiosk.Language
		k.theme = kioskTheme{large: cur.Kiosk.LargeText, contrast: cur.Kiosk.HighContrast}
	}
	k.welcome("")
}

// welcome forgets everything and asks for the code and birth date, with an
// on-screen keyboard for a touch screen without a physical one.
func (k *kioskScreen) welcome(message string) {
	d := k.d
	k.access = nil
	k.imgs = newImages(d.svc.Lib) // no thumbnails or vetting of the last patient
	d.forget("")
	title := widget.NewLabelWithStyle(k.t("welcome"), fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	title.Wrapping = fyne.TextWrapWord
	kb := &keyboard{k: k}
	k.kb = kb
	code := kb.field("kiosk.code", "XXXX-XXXX", true, 9)
	year := kb.field("kiosk.year", k.t("year"), false, 4)
	month := kb.field("kiosk.month", k.t("month"), false, 2)
	day := kb.field("kiosk.day", k.t("day"), false, 2)
	msg := name(d, "kiosk.msg", widget.NewLabel(message))
	msg.Wrapping = fyne.TextWrapWord
	msg.Importance = widget.DangerImportance
	open := name(d, "kiosk.open", widget.NewButton(k.t("open"), func() {
		birth := fmt.Sprintf("%s-%02s-%02s", strings.TrimSpace(year.Text), strings.TrimSpace(month.Text), strings.TrimSpace(day.Text))
		birth = strings.ReplaceAll(birth, " ", "0")
		acc, err := d.svc.Gate.Open(code.Text, birth)
		switch {
		case errors.Is(err, staff.ErrLocked):
			k.welcome(k.t("locked"))
		case errors.Is(err, staff.ErrAskStaff):
			// Code and birth date were right, but the studies would reach
			// another patient: staff decide, the screen shows nothing.
			d.svc.Logger.Printf("kiosk: request %s needs staff: %v", staff.NormalizeCode(code.Text), err)
			k.welcome(k.t("askstaff"))
		case err != nil:
			d.svc.Logger.Printf("kiosk: sign-in refused")
			k.welcome(k.t("nomatch"))
		default:
			k.access = acc
			k.imgs.only = func(uid string) ([]library.SeriesDetail, error) { return acc.Instances(d.svc.Lib, uid) }
			k.studies()
		}
	}))
	open.Importance = widget.HighImportance
	lang := name(d, "kiosk.lang", widget.NewButton(k.t("other"), func() {
		if k.lang == "es" {
			k.lang = "en"
		} else {
			k.lang = "es"
		}
		k.welcome("")
	}))
	idle := widget.NewLabel(k.t("idle"))
	idle.Wrapping = fyne.TextWrapWord
	form := container.NewVBox(title,
		widget.NewLabel(k.t("code")), code.field,
		widget.NewLabel(k.t("birth")), container.NewGridWithColumns(3, year.field, month.field, day.field),
		open, msg)
	keys := kb.keys()
	kb.target(code.field)
	right := container.NewVBox(name(d, "kiosk.keyboard.hint", widget.NewLabel(k.t("keyboard"))), keys)
	bottom := container.NewBorder(nil, nil, nil, lang, idle)
	k.set(container.NewBorder(nil, bottom, nil, nil,
		container.NewCenter(container.NewGridWithColumns(2, container.NewGridWrap(fyne.NewSize(560, 400), form), right))))
}

// kioskEntry is an entry that tells the on-screen keyboard it was touched,
// so the keyboard types where the patient last pointed.
type kioskEntry struct {
	widget.Entry
	onFocus func()
}

func (e *kioskEntry) FocusGained() {
	e.Entry.FocusGained()
	if e.onFocus != nil {
		e.onFocus()
	}
}

// keyField is one field the keyboard fills: the code takes the hex digits
// of a request code (a dash after the fourth), the date fields digits.
type keyField struct {
	*widget.Entry
	field *kioskEntry
	hex   bool
	max   int
}

// keyboard is the kiosk's on-screen keyboard: large keys for the request
// code's characters (0-9, A-F), delete, clear and next field. It types into
// the field last touched and moves on when a field is full, so a patient
// can type the code and the date without touching the fields at all.
type keyboard struct {
	k      *kioskScreen
	fields []*keyField
	cur    *keyField
	hexKey []*widget.Button
}

// field makes a named entry the keyboard can fill. The name registers the
// plain entry, so scripts and tests type into it as into any entry.
func (kb *keyboard) field(key, placeholder string, hex bool, max int) *keyField {
	e := &kioskEntry{}
	e.ExtendBaseWidget(e)
	e.SetPlaceHolder(placeholder)
	f := &keyField{Entry: &e.Entry, field: e, hex: hex, max: max}
	e.onFocus = func() { kb.target(e) }
	e.OnChanged = func(string) { kb.k.touch() }
	name(kb.k.d, key, &e.Entry)
	kb.fields = append(kb.fields, f)
	return f
}

// target makes the field of e the one the keys type into.
func (kb *keyboard) target(e *kioskEntry) {
	for _, f := range kb.fields {
		if f.field == e {
			kb.cur = f
		}
	}
	for _, b := range kb.hexKey {
		if kb.cur != nil && kb.cur.hex {
			b.Enable()
		} else {
			b.Disable()
		}
	}
}

// focus moves the keyboard and the cursor to field i.
func (kb *keyboard) focus(i int) {
	f := kb.fields[i%len(kb.fields)]
	kb.target(f.field)
	if c := kb.k.d.win.Canvas(); c != nil {
		c.Focus(f.field)
	}
}

func (kb *keyboard) index() int {
	for i, f := range kb.fields {
		if f == kb.cur {
			return i
		}
	}
	return 0
}

// press types one key.
func (kb *keyboard) press(key string) {
	kb.k.touch()
	f := kb.cur
	if f == nil {
		kb.focus(0)
		f = kb.cur
	}
	t := f.Text
	defer func() { f.CursorColumn = len([]rune(f.Text)); f.Refresh() }() // the cursor after what was typed
	switch key {
	case "del":
		// The dash goes with the digit before it.
		if r := []rune(strings.TrimSuffix(t, "-")); len(r) > 0 {
			t = string(r[:len(r)-1])
		}
		f.SetText(t)
		return
	case "clear":
		f.SetText("")
		return
	case "next":
		kb.focus(kb.index() + 1)
		return
	}
	if len(t) >= f.max || (!f.hex && (key < "0" || key > "9")) {
		return
	}
	t += key
	if f.hex && len(t) == 4 {
		t += "-"
	}
	f.SetText(t)
	if len(t) >= f.max && kb.index() < len(kb.fields)-1 {
		kb.focus(kb.index() + 1)
	}
}

// keys lays out the keyboard: digits as on a phone, the letters of the
// code beside them, then delete, clear and next.
func (kb *keyboard) keys() fyne.CanvasObject {
	d, k := kb.k.d, kb.k
	key := func(label, id string) *widget.Button {
		return name(d, "kiosk.key."+id, widget.NewButton(label, func() { kb.press(id) }))
	}
	grid := container.NewGridWithColumns(5)
	for _, row := range [][]string{{"1", "2", "3", "A", "B"}, {"4", "5", "6", "C", "D"}, {"7", "8", "9", "E", "F"}} {
		for _, c := range row {
			b := key(c, c)
			if c >= "A" {
				kb.hexKey = append(kb.hexKey, b)
			}
			grid.Add(b)
		}
	}
	del := key("⌫ "+k.t("delete"), "del")
	erase := key(k.t("clear"), "clear")
	next := key(k.t("next")+" ▶", "next")
	next.Importance = widget.HighImportance
	return container.NewVBox(grid, container.NewGridWithColumns(2, key("0", "0"), del), container.NewGridWithColumns(2, erase, next))
}

// studies lists the request's studies.
func (k *kioskScreen) studies() {
	d := k.d
	d.forget("")
	box := container.NewVBox(widget.NewLabelWithStyle(k.t("yours")+": "+k.access.Request.Patient.Name, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	for _, uid := range k.access.Studies {
		st, err := d.svc.Lib.Study(uid)
		if err != nil {
			continue
		}
		uid := uid
		box.Add(name(d, "kiosk.study."+uid, widget.NewButton(fmt.Sprintf("%s  %s  %s", isoDate(st.Date), strings.Join(st.Modalities, "/"), st.Description), func() { k.showStudy(uid) })))
	}
	box.Add(name(d, "kiosk.finish", widget.NewButton(k.t("finish"), k.fresh)))
	k.set(container.NewVScroll(box))
}

// showStudy shows one study of the request; any other study is refused.
func (k *kioskScreen) showStudy(uid string) {
	d := k.d
	if !k.access.Allows(uid) {
		d.svc.Logger.Printf("kiosk: refused a study outside the request")
		k.welcome(k.t("notfound"))
		return
	}
	if _, err := k.access.Instances(d.svc.Lib, uid); err != nil {
		d.svc.Logger.Printf("kiosk: request %s needs staff: %v", staff.RequestCode(k.access.Request.ID), err)
		k.welcome(k.t("askstaff"))
		return
	}
	d.forget("viewer.")
	d.forget("kiosk.report")
	v := newStudyViewer(d, k.imgs, uid, true, k.access.Allows, k.touch)
	back := name(d, "kiosk.back", widget.NewButton(k.t("back"), k.studies))
	finish := name(d, "kiosk.finish", widget.NewButton(k.t("finish"), k.fresh))
	top := container.NewGridWithColumns(2, back, finish)
	if reps := k.reports(v, uid); len(reps) > 0 {
		rep := name(d, "kiosk.report", widget.NewButton(k.t("report"), func() { k.showReport(uid, reps) }))
		rep.Importance = widget.HighImportance
		top = container.NewGridWithColumns(3, back, rep, finish)
	}
	// The study in the kiosk's large text above the image (the overlay
	// says it too, in its small print).
	if st, err := d.svc.Lib.Study(uid); err == nil {
		head := name(d, "kiosk.studyhead", widget.NewLabelWithStyle(fmt.Sprintf("%s  ·  %s  ·  %s", PersonName(st.Patient.Name), isoDate(st.Date), st.Description), fyne.TextAlignCenter, fyne.TextStyle{Bold: true}))
		head.Truncation = fyne.TextTruncateEllipsis
		top = container.NewVBox(top, head)
	}
	k.set(container.NewBorder(top, nil, nil, nil, v.content))
}

// kioskReport is one report of a study on the kiosk's medium.
type kioskReport struct {
	title string
	disc  *study.Disc
	in    *study.Instance
}

// reports lists the study's reports (SR, encapsulated documents) on the
// viewer's medium, which holds only the signed-in patient's vetted files.
func (k *kioskScreen) reports(v *studyViewer, uid string) []kioskReport {
	disc := v.disc
	if disc == nil {
		var err error
		if disc, err = k.imgs.studyDisc(uid); err != nil {
			return nil
		}
	}
	var out []kioskReport
	for _, se := range disc.Series() {
		for _, in := range se.Reports() {
			out = append(out, kioskReport{title: se.Description, disc: disc, in: in})
		}
	}
	return out
}

// text is the report's text in plain words: the SR rendered as text
// (viewer/srtext, read from the medium) framed in the kiosk's language, a
// plain-text document as it is, a PDF's text (pdftotext), or what the
// patient can do instead. The report's own words are never translated.
func (r kioskReport) text(k *kioskScreen) string {
	switch r.in.Kind {
	case study.KindSR:
		if f, err := r.disc.Parse(r.in); err == nil {
			if t := srtext.TextWith(f.DataSet, kioskReportWords[k.lang]); strings.TrimSpace(t) != "" {
				return t
			}
		}
	case study.KindDocument:
		if b, mime, err := r.disc.Document(r.in); err == nil {
			if t := documentText(b, mime); strings.TrimSpace(t) != "" {
				return t
			}
		}
	}
	return k.t("reportpdf")
}

// documentText is an encapsulated document's text: plain text as it is, a
// PDF's through pdftotext (poppler-utils) when the system has it; "" when
// it has none that can be read.
func documentText(b []byte, mime string) string {
	switch {
	case strings.HasPrefix(mime, "text/plain"):
		return strings.ToValidUTF8(string(b), "?")
	case mime != "application/pdf":
		return ""
	}
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		return ""
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-enc", "UTF-8", "-", "-")
	cmd.Stdin = bytes.NewReader(b)
	out, err := cmd.Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(strings.ReplaceAll(string(out), "\f", "\n"))
}

// showReport shows the study's reports in large text, one after another.
func (k *kioskScreen) showReport(uid string, reps []kioskReport) {
	d := k.d
	if !k.access.Allows(uid) {
		k.welcome(k.t("notfound"))
		return
	}
	d.forget("viewer.")
	d.forget("kiosk.")
	box := container.NewVBox()
	for i, r := range reps {
		hd := k.t("reporthd")
		if r.title != "" {
			hd += ": " + r.title
		}
		box.Add(widget.NewLabelWithStyle(hd, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
		l := name(d, fmt.Sprintf("kiosk.report.text.%d", i+1), widget.NewLabel(r.text(k)))
		l.Wrapping = fyne.TextWrapWord
		box.Add(l)
	}
	images := name(d, "kiosk.images", widget.NewButton(k.t("images"), func() { k.showStudy(uid) }))
	finish := name(d, "kiosk.finish", widget.NewButton(k.t("finish"), k.fresh))
	scroll := container.NewVScroll(box)
	// Larger than the kiosk's large text, whatever the facility chose.
	big := container.NewThemeOverride(scroll, reportTheme{k.theme})
	k.set(container.NewBorder(container.NewGridWithColumns(2, images, finish), nil, nil, nil, big))
}

// reportTheme is the kiosk theme with the report's text larger still.
type reportTheme struct{ kioskTheme }

func (r reportTheme) Size(n fyne.ThemeSizeName) float32 {
	switch n {
	case theme.SizeNameText:
		return theme.DefaultTheme().Size(n) * 2
	case theme.SizeNameHeadingText:
		return theme.DefaultTheme().Size(n) * 1.6
	}
	return r.kioskTheme.Size(n)
}

// askStaff asks for a staff member's name and PIN to leave the kiosk. No
// names are listed to the patient, and wrong tries lock the kiosk's exit
// (escalating), never the member's desk sign-in.
func (k *kioskScreen) askStaff() {
	d := k.d
	who := name(d, "kiosk.exit.staff", widget.NewEntry())
	who.SetPlaceHolder(k.t("yourname"))
	who.OnChanged = func(string) { k.touch() }
	pin := name(d, "kiosk.exit.pin", widget.NewPasswordEntry())
	pin.OnChanged = func(string) { k.touch() }
	msg := name(d, "kiosk.exit.msg", widget.NewLabel(""))
	var pop *widget.PopUp
	leave := name(d, "kiosk.exit.leave", widget.NewButton(k.t("leave"), func() {
		got, err := k.exit.SignIn(who.Text, pin.Text)
		pin.SetText("")
		switch {
		case errors.Is(err, staff.ErrLocked):
			msg.SetText(k.t("locked"))
			return
		case err != nil:
			msg.SetText(k.t("wrongpin"))
			return
		}
		pop.Hide()
		k.leave(got)
	}))
	cancel := name(d, "kiosk.exit.cancel", widget.NewButton(k.t("cancel"), func() { pop.Hide(); k.welcome("") }))
	pop = widget.NewModalPopUp(container.NewThemeOverride(container.NewVBox(widget.NewLabel(k.t("staffpin")), who, pin, msg, container.NewHBox(cancel, leave)), k.theme), d.win.Canvas())
	name(d, "kiosk.exit.popup", pop)
	pop.Show()
	k.touch()
}

// leave ends the kiosk for the staff member who typed their PIN.
func (k *kioskScreen) leave(m staff.Member) {
	d := k.d
	k.stop()
	k.access = nil
	d.kiosk = nil
	d.win.SetCloseIntercept(nil)
	d.win.SetFullScreen(false)
	d.user = &m
	d.svc.Logger.Printf("kiosk left by %s", m.ID)
	d.ShowMain()
}
