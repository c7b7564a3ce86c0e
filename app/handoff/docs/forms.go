package docs

import (
	"fmt"
	"io"
	"strings"
	"time"

	"discdesk/app/handoff"
)

// RequestForm writes the Patient Record Request Form (US Letter). The
// facility's name and mailing address are printed as the "send this form
// to" block; r, when not nil, pre-fills the request's fields, else they are
// blank lines for the requester to fill in.
func RequestForm(w io.Writer, f Facility, r *handoff.Request, printed time.Time) error {
	pdf := newDoc("P", "Letter", printed)
	pdf.SetMargins(18, 12, 18)
	pdf.SetAutoPageBreak(true, 10)
	pdf.AddPage()
	pdf.SetFont(family, "B", 16)
	pdf.CellFormat(0, 9, "Patient Record Request Form", "", 1, "L", false, 0, "")
	if r != nil {
		// The code the patient keeps: the kiosk and the desk find the
		// request by it.
		pdf.SetFont(family, "B", 12)
		pdf.CellFormat(0, 7, "Request code "+RequestCode(r.ID), "", 1, "L", false, 0, "")
	}
	pdf.SetFont(family, "", 9)
	pdf.MultiCell(0, 4.5, "Request for a copy of medical imaging (right of access, 45 CFR 164.524). Copies are provided within 30 calendar days; ask us about faster service.", "", "L", false)
	pdf.Ln(2)

	pdf.SetFont(family, "B", 10)
	pdf.CellFormat(0, 6, "Send or bring this form to", "", 1, "L", false, 0, "")
	pdf.SetFont(family, "", 11)
	pdf.MultiCell(0, 5.5, f.Name+"\n"+facilityAddress(f), "", "L", false)
	var contact []string
	for _, c := range []struct{ k, v string }{{"Phone", f.Phone}, {"Fax", f.Fax}, {"Email", f.Email}} {
		if c.v != "" {
			contact = append(contact, c.k+" "+c.v)
		}
	}
	if len(contact) > 0 {
		pdf.SetFont(family, "", 9)
		pdf.CellFormat(0, 5, strings.Join(contact, "   "), "", 1, "L", false, 0, "")
	}
	pdf.Ln(3)

	var in handoff.RequestInput
	var code, due string
	if r != nil {
		in, code, due = r.RequestInput, RequestCode(r.ID), r.Due.Format(time.DateOnly)
	}
	const full = 180
	section := func(title string) {
		pdf.Ln(1)
		pdf.SetFont(family, "B", 11)
		pdf.CellFormat(0, 6.5, title, "B", 1, "L", false, 0, "")
	}
	section("Patient")
	field(pdf, "Name:", in.Patient.Name, full)
	pair(pdf, "Date of birth:", in.Patient.BirthDate, "Medical record number:", in.Patient.ID)

	section("Requested by")
	for _, k := range []struct {
		label string
		kind  handoff.RequesterKind
	}{{"Patient", handoff.RequesterPatient}, {"Personal representative / carepartner", handoff.RequesterRepresentative}, {"Physician's office", handoff.RequesterPhysician}, {"Another facility", handoff.RequesterFacility}} {
		box(pdf, k.label, in.Requester.Kind == k.kind && r != nil)
	}
	pdf.Ln(8)
	field(pdf, "Name:", in.Requester.Name, full)
	field(pdf, "Relationship to patient:", in.Requester.Relationship, full)
	field(pdf, "Office or facility:", in.Requester.Organization, full)
	field(pdf, "Phone:", in.Requester.Phone, full)

	section("Imaging requested")
	studies := ""
	if r != nil {
		if len(in.Studies.UIDs) > 0 {
			studies = fmt.Sprintf("%d selected studies", len(in.Studies.UIDs))
		} else {
			studies = "all imaging from " + in.Studies.From + " to " + in.Studies.To
		}
	}
	field(pdf, "Studies (exam, date) or \"all imaging from / to\":", studies, full)
	pdf.SetFont(family, "", 10)
	for _, fm := range []handoff.Format{handoff.FormatCD, handoff.FormatDVD, handoff.FormatUSB, handoff.FormatISO, handoff.FormatZIP} {
		box(pdf, fm.Label(), in.Format == fm && r != nil)
	}
	pdf.Ln(8)

	section("Delivery")
	for _, d := range []handoff.Delivery{handoff.DeliveryPickup, handoff.DeliveryMail, handoff.DeliveryOvernight, handoff.DeliveryTwoDay, handoff.DeliveryPhysician} {
		box(pdf, d.Label(), in.Delivery == d && r != nil)
	}
	pdf.Ln(8)
	pdf.SetFont(family, "", 8)
	pdf.CellFormat(0, 4, "Overnight and two-day shipping are at the requester's cost.", "", 1, "L", false, 0, "")
	var addr handoff.Address
	if in.Address != nil {
		addr = *in.Address
	}
	field(pdf, "Send to (name):", in.Recipient, full)
	field(pdf, "Street and number:", addr.Street, full)
	field(pdf, "Suite / floor:", addr.Suite, full)
	field(pdf, "City:", addr.City, full)
	pair(pdf, "State / region:", addr.Region, "Postal code:", addr.PostalCode, "Country:", addr.Country)

	section("Urgency")
	for _, u := range []handoff.Urgency{handoff.UrgencyRoutine, handoff.UrgencyExpedited, handoff.UrgencySameDay, handoff.UrgencyDischarge} {
		box(pdf, string(u), in.Urgency == u && r != nil)
	}
	pdf.Ln(8)
	if r != nil {
		pair(pdf, "Due:", due, "Fee quoted:", r.Fee.Total.String()+" ("+string(r.Fee.Method)+")")
		field(pdf, "Request code:", code, full)
	}
	pdf.Ln(4)
	field(pdf, "Signature of patient or representative:", "", full)
	field(pdf, "Date:", "", full/2)
	pdf.SetFont(family, "", 8)
	pdf.CellFormat(0, 5, "For staff: identity checked by ______________  how ______________________", "", 1, "L", false, 0, "")
	return output(pdf, w, "request form")
}

// Invoice writes the itemized invoice of a request's fee (US Letter).
// number is normally InvoiceNumber(r.ID).
func Invoice(w io.Writer, f Facility, r handoff.Request, number string, issued time.Time) error {
	pdf := newDoc("P", "Letter", issued)
	pdf.SetMargins(18, 16, 18)
	pdf.AddPage()
	pdf.SetFont(family, "B", 13)
	pdf.CellFormat(0, 7, f.Name, "", 1, "L", false, 0, "")
	pdf.SetFont(family, "", 9)
	pdf.MultiCell(0, 4.5, facilityAddress(f), "", "L", false)
	pdf.Ln(4)
	pdf.SetFont(family, "B", 18)
	pdf.CellFormat(0, 10, "Invoice", "", 1, "L", false, 0, "")
	pdf.SetFont(family, "", 10)
	for _, kv := range [][2]string{
		{"Invoice number", number}, {"Date", issued.Format(time.DateOnly)}, {"Request code", RequestCode(r.ID)},
		{"Patient", r.Patient.Name}, {"Billed to", r.Requester.Name + orgSuffix(r.Requester.Organization)},
		{"Fee method", feeMethod(r.Fee.Method)},
	} {
		pdf.SetFont(family, "B", 10)
		pdf.CellFormat(35, 6, kv[0], "", 0, "L", false, 0, "")
		pdf.SetFont(family, "", 10)
		pdf.CellFormat(0, 6, kv[1], "", 1, "L", false, 0, "")
	}
	if r.Address != nil {
		pdf.MultiCell(0, 5, addressBlock(*r.Address), "", "L", false)
	}
	pdf.Ln(4)
	cols := []float64{100, 20, 30, 30}
	pdf.SetFont(family, "B", 10)
	for i, h := range []string{"Item", "Qty", "Unit", "Amount"} {
		align := "R"
		if i == 0 {
			align = "L"
		}
		pdf.CellFormat(cols[i], 7, h, "B", 0, align, false, 0, "")
	}
	pdf.Ln(-1)
	pdf.SetFont(family, "", 10)
	for _, it := range r.Fee.Items {
		pdf.CellFormat(cols[0], 7, it.Desc, "", 0, "L", false, 0, "")
		pdf.CellFormat(cols[1], 7, fmt.Sprint(it.Qty), "", 0, "R", false, 0, "")
		pdf.CellFormat(cols[2], 7, it.UnitCents.String(), "", 0, "R", false, 0, "")
		pdf.CellFormat(cols[3], 7, it.Cents.String(), "", 1, "R", false, 0, "")
	}
	pdf.SetFont(family, "B", 11)
	pdf.CellFormat(cols[0]+cols[1]+cols[2], 8, "Total", "T", 0, "R", false, 0, "")
	pdf.CellFormat(cols[3], 8, r.Fee.Total.String(), "T", 1, "R", false, 0, "")
	if len(r.Payments) > 0 {
		pdf.SetFont(family, "", 10)
		for _, p := range r.Payments {
			label, amount := fmt.Sprintf("Paid %s (%s)", p.Method, p.Time.Format("2 Jan 2006")), "-"+p.Cents.String()
			switch {
			case p.Waived:
				label, amount = "Waived: "+p.Reason, "-"+(r.Fee.Total-r.Paid()).String()
			case p.Refund:
				label, amount = fmt.Sprintf("Refunded %s (%s): %s", p.Method, p.Time.Format("2 Jan 2006"), p.Reason), "+"+p.Cents.String()
			}
			pdf.CellFormat(cols[0]+cols[1]+cols[2], 7, label, "", 0, "R", false, 0, "")
			pdf.CellFormat(cols[3], 7, amount, "", 1, "R", false, 0, "")
		}
		pdf.SetFont(family, "B", 11)
		pdf.CellFormat(cols[0]+cols[1]+cols[2], 8, "Balance due", "T", 0, "R", false, 0, "")
		pdf.CellFormat(cols[3], 8, r.Balance().String(), "T", 1, "R", false, 0, "")
		if owed := r.Refundable(); owed > 0 {
			pdf.CellFormat(cols[0]+cols[1]+cols[2], 8, "Refund owed to the requester", "", 0, "R", false, 0, "")
			pdf.CellFormat(cols[3], 8, owed.String(), "", 1, "R", false, 0, "")
		}
	}
	pdf.Ln(4)
	if r.Fee.Rule != nil {
		pdf.SetFont(family, "", 9)
		pdf.MultiCell(0, 4.5, r.Fee.Rule.Cite(), "", "L", false)
		pdf.Ln(2)
	}
	pdf.SetFont(family, "", 8)
	pdf.MultiCell(0, 4, "This fee was quoted to the requester before the copy was made. Under 45 CFR 164.524(c)(4) it covers only labour for copying, supplies and postage; no fee is charged for searching for or retrieving the records.", "", "L", false)
	return output(pdf, w, "invoice")
}

func orgSuffix(org string) string {
	if org == "" {
		return ""
	}
	return " (" + org + ")"
}

func feeMethod(m handoff.FeeMethod) string {
	switch m {
	case handoff.FeeFlat:
		return "flat fee"
	case handoff.FeeActual:
		return "actual cost"
	case handoff.FeeAverage:
		return "average cost"
	}
	return string(m)
}

// Receipt writes the slip the patient takes home (80 mm wide, the width of
// receipt printers; it also prints centred on any sheet): the request code
// in large type, what was asked for, when it is due, the fee, and how to
// use the code at the kiosk.
func Receipt(w io.Writer, f Facility, r handoff.Request, printed time.Time) error {
	const width, height, margin = 80.0, 150.0, 5.0
	pdf := newDocSize(width, height, printed)
	pdf.SetMargins(margin, margin, margin)
	pdf.SetAutoPageBreak(true, margin)
	pdf.AddPage()
	inner := width - 2*margin
	pdf.SetFont(family, "B", 11)
	pdf.MultiCell(inner, 5.5, f.Name, "", "C", false)
	pdf.SetFont(family, "", 8)
	if lines := facilityAddress(f); lines != "" {
		pdf.MultiCell(inner, 4, lines, "", "C", false)
	}
	if f.Phone != "" {
		pdf.CellFormat(inner, 4.5, f.Phone, "", 1, "C", false, 0, "")
	}
	pdf.Ln(3)
	pdf.SetFont(family, "", 9)
	pdf.CellFormat(inner, 5, "Your request code", "", 1, "C", false, 0, "")
	pdf.SetFont(family, "B", 24)
	pdf.CellFormat(inner, 12, RequestCode(r.ID), "", 1, "C", false, 0, "")
	pdf.Ln(2)
	row := func(k, v string) {
		if v == "" {
			return
		}
		pdf.SetFont(family, "B", 8.5)
		pdf.CellFormat(22, 5, k, "", 0, "L", false, 0, "")
		pdf.SetFont(family, "", 8.5)
		pdf.MultiCell(inner-22, 5, v, "", "L", false)
	}
	row("Patient", r.Patient.Name)
	row("Requested", r.Created.Format(time.DateOnly))
	row("Copy", r.Format.Label())
	row("Delivery", r.Delivery.Label())
	if !r.Due.IsZero() {
		row("Ready by", r.Due.Format(time.DateOnly))
	}
	row("Fee", r.Fee.Total.String())
	if len(r.Payments) > 0 {
		row("Balance due", r.Balance().String())
		if c := r.Refunded(); c > 0 {
			row("Refunded", c.String())
		}
	}
	pdf.Ln(3)
	pdf.SetFont(family, "", 8)
	pdf.MultiCell(inner, 4, "Keep this slip. To see your images at our kiosk, enter the request code and your date of birth. Tell us the code when you call or pick up your copy.", "", "L", false)
	if f.Email != "" {
		pdf.MultiCell(inner, 4, "Questions: "+f.Email, "", "L", false)
	}
	return output(pdf, w, "receipt")
}
