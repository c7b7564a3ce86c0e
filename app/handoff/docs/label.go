package docs

import (
	"fmt"
	"io"
	"math"
	"strings"
	"time"
)

// A Label is what goes on a disc and its jewel-case insert.
type Label struct {
	PatientName string // as shown to people, e.g. "Doe, Jane"
	BirthDate   string // YYYY-MM-DD
	PatientID   string
	RequestCode string // the code on the patient's receipt (RequestCode)
	Studies     []LabelStudy
	Facility    string
	Phone       string
	N, M        int // disc n of m
	DiscUUID    string
	Burned      time.Time
	Layout      LabelLayout // "" is LayoutLetter
}

// LabelStudy is one line of the study list.
type LabelStudy struct {
	Date        string // YYYY-MM-DD
	Modality    string
	Description string
}

// LabelLayout is the stock a disc label is printed on.
type LabelLayout string

const (
	// LayoutLetter: US Letter sheets of two 117 mm disc labels (the
	// common CD/DVD label sheets), one above the other, cut circles drawn.
	LayoutLetter LabelLayout = "letter"
	// LayoutA4: A4 sheets of two 117 mm disc labels.
	LayoutA4 LabelLayout = "a4"
	// LayoutDisc: one 120 x 120 mm page per disc with the disc centred,
	// for printers that print on the disc (Epson Discproducer, Primera
	// Bravo and the like).
	LayoutDisc LabelLayout = "disc"
)

// LabelLayouts lists the layouts, for the settings screen.
var LabelLayouts = []LabelLayout{LayoutLetter, LayoutA4, LayoutDisc}

// Describe is the layout as the settings screen names it.
func (l LabelLayout) Describe() string {
	switch l {
	case LayoutA4:
		return "A4 sheet, 2 disc labels"
	case LayoutDisc:
		return "disc printer, 120 mm page"
	}
	return "US Letter sheet, 2 disc labels"
}

type sheet struct {
	w, h    float64
	size    string // fpdf page size, "" for w x h
	centers [][2]float64
}

func (l LabelLayout) sheet() (sheet, error) {
	switch l {
	case "", LayoutLetter:
		return sheet{w: 215.9, h: 279.4, size: "Letter", centers: [][2]float64{{107.95, 69.85}, {107.95, 209.55}}}, nil
	case LayoutA4:
		return sheet{w: 210, h: 297, size: "A4", centers: [][2]float64{{105, 74.25}, {105, 222.75}}}, nil
	case LayoutDisc:
		return sheet{w: 120, h: 120, centers: [][2]float64{{60, 60}}}, nil
	}
	return sheet{}, fmt.Errorf("docs: unknown label layout %q (want letter, a4 or disc)", string(l))
}

func (l Label) check() error {
	if l.PatientName == "" || l.DiscUUID == "" || l.N < 1 || l.M < l.N {
		return fmt.Errorf("docs: label needs patient name, disc UUID and disc n of m (got %d of %d)", l.N, l.M)
	}
	return nil
}

func (s LabelStudy) line() string {
	var parts []string
	for _, p := range []string{s.Date, s.Modality, s.Description} {
		if p = strings.TrimSpace(p); p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, "  ")
}

// Disc geometry (mm): a 118 mm disc printed to 117 mm; the centre hole is
// 15 mm, but the clamping ring around it is not printable: text stays
// outside a 41 mm circle, plus a margin.
const (
	discDiameter = 118.0
	hubDiameter  = 41.0
	edgeMargin   = 2.5 // inside the printed edge
	hubMargin    = 1.5 // outside the unprintable ring
)

// rect is where a piece of text or the QR code was put on a label, in
// page coordinates (top-left corner, width, height).
type rect struct {
	what       string
	x, y, w, h float64
}

// face is one label being filled.
type face struct {
	cx, cy float64
	placed []rect
}

func (f *face) rOut() float64 { return discDiameter/2 - 0.5 - edgeMargin }
func (f *face) rHub() float64 { return hubDiameter/2 + hubMargin }

// halfChord is the half width of the printable ring across a text box from
// top to bottom (both on one side of the hub), or 0 when it touches the hub
// band.
func (f *face) halfChord(top, bottom float64) float64 {
	d := math.Max(math.Abs(top-f.cy), math.Abs(bottom-f.cy))
	near := math.Min(math.Abs(top-f.cy), math.Abs(bottom-f.cy))
	if (top-f.cy)*(bottom-f.cy) <= 0 || near < f.rHub() || d >= f.rOut() {
		return 0
	}
	return math.Sqrt(f.rOut()*f.rOut() - d*d)
}

// Font metrics of DejaVu Sans (hhea ascent 0.928 em, descent 0.236 em).
func ascent(pt float64) float64  { return 0.93 * pt * 25.4 / 72 }
func descent(pt float64) float64 { return 0.24 * pt * 25.4 / 72 }

// labelLine is one line to set on the ring: text at a size, to be wrapped
// onto as many lines as it needs.
type labelLine struct {
	text  string
	pt    float64
	style string
	what  string
}

// ringWriter sets lines on the upper ring (from the top towards the hub)
// or the lower one (from the hub towards the bottom), centred, each line
// within its chord.
type ringWriter struct {
	pdf *page
	f   *face
	y   float64 // the next line's top
	dry bool    // measure only
}

// room is the box and half chord of the next line at size pt.
func (r *ringWriter) room(pt float64) (top, bottom, half float64) {
	top = r.y
	bottom = top + ascent(pt) + descent(pt)
	return top, bottom, r.f.halfChord(top, bottom) - 1
}

// fits reports whether the whole line fits in what is left of the ring.
func (r *ringWriter) fits(l labelLine) bool {
	y, n := r.y, len(r.f.placed)
	dry := *r
	dry.dry = true
	ok := dry.write(l) == ""
	r.y, r.f.placed = y, r.f.placed[:n]
	return ok
}

// write wraps and sets a line; it returns the part that did not fit ("" when
// all of it did).
func (r *ringWriter) write(l labelLine) string {
	r.pdf.SetFont(family, l.style, l.pt)
	words := strings.Fields(l.text)
	for len(words) > 0 {
		top, bottom, half := r.room(l.pt)
		if half <= 5 {
			return strings.Join(words, " ")
		}
		// As many words as fit; a single word too long is shrunk.
		n := 0
		for n < len(words) && r.pdf.GetStringWidth(strings.Join(words[:n+1], " ")) <= 2*half {
			n++
		}
		text := strings.Join(words[:max(n, 1)], " ")
		pt := l.pt
		for n == 0 && pt > 4 && r.pdf.GetStringWidth(text) > 2*half {
			pt -= 0.5
			r.pdf.SetFont(family, l.style, pt)
		}
		if n == 0 {
			n = 1
		}
		w := r.pdf.GetStringWidth(text)
		x := r.f.cx - w/2
		if !r.dry {
			r.pdf.Text(x, top+ascent(l.pt), text)
			r.f.placed = append(r.f.placed, rect{l.what, x, top, w, bottom - top})
		}
		r.y = bottom + 0.35
		r.pdf.SetFont(family, l.style, l.pt)
		words = words[n:]
	}
	return ""
}

// fitLeft sets text in the band left of the hub, right-aligned to the
// hub's clear ring, shrinking the font until it fits the chord.
func fitLeft(pdf *page, f *face, text, style string, pt, top float64, what string) {
	for ; pt > 4; pt -= 0.25 {
		pdf.SetFont(family, style, pt)
		w := pdf.GetStringWidth(text)
		bottom := top + ascent(pt) + descent(pt)
		d := math.Max(math.Abs(top-f.cy), math.Abs(bottom-f.cy))
		half := math.Sqrt(f.rOut()*f.rOut() - d*d)
		if w <= half-f.rHub()-1 {
			x := f.cx - f.rHub() - 1 - w
			pdf.Text(x, top+ascent(pt), text)
			f.placed = append(f.placed, rect{what, x, top, w, bottom - top})
			return
		}
	}
}

// DiscLabel writes printable disc labels for the label's layout: patient,
// birth date, request code, the whole study list, facility, disc n of m,
// "DICOM PLUS WEB", the disc UUID as text and as a QR code. A study line
// too long for its place spans a second line; a list too long for one label
// continues on a second label (and a third, ...), each saying so. Nothing
// is cut off, and no text enters the clamping ring around the centre hole.
func DiscLabel(w io.Writer, l Label) error {
	pdf, _, err := discLabels(l)
	if err != nil {
		return err
	}
	return output(pdf, w, "disc label")
}

// discLabels lays the labels out and returns, for the tests, every label
// face with what was placed where.
func discLabels(l Label) (*page, []*face, error) {
	if err := l.check(); err != nil {
		return nil, nil, err
	}
	sh, err := l.Layout.sheet()
	if err != nil {
		return nil, nil, err
	}
	var pdf *page
	if sh.size != "" {
		pdf = newDoc("P", sh.size, l.Burned)
	} else {
		pdf = newDocSize(sh.w, sh.h, l.Burned)
	}
	pdf.SetAutoPageBreak(false, 0)
	var studies []string
	for _, s := range l.Studies {
		studies = append(studies, s.line())
	}
	var faces []*face
	for n := 0; ; n++ {
		pos := n % len(sh.centers)
		if pos == 0 {
			pdf.AddPage()
		}
		f := &face{cx: sh.centers[pos][0], cy: sh.centers[pos][1]}
		faces = append(faces, f)
		if studies, err = drawFace(pdf, f, l, studies, n); err != nil {
			return nil, nil, err
		}
		if len(studies) == 0 || n > 200 {
			break
		}
	}
	if len(faces) > 1 {
		// "label k of n" can only be known now: the faces said "continued";
		// the count is printed on the first one below the patient.
		for i, f := range faces {
			pdf.SetPage(1 + i/len(sh.centers))
			pdf.SetFont(family, "B", 6.5)
			text := fmt.Sprintf("Label %d of %d", i+1, len(faces))
			w := pdf.GetStringWidth(text)
			top := f.cy + f.rHub() + 0.6
			pdf.Text(f.cx-w/2, top+ascent(6.5), text)
			f.placed = append(f.placed, rect{"label n", f.cx - w/2, top, w, ascent(6.5) + descent(6.5)})
		}
	}
	return pdf, faces, nil
}

// drawFace fills one label with the header, as many study lines as fit
// and the footer; it returns the study lines left for the next label.
func drawFace(pdf *page, f *face, l Label, studies []string, n int) ([]string, error) {
	pdf.SetDrawColor(170, 170, 170)
	pdf.Circle(f.cx, f.cy, discDiameter/2-0.5, "D")
	pdf.Circle(f.cx, f.cy, hubDiameter/2, "D")
	pdf.SetDrawColor(0, 0, 0)

	up := &ringWriter{pdf: pdf, f: f, y: f.cy - f.rOut() + 6.5}
	up.write(labelLine{l.PatientName, 10.5, "B", "patient"})
	if n == 0 {
		up.write(labelLine{"Born " + l.BirthDate + idSuffix(l.PatientID), 7.5, "", "born"})
	} else {
		up.write(labelLine{"Studies, continued", 7, "B", "continued"})
	}
	up.y += 0.6
	for first := true; len(studies) > 0; first = false {
		// A study that would not fit whole starts the next label, unless
		// it is the first on this one (then it spans labels).
		if !first && !up.fits(labelLine{studies[0], 6.5, "", "study"}) {
			break
		}
		rest := up.write(labelLine{studies[0], 6.5, "", "study"})
		if rest != "" {
			if rest != studies[0] {
				studies[0] = rest // the rest of a wrapped line starts the next label
			}
			break
		}
		studies = studies[1:]
	}

	// Beside the hub: "DICOM PLUS WEB" and disc n of m on the left, the QR
	// code on the right.
	fitLeft(pdf, f, "DICOM PLUS WEB", "B", 9, f.cy-7.5, "dicom plus web")
	fitLeft(pdf, f, fmt.Sprintf("Disc %d of %d", l.N, l.M), "", 8.5, f.cy+1.5, "disc n of m")
	q := 21.0
	qx := f.cx + f.rHub() + 1
	if err := drawQR(pdf, l.DiscUUID, qx, f.cy-q/2, q); err != nil {
		return nil, err
	}
	f.placed = append(f.placed, rect{"qr", qx, f.cy - q/2, q, q})

	// Lower ring: request code, facility and disc UUID.
	low := &ringWriter{pdf: pdf, f: f, y: f.cy + f.rHub() + 4}
	if l.RequestCode != "" {
		low.write(labelLine{"Request " + l.RequestCode, 8, "B", "request code"})
	}
	low.write(labelLine{l.Facility, 8.5, "B", "facility"})
	if l.Phone != "" {
		low.write(labelLine{l.Phone, 7, "", "phone"})
	}
	low.write(labelLine{l.DiscUUID, 6, "", "uuid"})
	if !l.Burned.IsZero() {
		low.write(labelLine{"Burned " + l.Burned.Format(time.DateOnly), 6, "", "burned"})
	}
	return studies, nil
}

// JewelCaseInsert writes the 120 x 120 mm front insert of a jewel case
// (on US Letter, with a cut frame), with the same fields as the label and
// the full study list; a list too long for one insert continues on a
// second page (a second insert card, or the back of the first).
func JewelCaseInsert(w io.Writer, l Label) error {
	if err := l.check(); err != nil {
		return err
	}
	pdf := newDoc("P", "Letter", l.Burned)
	pdf.SetAutoPageBreak(false, 0)
	x0, y0, side := 48.0, 20.0, 120.0
	inner := side - 12
	lines := append([]string(nil), func() []string {
		var s []string
		for _, st := range l.Studies {
			s = append(s, st.line())
		}
		return s
	}()...)
	for card := 0; card == 0 || len(lines) > 0; card++ {
		pdf.AddPage()
		pdf.SetDrawColor(160, 160, 160)
		pdf.Rect(x0, y0, side, side, "D")
		pdf.SetDrawColor(0, 0, 0)
		pdf.SetMargins(x0+6, y0+6, 0)
		pdf.SetXY(x0+6, y0+6)
		pdf.SetFont(family, "B", 9)
		pdf.CellFormat(inner, 5, l.Facility, "", 1, "L", false, 0, "")
		pdf.SetFont(family, "B", 14)
		pdf.MultiCell(inner, 7, l.PatientName, "", "L", false)
		pdf.SetFont(family, "", 9)
		pdf.CellFormat(inner, 5, "Born "+l.BirthDate+idSuffix(l.PatientID), "", 1, "L", false, 0, "")
		if l.RequestCode != "" {
			pdf.SetFont(family, "B", 9)
			pdf.CellFormat(inner, 5, "Request code "+l.RequestCode, "", 1, "L", false, 0, "")
		}
		pdf.Ln(2)
		pdf.SetFont(family, "B", 8)
		title := "Studies on this disc"
		if card > 0 {
			title += ", continued"
		}
		pdf.CellFormat(inner, 5, title, "B", 1, "L", false, 0, "")
		pdf.SetFont(family, "", 8)
		// The list runs down to the footer (DICOM PLUS WEB at side-24 mm),
		// wrapping long lines; what does not fit goes to the next card.
		limit := y0 + side - 30
		for len(lines) > 0 {
			wrapped := pdf.Wrap(lines[0], inner-30-2*pdf.GetCellMargin())
			if pdf.GetY()+4*float64(len(wrapped)) > limit {
				break
			}
			pdf.MultiCell(inner-30, 4, lines[0], "", "L", false)
			lines = lines[1:]
		}
		if len(lines) > 0 {
			pdf.SetFont(family, "B", 8)
			pdf.CellFormat(inner-30, 4, fmt.Sprintf("%d more on the next card", len(lines)), "", 1, "L", false, 0, "")
		}
		if err := drawFooter(pdf, l, x0, y0, side); err != nil {
			return err
		}
	}
	return output(pdf, w, "jewel-case insert")
}

func drawFooter(pdf *page, l Label, x0, y0, side float64) error {
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
