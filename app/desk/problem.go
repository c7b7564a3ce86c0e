package desk

import (
	"image"
	"path/filepath"
	"runtime"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"discdesk/app/support"
)

// showProblem asks what happened, warns that the report may hold patient
// data, and writes the support bundle with screen captures and recent logs.
func (d *Desk) showProblem() {
	warn := name(d, "problem.warning", widget.NewLabel(support.Warning))
	warn.Wrapping = fyne.TextWrapWord
	warn.Importance = widget.WarningImportance
	note := name(d, "problem.note", widget.NewMultiLineEntry())
	note.SetPlaceHolder("What were you doing, and what went wrong?")
	msg := name(d, "problem.msg", widget.NewLabel(""))
	msg.Wrapping = fyne.TextWrapWord
	var pop *widget.PopUp
	write := name(d, "problem.write", widget.NewButton("Write the report", func() {
		var screens []image.Image
		var capErr error
		pop.Hide() // capture the screen, not this box
		if d.svc.Capture != nil {
			screens, capErr = d.svc.Capture()
		}
		pop.Show()
		cur, _ := d.svc.Settings.Get()
		by := ""
		if d.user != nil {
			by = d.user.Name
		}
		p, err := support.Write(filepath.Join(d.svc.DataDir, "support"), support.Report{
			Note: note.Text, By: by, Screens: screens, Logs: d.svc.Log.Lines(), Time: d.svc.Now(),
			About: map[string]string{"workstation": cur.Workstation, "os": runtime.GOOS + "/" + runtime.GOARCH, "data folder": d.svc.DataDir},
		})
		if err != nil {
			msg.Importance = widget.DangerImportance
			msg.SetText(plain(err))
			return
		}
		text := "Report written to " + p
		if capErr != nil || len(screens) == 0 {
			text += " (without a screen picture: the screen could not be captured)"
		}
		msg.Importance = widget.SuccessImportance
		msg.SetText(text)
		d.svc.Logger.Printf("problem report written")
	}))
	write.Importance = widget.HighImportance
	closeBtn := name(d, "problem.close", widget.NewButton("Close", func() { pop.Hide(); d.forget("problem.") }))
	box := container.NewVBox(widget.NewLabelWithStyle("Report a problem", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		warn, note, msg, container.NewHBox(closeBtn, write))
	pop = widget.NewModalPopUp(container.NewGridWrap(fyne.NewSize(560, 360), box), d.win.Canvas())
	name(d, "problem.popup", pop)
	pop.Show()
}
