package imageview

import (
	"image"
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"discdesk/viewer/dcm"
	"discdesk/viewer/study"
)

// ThumbSide is the side of series thumbnails in widget units.
const ThumbSide = 96

// Thumb is one series in a thumbnail strip: its middle image (or a report
// sign) and its label. Tapping it calls OnTapped.
type Thumb struct {
	widget.BaseWidget
	Series   *study.Series
	Image    image.Image // nil until loaded
	Selected bool
	OnTapped func(*study.Series)
}

// NewThumb returns the thumbnail of se.
func NewThumb(se *study.Series, tapped func(*study.Series)) *Thumb {
	t := &Thumb{Series: se, OnTapped: tapped}
	t.ExtendBaseWidget(t)
	return t
}

// SetImage shows img.
func (t *Thumb) SetImage(img image.Image) { t.Image = img; t.Refresh() }

// Tapped implements fyne.Tappable.
func (t *Thumb) Tapped(*fyne.PointEvent) {
	if t.OnTapped != nil {
		t.OnTapped(t.Series)
	}
}

// CreateRenderer implements fyne.Widget.
func (t *Thumb) CreateRenderer() fyne.WidgetRenderer {
	r := &thumbRenderer{t: t, bg: canvas.NewRectangle(color.Black), img: canvas.NewImageFromImage(nil),
		label: widget.NewLabel(""), frame: canvas.NewRectangle(color.Transparent)}
	r.img.FillMode = canvas.ImageFillContain
	r.img.ScaleMode = canvas.ImageScaleSmooth
	r.label.Truncation = fyne.TextTruncateEllipsis
	r.frame.StrokeWidth = 2
	r.Refresh()
	return r
}

type thumbRenderer struct {
	t     *Thumb
	bg    *canvas.Rectangle
	img   *canvas.Image
	label *widget.Label
	frame *canvas.Rectangle
}

func (r *thumbRenderer) Layout(sz fyne.Size) {
	side := min(sz.Width, ThumbSide)
	r.bg.Resize(fyne.NewSize(sz.Width, side))
	r.img.Resize(fyne.NewSize(sz.Width, side))
	r.frame.Resize(fyne.NewSize(sz.Width, side))
	lh := r.label.MinSize().Height
	r.label.Move(fyne.NewPos(0, side))
	r.label.Resize(fyne.NewSize(sz.Width, lh))
}

func (r *thumbRenderer) MinSize() fyne.Size {
	return fyne.NewSize(ThumbSide, ThumbSide+r.label.MinSize().Height)
}

func (r *thumbRenderer) Refresh() {
	t := r.t
	r.img.Image = t.Image
	label := ""
	if t.Series != nil {
		label = t.Series.Label()
		if n := len(t.Series.Images()); n > 0 {
			label += " (" + itoa(n) + ")"
		} else if len(t.Series.Reports()) > 0 {
			label = "Report: " + label
		}
	}
	r.label.SetText(label)
	r.frame.StrokeColor = color.Transparent
	if t.Selected {
		r.frame.StrokeColor = theme.Color(theme.ColorNamePrimary)
	}
	r.img.Refresh()
	r.frame.Refresh()
}

func (r *thumbRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{r.bg, r.img, r.frame, r.label}
}

func (r *thumbRenderer) Destroy() {}

func itoa(n int) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			return string(b[i:])
		}
	}
}

// SeriesStrip is the disc's series as thumbnails under patient and study
// headings. Thumbnails load in the background.
type SeriesStrip struct {
	// Box holds the headings and thumbnails: put it in the window (in a
	// scroll container).
	Box    *fyne.Container
	Thumbs []*Thumb
}

// NewSeriesStrip lists d's series; onSelect is called with the tapped one.
// Call LoadThumbnails to fill the images.
func NewSeriesStrip(d *study.Disc, onSelect func(*study.Series)) *SeriesStrip {
	s := &SeriesStrip{Box: container.NewVBox()}
	for _, p := range d.Patients {
		h := widget.NewLabelWithStyle(dcm.PersonName(p.Name)+"  "+p.ID, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		h.Wrapping = fyne.TextWrapWord
		s.Box.Add(h)
		for _, st := range p.Studies {
			l := widget.NewLabel(dcm.FormatDate(st.Date) + " " + st.Description)
			l.Wrapping = fyne.TextWrapWord
			s.Box.Add(l)
			for _, se := range st.Series {
				if len(se.Images()) == 0 && len(se.Reports()) == 0 {
					continue
				}
				th := NewThumb(se, nil)
				th.OnTapped = func(se *study.Series) {
					s.Select(se)
					if onSelect != nil {
						onSelect(se)
					}
				}
				s.Thumbs = append(s.Thumbs, th)
				s.Box.Add(th)
			}
		}
	}
	return s
}

// Select highlights se's thumbnail.
func (s *SeriesStrip) Select(se *study.Series) {
	for _, t := range s.Thumbs {
		if t.Selected != (t.Series == se) {
			t.Selected = t.Series == se
			t.Refresh()
		}
	}
}

// LoadThumbnails renders the thumbnails on a background goroutine, handing
// each to the UI through fyne.Do. It returns at once.
func (s *SeriesStrip) LoadThumbnails(d *study.Disc) {
	thumbs := append([]*Thumb(nil), s.Thumbs...)
	go func() {
		for _, t := range thumbs {
			if len(t.Series.Images()) == 0 {
				if len(t.Series.Reports()) > 0 {
					img := ReportSign(ThumbSide)
					fyne.Do(func() { t.SetImage(img) })
				}
				continue
			}
			img, err := d.Thumbnail(t.Series, ThumbSide)
			if err != nil {
				continue // the label still names the series
			}
			fyne.Do(func() { t.SetImage(img) })
		}
	}()
}

// ReportSign is the thumbnail of a report series: a written page, so a
// report never looks like a black (failed) image.
func ReportSign(side int) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, side, side))
	bg := color.RGBA{0x30, 0x30, 0x38, 0xff}
	page := color.RGBA{0xf4, 0xf4, 0xf0, 0xff}
	ink := color.RGBA{0x70, 0x70, 0x78, 0xff}
	x0, x1 := side/5, side-side/5
	y0, y1 := side/10, side-side/10
	for y := 0; y < side; y++ {
		for x := 0; x < side; x++ {
			c := bg
			if x >= x0 && x < x1 && y >= y0 && y < y1 {
				c = page
				// text lines every 8 units, the last one shorter
				if ly := y - y0 - side/8; ly >= 0 && ly%8 < 2 && x > x0+side/16 && x < x1-side/16 && y < y1-side/8 {
					if !(y > y1-side/4 && x > (x0+x1)/2) {
						c = ink
					}
				}
			}
			img.SetRGBA(x, y, c)
		}
	}
	return img
}
