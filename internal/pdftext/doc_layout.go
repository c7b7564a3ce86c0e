package pdftext

import (
	"bytes"
	"io"
	"strings"
	"time"
	"unicode"

	"github.com/go-pdf/fpdf"
)

// Family is the family name callers pass to SetFont; every family maps to
// DejaVu Sans (regular or bold) and, run by run, to the CJK font.
const Family = "DejaVu"

// Doc is an fpdf document whose text calls set each string in runs of the
// font that has its glyphs (fonts.go). The layout code calls the same
// methods as on fpdf.
type Doc struct {
	*fpdf.Fpdf
	style string  // "" or "B"
	pt    float64 // font size in points
	used  map[*textFont]bool
	order []*textFont
}

// New returns a PDF in millimetres with the UTF-8 fonts registered.
func New(orientation, size string, created time.Time) *Doc {
	pdf := fpdf.New(orientation, "mm", size, "")
	pdf.SetCreator("DiscDesk", true)
	pdf.SetCreationDate(created)
	pdf.SetModificationDate(created)
	pdf.SetCatalogSort(true)
	p := &Doc{Fpdf: pdf, used: map[*textFont]bool{}}
	p.SetFont(Family, "", 10)
	return p
}

// NewSize is New on a Doc of w x h mm (labels for label printers).
func NewSize(w, h float64, created time.Time) *Doc {
	orient := "P"
	if w > h {
		orient = "L"
	}
	pdf := fpdf.NewCustom(&fpdf.InitType{OrientationStr: orient, UnitStr: "mm", Size: fpdf.SizeType{Wd: w, Ht: h}})
	pdf.SetCreator("DiscDesk", true)
	pdf.SetCreationDate(created)
	pdf.SetModificationDate(created)
	pdf.SetCatalogSort(true)
	p := &Doc{Fpdf: pdf, used: map[*textFont]bool{}}
	p.SetFont(Family, "", 10)
	return p
}

func (p *Doc) base() *textFont {
	reg, b := baseFonts()
	if strings.Contains(p.style, "B") {
		return b
	}
	return reg
}

// use makes f the current fpdf font at the current size.
func (p *Doc) use(f *textFont) {
	if !p.used[f] {
		p.used[f] = true
		p.order = append(p.order, f)
		p.Fpdf.AddUTF8FontFromBytes(f.key, "", f.data)
	}
	p.Fpdf.SetFont(f.key, "", p.pt)
}

// SetFont sets the style ("" or "B") and size of the text that follows;
// the family is always the document's.
func (p *Doc) SetFont(_ string, style string, size float64) {
	p.style = strings.ToUpper(style)
	if size > 0 {
		p.pt = size
	}
	p.use(p.base())
}

type run struct {
	f *textFont
	s string
}

// runs splits s into runs of one font; characters no font has become
// U+FFFD (MissingGlyphs reports them).
func (p *Doc) runs(s string) []run {
	var out []run
	var cur *textFont
	var b strings.Builder
	for _, r := range s {
		f := p.base()
		if c, ok := fontFor(r); !ok {
			r = '\uFFFD'
		} else if c != nil {
			f = c
		}
		if f != cur && b.Len() > 0 {
			out = append(out, run{cur, b.String()})
			b.Reset()
		}
		cur = f
		b.WriteRune(r)
	}
	if b.Len() > 0 {
		out = append(out, run{cur, b.String()})
	}
	return out
}

// GetStringWidth is the width of s in the current style and size.
func (p *Doc) GetStringWidth(s string) float64 {
	w := 0.0
	for _, r := range p.runs(s) {
		p.use(r.f)
		w += p.Fpdf.GetStringWidth(r.s)
	}
	p.use(p.base())
	return w
}

// Text draws s with its baseline starting at (x, y).
func (p *Doc) Text(x, y float64, s string) {
	for _, r := range p.runs(s) {
		p.use(r.f)
		p.Fpdf.Text(x, y, r.s)
		x += p.Fpdf.GetStringWidth(r.s)
	}
	p.use(p.base())
}

// CellFormat is fpdf's CellFormat with the text set in runs.
func (p *Doc) CellFormat(w, h float64, txt, border string, ln int, align string, fill bool, link int, linkStr string) {
	rs := p.runs(txt)
	if len(rs) == 0 || len(rs) == 1 && rs[0].f == p.base() {
		if len(rs) == 1 {
			txt = rs[0].s
		}
		p.Fpdf.CellFormat(w, h, txt, border, ln, align, fill, link, linkStr)
		return
	}
	x0 := p.GetX()
	if w == 0 {
		pw, _ := p.GetPageSize()
		_, _, rm, _ := p.GetMargins()
		w = pw - rm - x0
	}
	p.Fpdf.CellFormat(w, h, "", border, ln, align, fill, link, linkStr)
	x, y := x0, p.GetY()-h
	if ln == 0 {
		x, y = p.GetX()-w, p.GetY()
	}
	tw, cm := p.GetStringWidth(txt), p.GetCellMargin()
	dx := cm
	switch {
	case strings.Contains(align, "R"):
		dx = w - cm - tw
	case strings.Contains(align, "C"):
		dx = (w - tw) / 2
	}
	_, fs := p.GetFontSize()
	p.Text(x+dx, y+0.5*h+0.3*fs, txt)
}

// MultiCell is fpdf's MultiCell (no border, no fill needed by the
// documents) with lines broken at spaces, or between CJK characters, or
// anywhere in a word too long for a line: nothing is cut off.
func (p *Doc) MultiCell(w, h float64, txt, border, align string, fill bool) {
	x0 := p.GetX()
	if w == 0 {
		pw, _ := p.GetPageSize()
		_, _, rm, _ := p.GetMargins()
		w = pw - rm - x0
	}
	for _, line := range p.Wrap(txt, w-2*p.GetCellMargin()) {
		p.SetX(x0)
		p.CellFormat(w, h, line, border, 2, align, fill, 0, "")
	}
	lm, _, _, _ := p.GetMargins()
	p.SetX(lm)
}

// Wrap breaks text into lines no wider than max in the current font.
func (p *Doc) Wrap(text string, max float64) []string {
	var lines []string
	for _, para := range strings.Split(text, "\n") {
		rs := []rune(para)
		for len(rs) > 0 {
			if p.GetStringWidth(string(rs)) <= max {
				lines = append(lines, string(rs))
				break
			}
			cut, brk := 1, 0
			for i := 1; i <= len(rs); i++ {
				if p.GetStringWidth(string(rs[:i])) > max {
					break
				}
				cut = i
				if i < len(rs) && (rs[i] == ' ' || isWide(rs[i]) || isWide(rs[i-1])) {
					brk = i
				}
			}
			if brk > 0 && cut < len(rs) {
				cut = brk
			}
			lines = append(lines, strings.TrimRight(string(rs[:cut]), " "))
			rs = []rune(strings.TrimLeft(string(rs[cut:]), " "))
		}
		if len(rs) == 0 && para == "" {
			lines = append(lines, "")
		}
	}
	return lines
}

// isWide reports CJK characters, between which a line may break.
func isWide(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul)
}

// Write writes the PDF, or returns the first error met while building it.
func (p *Doc) Write(w io.Writer) error {
	if err := p.Error(); err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := p.Output(&buf); err != nil {
		return err
	}
	_, err := w.Write(tagSubsets(buf.Bytes(), p.order))
	return err
}
