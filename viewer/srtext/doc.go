// Package srtext owns the reading of a DICOM Structured Report as text: the
// content tree of the SR Document Content module (PS3.3 C.17.3), each
// content item's concept name and value rendered as a string by value type
// (PS3.3 C.18: TEXT, CODE, NUM, PNAME, DATE, TIME, DATETIME, UIDREF and the
// references), and an indented plain-text rendering of a whole report. The
// disc viewer (viewer/study) shows the text; the disc's report pages
// (burner/disc) show the tree. Depth is bounded by dcm.MaxDepth and the
// text by MaxLines, so a hostile SR costs no more than its data set.
//
// The words Text adds around the content (final or preliminary, verified
// by whom, dated) are English; TextWith takes other Words, as the patient
// kiosk does for Spanish. The report's content is never translated.
package srtext
