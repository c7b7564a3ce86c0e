package desk

import (
	"context"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"discdesk/app/handoff"
	"discdesk/app/staff"
	"discdesk/app/station"
	"discdesk/burner/disc"
)

// requestsScreen is the due-date list of open requests (overdue in red),
// the "tell the patient" list, and one request's handoff actions.
type requestsScreen struct {
	d       *Desk
	content *fyne.Container
	list    *fyne.Container
	detail  *fyne.Container
	search  *widget.Entry
	current string // request shown in detail
}

func newRequestsScreen(d *Desk) *requestsScreen {
	r := &requestsScreen{d: d, list: container.NewVBox(), detail: container.NewVBox()}
	r.search = name(d, "requests.search", widget.NewEntry())
	r.search.SetPlaceHolder("Find a request: name, code, tracking number (blank: open requests by due date)")
	r.search.OnChanged = func(string) { r.refresh() }
	split := container.NewHSplit(container.NewVScroll(r.list), container.NewVScroll(r.detail))
	split.Offset = 0.45
	r.content = container.NewBorder(r.search, nil, nil, nil, split)
	r.refresh()
	return r
}

func (r *requestsScreen) refresh() {
	d := r.d
	now := d.svc.Now()
	var reqs []handoff.Request
	var err error
	if q := strings.TrimSpace(r.search.Text); q != "" {
		reqs, err = d.svc.Handoff.Search(q)
	} else {
		reqs, err = d.svc.Handoff.OpenRequests(now, false)
	}
	d.forget("requests.row.")
	r.list.RemoveAll()
	if err != nil {
		r.list.Add(widget.NewLabel(plain(err)))
		return
	}
	head := "Open requests by due date"
	if strings.TrimSpace(r.search.Text) != "" {
		head = "Found"
	}
	r.list.Add(widget.NewLabelWithStyle(head, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	if len(reqs) == 0 {
		r.list.Add(name(d, "requests.none", widget.NewLabel("None.")))
	}
	for _, q := range reqs {
		r.list.Add(r.row(q, now))
	}
	if tell, err := d.svc.Handoff.ToTell(); err == nil && len(tell) > 0 {
		r.list.Add(widget.NewLabelWithStyle("Tell the patient", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
		for _, q := range tell {
			r.list.Add(r.row(q, now))
		}
	}
	r.list.Refresh()
	if r.current != "" {
		if q, err := d.svc.Handoff.Request(r.current); err == nil {
			r.show(q)
		}
	}
}

func (r *requestsScreen) row(q handoff.Request, now time.Time) fyne.CanvasObject {
	d := r.d
	code := staff.RequestCode(q.ID)
	due := widget.NewLabel("due " + q.Due.In(time.Local).Format("Mon Jan 2 15:04"))
	if q.Overdue(now) {
		due.SetText("OVERDUE since " + q.Due.In(time.Local).Format("Mon Jan 2 15:04"))
		due.Importance = widget.DangerImportance
		name(d, "requests.row.overdue."+q.ID, due)
	}
	btn := name(d, "requests.row."+q.ID, widget.NewButton(fmt.Sprintf("%s  %s  (%s, %s)", code, q.Patient.Name, q.Status, q.Delivery), func() { r.show(q) }))
	btn.Alignment = widget.ButtonAlignLeading
	return container.NewBorder(nil, nil, nil, due, btn)
}

// show fills the detail pane with the request and its actions.
func (r *requestsScreen) show(q handoff.Request) {
	d := r.d
	r.current = q.ID
	d.forget("handoff.")
	d.forget("burn.")
	r.detail.RemoveAll()
	msg := name(d, "handoff.msg", widget.NewLabel(""))
	msg.Wrapping = fyne.TextWrapWord
	fail := func(err error) bool {
		if err != nil {
			msg.Importance = widget.DangerImportance
			msg.SetText(plain(err))
			return true
		}
		return false
	}
	done := func(text string) {
		d.svc.Logger.Printf("handoff action on %s by %s", q.ID, d.user.ID)
		r.refresh()
		if m, ok := d.Named("handoff.msg").(*widget.Label); ok {
			m.Importance = widget.SuccessImportance
			m.SetText(text)
		}
	}
	by := d.svc.actor(*d.user)
	lines := []string{
		fmt.Sprintf("Request %s · %s", staff.RequestCode(q.ID), q.Status),
		fmt.Sprintf("Patient: %s, born %s, ID %s", q.Patient.Name, orDash(q.Patient.BirthDate), orDash(q.Patient.ID)),
		fmt.Sprintf("Requester: %s (%s)", q.Requester.Name, q.Requester.Kind),
		fmt.Sprintf("%d × %s · %s · %s · due %s", q.Copies, q.Format.Label(), q.Delivery.Label(), q.Urgency, q.Due.In(time.Local).Format("2006-01-02 15:04")),
		"Fee: " + q.Fee.Total.String(),
	}
	if q.Address != nil {
		lines = append(lines, "Address: "+strings.Join(q.Address.Lines(), ", "))
	}
	for _, dc := range q.Discs {
		st := "verified"
		if !dc.Verified {
			st = "NOT verified"
		}
		if !dc.Spoiled.IsZero() {
			st = "SPOILED, never hand it out"
		}
		if !dc.HandedOver.IsZero() {
			st += ", " + dc.Method + " " + dc.HandedOver.In(time.Local).Format("2006-01-02 15:04")
		}
		if !dc.Received.IsZero() {
			st += ", received"
		}
		lines = append(lines, fmt.Sprintf("Disc %d of %d %s: %s", dc.N, dc.M, dc.UUID[len(dc.UUID)-8:], st))
	}
	if !q.PatientTold.IsZero() {
		lines = append(lines, "Patient told "+q.PatientTold.In(time.Local).Format("2006-01-02 15:04"))
	}
	info := name(d, "handoff.info", widget.NewLabel(strings.Join(lines, "\n")))
	info.Wrapping = fyne.TextWrapWord
	r.detail.Add(info)

	// Documents.
	docBtn := func(kind, label string) *widget.Button {
		return name(d, "handoff.doc."+kind, widget.NewButton(label, func() {
			said, err := d.svc.PrintDoc(kind, q) // print.go
			if fail(err) {
				return
			}
			msg.Importance = widget.MediumImportance
			msg.SetText(said)
		}))
	}
	r.detail.Add(container.NewHBox(docBtn("form", "Print request form"), docBtn("invoice", "Print invoice"), docBtn("receipt", "Print receipt"),
		docBtn("label", "Print disc label"), docBtn("insert", "Print case insert")))
	r.detail.Add(d.copyButton(q)) // electronic copy (copy.go)

	canHand := d.user.Role.Can(staff.ActionHandoff)
	if !canHand {
		r.detail.Add(msg)
		r.detail.Refresh()
		return
	}
	st := d.svc.Station
	// A disc to burn: a request recorded earlier (phone, fax, request new),
	// or one whose disc was spoiled.
	if q.NeedsDisc() {
		r.burnSection(q, msg, fail, done)
	}
	// Handoff of a disc the request's rule lets go (the latest); else why
	// the latest disc may not.
	if ready := q.ToHandOver(); len(ready) > 0 {
		du := ready[len(ready)-1].UUID
		r.detail.Add(name(d, "handoff.disc", widget.NewLabelWithStyle("Hand over disc "+du, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})))
		to := name(d, "handoff.to", widget.NewEntry())
		to.SetText(q.Recipient)
		idc := name(d, "handoff.identity", widget.NewEntry())
		idc.SetPlaceHolder("Identity check at pickup, e.g. driver licence")
		carrier := name(d, "handoff.carrier", widget.NewSelect([]string{"USPS", "UPS", "FedEx", "DHL", "Courier"}, nil))
		tracking := name(d, "handoff.tracking", widget.NewEntry())
		tracking.SetPlaceHolder("Tracking number")
		pick := name(d, "handoff.pickup", widget.NewButton("Handed over at the desk", func() {
			_, err := st.HandOver(du, false, handoff.Handover{To: to.Text, IdentityCheck: idc.Text}, by)
			if !fail(err) {
				done("Handoff recorded.")
			}
		}))
		mail := name(d, "handoff.mail", widget.NewButton("Mailed", func() {
			_, err := st.HandOver(du, true, handoff.Handover{To: to.Text, Carrier: carrier.Selected, Tracking: tracking.Text}, by)
			if !fail(err) {
				done("Mailing recorded.")
			}
		}))
		r.detail.Add(widget.NewForm(widget.NewFormItem("To", to), widget.NewFormItem("Identity check", idc), widget.NewFormItem("Carrier", carrier), widget.NewFormItem("Tracking", tracking)))
		r.detail.Add(container.NewHBox(pick, mail))
		spoilWhy := name(d, "handoff.spoilwhy", widget.NewEntry())
		spoilWhy.SetPlaceHolder("Why this disc must not go out (damaged, wrong label, ...)")
		r.detail.Add(container.NewBorder(nil, nil, nil, name(d, "handoff.spoil", widget.NewButton("Disc spoiled", func() {
			_, err := st.Spoil(du, spoilWhy.Text, by)
			if !fail(err) {
				done("Disc marked spoiled: burn a replacement.")
			}
		})), spoilWhy))
	} else if n := len(q.Discs); n > 0 {
		if err := q.CanHandOver(q.Discs[n-1].UUID, false); err != nil {
			why := name(d, "handoff.why", widget.NewLabel("Disc "+q.Discs[n-1].UUID+": "+plain(err)))
			why.Wrapping = fyne.TextWrapWord
			r.detail.Add(why)
		}
	}
	// Receipt of a mailed disc.
	if aw := q.AwaitingReceipt(); len(aw) > 0 {
		dc := aw[0]
		who := name(d, "handoff.receivedby", widget.NewEntry())
		who.SetPlaceHolder("Who confirmed receipt")
		r.detail.Add(container.NewBorder(nil, nil, nil, name(d, "handoff.received", widget.NewButton("Mark received", func() {
			_, err := st.ConfirmReceipt(dc.UUID, who.Text, by)
			if !fail(err) {
				done("Receipt recorded.")
			}
		})), who))
	}
	if err := q.CanTell(); err == nil {
		how := name(d, "handoff.how", widget.NewSelect([]string{"phone", "text message", "portal", "in person", "letter"}, nil))
		how.SetSelected("phone")
		r.detail.Add(container.NewBorder(nil, nil, widget.NewLabel("Patient told by"), name(d, "handoff.told", widget.NewButton("Mark \"patient told\"", func() {
			_, err := st.TellPatient(q.ID, how.Selected, by)
			if !fail(err) {
				done("Recorded that the patient was told.")
			}
		})), how))
	} else if q.Status != handoff.StatusCancelled {
		r.detail.Add(name(d, "handoff.tellwhy", widget.NewLabel("Tell the patient: "+plain(err))))
	}
	if q.Open() {
		why := name(d, "handoff.cancelwhy", widget.NewEntry())
		why.SetPlaceHolder("Why the request is cancelled")
		r.detail.Add(container.NewBorder(nil, nil, nil, name(d, "handoff.cancel", widget.NewButton("Cancel request", func() {
			_, err := st.Cancel(q.ID, why.Text, by)
			if !fail(err) {
				done("Request cancelled.")
			}
		})), why))
	}
	r.detail.Add(msg)
	r.detail.Refresh()
}

// burnSection plans a recorded request's disc: the plan's warnings, a box
// to acknowledge each that needs it, and a Burn button that queues it
// through the station in the signed-in member's name.
func (r *requestsScreen) burnSection(q handoff.Request, msg *widget.Label, fail func(error) bool, done func(string)) {
	d := r.d
	r.detail.Add(widget.NewLabelWithStyle("Burn the disc", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	p, err := d.svc.Station.PlanRequest(context.Background(), q.ID, station.PlanOptions{})
	if err != nil {
		why := name(d, "handoff.burnwhy", widget.NewLabel("The disc cannot be planned: "+plain(err)))
		why.Wrapping = fyne.TextWrapWord
		r.detail.Add(why)
		return
	}
	summary := fmt.Sprintf("%d objects · %s · %d disc(s) of %s", len(p.Objects), formatMB(p.Size), p.Count(), strings.ToUpper(string(p.Options.Media)))
	var acks []*widget.Check
	var codes []disc.WarningCode
	r.detail.Add(name(d, "handoff.burnplan", widget.NewLabel(summary)))
	for _, w := range p.Warnings {
		l := badge(w.Message, widget.WarningImportance)
		l.Wrapping = fyne.TextWrapWord
		r.detail.Add(l)
		if w.NeedsAck {
			c := name(d, "burn.ack."+string(w.Code), widget.NewCheck("I have read this and want to go on", nil))
			acks = append(acks, c)
			codes = append(codes, w.Code)
			r.detail.Add(c)
		}
	}
	p.Close() // the queue plans the disc again with the same options
	burn := name(d, "handoff.burn", widget.NewButton("Burn", func() {
		var ok []disc.WarningCode
		for i, c := range acks {
			if c.Checked {
				ok = append(ok, codes[i])
			}
		}
		job, err := d.svc.BurnRequest(context.Background(), q.ID, ok, *d.user)
		if fail(err) {
			return
		}
		d.svc.Logger.Printf("request %s: job %s queued by %s", q.ID, job.ID, d.user.ID)
		done("The disc is in the burn queue.")
	}))
	burn.Importance = widget.HighImportance
	r.detail.Add(burn)
}
