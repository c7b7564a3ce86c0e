package desk

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"discdesk/app/handoff"
	"discdesk/app/library"
	"discdesk/app/staff"
	"discdesk/burner/disc"
)

var (
	requesterKinds = []string{string(handoff.RequesterPatient), string(handoff.RequesterRepresentative), string(handoff.RequesterPhysician), string(handoff.RequesterFacility)}
	formats        = []string{string(handoff.FormatCD), string(handoff.FormatDVD), string(handoff.FormatUSB), string(handoff.FormatISO)}
	deliveries     = []string{string(handoff.DeliveryPickup), string(handoff.DeliveryMail), string(handoff.DeliveryOvernight), string(handoff.DeliveryTwoDay), string(handoff.DeliveryPhysician)}
	urgencies      = []string{string(handoff.UrgencyRoutine), string(handoff.UrgencyExpedited), string(handoff.UrgencySameDay), string(handoff.UrgencyDischarge)}
)

// requestForm is a new request for the selected studies: who asks, the
// identity check, format, delivery, address, urgency; then the plan
// preview with its warnings and the fee; then the burn.
type requestForm struct {
	d       *Desk
	s       *studiesScreen
	studies []library.Study

	patient, birth, pid    *widget.Entry
	kind                   *widget.Select
	reqName, relation, org *widget.Entry
	phone, identity        *widget.Entry
	format, delivery, urg  *widget.Select
	address, notes, copies *widget.Entry
	msg                    *widget.Label
	view                   fyne.CanvasObject
	created                func(handoff.Request) // called once the request is saved (an offer records it)
}

func (s *studiesScreen) newRequest() {
	var sts []library.Study
	for _, u := range s.order {
		if st, ok := s.selected[u]; ok {
			sts = append(sts, st)
		}
	}
	if len(sts) == 0 {
		return
	}
	f := &requestForm{d: s.d, s: s, studies: sts}
	f.view = f.build()
	s.show(f.view)
}

func (f *requestForm) build() fyne.CanvasObject {
	d := f.d
	first := f.studies[0]
	entry := func(key, text, hint string) *widget.Entry {
		e := name(d, "request."+key, widget.NewEntry())
		e.SetText(text)
		e.SetPlaceHolder(hint)
		return e
	}
	sel := func(key string, opts []string, v string) *widget.Select {
		s := name(d, "request."+key, widget.NewSelect(opts, nil))
		s.SetSelected(v)
		return s
	}
	f.patient = entry("patient", PersonName(first.Patient.Name), "Family, Given")
	f.birth = entry("birth", isoDate(first.Patient.BirthDate), "YYYY-MM-DD")
	f.pid = entry("pid", first.Patient.ID, "medical record number")
	f.kind = sel("requester", requesterKinds, string(handoff.RequesterPatient))
	f.reqName = entry("requester.name", "", "requester's name (blank: the patient)")
	f.relation = entry("requester.relationship", "", "relationship (representative)")
	f.org = entry("requester.organization", "", "office or facility (physician, facility)")
	f.phone = entry("requester.phone", "", "phone")
	f.identity = entry("identity", "", "how identity was checked, e.g. driver licence")
	f.format = sel("format", formats, string(handoff.FormatCD))
	f.delivery = sel("delivery", deliveries, string(handoff.DeliveryPickup))
	f.urg = sel("urgency", urgencies, string(handoff.UrgencyRoutine))
	f.copies = entry("copies", "1", "copies")
	f.address = name(d, "request.address", widget.NewMultiLineEntry())
	f.address.SetPlaceHolder("Mailing address (mail deliveries), e.g.\n12 Quay St\nPortland, ME 04101")
	f.notes = entry("notes", "", "notes")
	f.msg = name(d, "request.msg", widget.NewLabel(""))
	f.msg.Wrapping = fyne.TextWrapWord
	f.msg.Importance = widget.DangerImportance
	var list []string
	for _, st := range f.studies {
		list = append(list, fmt.Sprintf("• %s %s %s (%s)", isoDate(st.Date), strings.Join(st.Modalities, "/"), st.Description, PersonName(st.Patient.Name)))
	}
	form := widget.NewForm(
		widget.NewFormItem("Studies", widget.NewLabel(strings.Join(list, "\n"))),
		widget.NewFormItem("Patient", f.patient), widget.NewFormItem("Birth date", f.birth), widget.NewFormItem("Patient ID", f.pid),
		widget.NewFormItem("Requester", f.kind), widget.NewFormItem("Requester name", f.reqName),
		widget.NewFormItem("Relationship", f.relation), widget.NewFormItem("Organization", f.org), widget.NewFormItem("Phone", f.phone),
		widget.NewFormItem("Identity check", f.identity), widget.NewFormItem("Format", f.format), widget.NewFormItem("Copies", f.copies),
		widget.NewFormItem("Delivery", f.delivery), widget.NewFormItem("Address", f.address), widget.NewFormItem("Urgency", f.urg),
		widget.NewFormItem("Notes", f.notes),
	)
	back := name(d, "request.back", widget.NewButton("Back", f.s.back))
	next := name(d, "request.plan", widget.NewButton("Plan the disc", f.plan))
	next.Importance = widget.HighImportance
	head := widget.NewLabelWithStyle("New request", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	return container.NewBorder(head, container.NewVBox(f.msg, container.NewHBox(back, next)), nil, nil, container.NewVScroll(form))
}

// input collects the form; address parsing errors are the handoff package's.
func (f *requestForm) input() (handoff.RequestInput, error) {
	in := handoff.RequestInput{
		Patient:   handoff.Patient{Name: f.patient.Text, BirthDate: strings.TrimSpace(f.birth.Text), ID: f.pid.Text},
		Requester: handoff.Requester{Kind: handoff.RequesterKind(f.kind.Selected), Name: f.reqName.Text, Relationship: f.relation.Text, Organization: f.org.Text, Phone: f.phone.Text},
		Identity:  handoff.IdentityCheck{Method: f.identity.Text, CheckedBy: f.d.user.Name},
		Format:    handoff.Format(f.format.Selected),
		Delivery:  handoff.Delivery(f.delivery.Selected),
		Urgency:   handoff.Urgency(f.urg.Selected),
		Notes:     f.notes.Text,
	}
	for _, st := range f.studies {
		in.Studies.UIDs = append(in.Studies.UIDs, st.UID)
	}
	n, err := strconv.Atoi(strings.TrimSpace(f.copies.Text))
	if err != nil {
		return in, fmt.Errorf("copies: %q is not a number", f.copies.Text)
	}
	in.Copies = n
	if strings.TrimSpace(f.address.Text) != "" {
		a, err := handoff.ParseAddress(f.address.Text)
		if err != nil {
			return in, err
		}
		in.Address = &a
	}
	return in, nil
}

// mediaFor is the disc medium of a request format.
func mediaFor(f handoff.Format) disc.Media {
	switch f {
	case handoff.FormatDVD:
		return disc.DVD
	case handoff.FormatUSB:
		return disc.USB
	}
	return disc.CD
}

// plan shows the plan preview: size, media, discs, warnings, fee.
func (f *requestForm) plan() {
	d := f.d
	in, err := f.input()
	if err != nil {
		f.msg.SetText(plain(err))
		return
	}
	cur, _ := d.svc.Settings.Get()
	fee, err := cur.Fees.Quote(in.FeeMethod, in.Format, in.Delivery, in.Costs)
	if err != nil {
		f.msg.SetText(plain(err))
		return
	}
	p, err := d.svc.PlanStudies(context.Background(), in.Studies.UIDs, mediaFor(in.Format))
	if err != nil {
		f.msg.SetText("The disc cannot be planned: " + plain(err))
		return
	}
	defer p.Close()
	f.msg.SetText("")
	rows := []fyne.CanvasObject{
		widget.NewLabelWithStyle("Plan preview", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		name(d, "plan.summary", widget.NewLabel(fmt.Sprintf("%d objects · %s · %d disc(s) of %s · profile %s",
			len(p.Objects), formatMB(p.Size), p.Count(), strings.ToUpper(string(p.Options.Media)), p.Profile))),
	}
	var acks []*widget.Check
	var codes []disc.WarningCode
	for _, w := range p.Warnings {
		l := name(d, "plan.warning."+string(w.Code), badge(w.Message, widget.WarningImportance))
		l.Wrapping = fyne.TextWrapWord
		rows = append(rows, l)
		if w.NeedsAck {
			c := name(d, "plan.ack."+string(w.Code), widget.NewCheck("I have read this and want to go on", nil))
			acks = append(acks, c)
			codes = append(codes, w.Code)
			rows = append(rows, c)
		}
	}
	var items []string
	for _, it := range fee.Items {
		items = append(items, fmt.Sprintf("%s × %d: %s", it.Desc, it.Qty, it.Cents))
	}
	rows = append(rows, widget.NewLabelWithStyle("Fee", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		name(d, "plan.fee", widget.NewLabel(strings.Join(items, "\n")+"\nTotal: "+fee.Total.String())))
	msg := name(d, "plan.msg", widget.NewLabel(""))
	msg.Wrapping = fyne.TextWrapWord
	burn := name(d, "plan.burn", widget.NewButton("Create request and burn", func() {
		for _, c := range acks {
			if !c.Checked {
				msg.SetText("Tick each warning above to acknowledge it before burning.")
				return
			}
		}
		r, err := d.svc.Station.Record(in, d.svc.actor(*d.user))
		if err != nil {
			msg.SetText(plain(err))
			return
		}
		if f.created != nil {
			f.created(r)
		}
		job, err := d.svc.BurnRequest(context.Background(), r.ID, codes, *d.user)
		if err != nil {
			msg.SetText("The request was saved (code " + staff.RequestCode(r.ID) + ") but could not be queued: " + plain(err))
			return
		}
		d.svc.Logger.Printf("request %s created, job %s queued by %s", r.ID, job.ID, d.user.ID)
		f.s.selected = map[string]library.Study{}
		f.s.order = nil
		f.s.back()
		d.notify(fmt.Sprintf("Request %s created for %s; the disc is in the burn queue. Fee %s.", staff.RequestCode(r.ID), r.Patient.Name, r.Fee.Total))
		d.selectTab("Burn queue")
	}))
	burn.Importance = widget.HighImportance
	// Record now, burn later (from Requests): a phoned or faxed request
	// whose studies are not all here yet, or a disc burned another day.
	record := name(d, "plan.record", widget.NewButton("Record request", func() {
		r, err := d.svc.Station.Record(in, d.svc.actor(*d.user))
		if err != nil {
			msg.SetText(plain(err))
			return
		}
		if f.created != nil {
			f.created(r)
		}
		d.svc.Logger.Printf("request %s recorded by %s", r.ID, d.user.ID)
		f.s.selected = map[string]library.Study{}
		f.s.order = nil
		f.s.back()
		d.notify(fmt.Sprintf("Request %s recorded for %s; burn it from Requests when ready. Fee %s.", staff.RequestCode(r.ID), r.Patient.Name, r.Fee.Total))
		d.selectTab("Requests")
	}))
	back := name(d, "plan.back", widget.NewButton("Back to the request", func() { f.s.show(f.view) }))
	rows = append(rows, msg, container.NewHBox(back, record, burn))
	f.s.show(container.NewVScroll(container.NewVBox(rows...)))
}

// formatMB is a byte count for people.
func formatMB(n int64) string {
	if n < 1<<20 {
		return fmt.Sprintf("%d KB", (n+1023)/1024)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
}
