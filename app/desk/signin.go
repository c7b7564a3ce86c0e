package desk

import (
	"errors"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"discdesk/app/staff"
)

// ShowSignIn shows the staff sign-in: pick your name, type your PIN.
func (d *Desk) ShowSignIn() {
	d.forget("")
	d.win.SetFullScreen(false)
	members, err := d.svc.Staff.Active()
	msg := name(d, "signin.msg", widget.NewLabel(""))
	msg.Wrapping = fyne.TextWrapWord
	if err != nil {
		msg.SetText(plain(err))
	}
	byName := map[string]staff.Member{}
	var names []string
	for _, m := range members {
		byName[m.Name] = m
		names = append(names, m.Name)
	}
	who := name(d, "signin.staff", widget.NewSelect(names, nil))
	who.PlaceHolder = "Your name"
	if len(names) == 1 {
		who.SetSelected(names[0])
	}
	pin := name(d, "signin.pin", widget.NewPasswordEntry())
	pin.SetPlaceHolder("PIN")
	var btn *widget.Button
	submit := func() {
		m, ok := byName[who.Selected]
		if !ok {
			msg.SetText("Choose your name first.")
			return
		}
		got, err := d.svc.Staff.SignIn(m.ID, pin.Text)
		pin.SetText("")
		switch {
		case errors.Is(err, staff.ErrWrongPIN):
			msg.SetText("Wrong PIN. Try again.")
			return
		case errors.Is(err, staff.ErrLocked):
			msg.SetText("Too many wrong PINs: " + m.Name + " is locked for a few minutes. Ask a supervisor if you forgot your PIN.")
			return
		case err != nil:
			msg.SetText(plain(err))
			return
		}
		d.svc.Logger.Printf("sign-in: %s (%s)", got.ID, got.Role)
		d.user = &got
		d.firstPIN = ""
		d.ShowMain()
	}
	pin.OnSubmitted = func(string) { submit() }
	btn = name(d, "signin.submit", widget.NewButton("Sign in", submit))
	btn.Importance = widget.HighImportance

	// A keypad for touch screens.
	keys := container.NewGridWithColumns(3)
	for _, k := range []string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "Clear", "0", "OK"} {
		k := k
		keys.Add(name(d, "signin.key."+k, widget.NewButton(k, func() {
			switch k {
			case "Clear":
				pin.SetText("")
			case "OK":
				submit()
			default:
				pin.SetText(pin.Text + k)
			}
		})))
	}
	title := widget.NewLabelWithStyle("DiscDesk: staff sign-in", fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	items := []fyne.CanvasObject{title}
	if d.svc.Demo {
		items = append(items, name(d, "signin.demo", widget.NewLabelWithStyle(
			fmt.Sprintf("Demo library: sign in as %q with PIN %s.", staff.DemoName, staff.DemoPIN), fyne.TextAlignCenter, fyne.TextStyle{Italic: true})))
	}
	if d.firstPIN != "" {
		first := name(d, "signin.first", widget.NewLabel(fmt.Sprintf(
			"First start: a supervisor account was created with PIN %s. Write it down now: it is shown only once. Change it in Settings > Staff.", d.firstPIN)))
		first.Wrapping = fyne.TextWrapWord
		first.Importance = widget.WarningImportance
		items = append(items, first)
	}
	items = append(items, who, pin, keys, btn, msg)
	box := container.NewVBox(items...)
	d.win.SetContent(container.NewCenter(container.NewGridWrap(fyne.NewSize(420, 560), box)))
	d.win.Canvas().Focus(pin)
}
