package desk

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"discdesk/app/handoff"
	"discdesk/app/library"
	"discdesk/app/offers"
	"discdesk/app/staff"
)

// accessTabs are the patient-access screens beyond the disc: today's
// proactive offers and outside discs. Staff only: the kiosk never builds
// the main tabs.
func (d *Desk) accessTabs() []*container.TabItem {
	items := []*container.TabItem{container.NewTabItem("Offers", newOffersScreen(d).content)}
	if d.user.Role.Can(staff.ActionHandoff) {
		items = append(items, container.NewTabItem("Outside disc", newReconcileScreen(d).content))
	}
	return items
}

// offersScreen is today's list of patients to offer a copy to before they
// leave (package offers), with "Offer a disc" and "Declined".
type offersScreen struct {
	d       *Desk
	desk    *offers.Desk
	content fyne.CanvasObject
	list    *fyne.Container
	msg     *widget.Label
}

// openOffers opens the offers list with the settings' discharge feed.
func (s *Services) openOffers() (*offers.Desk, error) {
	cur, err := s.Settings.Get()
	if err != nil {
		return nil, err
	}
	cfg, err := cur.Offers.Config()
	if err != nil {
		return nil, err
	}
	return offers.Open(s.DB, s.Lib, cfg, s.Now)
}

func newOffersScreen(d *Desk) *offersScreen {
	s := &offersScreen{d: d, list: container.NewVBox()}
	s.msg = name(d, "offers.msg", widget.NewLabel(""))
	s.msg.Wrapping = fyne.TextWrapWord
	refresh := name(d, "offers.refresh", widget.NewButton("Refresh", s.refresh))
	head := widget.NewLabelWithStyle("Offer a copy before the patient leaves: studies completed today and today's discharges", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	s.content = container.NewBorder(container.NewHBox(head, layoutSpacer(), refresh), s.msg, nil, nil, container.NewVScroll(s.list))
	var err error
	if s.desk, err = d.svc.openOffers(); err != nil {
		s.msg.SetText("The offers list cannot be shown: " + plain(err))
		return s
	}
	s.refresh()
	return s
}

// refresh reads today's list again.
func (s *offersScreen) refresh() {
	d := s.d
	if s.desk == nil {
		return
	}
	list, probs, err := s.desk.List(context.Background())
	d.forget("offers.row.")
	d.forget("offers.offer.")
	d.forget("offers.decline.")
	s.list.RemoveAll()
	if err != nil {
		s.msg.SetText(plain(err))
		return
	}
	if len(list) == 0 {
		s.list.Add(name(d, "offers.none", widget.NewLabel("No one to offer a copy to today.")))
	}
	for _, c := range list {
		s.list.Add(s.row(c))
	}
	var notes []string
	for _, p := range probs {
		notes = append(notes, "Discharge feed problem: "+p.Source+": "+p.Reason)
	}
	if len(notes) > 0 {
		s.msg.SetText(strings.Join(notes, "\n"))
	}
	s.list.Refresh()
}

func (s *offersScreen) row(c offers.Candidate) fyne.CanvasObject {
	d := s.d
	lines := []string{fmt.Sprintf("%s · born %s · ID %s", PersonName(c.Patient.Name), orDash(isoDate(c.Patient.BirthDate)), orDash(c.Patient.ID)),
		strings.Join(c.Reasons, "; ")}
	for _, st := range c.Studies {
		lines = append(lines, fmt.Sprintf("  %s %s %s", isoDate(st.Date), strings.Join(st.Modalities, "/"), st.Description))
	}
	if c.Notes != "" {
		lines = append(lines, "Notes: "+strings.ReplaceAll(c.Notes, "\n", " / "))
	}
	for _, p := range c.Prepared {
		lines = append(lines, fmt.Sprintf("Prepared request: %s to %s (%s)", p.Format.Label(), orDash(p.Requester.Name), p.Delivery.Label()))
	}
	status := string(c.Status)
	if c.Last != nil {
		status += " by " + c.Last.Staff + " at " + c.Last.Time.In(time.Local).Format("15:04")
		if c.Last.Note != "" {
			status += ": " + c.Last.Note
		}
	}
	lines = append(lines, "Status: "+status)
	info := name(d, "offers.row."+c.Key, widget.NewLabel(strings.Join(lines, "\n")))
	info.Wrapping = fyne.TextWrapWord
	offer := name(d, "offers.offer."+c.Key, widget.NewButton("Offer a disc", func() { s.confirmOffer(c) }))
	offer.Importance = widget.HighImportance
	decline := name(d, "offers.decline."+c.Key, widget.NewButton("Declined", func() { s.askDecline(c) }))
	return widget.NewCard("", "", container.NewBorder(nil, nil, nil, container.NewVBox(offer, decline), info))
}

// confirmOffer asks whether to start the request now (the request flow,
// pre-filled from the prepared request; the offer is recorded with the
// saved request) or only record that the disc was offered.
func (s *offersScreen) confirmOffer(c offers.Candidate) {
	d := s.d
	note := name(d, "offers.note", widget.NewEntry())
	note.SetPlaceHolder("What was offered (optional), e.g. CD at pickup")
	msg := name(d, "offers.popup.msg", widget.NewLabel(""))
	var pop *widget.PopUp
	closePop := func() { pop.Hide(); d.forget("offers.popup.") }
	record := name(d, "offers.popup.record", widget.NewButton("Record the offer only", func() {
		if _, err := s.desk.Offer(c, note.Text, "", d.svc.actor(*d.user)); err != nil {
			msg.SetText(plain(err))
			return
		}
		closePop()
		d.notify("Offer recorded for " + PersonName(c.Patient.Name) + ".")
		s.refresh()
	}))
	start := name(d, "offers.popup.request", widget.NewButton("Start the request", func() {
		closePop()
		s.startRequest(c, note.Text)
	}))
	start.Importance = widget.HighImportance
	if len(c.Studies) == 0 || !d.user.Role.Can(staff.ActionRequest) {
		start.Disable()
	}
	cancel := name(d, "offers.popup.cancel", widget.NewButton("Cancel", closePop))
	pop = widget.NewModalPopUp(container.NewPadded(container.NewVBox(
		widget.NewLabelWithStyle("Offer a disc to "+PersonName(c.Patient.Name), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		note, msg, container.NewHBox(cancel, record, start))), d.win.Canvas())
	name(d, "offers.popup", pop)
	pop.Show()
}

// startRequest opens the studies tab's request form for the candidate,
// pre-filled from its first prepared request (or the patient's own copy);
// the offer is recorded with the request when staff save it.
func (s *offersScreen) startRequest(c offers.Candidate, note string) {
	d := s.d
	in := handoff.RequestInput{Patient: c.Patient, Requester: handoff.Requester{Kind: handoff.RequesterPatient},
		Format: handoff.FormatCD, Delivery: handoff.DeliveryPickup, Urgency: handoff.UrgencySameDay}
	if len(c.Prepared) > 0 {
		in = c.Prepared[0]
	}
	var sts []library.Study
	for _, st := range c.Studies {
		if len(in.Studies.UIDs) == 0 || containsString(in.Studies.UIDs, st.UID) {
			sts = append(sts, st)
		}
	}
	f := &requestForm{d: d, s: d.studies, studies: sts}
	f.view = f.build()
	fill(f, in)
	f.created = func(r handoff.Request) {
		if _, err := s.desk.Offer(c, note, r.ID, d.svc.actor(*d.user)); err != nil {
			d.svc.Logger.Printf("offer for request %s not recorded: %v", r.ID, err)
		}
		s.refresh()
	}
	d.selectTab("Studies")
	d.studies.show(f.view)
}

// fill puts a prepared request into the form's fields.
func fill(f *requestForm, in handoff.RequestInput) {
	set := func(e *widget.Entry, v string) {
		if v != "" {
			e.SetText(v)
		}
	}
	set(f.patient, in.Patient.Name)
	set(f.birth, in.Patient.BirthDate)
	set(f.pid, in.Patient.ID)
	if in.Patient.ID != "" {
		f.issuer, f.issuerID = in.Patient.Issuer, in.Patient.ID
	}
	if in.Requester.Kind != "" {
		f.kind.SetSelected(string(in.Requester.Kind))
	}
	set(f.reqName, in.Requester.Name)
	set(f.relation, in.Requester.Relationship)
	set(f.org, in.Requester.Organization)
	set(f.phone, in.Requester.Phone)
	if in.Format != "" && containsString(formats, string(in.Format)) {
		f.format.SetSelected(string(in.Format))
	}
	if in.Delivery != "" {
		f.delivery.SetSelected(string(in.Delivery))
	}
	if in.Urgency != "" {
		f.urg.SetSelected(string(in.Urgency))
	}
	set(f.notes, in.Notes)
}

// askDecline asks for the reason the patient declined and records it.
func (s *offersScreen) askDecline(c offers.Candidate) {
	d := s.d
	reason := name(d, "offers.reason", widget.NewEntry())
	reason.SetPlaceHolder("Why the patient declined, e.g. has a portal account")
	msg := name(d, "offers.popup.msg", widget.NewLabel(""))
	var pop *widget.PopUp
	closePop := func() { pop.Hide(); d.forget("offers.popup.") }
	save := name(d, "offers.popup.decline", widget.NewButton("Record declined", func() {
		if _, err := s.desk.Decline(c, reason.Text, d.svc.actor(*d.user)); err != nil {
			msg.SetText(plain(err))
			if errors.Is(err, offers.ErrMissing) {
				msg.SetText("Please fill in why the patient declined.")
			}
			return
		}
		closePop()
		d.notify(PersonName(c.Patient.Name) + " declined a copy; recorded.")
		s.refresh()
	}))
	save.Importance = widget.HighImportance
	cancel := name(d, "offers.popup.cancel", widget.NewButton("Cancel", closePop))
	pop = widget.NewModalPopUp(container.NewPadded(container.NewVBox(
		widget.NewLabelWithStyle(PersonName(c.Patient.Name)+" declined a copy", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		reason, msg, container.NewHBox(cancel, save))), d.win.Canvas())
	name(d, "offers.popup", pop)
	pop.Show()
}

func containsString(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}
