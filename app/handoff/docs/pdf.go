package docs

import (
	"fmt"
	"io"
	"strings"
	"time"

	"rsc.io/qr"

	"discdesk/app/handoff"
	"discdesk/burner/disc"
	"discdesk/internal/pdftext"
)

// Facility is who issues the documents (burner/disc's one facility type;
// its Address is the lines staff typed in Settings).
type Facility = disc.Facility

// family is the only family the layout code names; page.SetFont maps it
// (and its bold) to the embedded DejaVu Sans and, run by run, to the CJK
// font (fonts.go).
const family = "DejaVu"

// page is the document being laid out (see internal/pdftext).
type page = pdftext.Doc

func newDoc(orientation, size string, created time.Time) *page {
	return pdftext.New(orientation, size, created)
}

func newDocSize(w, h float64, created time.Time) *page { return pdftext.NewSize(w, h, created) }

// output writes the PDF or the first error met while building it.
func output(pdf *page, w io.Writer, what string) error {
	if err := pdf.Write(w); err != nil {
		return fmt.Errorf("docs: %s: %w", what, err)
	}
	return nil
}

// drawQR draws text as a QR code (level M) with its top-left corner at
// (x, y) and side size mm, quiet zone included.
func drawQR(pdf *page, text string, x, y, size float64) error {
	c, err := qr.Encode(text, qr.M)
	if err != nil {
		return fmt.Errorf("docs: QR code: %w", err)
	}
	const quiet = 4 // modules of white border, ISO/IEC 18004
	mod := size / float64(c.Size+2*quiet)
	pdf.SetFillColor(255, 255, 255)
	pdf.Rect(x, y, size, size, "F")
	pdf.SetFillColor(0, 0, 0)
	for row := 0; row < c.Size; row++ {
		// Runs of black modules in a row become one rectangle.
		for col := 0; col < c.Size; {
			if !c.Black(col, row) {
				col++
				continue
			}
			start := col
			for col < c.Size && c.Black(col, row) {
				col++
			}
			pdf.Rect(x+float64(quiet+start)*mod, y+float64(quiet+row)*mod, float64(col-start)*mod, mod, "F")
		}
	}
	return nil
}

func addressBlock(a handoff.Address) string { return strings.Join(a.Lines(), "\n") }

// facilityAddress is the facility's address block.
func facilityAddress(f Facility) string { return strings.Join(f.AddressLines(), "\n") }

// field draws "Label: value" with a rule to write on when value is empty.
func field(pdf *page, label, value string, w float64) {
	pdf.SetFont(family, "B", 9)
	lw := pdf.GetStringWidth(label) + 2
	pdf.CellFormat(lw, 6.2, label, "", 0, "L", false, 0, "")
	pdf.SetFont(family, "", 10)
	pdf.CellFormat(w-lw, 6.2, value, "B", 1, "L", false, 0, "")
}

func box(pdf *page, label string, checked bool) {
	pdf.SetFont(family, "", 10)
	x, y := pdf.GetX(), pdf.GetY()
	pdf.Rect(x, y+1.5, 4, 4, "D")
	if checked {
		pdf.SetFont(family, "B", 10)
		pdf.Text(x+0.6, y+5, "X")
		pdf.SetFont(family, "", 10)
	}
	pdf.SetX(x + 5)
	pdf.CellFormat(pdf.GetStringWidth(label)+6, 7, label, "", 0, "L", false, 0, "")
}

// pair draws label/value pairs side by side on one line (180 mm).
func pair(pdf *page, kv ...string) {
	n := len(kv) / 2
	w := 180 / float64(n)
	for i := 0; i < n; i++ {
		pdf.SetFont(family, "B", 9)
		lw := pdf.GetStringWidth(kv[2*i]) + 2
		pdf.CellFormat(lw, 6.2, kv[2*i], "", 0, "L", false, 0, "")
		pdf.SetFont(family, "", 10)
		ln := 0
		if i == n-1 {
			ln = 1
		}
		pdf.CellFormat(w-lw-3, 6.2, kv[2*i+1], "B", ln, "L", false, 0, "")
		if ln == 0 {
			pdf.CellFormat(3, 6.2, "", "", 0, "L", false, 0, "")
		}
	}
}
