// Package pdi embeds the templates of a patient disc's IHE PDI content
// (README.TXT and the XHTML pages, IHE RAD TF-3 4.47.4.1.2): the text lives
// here so that wording can change without touching the disc code in
// burner/disc/pdi.
package pdi

import "embed"

// FS holds README.TXT.tmpl and the *.htm.tmpl page templates.
//
//go:embed *.tmpl
var FS embed.FS
