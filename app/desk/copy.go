package desk

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"discdesk/app/ecopy"
	"discdesk/app/handoff"
	"discdesk/app/staff"
	"discdesk/app/station"
	"discdesk/burner/disc"
)

// copyFormats are the electronic copies offered, as the screen names them.
var copyFormats = map[string]handoff.Format{
	"ZIP file (any computer)":        handoff.FormatZIP,
	"ISO disc image":                 handoff.FormatISO,
	"USB stick (the mounted folder)": handoff.FormatUSB,
}

// copyButton opens the electronic copy of a request's studies: ZIP or ISO
// into a folder the patient chooses, or a USB stick; written, read back and
// recorded in the handoff log by package ecopy, as `discdesk copy` does.
func (d *Desk) copyButton(q handoff.Request) fyne.CanvasObject {
	b := name(d, "handoff.copy", widget.NewButton("Electronic copy (ZIP, ISO, USB)…", func() { d.showCopy(q) }))
	if !d.user.Role.Can(staff.ActionRequest) || len(q.Studies.UIDs) == 0 || !q.Open() {
		b.Disable()
	}
	return b
}

// copyDone is closed when the copy started last finishes (tests wait on it).
func (d *Desk) copyDone() <-chan struct{} {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.named["copy.popup"].(*copyPopup).done
}

// copyPopup is the electronic copy box; it is registered under
// "copy.popup" so tests can wait for the copy to finish.
type copyPopup struct {
	*widget.PopUp
	done chan struct{}
}

func (d *Desk) showCopy(q handoff.Request) {
	d.forget("copy.")
	format := name(d, "copy.format", widget.NewRadioGroup([]string{"ZIP file (any computer)", "ISO disc image", "USB stick (the mounted folder)"}, nil))
	format.SetSelected("ZIP file (any computer)")
	folder := name(d, "copy.folder", widget.NewEntry())
	folder.SetPlaceHolder("Destination folder (e.g. the patient's OneDrive or iCloud folder) or the USB stick")
	browse := name(d, "copy.browse", widget.NewButton("Choose…", func() {
		dialog.ShowFolderOpen(func(u fyne.ListableURI, err error) {
			if err == nil && u != nil {
				folder.SetText(u.Path())
			}
		}, d.win)
	}))
	ack := name(d, "copy.ack", widget.NewCheck("The copy may go without a report", nil))
	ack.Hide()
	msg := name(d, "copy.msg", widget.NewLabel(""))
	msg.Wrapping = fyne.TextWrapWord
	p := &copyPopup{done: make(chan struct{})}
	close(p.done) // nothing running yet
	var start *widget.Button
	start = name(d, "copy.start", widget.NewButton("Write and verify the copy", func() {
		f := copyFormats[format.Selected]
		spec, err := ecopy.Spec(f, folder.Text, strings.ReplaceAll(staff.RequestCode(q.ID), "-", ""))
		if err != nil {
			msg.SetText("Choose a destination folder first.")
			return
		}
		ctx := context.Background()
		plan, err := d.svc.PlanStudies(ctx, q.Studies.UIDs, disc.USB)
		if err != nil {
			msg.SetText("The copy cannot be planned: " + plain(err))
			return
		}
		if ack.Checked {
			plan.Acknowledge(disc.WarnNoReport, d.user.Name)
		}
		if un := plan.Unacknowledged(); len(un) > 0 {
			plan.Close()
			msg.SetText(un[0].Message + " Tick the box to acknowledge it.")
			ack.Show()
			return
		}
		start.Disable()
		msg.Importance = widget.MediumImportance
		msg.SetText("Writing the copy and reading it back…")
		p.done = make(chan struct{})
		done := p.done
		by := d.svc.actor(*d.user)
		go func() {
			defer close(done)
			defer plan.Close()
			copies, err := writeTrees(ctx, plan, spec, ecopy.Options{Log: d.svc.Handoff, Request: q.ID, Actor: by, Studies: q.Studies.UIDs})
			d.uiDo(func() {
				start.Enable()
				if err != nil {
					msg.Importance = widget.DangerImportance
					msg.SetText("The copy failed: " + plain(err))
					return
				}
				msg.Importance = widget.SuccessImportance
				msg.SetText(copyText(copies))
				d.svc.Logger.Printf("electronic copy for %s written by %s", q.ID, d.user.ID)
				if d.requests != nil {
					d.requests.refresh()
				}
			})
		}()
	}))
	start.Importance = widget.HighImportance
	closeBtn := name(d, "copy.close", widget.NewButton("Close", func() { p.Hide() }))
	p.PopUp = widget.NewModalPopUp(container.NewPadded(container.NewVBox(
		widget.NewLabelWithStyle("Electronic copy for "+PersonName(q.Patient.Name), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		format, container.NewBorder(nil, nil, nil, browse, folder), ack, msg, container.NewHBox(closeBtn, start))), d.win.Canvas())
	name(d, "copy.popup", p)
	p.Show()
}

// writeTrees builds the plan's trees and writes them with package ecopy.
func writeTrees(ctx context.Context, plan *station.Plan, spec string, opt ecopy.Options) ([]ecopy.Copy, error) {
	trees, err := plan.Build(ctx, nil)
	if err != nil {
		return nil, err
	}
	return ecopy.Write(ctx, trees, spec, opt)
}

// copyText reports the copies written and verified.
func copyText(copies []ecopy.Copy) string {
	var lines []string
	for _, c := range copies {
		lines = append(lines, fmt.Sprintf("Copy %d of %d: %s written to %s, read back and verified (%d files, %d images; manifest %s…). Recorded in the log.",
			c.N, c.M, c.Format.Label(), c.Dest, c.Files, c.Instances, c.Digest[:12]))
	}
	return strings.Join(lines, "\n")
}
