package study

import (
	"fmt"
	"image"
	"strings"

	"discdesk/viewer/dcm"
	"discdesk/viewer/render"
)

// Tags of the SR Document Content module (PS3.3 C.17.3) and of code
// sequences (8.8).
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

// maxReportLines bounds the text of a hostile or huge SR.
const maxReportLines = 20000

// ReportText renders a structured report as indented plain text: the
// document title, then every content item of the Content Sequence
// (PS3.3 C.17.3) as "concept: value", containers as headings.
func ReportText(ds *dcm.DataSet) string {
	var b strings.Builder
	if t := codeMeaning(ds.Seq(dcm.ConceptNameCodeSequence)); t != "" {
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
		meta = append(meta, "Date: "+formatDate(v))
	}
	if len(meta) > 0 {
		b.WriteString(strings.Join(meta, "   ") + "\n")
	}
	b.WriteString("\n")
	lines := 0
	var walk func(items []*dcm.DataSet, depth int)
	walk = func(items []*dcm.DataSet, depth int) {
		for _, it := range items {
			if lines >= maxReportLines || depth > dcm.MaxDepth {
				return
			}
			name := codeMeaning(it.Seq(dcm.ConceptNameCodeSequence))
			val := itemValue(it)
			indent := strings.Repeat("  ", depth)
			switch {
			case it.String(tagValueType) == "CONTAINER":
				if name != "" {
					b.WriteString(indent + strings.ToUpper(name) + "\n")
					lines++
				}
			case name != "" && val != "":
				b.WriteString(indent + name + ": " + val + "\n")
				lines++
			case val != "":
				b.WriteString(indent + val + "\n")
				lines++
			}
			walk(it.Seq(tagContentSequence), depth+1)
		}
	}
	walk(ds.Seq(tagContentSequence), 0)
	return b.String()
}

func itemValue(it *dcm.DataSet) string {
	switch it.String(tagValueType) {
	case "TEXT":
		return it.String(tagTextValue)
	case "CODE":
		return codeMeaning(it.Seq(tagConceptCodeSequence))
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
		return formatDate(it.String(tagDate))
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

func codeMeaning(items []*dcm.DataSet) string {
	if len(items) == 0 {
		return ""
	}
	return items[0].String(tagCodeMeaning)
}

func formatDate(s string) string {
	if len(s) == 8 {
		return s[:4] + "-" + s[4:6] + "-" + s[6:]
	}
	return s
}

// FormatDate shows a DICOM DA value as YYYY-MM-DD.
func FormatDate(s string) string { return formatDate(s) }

// Report reads an SR instance and renders its text (see ReportText).
func (d *Disc) Report(in *Instance) (string, error) {
	f, err := d.Parse(in)
	if err != nil {
		return "", err
	}
	return ReportText(f.DataSet), nil
}

// Document returns an encapsulated document's bytes (PS3.3 C.24.2) and
// its MIME type.
func (d *Disc) Document(in *Instance) ([]byte, string, error) {
	f, err := d.Parse(in)
	if err != nil {
		return nil, "", err
	}
	ds := f.DataSet
	b := ds.Raw(dcm.EncapsulatedDocument)
	if len(b) == 0 {
		return nil, "", fmt.Errorf("document %s: %w", in.Path, ErrNotImage)
	}
	mime := ds.String(dcm.MIMETypeOfEncapsulatedDocument)
	if mime == "application/pdf" {
		// The value is padded to even length; a PDF ends at %%EOF.
		if i := strings.LastIndex(string(b), "%%EOF"); i >= 0 {
			b = b[:i+5]
		}
	}
	return append([]byte(nil), b...), mime, nil
}

// Thumbnail renders the middle image of a series (its middle frame when it
// is one multi-frame instance) to fit side x side.
func (d *Disc) Thumbnail(se *Series, side int) (image.Image, error) {
	imgs := se.Images()
	if len(imgs) == 0 {
		return nil, fmt.Errorf("thumbnail of series %d: %w", se.Number, ErrNotImage)
	}
	in := imgs[len(imgs)/2]
	f, err := d.Parse(in)
	if err != nil {
		return nil, err
	}
	desc, err := render.Describe(f.DataSet, f.Syntax.UID)
	if err != nil {
		return nil, fmt.Errorf("thumbnail of %s: %w", in.Path, err)
	}
	frame, err := render.Frame(f, desc, desc.NumberOfFrames/2)
	if err != nil {
		return nil, fmt.Errorf("thumbnail of %s: %w", in.Path, err)
	}
	r, err := render.New(desc)
	if err != nil {
		return nil, fmt.Errorf("thumbnail of %s: %w", in.Path, err)
	}
	img, err := r.Render(frame)
	if err != nil {
		return nil, fmt.Errorf("thumbnail of %s: %w", in.Path, err)
	}
	return render.Thumbnail(img, side), nil
}
