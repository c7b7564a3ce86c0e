// Package pdftext owns the text of DiscDesk's PDFs in every script: it wraps
// an fpdf document so that each string is drawn in runs of the font that has
// its glyphs, DejaVu Sans (embedded in the program) for Latin, Greek,
// Cyrillic and the rest, and a TrueType CJK font from the system for
// Chinese, Japanese and Korean, each embedded as a tagged subset.
//
// The handoff documents (app/handoff/docs) and the report PDF a disc gets
// from staff text (burner/disc) are laid out on it. A character no font
// has prints as U+FFFD and MissingGlyphs names it; CJKFontProblem says
// which package to install when the CJK font is absent.
package pdftext
