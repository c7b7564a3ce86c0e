package desk

import (
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/data/binding"
	"fyne.io/fyne/v2/layout"
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
// identity check, format, delivery, address, urgency. As it is filled it
// shows the fee (itemized, naming the fee rule in force) and the target and
// legal due dates, and marks every field the request would be refused for,
// all at once, from handoff's own rules (Store.Preview). Then the plan
// preview with its warnings; then the burn, or record now and burn later.
type requestForm struct {
	d       *Desk
	s       *studiesScreen
	studies []library.Study
	// issuer is the Issuer of Patient ID of issuerID, the ID the form was
	// opened with: recorded while the ID is left as it is.
	issuer, issuerID string

	patient, birth, pid    *widget.Entry
	kind                   *widget.Select
	reqName, relation, org *widget.Entry
	phone, identity        *widget.Entry
	format, delivery, urg  *widget.Select
	feeMethod              *widget.Select
	labour                 *widget.Entry
	address, notes, copies *widget.Entry
	msg                    *widget.Label
	view                   fyne.CanvasObject
	created                func(handoff.Request) // called once the request is saved (an offer records it)

	// Bound to the labels under each field and to the fee and due panes:
	// the preview sets them as the form changes.
	errs     map[string]binding.String
	fee, due binding.String
	feeBad   *widget.Label
	rows     map[string][2]fyne.CanvasObject // label and field of rows that apply only sometimes
	grid     *fyne.Container                 // the form's rows, laid out again when one shows or hides
	preview  handoff.Preview
	building bool
}

// formKeys are the form's fields in order (the keys of request.<key> and
// request.err.<key>).
var formKeys = []string{"studies", "patient", "birth", "pid", "requester", "requester.name", "requester.relationship", "requester.organization",
	"requester.phone", "identity", "format", "copies", "delivery", "address", "urgency", "fee.method", "labour", "notes"}

// feeMethods are the fee rules a clerk can choose, as the form says them.
var feeMethods = []struct {
	m     handoff.FeeMethod
	label string
}{{handoff.FeeFlat, "flat fee"}, {handoff.FeeActual, "actual cost"}, {handoff.FeeAverage, "average cost"}}

// formKey is the form field a handoff field error belongs to ("" = none).
func formKey(field string) string {
	switch {
	case field == "patient.name":
		return "patient"
	case field == "patient.birth_date":
		return "birth"
	case field == "patient.id":
		return "pid"
	case field == "requester.kind":
		return "requester"
	case field == "requester.name" || field == "recipient":
		return "requester.name"
	case field == "requester.relationship", field == "requester.organization", field == "requester.phone":
		return field
	case strings.HasPrefix(field, "identity."):
		return "identity"
	case field == "address" || strings.HasPrefix(field, "address."):
		return "address"
	case field == "due":
		return "urgency"
	case strings.HasPrefix(field, "fee"):
		return "fee.method"
	}
	if containsString(formKeys, field) {
		return field
	}
	return ""
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
	f.building = true
	defer func() { f.building = false; f.update() }()
	first := f.studies[0]
	entry := func(key, text, hint string) *widget.Entry {
		e := name(d, "request."+key, widget.NewEntry())
		e.SetText(text)
		e.SetPlaceHolder(hint)
		e.OnChanged = func(string) { f.update() }
		return e
	}
	sel := func(key string, opts []string, v string) *widget.Select {
		s := name(d, "request."+key, widget.NewSelect(opts, nil))
		s.SetSelected(v)
		s.OnChanged = func(string) { f.update() }
		return s
	}
	f.patient = entry("patient", PersonName(first.Patient.Name), "Family, Given")
	f.birth = entry("birth", isoDate(first.Patient.BirthDate), "YYYY-MM-DD or MM/DD/YYYY")
	f.pid = entry("pid", first.Patient.ID, "medical record number")
	f.issuer, f.issuerID = first.Patient.Issuer, first.Patient.ID
	f.kind = sel("requester", requesterKinds, string(handoff.RequesterPatient))
	f.reqName = entry("requester.name", "", "requester's name (blank: the patient)")
	f.relation = entry("requester.relationship", "", "daughter, health care proxy, ...")
	f.org = entry("requester.organization", "", "office or facility")
	f.phone = entry("requester.phone", "", "phone")
	f.identity = entry("identity", "", "how identity was checked, e.g. driver licence")
	f.format = sel("format", formats, string(handoff.FormatCD))
	f.delivery = sel("delivery", deliveries, string(handoff.DeliveryPickup))
	f.urg = sel("urgency", urgencies, string(handoff.UrgencyRoutine))
	var methods []string
	policy := d.svc.Handoff.Config().Fees
	method := feeMethods[0].label
	for _, m := range feeMethods {
		methods = append(methods, m.label)
		if m.m == policy.Method {
			method = m.label
		}
	}
	f.feeMethod = sel("fee.method", methods, method)
	f.labour = entry("labour", "", "minutes of staff time copying (not searching)")
	f.copies = entry("copies", "1", "copies")
	f.address = name(d, "request.address", widget.NewMultiLineEntry())
	f.address.SetPlaceHolder("Mailing address, e.g.\n12 Quay St\nPortland, ME 04101")
	f.address.SetMinRowsVisible(3)
	f.address.OnChanged = func(string) { f.update() }
	f.notes = entry("notes", "", "notes")
	f.msg = name(d, "request.msg", widget.NewLabel(""))
	f.msg.Wrapping = fyne.TextWrapWord
	f.msg.Importance = widget.DangerImportance
	f.msg.Hide() // shown with something to say (setMsg)
	var list []string
	for _, st := range f.studies {
		list = append(list, fmt.Sprintf("• %s %s %s (%s)", isoDate(st.Date), strings.Join(st.Modalities, "/"), st.Description, PersonName(st.Patient.Name)))
	}
	fields := map[string]fyne.CanvasObject{
		"studies": widget.NewLabel(strings.Join(list, "\n")), "patient": f.patient, "birth": f.birth, "pid": f.pid,
		"requester": f.kind, "requester.name": f.reqName, "requester.relationship": f.relation, "requester.organization": f.org,
		"requester.phone": f.phone, "identity": f.identity, "format": f.format, "copies": f.copies, "delivery": f.delivery,
		"address": f.address, "urgency": f.urg, "fee.method": f.feeMethod, "labour": f.labour, "notes": f.notes,
	}
	labels := map[string]string{
		"studies": "Studies", "patient": "Patient", "birth": "Birth date", "pid": "Patient ID", "requester": "Requester",
		"requester.name": "Requester name", "requester.relationship": "Relationship", "requester.organization": "Organization",
		"requester.phone": "Phone", "identity": "Identity check", "format": "Format", "copies": "Copies", "delivery": "Delivery",
		"address": "Address", "urgency": "Urgency", "fee.method": "Fee rule", "labour": "Labour (minutes)", "notes": "Notes",
	}
	f.errs = map[string]binding.String{}
	f.rows = map[string][2]fyne.CanvasObject{}
	grid := container.New(layout.NewFormLayout())
	f.grid = grid
	for _, k := range formKeys {
		b := binding.NewString()
		f.errs[k] = b
		e := name(d, "request.err."+k, widget.NewLabelWithData(b))
		e.Importance = widget.DangerImportance
		e.Wrapping = fyne.TextWrapWord
		e.Hide()
		b.AddListener(binding.NewDataListener(func() {
			if v, _ := b.Get(); v == "" {
				e.Hide()
			} else {
				e.Show()
			}
		}))
		l := widget.NewLabelWithStyle(labels[k], fyne.TextAlignTrailing, fyne.TextStyle{Bold: true})
		cell := name(d, "request.row."+k, container.NewVBox(fields[k], e))
		grid.Add(l)
		grid.Add(cell)
		f.rows[k] = [2]fyne.CanvasObject{l, cell}
	}
	f.fee, f.due = binding.NewString(), binding.NewString()
	feeL := name(d, "request.fee", widget.NewLabelWithData(f.fee))
	feeL.Wrapping = fyne.TextWrapWord
	f.feeBad = name(d, "request.fee.refused", widget.NewLabel(""))
	f.feeBad.Importance = widget.DangerImportance
	f.feeBad.Wrapping = fyne.TextWrapWord
	f.feeBad.Hide()
	dueL := name(d, "request.due", widget.NewLabelWithData(f.due))
	dueL.Wrapping = fyne.TextWrapWord
	side := container.NewVBox(
		widget.NewLabelWithStyle("Fee", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), feeL, f.feeBad,
		widget.NewLabelWithStyle("Due", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), dueL)
	back := name(d, "request.back", widget.NewButton("Back", f.s.back))
	next := name(d, "request.plan", widget.NewButton("Plan the disc", f.plan))
	next.Importance = widget.HighImportance
	// Record now, burn later: a phoned or faxed request is recorded from
	// the form; its disc is burned from Requests (its Burn button).
	rec := name(d, "request.record", widget.NewButton("Record now, burn later", func() {
		f.update()
		in, local := f.input()
		if probs := f.problems(); len(probs) > 0 || len(local) > 0 {
			f.setMsg(fixMarked + strings.Join(probs, " "))
			return
		}
		if err := f.record(in); err != nil {
			f.setMsg(plain(err))
		}
	}))
	head := widget.NewLabelWithStyle("New request", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	split := container.NewHSplit(container.NewVScroll(grid), container.NewVScroll(side))
	split.Offset = 0.66
	return container.NewBorder(head, container.NewVBox(f.msg, container.NewHBox(back, rec, next)), nil, nil, split)
}

// update shows and hides the rows that apply, and sets the fee, the due
// dates and every field's problem from the domain's preview.
func (f *requestForm) update() {
	if f.building || f.errs == nil {
		return
	}
	kind := handoff.RequesterKind(f.kind.Selected)
	show := map[string]bool{
		"requester.relationship": kind == handoff.RequesterRepresentative,
		"requester.organization": kind == handoff.RequesterPhysician || kind == handoff.RequesterFacility,
		"address":                handoff.Delivery(f.delivery.Selected).NeedsAddress(),
		"labour":                 f.method() == handoff.FeeActual,
	}
	for k, on := range show {
		for _, o := range f.rows[k] {
			if on {
				o.Show()
			} else {
				o.Hide()
			}
		}
	}
	in, local := f.input()
	p := f.d.svc.Handoff.Preview(in)
	f.preview = p
	for _, k := range formKeys {
		text := local[k]
		if text == "" {
			for _, fe := range p.Problems {
				if formKey(fe.Field) == k {
					text = plain(fe)
					break
				}
			}
		}
		_ = f.errs[k].Set(text)
	}
	_ = f.fee.Set(feeText(p.Fee, f.d.svc.Handoff.Config().Fees, in.Format))
	if p.FeeErr != nil {
		f.feeBad.SetText("This fee cannot be charged: " + plain(p.FeeErr))
		f.feeBad.Show()
	} else {
		f.feeBad.SetText("")
		f.feeBad.Hide()
	}
	_ = f.due.Set(dueText(p, in.Urgency, f.d.svc.Now(), f.d.location()))
	f.grid.Refresh() // rows and marks shown or hidden take their place
	// The summary under the form follows the marks: it shrinks as fields
	// are fixed and goes with the last.
	if strings.HasPrefix(f.msg.Text, fixMarked) {
		if probs := f.problems(); len(probs) > 0 {
			f.setMsg(fixMarked + strings.Join(probs, " "))
		} else {
			f.setMsg("")
		}
	}
}

// setMsg says text under the form, or hides the line when there is none.
func (f *requestForm) setMsg(text string) {
	f.msg.SetText(text)
	if text == "" {
		f.msg.Hide()
	} else {
		f.msg.Show()
	}
}

// fixMarked starts the form's summary of its marked fields.
const fixMarked = "Fix the fields marked in red: "

// problems counts what the form would be refused for.
func (f *requestForm) problems() []string {
	var out []string
	for _, k := range formKeys {
		if v, _ := f.errs[k].Get(); v != "" {
			if o := f.rows[k]; o[1] != nil && !o[1].Visible() {
				continue
			}
			out = append(out, v)
		}
	}
	return out
}

func (f *requestForm) method() handoff.FeeMethod {
	for _, m := range feeMethods {
		if m.label == f.feeMethod.Selected {
			return m.m
		}
	}
	return ""
}

// input collects the form, leaving out the fields that do not apply; local
// holds, by form key, what the form itself could not read (a date, a
// number, an address).
func (f *requestForm) input() (handoff.RequestInput, map[string]string) {
	local := map[string]string{}
	in := handoff.RequestInput{
		Patient:   handoff.Patient{Name: f.patient.Text, ID: f.pid.Text},
		Requester: handoff.Requester{Kind: handoff.RequesterKind(f.kind.Selected), Name: f.reqName.Text, Phone: f.phone.Text},
		Identity:  handoff.IdentityCheck{Method: f.identity.Text, CheckedBy: f.d.user.Name},
		Format:    handoff.Format(f.format.Selected),
		Delivery:  handoff.Delivery(f.delivery.Selected),
		Urgency:   handoff.Urgency(f.urg.Selected),
		FeeMethod: f.method(),
		Notes:     f.notes.Text,
	}
	if strings.TrimSpace(f.pid.Text) == strings.TrimSpace(f.issuerID) {
		in.Patient.Issuer = f.issuer // another ID typed in: its issuer is not known
	}
	switch in.Requester.Kind {
	case handoff.RequesterRepresentative:
		in.Requester.Relationship = f.relation.Text
	case handoff.RequesterPhysician, handoff.RequesterFacility:
		in.Requester.Organization = f.org.Text
	}
	if b, err := parseDateInput(f.birth.Text); err != nil {
		local["birth"] = "Check the birth date: " + err.Error() + "."
	} else if b != "" {
		in.Patient.BirthDate = b[:4] + "-" + b[4:6] + "-" + b[6:]
	}
	for _, st := range f.studies {
		in.Studies.UIDs = append(in.Studies.UIDs, st.UID)
	}
	if n, err := strconv.Atoi(strings.TrimSpace(f.copies.Text)); err != nil {
		local["copies"] = fmt.Sprintf("Check the number of copies: %q is not a number.", f.copies.Text)
		in.Copies = 1
	} else {
		in.Copies = n
	}
	if in.FeeMethod == handoff.FeeActual && strings.TrimSpace(f.labour.Text) != "" {
		if n, err := strconv.Atoi(strings.TrimSpace(f.labour.Text)); err != nil || n < 0 {
			local["labour"] = fmt.Sprintf("Check the labour: %q is not a number of minutes.", f.labour.Text)
		} else {
			in.Costs.LabourMinutes = n
		}
	}
	if in.Delivery.NeedsAddress() && strings.TrimSpace(f.address.Text) != "" {
		if a, err := handoff.ParseAddress(f.address.Text); err != nil {
			local["address"] = plain(err)
		} else {
			in.Address = &a
		}
	}
	return in, local
}

// feeText is the itemized fee, naming the rule in force.
func feeText(fee handoff.Fee, p handoff.FeePolicy, format handoff.Format) string {
	var lines []string
	switch fee.Method {
	case handoff.FeeFlat:
		lines = append(lines, fmt.Sprintf("Rule: flat fee of %s per request, whatever the medium (HIPAA flat-fee option, 45 CFR 164.524(c)(4)).", p.Flat))
	case handoff.FeeAverage:
		lines = append(lines, fmt.Sprintf("Rule: the facility's average cost of %s per request (HIPAA average-cost option).", p.Average))
	case handoff.FeeActual:
		lines = append(lines, fmt.Sprintf("Rule: actual cost, itemized: labour at %s an hour, media, envelope and postage (HIPAA actual-cost option).", p.LabourPerHour))
	}
	for _, it := range fee.Items {
		desc := it.Desc
		if fee.Method == handoff.FeeFlat && strings.HasPrefix(desc, "Flat fee") {
			desc = "Flat fee (" + format.Label() + " included)"
		}
		if it.Qty == 1 {
			lines = append(lines, fmt.Sprintf("%s: %s", desc, it.Cents))
		} else {
			lines = append(lines, fmt.Sprintf("%s: %d × %s = %s", desc, it.Qty, it.UnitCents, it.Cents))
		}
	}
	lines = append(lines, "Total: "+fee.Total.String())
	if fee.Rule != nil {
		cap := "no cap for this format"
		if fee.Rule.Cap > 0 {
			cap = "cap " + fee.Rule.Cap.String()
		}
		lines = append(lines, fmt.Sprintf("State rule: %s (%s, %s): %s.", fee.Rule.Name, fee.Rule.State, fee.Rule.Basis, cap))
	} else if p.Caps == nil || p.State == "" {
		lines = append(lines, "No state fee cap is configured.")
	} else {
		lines = append(lines, "No state fee cap applies to this request.")
	}
	return strings.Join(lines, "\n")
}

// dueText is the target and legal due dates with the days left.
func dueText(p handoff.Preview, u handoff.Urgency, now time.Time, loc *time.Location) string {
	if u == "" {
		u = handoff.UrgencyRoutine
	}
	return fmt.Sprintf("Target (%s): %s, %s\nLegal limit (%d days): %s",
		u, longDate(p.Due, loc), daysLeft(p.Due, now, loc), p.LegalDays, longDate(p.LegalDue, loc))
}

// longDate is a due date with its weekday and year.
func longDate(t time.Time, loc *time.Location) string {
	return t.In(loc).Format("Mon Jan 2, 2006 15:04")
}

// daysLeft says how long until (or since) due, in calendar days.
func daysLeft(due, now time.Time, loc *time.Location) string {
	dd, nd := due.In(loc), now.In(loc)
	days := int(time.Date(dd.Year(), dd.Month(), dd.Day(), 0, 0, 0, 0, time.UTC).Sub(time.Date(nd.Year(), nd.Month(), nd.Day(), 0, 0, 0, 0, time.UTC)).Hours() / 24)
	switch {
	case due.Before(now) && days == 0:
		return "overdue since today"
	case due.Before(now):
		return plural(-days, "day", "days") + " overdue"
	case days == 0:
		return "due today"
	case days == 1:
		return "due tomorrow"
	}
	return plural(days, "day", "days") + " left"
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

// location is the time zone due dates are shown in (the handoff rules').
func (d *Desk) location() *time.Location {
	if l := d.svc.Handoff.Config().Location; l != nil {
		return l
	}
	return time.Local
}

// plan shows the plan preview: size, media, discs, warnings, fee. What the
// form itself cannot read (a date, a number, an address) keeps the clerk
// on the form; fields the request would be refused for stay marked there
// and are listed on the plan, and recording refuses them.
func (f *requestForm) plan() {
	d := f.d
	f.update()
	in, local := f.input()
	if len(local) > 0 {
		f.setMsg(fixMarked + strings.Join(f.problems(), " "))
		return
	}
	p, err := d.svc.PlanStudies(context.Background(), in.Studies.UIDs, mediaFor(in.Format))
	if err != nil {
		f.setMsg("The disc cannot be planned: " + plain(err))
		return
	}
	defer p.Close()
	d.svc.PrepareViewer(p) // while the clerk finishes the form, the burn's frames are packed
	f.setMsg("")
	rows := []fyne.CanvasObject{
		widget.NewLabelWithStyle("Plan preview", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		name(d, "plan.summary", widget.NewLabel(fmt.Sprintf("%s · %s · %d disc(s) of %s · profile %s",
			plural(len(p.Objects), "object", "objects"), formatMB(p.Size), p.Count(), strings.ToUpper(string(p.Options.Media)), p.Profile))),
	}
	if c := p.WebViewerCost(); c != "" {
		// What the browser viewer costs on the disc (it counts in the size above).
		l := name(d, "plan.webviewer", widget.NewLabel("Includes a "+c))
		l.Wrapping = fyne.TextWrapWord
		rows = append(rows, l)
	}
	if probs := f.problems(); len(probs) > 0 {
		l := name(d, "plan.problems", widget.NewLabel("Before the request can be recorded (marked on the request form): "+strings.Join(probs, " ")))
		l.Importance = widget.DangerImportance
		l.Wrapping = fyne.TextWrapWord
		rows = append(rows, l)
	}
	ws, acks, codes := planWarnings(d, "plan", p.Warnings, studyNoun(f.studies))
	rows = append(rows, ws...)
	fee := f.preview.Fee
	rows = append(rows, widget.NewLabelWithStyle("Fee", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		name(d, "plan.fee", widget.NewLabel(feeText(fee, d.svc.Handoff.Config().Fees, in.Format))))
	if f.preview.FeeErr != nil {
		l := name(d, "plan.fee.refused", widget.NewLabel("This fee cannot be charged: "+plain(f.preview.FeeErr)))
		l.Importance = widget.DangerImportance
		l.Wrapping = fyne.TextWrapWord
		rows = append(rows, l)
	}
	rows = append(rows, name(d, "plan.due", widget.NewLabel(dueText(f.preview, in.Urgency, d.svc.Now(), d.location()))))
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
	// Record now, burn later (from Requests): a disc burned another day.
	record := name(d, "plan.record", widget.NewButton("Record request", func() {
		if err := f.record(in); err != nil {
			msg.SetText(plain(err))
		}
	}))
	back := name(d, "plan.back", widget.NewButton("Back to the request", func() { f.s.show(f.view) }))
	rows = append(rows, msg, container.NewHBox(back, record, burn))
	f.s.show(container.NewVScroll(container.NewVBox(rows...)))
}

// record records the request without burning and goes to Requests, where
// its Burn button waits.
func (f *requestForm) record(in handoff.RequestInput) error {
	d := f.d
	r, err := d.svc.Station.Record(in, d.svc.actor(*d.user))
	if err != nil {
		return err
	}
	if f.created != nil {
		f.created(r)
	}
	d.svc.Logger.Printf("request %s recorded by %s", r.ID, d.user.ID)
	f.s.selected = map[string]library.Study{}
	f.s.order = nil
	f.s.back()
	d.notify(fmt.Sprintf("Request %s recorded for %s, due %s; burn it from Requests when ready. Fee %s.",
		staff.RequestCode(r.ID), PersonName(r.Patient.Name), longDate(r.Due, d.location()), r.Fee.Total))
	d.selectTab("Requests")
	d.requests.current = r.ID
	d.requests.refresh()
	return nil
}

// formatMB is a byte count for people.
func formatMB(n int64) string {
	if n < 1<<20 {
		return fmt.Sprintf("%d KB", (n+1023)/1024)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
}

// studyNoun is how a warning names the studies: "this CT", "these 2
// studies".
func studyNoun(sts []library.Study) string {
	if len(sts) == 1 {
		if m := sts[0].Modalities; len(m) == 1 {
			return "this " + m[0]
		}
		return "this study"
	}
	return fmt.Sprintf("these %d studies", len(sts))
}

// planWarnings shows each plan warning as one line a clerk acts on, its
// details folded away underneath, and a box to tick for each that needs
// an acknowledgement (keys <prefix>.warning.<code>, <prefix>.ack.<code>).
func planWarnings(d *Desk, prefix string, ws []disc.Warning, noun string) ([]fyne.CanvasObject, []*widget.Check, []disc.WarningCode) {
	var rows []fyne.CanvasObject
	var acks []*widget.Check
	var codes []disc.WarningCode
	for i, w := range ws {
		key := prefix + ".warning." + string(w.Code)
		if d.Named(key) != nil {
			key = fmt.Sprintf("%s.%d", key, i)
		}
		line, details := plainWarning(w, noun)
		l := name(d, key, badge(line, widget.WarningImportance))
		l.Wrapping = fyne.TextWrapWord
		rows = append(rows, l)
		if details != "" {
			dl := widget.NewLabel(details)
			dl.Wrapping = fyne.TextWrapWord
			rows = append(rows, name(d, key+".details", widget.NewAccordion(widget.NewAccordionItem("Details", dl))))
		}
		if w.NeedsAck {
			c := name(d, prefix+".ack."+string(w.Code), widget.NewCheck("I have read this and want to go on", nil))
			acks = append(acks, c)
			codes = append(codes, w.Code)
			rows = append(rows, c)
		}
	}
	return rows, acks, codes
}

var (
	// The DICOMDIR builder's disagreement (viewer/dicomdir checkConsistent,
	// passed on by the plan as "files: attribute: message").
	disagreeRe = regexp.MustCompile(`^(?s)(.*?): ([A-Za-z' ]+) \(([0-9A-F]{4},[0-9A-F]{4})\): instances disagree; using "(.*?)" \([^)]*\): (.*)$`)
	groupRe    = regexp.MustCompile(`"(.*?)" in (\d+) file\(s\): ([^;]*)`)
	countRe    = regexp.MustCompile(`^(?:no report for )?(\d+)`)
)

// plainWarning is a plan warning in words a clerk acts on, and the
// details behind it (file names shortened, never whole library paths).
func plainWarning(w disc.Warning, noun string) (line, details string) {
	msg := w.Message
	n := ""
	if m := countRe.FindStringSubmatch(msg); m != nil {
		n = m[1]
	}
	switch w.Code {
	case disc.WarnInconsistent:
		if m := disagreeRe.FindStringSubmatch(msg); m != nil {
			attr, used := m[2], m[4]
			total, same := 0, 0
			var ds []string
			for _, g := range groupRe.FindAllStringSubmatch(m[5], -1) {
				c, _ := strconv.Atoi(g[2])
				total += c
				if g[1] == used {
					same += c
				}
				v := showValue(attr, g[1])
				ds = append(ds, fmt.Sprintf("%s: %s, e.g. %s", v, plural(c, "image", "images"), shortPaths(strings.TrimSpace(g[3]))))
			}
			other := total - same
			verb := "carry"
			if other == 1 {
				verb = "carries"
			}
			line = fmt.Sprintf("%s of %s %s a different %s; the disc uses %s.", plural(other, "image", "images"), noun, verb, strings.ToLower(attr), showValue(attr, used))
			return line, strings.Join(ds, "\n")
		}
		return "The images of " + noun + " disagree on a study detail; the disc uses the first image's value.", shortPaths(msg)
	case disc.WarnNoReport:
		return fmt.Sprintf("No report for %s: the disc carries images only unless a report is added.", noun), shortPaths(msg)
	case disc.WarnTranscode:
		return fmt.Sprintf("%s series are rewritten in the standard uncompressed form so any viewer reads them; the disc is larger.", n), shortPaths(msg)
	case disc.WarnLossy:
		return fmt.Sprintf("%s images were compressed with loss before they reached this desk; the disc marks them as not the original pixels.", n), shortPaths(msg)
	case disc.WarnDuplicate:
		return fmt.Sprintf("%s files repeat an image already on the disc; one copy of each is kept.", n), ""
	case disc.WarnSpan:
		return "This needs more than one disc; each disc is complete on its own.", msg
	case disc.WarnNoViewer:
		return "The disc has no viewer program: the patient needs a DICOM viewer of their own.", shortPaths(msg)
	case disc.WarnSupplied:
		return "Values typed in by staff are written into the images: check them before burning.", shortPaths(msg)
	case disc.WarnWebViewer:
		return "The browser viewer on the disc reads the images from the disc itself.", shortPaths(msg)
	}
	if i := strings.IndexAny(msg, "(:"); i > 0 {
		return strings.TrimSpace(msg[:i]) + ".", shortPaths(msg)
	}
	return msg, ""
}

// showValue writes a DICOM value the way the desk shows it: times as
// 09:34, dates as 2026-11-01, names as "Family, Given".
func showValue(attr, v string) string {
	switch {
	case v == "":
		return "no value"
	case strings.HasSuffix(attr, "Time") && len(v) >= 4 && strings.Trim(v[:4], "0123456789") == "":
		return v[:2] + ":" + v[2:4]
	case strings.HasSuffix(attr, "Date") && len(v) == 8:
		return isoDate(v)
	case strings.HasSuffix(attr, "Name"):
		return PersonName(v)
	}
	return v
}

// pathRe is an absolute path inside a message.
var pathRe = regexp.MustCompile(`(?:[A-Za-z]:)?(?:[/\\][^\s,;:()"/\\]+){2,}`)

// shortPaths replaces every absolute path in a message by its base name.
func shortPaths(msg string) string {
	return pathRe.ReplaceAllStringFunc(msg, func(p string) string { return filepath.Base(p) })
}
