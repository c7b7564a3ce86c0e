package imageview

import (
	"fmt"
	"image"
	"image/color"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"

	"discdesk/viewer/study"
)

// Overlay colours.
var (
	OverlayColor = color.NRGBA{R: 0xf0, G: 0xf0, B: 0xa0, A: 0xff}
	MeasureColor = color.NRGBA{R: 0x40, G: 0xff, B: 0x40, A: 0xff}
)

const overlayTextSize = 12

// viewerRenderer owns the viewer's canvas objects.
type viewerRenderer struct {
	v       *Viewer
	bg      *canvas.Rectangle
	raster  *canvas.Raster
	corners [4][]*canvas.Text // top-left, top-right, bottom-left, bottom-right
	orient  [4]*canvas.Text   // left, right, top, bottom
	lines   []*canvas.Line
	labels  []*canvas.Text
	xs      []int
	objects []fyne.CanvasObject
}

func newViewerRenderer(v *Viewer) *viewerRenderer {
	r := &viewerRenderer{v: v, bg: canvas.NewRectangle(Background)}
	r.raster = canvas.NewRaster(r.draw)
	for i := range r.orient {
		r.orient[i] = newText("", fyne.TextAlignCenter)
	}
	r.update()
	return r
}

func newText(s string, align fyne.TextAlign) *canvas.Text {
	t := canvas.NewText(s, OverlayColor)
	t.TextSize = overlayTextSize
	t.Alignment = align
	return t
}

// draw is the raster's generator: the frame scaled into w x h pixels.
func (r *viewerRenderer) draw(w, h int) image.Image {
	v := r.v
	sz := v.Size()
	k := float32(1)
	if sz.Width > 0 {
		k = float32(w) / sz.Width
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	src := v.sourceLocked()
	if v.out == nil || v.out.Rect.Dx() != w || v.out.Rect.Dy() != h {
		v.out = image.NewRGBA(image.Rect(0, 0, w, h))
	}
	var p placement
	if src != nil {
		p = place(sz, src.Bounds().Dx(), src.Bounds().Dy(), v.Zoom, v.Pan)
	}
	r.xs = compose(v.out, src, p, k, r.xs)
	return v.out
}

func (r *viewerRenderer) Destroy() {}

func (r *viewerRenderer) MinSize() fyne.Size { return fyne.NewSize(64, 64) }

func (r *viewerRenderer) Objects() []fyne.CanvasObject { return r.objects }

func (r *viewerRenderer) Refresh() {
	r.update()
	r.Layout(r.v.Size())
	canvas.Refresh(r.raster)
	for _, o := range r.objects[2:] {
		o.Refresh()
	}
}

// cornerText is the overlay text of each corner, read from the state.
func (r *viewerRenderer) cornerText() [4][]string {
	v := r.v
	var out [4][]string
	if v.HideOverlay {
		return out
	}
	if se := v.Series; se != nil && se.Study != nil {
		st, p := se.Study, se.Study.Patient
		if p != nil {
			out[0] = append(out[0], PersonName(p.Name), p.ID)
			if p.BirthDate != "" || p.Sex != "" {
				out[0] = append(out[0], strings.TrimSpace(study.FormatDate(p.BirthDate)+" "+p.Sex))
			}
		}
		out[1] = append(out[1], st.Description, study.FormatDate(st.Date), se.Label())
	}
	f := v.Frame()
	if n := v.Len(); n > 0 {
		out[2] = append(out[2], fmt.Sprintf("Im %d/%d", v.Index+1, n))
	}
	if f != nil {
		if f.Info.Frames > 1 {
			out[2] = append(out[2], fmt.Sprintf("Frame %d/%d", f.Info.Frame+1, f.Info.Frames))
		}
		if f.Info.SliceLocation != "" {
			out[2] = append(out[2], "Loc "+f.Info.SliceLocation)
		}
		if f.Info.Desc.Grey() {
			out[3] = append(out[3], fmt.Sprintf("W %.0f L %.0f", v.Window.Width, v.Window.Center))
		}
		out[3] = append(out[3], fmt.Sprintf("Zoom %.0f%%", 100*v.placement().s))
		if f.Info.Desc.Modality != "" && !f.Info.Calibrated && f.Info.PixelSpacing[0] > 0 {
			out[3] = append(out[3], "Spacing at detector")
		}
	}
	if v.Playing() {
		out[3] = append(out[3], "Cine")
	}
	if v.Err != nil {
		out[2] = append(out[2], "Error: "+v.Err.Error())
	}
	for i := range out {
		lines := out[i][:0]
		for _, l := range out[i] {
			if strings.TrimSpace(l) != "" {
				lines = append(lines, l)
			}
		}
		out[i] = lines
	}
	return out
}

// PersonName shows a DICOM PN value as "Family, Given Middle".
func PersonName(pn string) string {
	if i := strings.IndexByte(pn, '='); i >= 0 {
		pn = pn[:i] // alphabetic group only
	}
	parts := strings.Split(pn, "^")
	for len(parts) > 0 && strings.TrimSpace(parts[len(parts)-1]) == "" {
		parts = parts[:len(parts)-1]
	}
	if len(parts) <= 1 {
		return strings.Join(parts, "")
	}
	return parts[0] + ", " + strings.TrimSpace(strings.Join(parts[1:], " "))
}

// update rebuilds the overlay objects from the viewer's state.
func (r *viewerRenderer) update() {
	v := r.v
	texts := r.cornerText()
	for c := range texts {
		align := fyne.TextAlignLeading
		if c%2 == 1 {
			align = fyne.TextAlignTrailing
		}
		for len(r.corners[c]) < len(texts[c]) {
			r.corners[c] = append(r.corners[c], newText("", align))
		}
		r.corners[c] = r.corners[c][:len(texts[c])]
		for i, s := range texts[c] {
			r.corners[c][i].Text = s
		}
	}
	f := v.Frame()
	for _, t := range r.orient {
		t.Text = ""
	}
	if f != nil && f.Info.HasOrientation && !v.HideOverlay {
		l, rt, tp, b := study.OrientationLabels(f.Info.Orientation)
		r.orient[0].Text, r.orient[1].Text, r.orient[2].Text, r.orient[3].Text = l, rt, tp, b
	}
	var ms []Measurement
	for _, m := range v.Measurements {
		if m.Index == v.Index {
			ms = append(ms, m)
		}
	}
	for len(r.lines) < len(ms) {
		ln := canvas.NewLine(MeasureColor)
		ln.StrokeWidth = 1.5
		r.lines = append(r.lines, ln)
		t := newText("", fyne.TextAlignLeading)
		t.Color = MeasureColor
		r.labels = append(r.labels, t)
	}
	r.lines, r.labels = r.lines[:len(ms)], r.labels[:len(ms)]
	p := v.placement()
	for i, m := range ms {
		r.lines[i].Position1 = p.toWidget(m.A[0], m.A[1])
		r.lines[i].Position2 = p.toWidget(m.B[0], m.B[1])
		d, mm := v.Distance(m)
		if mm {
			r.labels[i].Text = fmt.Sprintf("%.1f mm", d)
		} else {
			r.labels[i].Text = fmt.Sprintf("%.1f px", d)
		}
	}
	r.objects = append(r.objects[:0], r.bg, r.raster)
	for _, c := range r.corners {
		for _, t := range c {
			r.objects = append(r.objects, t)
		}
	}
	for _, t := range r.orient {
		r.objects = append(r.objects, t)
	}
	for i := range r.lines {
		r.objects = append(r.objects, r.lines[i], r.labels[i])
	}
}

func (r *viewerRenderer) Layout(sz fyne.Size) {
	r.bg.Resize(sz)
	r.raster.Resize(sz)
	r.raster.Move(fyne.NewPos(0, 0))
	const pad = 4
	for c, texts := range r.corners {
		var lh float32
		if len(texts) > 0 {
			lh = texts[0].MinSize().Height
		}
		for i, t := range texts {
			ts := t.MinSize()
			x := float32(pad)
			if c%2 == 1 {
				x = sz.Width - pad - ts.Width
			}
			y := pad + float32(i)*lh
			if c >= 2 {
				y = sz.Height - pad - float32(len(texts)-i)*lh
			}
			t.Resize(ts)
			t.Move(fyne.NewPos(x, y))
		}
	}
	for i, t := range r.orient {
		ts := t.MinSize()
		t.Resize(ts)
		switch i {
		case 0:
			t.Move(fyne.NewPos(pad, (sz.Height-ts.Height)/2))
		case 1:
			t.Move(fyne.NewPos(sz.Width-pad-ts.Width, (sz.Height-ts.Height)/2))
		case 2:
			t.Move(fyne.NewPos((sz.Width-ts.Width)/2, pad))
		case 3:
			t.Move(fyne.NewPos((sz.Width-ts.Width)/2, sz.Height-pad-ts.Height))
		}
	}
	for i, ln := range r.lines {
		_ = ln
		t := r.labels[i]
		ts := t.MinSize()
		t.Resize(ts)
		t.Move(r.lines[i].Position2.Add(fyne.NewPos(4, -ts.Height)))
	}
}
