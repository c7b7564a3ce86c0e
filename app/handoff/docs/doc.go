// Package docs renders the handoff documents as PDF: the Patient Record
// Request Form pre-filled with the facility's name and mailing address, the
// itemized invoice (45 CFR 164.524(c)(4) fee), the receipt slip the patient
// keeps, and the disc labels and jewel-case insert (patient, birth date,
// studies, facility, "disc n of m", "DICOM PLUS WEB" and the disc UUID as
// text and as a QR code, ISO/IEC 18004, encoded with rsc.io/qr).
//
// Every document carries the request's short code (RequestCode, the code
// the kiosk asks for); the invoice number is InvoiceNumber, the same from
// the desk and the CLI.
//
// Text is set through internal/pdftext: DejaVu Sans embedded in the program
// for Latin, Greek, Cyrillic and the rest, and a system CJK font for
// Chinese, Japanese and Korean names, each embedded as a subset; without a
// CJK font such characters print as U+FFFD and MissingGlyphs and
// CJKFontProblem say so before printing.
//
// Disc labels come in three layouts (LabelLayouts: US Letter and A4 sheets
// of two labels, and a 120 mm page for disc printers); no text enters the
// clamping ring around the centre hole, and a study list too long for one
// label spans second lines and then further labels, never cut off.
//
// Documents are deterministic for the same input (fixed creation date from
// the input, no random IDs), so tests can compare them and a reprint is the
// same file.
package docs
