package desk

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"discdesk/app/handoff"
	"discdesk/app/library"
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
		reqs, err = r.d.svc.Handoff.Search(q) // case, accents and punctuation aside, open or closed
	} else {
		reqs, err = d.svc.Handoff.OpenRequests(now, false)
	}
	d.forget("requests.row.")
	r.list.RemoveAll()
	if err != nil {
		r.list.Add(widget.NewLabel(plain(err)))
		return
	}
	head := "Open requests by due date · " + openCounts(reqs, now, d.location())
	if strings.TrimSpace(r.search.Text) != "" {
		head = "Found " + plural(len(reqs), "request", "requests")
	}
	r.list.Add(name(d, "requests.head", widget.NewLabelWithStyle(head, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})))
	if len(reqs) == 0 {
		r.list.Add(name(d, "requests.none", widget.NewLabel("None.")))
	}
	// Outside discs received are records, not copy requests: they have
	// no due date, no fee and no invoice, and are listed apart.
	var outside []handoff.Request
	for _, q := range reqs {
		if q.Intake != nil {
			outside = append(outside, q)
			continue
		}
		r.list.Add(r.row(q, now))
	}
	if tell, err := d.svc.Handoff.ToTell(); err == nil && len(tell) > 0 && strings.TrimSpace(r.search.Text) == "" {
		head := false
		for _, q := range tell {
			if q.Intake != nil {
				outside = append(outside, q)
				continue
			}
			if !head {
				r.list.Add(widget.NewLabelWithStyle("Tell the patient", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
				head = true
			}
			r.list.Add(r.row(q, now))
		}
	}
	if len(outside) > 0 {
		r.list.Add(widget.NewLabelWithStyle("Outside discs received", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
		for _, q := range outside {
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

// openCounts is the list header's "5 open: 3 overdue, 2 due today".
func openCounts(reqs []handoff.Request, now time.Time, loc *time.Location) string {
	over, today := 0, 0
	y, m, dd := now.In(loc).Date()
	for _, q := range reqs {
		switch qy, qm, qd := q.Due.In(loc).Date(); {
		case q.Overdue(now):
			over++
		case q.Open() && qy == y && qm == m && qd == dd:
			today++
		}
	}
	return fmt.Sprintf("%d open: %d overdue, %d due today", len(reqs), over, today)
}

func (r *requestsScreen) row(q handoff.Request, now time.Time) fyne.CanvasObject {
	d := r.d
	code := staff.RequestCode(q.ID)
	loc := d.location()
	due := name(d, "requests.row.due."+q.ID, widget.NewLabel("due "+longDate(q.Due, loc)+" · "+daysLeft(q.Due, now, loc)))
	if q.Intake != nil {
		due.SetText("outside disc from " + q.Intake.Sender + ", received " + q.Intake.Received.In(loc).Format("Jan 2, 2006"))
	} else if !q.Open() {
		due.SetText("")
	} else if q.Overdue(now) {
		due.SetText("OVERDUE since " + longDate(q.Due, loc) + " · " + daysLeft(q.Due, now, loc))
		due.Importance = widget.DangerImportance
		name(d, "requests.row.overdue."+q.ID, due)
	}
	btn := name(d, "requests.row."+q.ID, widget.NewButton(fmt.Sprintf("%s  %s  · %s", code, PersonName(q.Patient.Name), studyCount(q)), func() { r.show(q) }))
	btn.Alignment = widget.ButtonAlignLeading
	// Two short lines a clerk scans: who, then where it stands and when
	// it is due.
	return container.NewVBox(btn, container.NewHBox(widget.NewLabel(fmt.Sprintf("%s · %s", q.Status, q.Delivery.Label())), due))
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
	if q.Intake != nil {
		r.showOutside(q, msg, fail, done)
		return
	}
	lines := []string{
		fmt.Sprintf("Request %s · %s", staff.RequestCode(q.ID), q.Status),
		fmt.Sprintf("Patient: %s, born %s, ID %s", PersonName(q.Patient.Name), orDash(q.Patient.BirthDate), patientID(q.Patient)),
		fmt.Sprintf("Requester: %s (%s)", PersonName(q.Requester.Name), q.Requester.Kind),
		fmt.Sprintf("%s · %d × %s · %s · %s", studyCount(q), q.Copies, q.Format.Label(), q.Delivery.Label(), q.Urgency),
		fmt.Sprintf("Due %s (%s)", longDate(q.Due, d.location()), daysLeft(q.Due, d.svc.Now(), d.location())),
		"Fee: " + q.Fee.Total.String() + feeRuleName(q.Fee),
	}
	lines = append(lines, paymentLines(q, d.location())...)
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
			st += ", " + dc.Method + " " + dc.HandedOver.In(d.location()).Format("2006-01-02 15:04")
		}
		if dc.Tracking != "" {
			st += ", tracking " + dc.Tracking
			if c := carrierOf(d, q.ID, dc.UUID); c != "" {
				st += " (" + c + ")"
			}
		}
		if !dc.Received.IsZero() {
			st += ", received"
		}
		lines = append(lines, fmt.Sprintf("Disc %d of %d %s: %s", dc.N, dc.M, dc.UUID[len(dc.UUID)-8:], st))
	}
	if !q.PatientTold.IsZero() {
		lines = append(lines, "Patient told "+q.PatientTold.In(d.location()).Format("2006-01-02 15:04"))
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
	// The fee: any signed-in member records a payment in their own name;
	// only a role that may waive (a supervisor) waives it or gives money
	// back.
	if q.Status != handoff.StatusCancelled && q.Balance() > 0 {
		r.paymentSection(q, msg, done)
	}
	if q.Refundable() > 0 {
		r.refundSection(q, msg, done)
	}

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
		to.SetText(PersonName(q.Recipient))
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
		// Only the fields of the way the disc leaves: identity at the
		// desk; carrier and tracking by mail. The request's delivery
		// chooses; the clerk may switch (a mailed copy picked up after all).
		desk := name(d, "handoff.atdesk", container.New(layout.NewFormLayout(), widget.NewLabel("Identity check"), idc))
		post := name(d, "handoff.bymail", container.New(layout.NewFormLayout(), widget.NewLabel("Carrier"), carrier, widget.NewLabel("Tracking"), tracking))
		how := name(d, "handoff.leaves", widget.NewRadioGroup([]string{leavesDesk, leavesMail}, nil))
		how.Horizontal = true
		how.OnChanged = func(v string) {
			byMail := v == leavesMail
			for _, o := range []fyne.CanvasObject{post, mail} {
				o.Hide()
				if byMail {
					o.Show()
				}
			}
			for _, o := range []fyne.CanvasObject{desk, pick} {
				o.Show()
				if byMail {
					o.Hide()
				}
			}
		}
		if q.Delivery.NeedsAddress() {
			how.SetSelected(leavesMail)
		} else {
			how.SetSelected(leavesDesk)
		}
		r.detail.Add(how)
		r.detail.Add(container.New(layout.NewFormLayout(), widget.NewLabel("To"), to))
		r.detail.Add(desk)
		r.detail.Add(post)
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
			dc := q.Discs[n-1]
			text := fmt.Sprintf("Disc %d of %d may not go out: %s", dc.N, dc.M, ruleWhy(err))
			if errors.Is(err, handoff.ErrAlreadyOut) {
				text = fmt.Sprintf("Disc %d of %d already left the building (%s, %s).", dc.N, dc.M, dc.Method, dc.HandedOver.In(d.location()).Format("Jan 2, 2006 15:04"))
			}
			why := name(d, "handoff.why", widget.NewLabel(text))
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
	r.addTell(q, fail, done)
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
	if stage, err := d.svc.Station.Stage(q.ID); err == nil && stage == station.StageQueued {
		// Not a second Burn button while the disc is on its way.
		r.detail.Add(name(d, "handoff.queued", widget.NewLabel("The disc is in the burn queue.")))
		r.detail.Add(name(d, "handoff.showqueue", widget.NewButton("Show the burn queue", func() { d.selectTab("Burn queue") })))
		return
	}
	p, err := d.svc.Station.PlanRequest(context.Background(), q.ID, station.PlanOptions{})
	if errors.Is(err, station.ErrNoStudies) {
		// A request phoned in for "all imaging from ... to ...": not a dead
		// end, the clerk is taken to those studies to start from them.
		why := name(d, "handoff.burnwhy", widget.NewLabel(fmt.Sprintf("This request asks for all imaging from %s to %s and names no studies yet. "+
			"Find them under Studies, start the request from there, and cancel this one as replaced.", q.Studies.From, q.Studies.To)))
		why.Wrapping = fyne.TextWrapWord
		r.detail.Add(why)
		r.detail.Add(name(d, "handoff.findstudies", widget.NewButton("Find "+PersonName(q.Patient.Name)+"'s studies", func() { r.findStudies(q) })))
		return
	}
	if err != nil {
		why := name(d, "handoff.burnwhy", widget.NewLabel("The disc cannot be planned: "+plain(err)))
		why.Wrapping = fyne.TextWrapWord
		r.detail.Add(why)
		return
	}
	d.svc.PrepareViewer(p) // packed while staff read the plan, so "Burn" only writes
	summary := fmt.Sprintf("%s · %s · %d disc(s) of %s", plural(len(p.Objects), "object", "objects"), formatMB(p.Size), p.Count(), strings.ToUpper(string(p.Options.Media)))
	r.detail.Add(name(d, "handoff.burnplan", widget.NewLabel(summary)))
	noun := "this study"
	if n := len(q.Studies.UIDs); n > 1 {
		noun = fmt.Sprintf("these %d studies", n)
	} else if n == 1 {
		if st, err := d.svc.Lib.Study(q.Studies.UIDs[0]); err == nil {
			noun = studyNoun([]library.Study{st.Study})
		}
	}
	ws, acks, codes := planWarnings(d, "burn", p.Warnings, noun)
	for _, o := range ws {
		r.detail.Add(o)
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

// paymentLines are the detail's lines on the fee's payments: "Paid $6.50
// cash on 2 Nov 2026", "Fee waived: reason (who, when)", "Refunded $6.50
// cash on 3 Nov 2026: reason (who)", "Balance due $6.50" (none on a
// cancelled request), "Refund owed $6.50".
func paymentLines(q handoff.Request, loc *time.Location) []string {
	var out []string
	for _, p := range q.Payments {
		on := p.Time.In(loc).Format("2 Jan 2006")
		if p.Waived {
			out = append(out, fmt.Sprintf("Fee waived: %s (%s, %s)", p.Reason, PersonName(p.Staff), on))
			continue
		}
		ref := ""
		if p.Reference != "" {
			ref = " (ref " + p.Reference + ")"
		}
		if p.Refund {
			out = append(out, fmt.Sprintf("Refunded %s %s%s on %s: %s (%s)", p.Cents, p.Method, ref, on, p.Reason, PersonName(p.Staff)))
			continue
		}
		out = append(out, fmt.Sprintf("Paid %s %s%s on %s", p.Cents, p.Method, ref, on))
	}
	if b := q.Balance(); b > 0 {
		out = append(out, "Balance due "+b.String())
	}
	if owed := q.Refundable(); owed > 0 {
		out = append(out, "Refund owed "+owed.String())
	}
	return out
}

// paymentSection records a payment of what is due (amount, method, an
// optional reference) or waives the fee with a reason.
func (r *requestsScreen) paymentSection(q handoff.Request, msg *widget.Label, done func(string)) {
	d := r.d
	st, ws := d.svc.Station, d.svc.actor(*d.user).Workstation
	say := func(text string) {
		msg.Importance = widget.DangerImportance
		msg.SetText(text)
	}
	refused := func(err error) {
		switch {
		case errors.Is(err, staff.ErrNotAllowed):
			say("Only a supervisor may waive a fee.")
		case errors.Is(err, handoff.ErrOverpaid):
			say("That is more than the " + q.Balance().String() + " due.")
		case errors.Is(err, handoff.ErrFeeWaived):
			say("The fee was waived: no payment is recorded after a waiver.")
		case errors.Is(err, handoff.ErrNothingDue):
			say("Nothing is due: the fee is paid.")
		case errors.Is(err, handoff.ErrClosed):
			say("The request is cancelled.")
		default:
			say(plain(err))
		}
	}
	r.detail.Add(name(d, "handoff.pay.head", widget.NewLabelWithStyle("Payment: "+q.Balance().String()+" due", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})))
	amount := name(d, "handoff.pay.amount", widget.NewEntry())
	amount.SetText(strings.TrimPrefix(q.Balance().String(), "$"))
	method := name(d, "handoff.pay.method", widget.NewSelect(handoff.PayMethods, nil))
	method.PlaceHolder = "How it was paid"
	ref := name(d, "handoff.pay.reference", widget.NewEntry())
	ref.SetPlaceHolder("Check or receipt number (optional; never a card number)")
	pay := name(d, "handoff.pay.record", widget.NewButton("Record payment", func() {
		c, err := handoff.ParseDollars(amount.Text)
		if err != nil {
			say("Check the amount: " + err.Error() + ".")
			return
		}
		if method.Selected == "" {
			say("Please choose how the fee was paid.")
			return
		}
		p := handoff.Payment{Cents: c, Method: method.Selected, Reference: ref.Text}
		if _, err := st.RecordPayment(q.ID, p, *d.user, ws); err != nil {
			refused(err)
			return
		}
		done("Payment of " + c.String() + " recorded.")
	}))
	r.detail.Add(container.New(layout.NewFormLayout(), widget.NewLabel("Amount $"), amount, widget.NewLabel("Method"), method,
		widget.NewLabel("Reference"), ref))
	r.detail.Add(pay)
	if !d.user.Role.Can(staff.ActionWaive) {
		r.detail.Add(name(d, "handoff.pay.waivewho", widget.NewLabel("Only a supervisor may waive the fee.")))
		return
	}
	why := name(d, "handoff.pay.reason", widget.NewEntry())
	why.SetPlaceHolder("Why the fee is waived (logged with your name)")
	r.detail.Add(container.NewBorder(nil, nil, nil, name(d, "handoff.pay.waive", widget.NewButton("Waive fee", func() {
		if strings.TrimSpace(why.Text) == "" {
			say("Please say why the fee is waived.")
			return
		}
		if _, err := st.RecordPayment(q.ID, handoff.Payment{Waived: true, Reason: why.Text}, *d.user, ws); err != nil {
			refused(err)
			return
		}
		done("Fee waived.")
	})), why))
}

// refundSection gives back what is owed on a cancelled request or a fee
// quoted again lower (amount, how, an optional reference, a reason): a
// supervisor's decision, so others see only who may.
func (r *requestsScreen) refundSection(q handoff.Request, msg *widget.Label, done func(string)) {
	d := r.d
	owed := q.Refundable()
	r.detail.Add(name(d, "handoff.refund.head", widget.NewLabelWithStyle("Refund: "+owed.String()+" owed to the requester", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})))
	if !d.user.Role.Can(staff.ActionWaive) {
		r.detail.Add(name(d, "handoff.refund.who", widget.NewLabel("Only a supervisor may give money back.")))
		return
	}
	say := func(text string) {
		msg.Importance = widget.DangerImportance
		msg.SetText(text)
	}
	amount := name(d, "handoff.refund.amount", widget.NewEntry())
	amount.SetText(strings.TrimPrefix(owed.String(), "$"))
	method := name(d, "handoff.refund.method", widget.NewSelect(handoff.PayMethods, nil))
	method.PlaceHolder = "How it was given back"
	ref := name(d, "handoff.refund.reference", widget.NewEntry())
	ref.SetPlaceHolder("Check or receipt number (optional; never a card number)")
	why := name(d, "handoff.refund.reason", widget.NewEntry())
	why.SetPlaceHolder("Why the money is given back (logged with your name)")
	give := name(d, "handoff.refund.record", widget.NewButton("Record refund", func() {
		c, err := handoff.ParseDollars(amount.Text)
		switch {
		case err != nil:
			say("Check the amount: " + err.Error() + ".")
			return
		case method.Selected == "":
			say("Please choose how the money was given back.")
			return
		case strings.TrimSpace(why.Text) == "":
			say("Please say why the money is given back.")
			return
		}
		p := handoff.Payment{Cents: c, Method: method.Selected, Reference: ref.Text, Reason: why.Text}
		if _, err := d.svc.Station.RecordRefund(q.ID, p, *d.user, d.svc.actor(*d.user).Workstation); err != nil {
			switch {
			case errors.Is(err, handoff.ErrOverRefund):
				say("That is more than the " + owed.String() + " owed.")
			case errors.Is(err, handoff.ErrNothingToRefund):
				say("Nothing is owed back.")
			default:
				say(plain(err))
			}
			return
		}
		done("Refund of " + c.String() + " recorded.")
	}))
	r.detail.Add(container.New(layout.NewFormLayout(), widget.NewLabel("Amount $"), amount, widget.NewLabel("Method"), method,
		widget.NewLabel("Reference"), ref, widget.NewLabel("Reason"), why))
	r.detail.Add(give)
}

// How a disc leaves the building (the handover's choice).
const (
	leavesDesk = "Handed over at the desk"
	leavesMail = "Mailed"
)

// studyCount is "1 study" or "2 studies" (or the date range asked for).
func studyCount(q handoff.Request) string {
	if n := len(q.Studies.UIDs); n > 0 || q.Studies.From == "" {
		return plural(n, "study", "studies")
	}
	return "imaging " + q.Studies.From + " to " + q.Studies.To
}

// feeRuleName names the fee rule a recorded fee was quoted under.
func feeRuleName(f handoff.Fee) string {
	s := ""
	for _, m := range feeMethods {
		if m.m == f.Method {
			s = " (" + m.label
		}
	}
	if s == "" {
		return ""
	}
	if f.Rule != nil {
		s += "; " + f.Rule.Name
	}
	return s + ")"
}

// carrierOf is the carrier the disc was mailed with, from its handoff event.
func carrierOf(d *Desk, requestID, discUUID string) string {
	evs, err := d.svc.Handoff.Events(requestID, "")
	if err != nil {
		return ""
	}
	c := ""
	for _, ev := range evs {
		if ev.Disc == discUUID && ev.Kind == handoff.EventMailed && ev.Handover != nil {
			c = ev.Handover.Carrier
		}
	}
	return c
}

// showOutside is the record of an outside disc: what was received and
// imported and the receipt given; no due date, fee or invoice.
func (r *requestsScreen) showOutside(q handoff.Request, msg *widget.Label, fail func(error) bool, done func(string)) {
	d := r.d
	in := q.Intake
	lines := []string{
		fmt.Sprintf("Outside disc %s from %s, received %s", staff.RequestCode(q.ID), in.Sender, in.Received.In(d.location()).Format("Mon Jan 2, 2006 15:04")),
		fmt.Sprintf("Patient: %s, born %s, ID %s", PersonName(q.Patient.Name), orDash(q.Patient.BirthDate), patientID(q.Patient)),
		fmt.Sprintf("Imported: %s, %s", plural(len(in.Studies), "study", "studies"), plural(in.Instances, "image", "images")),
	}
	if len(in.Problems) > 0 {
		lines = append(lines, plural(len(in.Problems), "file was", "files were")+" not imported or not forwarded")
	}
	if !q.SenderConfirmed.IsZero() {
		lines = append(lines, "Receipt confirmed to the sender "+q.SenderConfirmed.In(d.location()).Format("2006-01-02 15:04"))
	}
	info := name(d, "handoff.info", widget.NewLabel(strings.Join(lines, "\n")))
	info.Wrapping = fyne.TextWrapWord
	r.detail.Add(info)
	if in.Receipt != "" {
		rt := name(d, "handoff.receipttext", widget.NewLabel("Receipt given: "+in.Receipt))
		rt.Wrapping = fyne.TextWrapWord
		r.detail.Add(rt)
	}
	r.addTell(q, fail, done)
	r.detail.Add(msg)
	r.detail.Refresh()
}

// addTell adds the "patient told" control when the request's rule
// (CanTell, the rule of the tell-the-patient list) allows it, else why
// not; fail and done report the outcome.
func (r *requestsScreen) addTell(q handoff.Request, fail func(error) bool, done func(string)) {
	d := r.d
	err := q.CanTell()
	if err != nil {
		if q.Status != handoff.StatusCancelled {
			tw := name(d, "handoff.tellwhy", widget.NewLabel("Tell the patient: nothing to tell: "+ruleWhy(err)))
			tw.Wrapping = fyne.TextWrapWord
			r.detail.Add(tw)
		}
		return
	}
	if !d.user.Role.Can(staff.ActionHandoff) {
		return
	}
	how := name(d, "handoff.how", widget.NewSelect([]string{"phone", "text message", "portal", "in person", "letter"}, nil))
	how.SetSelected("phone")
	r.detail.Add(container.NewBorder(nil, nil, widget.NewLabel("Patient told by"), name(d, "handoff.told", widget.NewButton("Mark \"patient told\"", func() {
		_, err := d.svc.Station.TellPatient(q.ID, how.Selected, d.svc.actor(*d.user))
		if !fail(err) {
			done("Recorded that the patient was told.")
		}
	})), how))
}

// patientID is the Patient ID as the detail shows it, with its issuer
// when the request names one ("AB123 (issuer HOSP)"), else a dash.
func patientID(p handoff.Patient) string { return orDash(p.ID) + issuerText(p.Issuer) }

var (
	// idRe is a request or disc named by its UUID in a rule's refusal.
	idRe = regexp.MustCompile(`\b(request|disc) [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
	// sentinels are the refusal's own words that say nothing to a clerk.
	sentinels = []string{": " + handoff.ErrWrongState.Error(), ": nothing to tell the patient"}
)

// ruleWhy is a request rule's refusal (CanHandOver, CanTell) in a clerk's
// words: no UUIDs, no "event does not fit the history".
func ruleWhy(err error) string {
	s := err.Error()
	for _, x := range sentinels {
		s = strings.ReplaceAll(s, x, "")
	}
	s = idRe.ReplaceAllString(s, "the $1")
	for _, p := range []string{"the request: ", "the disc: "} {
		s = strings.TrimPrefix(s, p)
	}
	return strings.TrimSuffix(s, ".") + "."
}

// findStudies shows the Studies screen searched for the request's patient
// and date range.
func (r *requestsScreen) findStudies(q handoff.Request) {
	s := r.d.studies
	s.back()
	s.from.SetText(q.Studies.From)
	s.to.SetText(q.Studies.To)
	who := q.Patient.ID
	if who == "" {
		who = q.Patient.Name
	}
	s.search.SetText(who)
	r.d.selectTab("Studies")
}
