package srtext

import (
	"strings"

	"discdesk/viewer/dcm"
)

// Tags of the SR Document Content module (PS3.3 C.17.3) and of code
// sequences (PS3.3 8.8).
var (
	tagContentSequence       = dcm.T(0x0040, 0xA730)
	tagValueType             = dcm.T(0x0040, 0xA040)
	tagTextValue             = dcm.T(0x0040, 0xA160)
	tagConceptCodeSequence   = dcm.T(0x0040, 0xA168)
	tagMeasuredValueSequence = dcm.T(0x0040, 0xA300)
	tagNumericValue          = dcm.T(0x0040, 0xA30A)
	tagUnitsCodeSequence     = dcm.T(0x0040, 0x08EA)
	tagPersonName            = dcm.T(0x0040, 0xA123)
	tagDate                  = dcm.T(0x0040, 0xA121)
	tagTime                  = dcm.T(0x0040, 0xA122)
	tagDateTime              = dcm.T(0x0040, 0xA120)
	tagUID                   = dcm.T(0x0040, 0xA124)
	tagCodeMeaning           = dcm.T(0x0008, 0x0104)
	tagCodeValue             = dcm.T(0x0008, 0x0100)
)

// MaxLines bounds the text Text renders from a hostile or huge SR.
const MaxLines = 20000

// Item is one content item of a report.
type Item struct {
	Name      string // concept name (Code Meaning of the Concept Name Code Sequence)
	ValueType string // "CONTAINER", "TEXT", "CODE", "NUM", ...
	Value     string // see Value
	Children  []Item
}

// Title is the document title: the Code Meaning of the report's Concept
// Name Code Sequence ("" when absent).
func Title(ds *dcm.DataSet) string {
	return CodeMeaning(ds.Seq(dcm.ConceptNameCodeSequence))
}

// CodeMeaning is the Code Meaning of the first item of a code sequence.
func CodeMeaning(items []*dcm.DataSet) string {
	if len(items) == 0 {
		return ""
	}
	return items[0].String(tagCodeMeaning)
}

// Items reads the content tree of a report, in document order, depth first,
// down to dcm.MaxDepth levels and at most max items in all (max <= 0: no
// limit but the depth).
func Items(ds *dcm.DataSet, max int) []Item {
	n := 0
	return items(ds.Seq(tagContentSequence), 0, max, &n)
}

func items(seq []*dcm.DataSet, depth, max int, n *int) []Item {
	if depth > dcm.MaxDepth {
		return nil
	}
	var out []Item
	for _, it := range seq {
		if max > 0 && *n >= max {
			break
		}
		*n++
		out = append(out, Item{
			Name:      CodeMeaning(it.Seq(dcm.ConceptNameCodeSequence)),
			ValueType: it.String(tagValueType),
			Value:     Value(it),
			Children:  items(it.Seq(tagContentSequence), depth+1, max, n),
		})
	}
	return out
}

// Value renders a content item's value by its value type: the text, the
// code meaning, the number with its units, the person name with spaces for
// carets, a date as YYYY-MM-DD, time, date-time and UID as stored, and
// "(reference to image)" (composite, waveform) for references. Containers
// and unknown types give "".
func Value(it *dcm.DataSet) string {
	switch it.String(tagValueType) {
	case "TEXT":
		return it.String(tagTextValue)
	case "CODE":
		return CodeMeaning(it.Seq(tagConceptCodeSequence))
	case "NUM":
		mv := it.Seq(tagMeasuredValueSequence)
		if len(mv) == 0 {
			return ""
		}
		v := mv[0].String(tagNumericValue)
		if u := mv[0].Seq(tagUnitsCodeSequence); len(u) > 0 {
			unit := u[0].String(tagCodeValue)
			if unit == "" || unit == "1" {
				unit = u[0].String(tagCodeMeaning)
			}
			if unit != "" && unit != "1" && unit != "no units" {
				v += " " + unit
			}
		}
		return v
	case "PNAME":
		return strings.ReplaceAll(strings.TrimRight(it.String(tagPersonName), "^"), "^", " ")
	case "DATE":
		return FormatDate(it.String(tagDate))
	case "TIME":
		return it.String(tagTime)
	case "DATETIME":
		return it.String(tagDateTime)
	case "UIDREF":
		return it.String(tagUID)
	case "IMAGE", "COMPOSITE", "WAVEFORM":
		return "(reference to " + strings.ToLower(it.String(tagValueType)) + ")"
	}
	return ""
}

// FormatDate shows a DICOM DA value as YYYY-MM-DD (other values as they are).
func FormatDate(s string) string {
	if len(s) == 8 {
		return s[:4] + "-" + s[4:6] + "-" + s[6:]
	}
	return s
}

// Text renders a report as indented plain text: the document title, a line
// of completion, verification and content date, a blank line, then every
// content item as "concept: value" indented two spaces per level,
// containers as upper-case headings; at most MaxLines item lines.
func Text(ds *dcm.DataSet) string {
	var b strings.Builder
	if t := Title(ds); t != "" {
		b.WriteString(t + "\n")
	}
	var meta []string
	if v := ds.String(dcm.CompletionFlag); v != "" {
		meta = append(meta, "Completion: "+v)
	}
	if v := ds.String(dcm.VerificationFlag); v != "" {
		meta = append(meta, "Verification: "+v)
	}
	if v := ds.String(dcm.ContentDate); v != "" {
		meta = append(meta, "Date: "+FormatDate(v))
	}
	if len(meta) > 0 {
		b.WriteString(strings.Join(meta, "   ") + "\n")
	}
	b.WriteString("\n")
	lines := 0
	var write func(its []Item, depth int) bool
	write = func(its []Item, depth int) bool {
		for _, it := range its {
			if lines >= MaxLines {
				return false
			}
			indent := strings.Repeat("  ", depth)
			switch {
			case it.ValueType == "CONTAINER":
				if it.Name != "" {
					b.WriteString(indent + strings.ToUpper(it.Name) + "\n")
					lines++
				}
			case it.Name != "" && it.Value != "":
				b.WriteString(indent + it.Name + ": " + it.Value + "\n")
				lines++
			case it.Value != "":
				b.WriteString(indent + it.Value + "\n")
				lines++
			}
			if !write(it.Children, depth+1) {
				return false
			}
		}
		return true
	}
	write(Items(ds, 0), 0)
	return b.String()
}
