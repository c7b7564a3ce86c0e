package desk

import (
	"errors"
	"fmt"
	"image/color"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"discdesk/app/library"
	"discdesk/app/staff"
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
	body := container.NewBorder(nil, container.NewHBox(layoutSpacer(), staffBtn), nil, nil, container.NewPadded(content))
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
		fyne.Do(func() {
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

// welcome forgets everything and asks for the code and birth date.
func (k *kioskScreen) welcome(message string) {
	d := k.d
	k.access = nil
	k.imgs = newImages(d.svc.Lib) // no thumbnails or vetting of the last patient
	d.forget("")
	title := widget.NewLabelWithStyle(k.t("welcome"), fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	touch := func(string) { k.touch() }
	code := name(d, "kiosk.code", widget.NewEntry())
	code.SetPlaceHolder("XXXX-XXXX")
	code.OnChanged = touch
	year := name(d, "kiosk.year", widget.NewEntry())
	year.SetPlaceHolder(k.t("year"))
	month := name(d, "kiosk.month", widget.NewEntry())
	month.SetPlaceHolder(k.t("month"))
	day := name(d, "kiosk.day", widget.NewEntry())
	day.SetPlaceHolder(k.t("day"))
	for _, e := range []*widget.Entry{year, month, day} {
		e.OnChanged = touch
	}
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
		widget.NewLabel(k.t("code")), code,
		widget.NewLabel(k.t("birth")), container.NewGridWithColumns(3, year, month, day),
		open, msg, idle, container.NewHBox(layoutSpacer(), lang))
	k.set(container.NewCenter(container.NewGridWrap(fyne.NewSize(640, 640), form)))
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
	v := newStudyViewer(d, k.imgs, uid, true, k.access.Allows, k.touch)
	back := name(d, "kiosk.back", widget.NewButton(k.t("back"), k.studies))
	finish := name(d, "kiosk.finish", widget.NewButton(k.t("finish"), k.fresh))
	k.set(container.NewBorder(container.NewGridWithColumns(2, back, finish), nil, nil, nil, v.content))
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
