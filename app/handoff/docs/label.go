package docs

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"
)

// A Label is what goes on a disc and its jewel-case insert.
type Label struct {
	PatientName string // as shown to people, e.g. "Doe, Jane"
	BirthDate   string // YYYY-MM-DD
	PatientID   string
	Studies     []LabelStudy
	Facility    string
	Phone       string
	N, M        int // disc n of m
	DiscUUID    string
	Burned      time.Time
}

// LabelStudy is one line of the study list.
type LabelStudy struct {
	Date        string // YYYY-MM-DD
	Modality    string
	Description string
}

func (l Label) check() error {
	if l.PatientName == "" || l.DiscUUID == "" || l.N < 1 || l.M < l.N {
		return fmt.Errorf("docs: label needs patient name, disc UUID and disc n of m (got %d of %d)", l.N, l.M)
	}
	return nil
}

func (l Label) studyLines(max int) []string {
	var out []string
	for i, s := range l.Studies {
		if i == max-1 && len(l.Studies) > max {
			out = append(out, fmt.Sprintf("… and %d more studies", len(l.Studies)-i))
			break
		}
		out = append(out, strings.TrimSpace(strings.Join([]string{s.Date, s.Modality, s.Description}, "  ")))
	}
	return out
}

const discDiameter, hubDiameter = 118.0, 40.0

// DiscLabel writes a printable disc label (US Letter, one 118 mm label with
// cut circles): patient, birth date, studies, facility, disc n of m, "DICOM
// PLUS WEB", the disc UUID as text and as a QR code.
func DiscLabel(w io.Writer, l Label) error {
	if err := l.check(); err != nil {
		return err
	}
	pdf := newDoc("P", "Letter", l.Burned)
	pdf.SetAutoPageBreak(false, 0)
	pdf.AddPage()
	cx, cy := 108.0, 80.0
	pdf.SetDrawColor(160, 160, 160)
	pdf.Circle(cx, cy, discDiameter/2, "D")
	pdf.Circle(cx, cy, hubDiameter/2, "D")
	pdf.SetDrawColor(0, 0, 0)

	// Upper ring: who and what.
	center := func(y float64, size float64, style, text string) {
		pdf.SetFont(family, style, size)
		wd := pdf.GetStringWidth(text)
		pdf.Text(cx-wd/2, y, text)
	}
	center(cy-46, 11, "B", l.PatientName)
	center(cy-41, 8, "", "Born "+l.BirthDate+idSuffix(l.PatientID))
	y := cy - 35.5
	for _, s := range l.studyLines(3) {
		center(y, 7, "", s)
		y += 3.6
	}
	// Beside the hub: disc n of m on the left, the QR code on the right.
	pdf.SetFont(family, "B", 9)
	pdf.Text(cx-discDiameter/2+8, cy-1, "DICOM PLUS WEB")
	pdf.SetFont(family, "", 9)
	pdf.Text(cx-discDiameter/2+8, cy+4, fmt.Sprintf("Disc %d of %d", l.N, l.M))
	if err := drawQR(pdf, l.DiscUUID, cx+hubDiameter/2+2, cy-11, 22); err != nil {
		return err
	}
	// Lower ring: facility and disc UUID.
	center(cy+30, 9, "B", l.Facility)
	if l.Phone != "" {
		center(cy+34.5, 7, "", l.Phone)
	}
	center(cy+40, 6.5, "", l.DiscUUID)
	if !l.Burned.IsZero() {
		center(cy+44, 6.5, "", "Burned "+l.Burned.Format(time.DateOnly))
	}
	return output(pdf, w, "disc label")
}

// JewelCaseInsert writes the 120 x 120 mm front insert of a jewel case
// (on US Letter, with a cut frame), with the same fields as the label and
// room for the full study list.
func JewelCaseInsert(w io.Writer, l Label) error {
	if err := l.check(); err != nil {
		return err
	}
	pdf := newDoc("P", "Letter", l.Burned)
	pdf.SetAutoPageBreak(false, 0)
	pdf.AddPage()
	x0, y0, side := 48.0, 20.0, 120.0
	pdf.SetDrawColor(160, 160, 160)
	pdf.Rect(x0, y0, side, side, "D")
	pdf.SetDrawColor(0, 0, 0)
	pdf.SetMargins(x0+6, y0+6, 0)
	pdf.SetXY(x0+6, y0+6)
	inner := side - 12
	pdf.SetFont(family, "B", 9)
	pdf.CellFormat(inner, 5, l.Facility, "", 1, "L", false, 0, "")
	pdf.SetFont(family, "B", 14)
	pdf.MultiCell(inner, 7, l.PatientName, "", "L", false)
	pdf.SetFont(family, "", 9)
	pdf.CellFormat(inner, 5, "Born "+l.BirthDate+idSuffix(l.PatientID), "", 1, "L", false, 0, "")
	pdf.Ln(2)
	pdf.SetFont(family, "B", 8)
	pdf.CellFormat(inner, 5, "Studies on this disc", "B", 1, "L", false, 0, "")
	pdf.SetFont(family, "", 8)
	for _, s := range l.studyLines(12) {
		pdf.MultiCell(inner-30, 4, s, "", "L", false)
	}
	if err := drawFooter(pdf, l, x0, y0, side); err != nil {
		return err
	}
	return output(pdf, w, "jewel-case insert")
}

func drawFooter(pdf *fpdf.Fpdf, l Label, x0, y0, side float64) error {
	q := 26.0
	if err := drawQR(pdf, l.DiscUUID, x0+side-6-q, y0+side-6-q, q); err != nil {
		return err
	}
	pdf.SetFont(family, "B", 12)
	pdf.Text(x0+6, y0+side-24, "DICOM PLUS WEB")
	pdf.SetFont(family, "", 10)
	pdf.Text(x0+6, y0+side-18, fmt.Sprintf("Disc %d of %d", l.N, l.M))
	pdf.SetFont(family, "", 6.5)
	pdf.Text(x0+6, y0+side-12, "Disc "+l.DiscUUID)
	if l.Phone != "" {
		pdf.Text(x0+6, y0+side-8, "Questions: "+l.Phone)
	}
	return nil
}

func idSuffix(id string) string {
	if id == "" {
		return ""
	}
	return "   ID " + id
}
