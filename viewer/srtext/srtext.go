package srtext

import (
	"cmp"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

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
		return cmp.Or(dcm.FormatDate(it.String(tagDate)), strings.TrimSpace(it.String(tagDate)))
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

// Words are the words Text puts around a report's own content: what the
// Completion Flag and Verification Flag say (PS3.3 C.17.2), how a
// verifying observer and a date are introduced, and what stands for a
// reference to an image, composite or waveform. The report's content
// (concept names, the radiologist's text, codes) is never translated. A
// field left empty is English, so the zero Words is English.
type Words struct {
	Final       string // "Final report": the Completion Flag is COMPLETE
	Preliminary string // "Preliminary (incomplete) report": PARTIAL
	VerifiedBy  string // "verified by %s": the verifying observers, joined by "; "
	ObserverOn  string // "%s on %s": an observer and the date they verified
	Verified    string // "verified": verified, no observer named
	NotVerified string // "not yet verified by a radiologist"
	Dated       string // "dated %s": the Content Date
	Image       string // "(reference to image)": an IMAGE content item's value
	Composite   string // "(reference to composite)"
	Waveform    string // "(reference to waveform)"
}

// english fills the fields of w left empty.
func (w Words) english() Words {
	def := Words{Final: "Final report", Preliminary: "Preliminary (incomplete) report", VerifiedBy: "verified by %s",
		ObserverOn: "%s on %s", Verified: "verified", NotVerified: "not yet verified by a radiologist", Dated: "dated %s",
		Image: "(reference to image)", Composite: "(reference to composite)", Waveform: "(reference to waveform)"}
	for _, f := range []struct {
		got *string
		def string
	}{
		{&w.Final, def.Final}, {&w.Preliminary, def.Preliminary}, {&w.VerifiedBy, def.VerifiedBy}, {&w.ObserverOn, def.ObserverOn},
		{&w.Verified, def.Verified}, {&w.NotVerified, def.NotVerified}, {&w.Dated, def.Dated},
		{&w.Image, def.Image}, {&w.Composite, def.Composite}, {&w.Waveform, def.Waveform},
	} {
		if *f.got == "" {
			*f.got = f.def
		}
	}
	return w
}

// reference is what stands for a reference item's value ("" for other
// value types).
func (w Words) reference(valueType string) string {
	switch valueType {
	case "IMAGE":
		return w.Image
	case "COMPOSITE":
		return w.Composite
	case "WAVEFORM":
		return w.Waveform
	}
	return ""
}

// Text renders a report as indented plain text in English: the document
// title; a line saying whether it is final or preliminary and who verified
// it when (the Verifying Observer Sequence, PS3.3 C.17.2) or that it is
// not verified; the content date; a blank line; then every content item as
// "concept: value" indented two spaces per level (the concept left out
// when the text already starts with it, as "Findings: ..." under
// "Finding"), containers as upper-case headings; at most MaxLines item
// lines.
func Text(ds *dcm.DataSet) string { return TextWith(ds, Words{}) }

// TextWith renders a report as Text does, its framing words (not its
// content) taken from w.
func TextWith(ds *dcm.DataSet, w Words) string {
	w = w.english()
	var b strings.Builder
	if t := Title(ds); t != "" {
		b.WriteString(t + "\n")
	}
	var meta []string
	switch strings.ToUpper(strings.TrimSpace(ds.String(dcm.CompletionFlag))) {
	case "COMPLETE":
		meta = append(meta, w.Final)
	case "PARTIAL":
		meta = append(meta, w.Preliminary)
	}
	verified := strings.EqualFold(strings.TrimSpace(ds.String(dcm.VerificationFlag)), "VERIFIED")
	var by []string
	for _, it := range ds.Seq(tagVerifyingObserverSeq) {
		who := givenFirst(it.String(tagVerifyingObserverName))
		if org := strings.TrimSpace(it.String(tagVerifyingOrganization)); org != "" && who != "" {
			who += " (" + org + ")"
		}
		if when := it.String(tagVerificationDateTime); len(when) >= 8 && who != "" {
			who = fmt.Sprintf(w.ObserverOn, who, cmp.Or(dcm.FormatDate(when[:8]), when[:8]))
		}
		if who != "" {
			by = append(by, who)
		}
	}
	switch {
	case verified && len(by) > 0:
		meta = append(meta, fmt.Sprintf(w.VerifiedBy, strings.Join(by, "; ")))
	case verified:
		meta = append(meta, w.Verified)
	case ds.Has(dcm.VerificationFlag):
		meta = append(meta, w.NotVerified)
	}
	if v := strings.TrimSpace(ds.String(dcm.ContentDate)); v != "" {
		meta = append(meta, fmt.Sprintf(w.Dated, cmp.Or(dcm.FormatDate(v), v)))
	}
	if len(meta) > 0 {
		m := strings.Join(meta, ", ")
		r, n := utf8.DecodeRuneInString(m)
		b.WriteString(string(unicode.ToUpper(r)) + m[n:] + "\n")
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
			value := it.Value
			if ref := w.reference(it.ValueType); ref != "" {
				value = ref
			}
			switch {
			case it.ValueType == "CONTAINER":
				if it.Name != "" {
					b.WriteString(indent + strings.ToUpper(it.Name) + "\n")
					lines++
				}
			case it.Name != "" && value != "" && !repeatsName(it.Name, value):
				b.WriteString(indent + it.Name + ": " + value + "\n")
				lines++
			case value != "":
				b.WriteString(indent + value + "\n")
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

// Verifying Observer Sequence items (PS3.3 C.17.2).
var (
	tagVerifyingObserverSeq  = dcm.T(0x0040, 0xA073)
	tagVerifyingObserverName = dcm.T(0x0040, 0xA075)
	tagVerifyingOrganization = dcm.T(0x0040, 0xA027)
	tagVerificationDateTime  = dcm.T(0x0040, 0xA030)
)

// repeatsName says whether a text value already begins with its concept
// name ("Findings: ..." under the concept "Finding"), so it is shown alone.
func repeatsName(name, value string) bool {
	n := strings.ToLower(strings.TrimSpace(name))
	v := strings.ToLower(strings.TrimSpace(value))
	i := strings.IndexByte(v, ':')
	if n == "" || i <= 0 {
		return false
	}
	head := strings.TrimSpace(v[:i])
	return head == n || strings.TrimSuffix(head, "s") == strings.TrimSuffix(n, "s")
}

// givenFirst shows a DICOM PN value as the words of a sentence, "Given
// Family" ("Smith^John" becomes "John Smith"), the alphabetic group only.
// Lists and overlays use the "Family, Given" form (dcm.PersonName).
func givenFirst(pn string) string {
	if i := strings.IndexByte(pn, '='); i >= 0 {
		pn = pn[:i]
	}
	parts := strings.Split(pn, "^")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	if len(parts) == 1 {
		return parts[0]
	}
	// family, given, middle, prefix, suffix
	var words []string
	if len(parts) > 3 && parts[3] != "" {
		words = append(words, parts[3])
	}
	for _, i := range []int{1, 2, 0} {
		if i < len(parts) && parts[i] != "" {
			words = append(words, parts[i])
		}
	}
	if len(parts) > 4 && parts[4] != "" {
		words = append(words, parts[4])
	}
	return strings.Join(words, " ")
}
