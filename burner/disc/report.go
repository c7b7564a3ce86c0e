package disc

import (
	"bytes"
	"fmt"
	"math/big"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"

	"discdesk/internal/pdftext"
	"discdesk/viewer/dcm"
)

// NewUID returns a UID under the 2.25 root derived from a random UUID
// (PS3.5 B.2).
func NewUID() string {
	u := uuid.New()
	return "2.25." + new(big.Int).SetBytes(u[:]).String()
}

// patientStudyTags are the attributes of the Patient, Patient Study and
// General Study modules (PS3.3 C.7.1.1, C.7.2.1, C.7.2.2) copied from the
// images into a wrapped report, so the report agrees with them.
func patientStudyTag(t dcm.Tag) bool {
	if t.Private() {
		return false
	}
	switch t.Group() {
	case 0x0010: // Patient and Patient Study modules
		return true
	case 0x0012:
		return t >= dcm.T(0x0012, 0x0062) && t <= dcm.T(0x0012, 0x0064) // de-identification
	}
	switch t {
	case dcm.SpecificCharacterSet, dcm.StudyInstanceUID, dcm.StudyDate, dcm.StudyTime,
		dcm.ReferringPhysicianName, dcm.T(0x0008, 0x0096), dcm.StudyID, dcm.AccessionNumber,
		dcm.T(0x0008, 0x0051), dcm.StudyDescription, dcm.PhysiciansOfRecord, dcm.T(0x0008, 0x1049),
		dcm.NameOfPhysiciansReadingStudy, dcm.T(0x0008, 0x1062), dcm.T(0x0008, 0x1032),
		dcm.T(0x0008, 0x1110), dcm.T(0x0008, 0x1120), dcm.T(0x0032, 0x1033), dcm.T(0x0032, 0x1034),
		dcm.T(0x0008, 0x009C), dcm.T(0x0008, 0x009D), dcm.T(0x0032, 0x1066), dcm.T(0x0032, 0x1067),
		dcm.T(0x0040, 0x1012):
		return true
	}
	return false
}

// report finds the study's report objects, wraps a staff-provided one, or
// warns that there is none.
func (p *Plan) report(in Input) error {
	hasReport := map[string]bool{}
	var studies []string
	first := map[string]*Object{}
	for _, o := range p.Objects {
		if _, ok := first[o.StudyUID]; !ok {
			studies = append(studies, o.StudyUID)
		}
		if o.Kind == KindSR || o.Kind == KindPDF {
			hasReport[o.StudyUID] = true
		}
		if f := first[o.StudyUID]; f == nil || (o.Kind == KindImage && f.Kind != KindImage) {
			first[o.StudyUID] = o
		}
	}
	sort.SliceStable(studies, func(i, j int) bool {
		return first[studies[i]].header.String(dcm.StudyDate) < first[studies[j]].header.String(dcm.StudyDate)
	})
	if in.ReportPDF != "" || strings.TrimSpace(in.ReportText) != "" {
		var target string
		for _, s := range studies {
			if !hasReport[s] {
				target = s
				break
			}
		}
		if target == "" {
			target = studies[0]
		}
		obj, err := p.wrapReport(in, first[target])
		if err != nil {
			return err
		}
		p.Objects = append(p.Objects, obj)
		hasReport[target] = true
	}
	var missing []string
	for _, s := range studies {
		if !hasReport[s] {
			h := first[s].header
			missing = append(missing, fmt.Sprintf("%s %s", h.String(dcm.StudyDate), h.String(dcm.StudyDescription)))
		}
	}
	if len(missing) > 0 {
		p.warn(WarnNoReport, true, "no report for %d of %d studies (%s): the disc will carry images only unless a report is added", len(missing), len(studies), strings.Join(missing, "; "))
	}
	return nil
}

// wrapReport makes an Encapsulated PDF Storage object (PS3.3 A.45.1) in the
// study of ref, carrying ref's Patient and General Study modules.
func (p *Plan) wrapReport(in Input, ref *Object) (*Object, error) {
	var pdf []byte
	var err error
	title := in.ReportTitle
	if title == "" {
		title = "Radiology report"
	}
	if in.ReportPDF != "" {
		pdf, err = os.ReadFile(in.ReportPDF)
		if err != nil {
			return nil, fmt.Errorf("disc: read report: %w", err)
		}
		if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
			return nil, fmt.Errorf("disc: report %s is not a PDF (no %%PDF- header)", in.ReportPDF)
		}
	} else {
		pdf, err = TextPDF(title, in.ReportText, p.Facility)
		if err != nil {
			return nil, err
		}
	}
	full, err := dcm.ParseFile(ref.Source, dcm.StopAt(dcm.PixelData))
	if err != nil {
		return nil, fmt.Errorf("disc: read %s for the report's patient and study: %w", ref.Source, err)
	}
	ds := &dcm.DataSet{BigEndian: full.DataSet.BigEndian}
	for _, e := range full.DataSet.Elements {
		if patientStudyTag(e.Tag) {
			ds.Set(e)
		}
	}
	if ds.BigEndian {
		// New elements are little endian: turn the copied ones round first.
		ds = toLittleEndian(ds)
	}
	maxSeries := 0
	for _, o := range p.Objects {
		if o.StudyUID == ref.StudyUID && o.SeriesNumber > maxSeries {
			maxSeries = o.SeriesNumber
		}
	}
	now := p.Options.Now()
	inst := NewUID()
	series := NewUID()
	ds.Set(dcm.Str(dcm.SOPClassUID, "UI", encapPDFUID))
	ds.Set(dcm.Str(dcm.SOPInstanceUID, "UI", inst))
	ds.Set(dcm.Str(dcm.T(0x0008, 0x0012), "DA", now.Format("20060102"))) // Instance Creation Date
	ds.Set(dcm.Str(dcm.T(0x0008, 0x0013), "TM", now.Format("150405")))   // Instance Creation Time
	ds.Set(dcm.Str(dcm.ContentDate, "DA", now.Format("20060102")))
	ds.Set(dcm.Str(dcm.ContentTime, "TM", now.Format("150405")))
	ds.Set(dcm.Str(dcm.T(0x0008, 0x002A), "DT", now.Format("20060102150405"))) // Acquisition DateTime
	ds.Set(dcm.Str(dcm.Modality, "CS", "DOC"))
	ds.Set(dcm.Str(dcm.T(0x0008, 0x0064), "CS", "WSD")) // Conversion Type: workstation
	ds.Set(dcm.Str(dcm.Manufacturer, "LO", p.Options.Software))
	ds.Set(dcm.Str(dcm.T(0x0018, 0x1020), "LO", p.Options.Version)) // Software Versions
	ds.Set(dcm.Str(dcm.SeriesInstanceUID, "UI", series))
	ds.Set(dcm.Str(dcm.SeriesNumber, "IS", fmt.Sprint(maxSeries+1)))
	ds.Set(dcm.Str(dcm.InstanceNumber, "IS", "1"))
	ds.Set(dcm.Str(dcm.T(0x0028, 0x0301), "CS", "YES")) // Burned In Annotation
	ds.Set(dcm.Str(dcm.DocumentTitle, "ST", title))
	code := &dcm.DataSet{}
	code.Set(dcm.Str(dcm.T(0x0008, 0x0100), "SH", "18748-4"))
	code.Set(dcm.Str(dcm.T(0x0008, 0x0102), "SH", "LN"))
	code.Set(dcm.Str(dcm.T(0x0008, 0x0104), "LO", "Diagnostic imaging report"))
	ds.Set(dcm.Seq(dcm.ConceptNameCodeSequence, code))
	ds.Set(dcm.Str(dcm.MIMETypeOfEncapsulatedDocument, "LO", "application/pdf"))
	ds.Set(dcm.U32(dcm.T(0x0042, 0x0015), uint32(len(pdf)))) // Encapsulated Document Length
	doc := pdf
	if len(doc)%2 == 1 {
		doc = append(append([]byte(nil), doc...), 0)
	}
	ds.Set(dcm.NewElement(dcm.EncapsulatedDocument, "OB", doc))
	if cs := ds.String(dcm.SpecificCharacterSet); cs == "" && !ascii(title) {
		ds.Set(dcm.Str(dcm.SpecificCharacterSet, "CS", "ISO_IR 192"))
	}
	var buf bytes.Buffer
	if err := dcm.WriteExplicitLE(&buf, ds, dcm.ExplicitVRLittleEndian); err != nil {
		return nil, fmt.Errorf("disc: encode wrapped report: %w", err)
	}
	hdr := trimHeader(ds)
	o := &Object{
		Action: Generate, Kind: KindPDF, Reason: "staff-provided report wrapped as Encapsulated PDF",
		SourceSyntax: dcm.ExplicitVRLittleEndian, Syntax: dcm.ExplicitVRLittleEndian,
		SOPClassUID: encapPDFUID, SOPInstance: inst,
		PatientID: ref.PatientID, StudyUID: ref.StudyUID, SeriesUID: series, Modality: "DOC",
		SeriesNumber: maxSeries + 1, InstanceNumber: 1, Frames: 1,
		Size: int64(buf.Len()), SourceSize: int64(buf.Len()),
		header: hdr, generated: buf.Bytes(), staffText: in.ReportText,
	}
	if in.ReportPDF != "" {
		o.staffText = ""
	}
	return o, nil
}

// toLittleEndian re-encodes a big-endian header's binary values.
func toLittleEndian(ds *dcm.DataSet) *dcm.DataSet {
	var buf bytes.Buffer
	enc := dcm.NewEncoder(&buf)
	if err := enc.DataSet(ds); err != nil || enc.Flush() != nil {
		return &dcm.DataSet{}
	}
	meta := dcm.EncodeMeta(dcm.Meta{SOPClassUID: "1.2", SOPInstanceUID: "1.2", TransferSyntaxUID: dcm.ExplicitVRLittleEndian})
	f, err := dcm.ParseBytes(append(meta, buf.Bytes()...))
	if err != nil {
		return &dcm.DataSet{}
	}
	return f.DataSet
}

func ascii(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// TextPDF makes a one-column A4 PDF of a plain-text report, every script
// printed with real glyphs (internal/pdftext: DejaVu Sans and a system CJK
// font, embedded as subsets); long lines wrap, long reports run on to more
// pages.
func TextPDF(title, text string, fac Facility) ([]byte, error) {
	f := pdftext.New("P", "A4", time.Now())
	f.SetTitle(title, true)
	f.AddPage()
	f.SetFont(pdftext.Family, "B", 14)
	f.MultiCell(0, 7, title, "", "L", false)
	if fac.Configured() {
		var lines []string
		for _, l := range []string{fac.Name, fac.Address, fac.Phone, fac.Email} {
			if l = strings.TrimSpace(l); l != "" {
				lines = append(lines, l)
			}
		}
		f.SetFont(pdftext.Family, "", 9)
		f.MultiCell(0, 5, strings.Join(lines, "\n"), "", "L", false)
	}
	f.Ln(4)
	f.SetFont(pdftext.Family, "", 11)
	f.MultiCell(0, 5.5, text, "", "L", false)
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, fmt.Errorf("disc: make report PDF: %w", err)
	}
	return buf.Bytes(), nil
}
