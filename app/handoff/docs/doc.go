// Package docs renders the handoff documents as PDF: the Patient Record
// Request Form pre-filled with the facility's name and mailing address, the
// itemized invoice (45 CFR 164.524(c)(4) fee), and the disc label and
// jewel-case insert (patient, birth date, studies, facility, "disc n of m",
// "DICOM PLUS WEB" and the disc UUID as text and as a QR code, ISO/IEC
// 18004, encoded with rsc.io/qr).
//
// Text is set in DejaVu Sans, embedded from assets/fonts as a UTF-8
// TrueType font, so names outside cp1252 (Greek, Cyrillic, Turkish,
// Vietnamese) print as typed. DejaVu has no CJK glyphs: such names print as
// empty boxes, and the ASCII patient ID beside them is what staff should
// check.
//
// Documents are deterministic for the same input (fixed creation date from
// the input, no random IDs), so tests can compare them and a reprint is the
// same file.
package docs
