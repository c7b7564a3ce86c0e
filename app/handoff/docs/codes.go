package docs

import (
	"discdesk/app/handoff"
	"discdesk/app/staff"
	"discdesk/internal/pdftext"
)

// RequestCode is the short code the patient gets for a request, the one
// the kiosk asks for ("3FA9-C2E1", staff.RequestCode). The request form,
// the invoice, the disc label, the jewel-case insert and the receipt slip
// all print it.
func RequestCode(requestID string) string { return staff.RequestCode(requestID) }

// InvoiceNumber is a request's invoice number, the same from the desk and
// the CLI: "INV-" and the request code ("INV-3FA9-C2E1"), so the number
// on a payment leads back to the request.
func InvoiceNumber(requestID string) string { return "INV-" + RequestCode(requestID) }

// LabelFor is the label of a request's disc: patient, request code and
// facility filled in; the caller adds the studies and the disc (UUID,
// n of m, burned).
func LabelFor(f Facility, r handoff.Request) Label {
	return Label{PatientName: r.Patient.Name, BirthDate: r.Patient.BirthDate, PatientID: r.Patient.ID,
		RequestCode: RequestCode(r.ID), Facility: f.Name, Phone: f.Phone, N: 1, M: 1}
}

// CJKFontProblem is nil when the documents can print Chinese, Japanese and
// Korean names, else it says which font package to install.
func CJKFontProblem() error { return pdftext.CJKFontProblem() }

// MissingGlyphs returns the characters of the texts that no font on this
// machine can print (they print as U+FFFD); the desk warns before printing.
func MissingGlyphs(texts ...string) []rune { return pdftext.MissingGlyphs(texts...) }
