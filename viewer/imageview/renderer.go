package imageview

import (
	"image"
	"image/color"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"

	"discdesk/viewer/dcm"
	"discdesk/viewer/study"
)

// Overlay colours.
var (
	OverlayColor = color.NRGBA{R: 0xf0, G: 0xf0, B: 0xa0, A: 0xff}
	MeasureColor = color.NRGBA{R: 0x40, G: 0xff, B: 0x40, A: 0xff}
)

// OverlayTextSize is the overlay's text size unless the viewer's TextSize
// says otherwise.
const OverlayTextSize = 12

// viewerRenderer owns the viewer's canvas objects.
type viewerRenderer struct {
	v       *Viewer
	bg      *canvas.Rectangle
	raster  *canvas.Raster
	corners [4][]*canvas.Text // top-left, top-right, bottom-left, bottom-right
	orient  [4]*canvas.Text   // left, right, top, bottom
	lines   []*canvas.Line
	labels  []*canvas.Text
	labelAt []fyne.Position // where each label goes
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
	t.TextSize = OverlayTextSize
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
		p = place(sz, src.Bounds().Dx(), src.Bounds().Dy(), v.Zoom, v.Pan, v.Orient)
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

// cornerText is the overlay text of each corner, read from the state: the
// annotations of IHE Basic Image Review (patient name, ID, birth date, sex
// and age top left; institution, study description and date, accession
// top right; series, image, slice thickness and location bottom left;
// window, zoom, orientation changes and lossy compression bottom right).
func (r *viewerRenderer) cornerText() [4][]string { return r.v.Annotations() }

// Annotations returns the overlay text of the four corners (top left, top
// right, bottom left, bottom right) in the viewer's Words; empty when the
// overlay is hidden.
func (v *Viewer) Annotations() [4][]string {
	var out [4][]string
	if v.HideOverlay {
		return out
	}
	f := v.Frame()
	var fi *study.FrameInfo
	if f != nil {
		fi = f.Info
	}
	if se := v.Series; se != nil && se.Study != nil {
		st, p := se.Study, se.Study.Patient
		if p != nil {
			born := []string{v.labelled(WordBorn, dcm.FormatDate(p.BirthDate))}
			if fi != nil && fi.PatientAge != "" {
				born = append(born, v.line(WordAge, v.age(fi.PatientAge)))
			}
			born = append(born, v.labelled(WordSex, p.Sex))
			out[0] = append(out[0], v.labelled(WordName, dcm.PersonName(p.Name)), v.labelled(WordID, p.ID), joinWords(born, " "))
		}
		if fi != nil {
			out[1] = append(out[1], v.labelled(WordInstitution, fi.Institution))
		}
		out[1] = append(out[1], v.labelled(WordStudy, st.Description), v.labelled(WordStudyDate, dcm.FormatDate(st.Date)), v.labelled(WordAccession, st.Accession))
		out[2] = append(out[2], v.labelled(WordSeries, se.Label()))
	}
	if n := v.Len(); n > 0 {
		out[2] = append(out[2], v.line(WordImage, v.Index+1, n))
	}
	if fi != nil {
		if fi.Frames > 1 {
			out[2] = append(out[2], v.line(WordFrame, fi.Frame+1, fi.Frames))
		}
		out[2] = append(out[2], v.labelled(WordThickness, fi.SliceThickness), v.labelled(WordLocation, fi.SliceLocation))
		out[2] = append(out[2], v.labelled(WordLaterality, fi.Laterality))
		if fi.Desc.Grey() {
			out[3] = append(out[3], v.line(WordWindow, v.Window.Width, v.Window.Center))
			if v.word(WordWindowName) != "" { // the staff's words name no window
				out[3] = append(out[3], v.labelled(WordWindowName, v.windowName(fi)))
			}
		}
		out[3] = append(out[3], v.line(WordZoom, float64(100*v.placement().s)))
		if o := v.Orient; !o.identity() {
			out[3] = append(out[3], v.orientText(o))
		}
		if fi.Desc.Modality != "" && !fi.Calibrated && fi.PixelSpacing[0] > 0 {
			out[3] = append(out[3], v.line(WordDetector))
		}
		if fi.PixelSpacing[0] == 0 {
			out[3] = append(out[3], v.line(WordNoSpacing))
		}
		if fi.Lossy {
			out[3] = append(out[3], v.lossyText(fi))
		}
	}
	if v.Playing() {
		out[3] = append(out[3], v.line(WordCine))
	}
	if v.Err != nil {
		out[2] = append(out[2], v.line(WordError, v.Err.Error()))
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

// windowName names the window on screen for WordWindowName: the name the
// words give its explanation, or another preset of the same centre and
// width ("ABDOMEN" stored in the image is the CT abdomen preset); a stored
// window the words cannot name is the image's own; a window set by hand
// is said to be.
func (v *Viewer) windowName(fi *study.FrameInfo) string {
	w := v.Window
	if e := strings.TrimSpace(w.Explanation); e != "" {
		if name := v.word(WordPreset + e); name != "" {
			return name
		}
	}
	stored := false
	for _, p := range fi.Desc.Presets() {
		if p.Center != w.Center || p.Width != w.Width {
			continue
		}
		if name := v.word(WordPreset + strings.TrimSpace(p.Explanation)); p.Explanation != "" && name != "" {
			return name
		}
		stored = stored || slices.Contains(fi.Desc.Windows, p)
	}
	if stored {
		return v.word(WordWindowOwn)
	}
	if w.Explanation != "" {
		return w.Explanation // a preset the words do not name: as the viewer calls it
	}
	return v.word(WordWindowSet)
}

// joinWords joins the parts that are not empty.
func joinWords(parts []string, sep string) string {
	var kept []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, sep)
}

// EdgeLabels are the patient-direction letters at the left, right, top and
// bottom edges of the image as it is shown (turned with Orient), in the
// viewer's words; empty without Image Orientation (Patient), with the
// overlay hidden, or when the words give no letter for one of them.
func (v *Viewer) EdgeLabels() [4]string {
	f := v.Frame()
	if f == nil || !f.Info.HasOrientation || v.HideOverlay {
		return [4]string{}
	}
	l, rt, tp, b := v.Orient.Labels(study.OrientationLabels(f.Info.Orientation))
	out := [4]string{l, rt, tp, b}
	for i, s := range out {
		var w strings.Builder
		for _, c := range s {
			letter := v.word(WordEdge + string(c))
			if letter == "" {
				return [4]string{}
			}
			w.WriteString(letter)
		}
		out[i] = w.String()
	}
	return out
}

// age shows an AS value (PS3.5 6.2: nnnD, nnnW, nnnM, nnnY) in words.
func (v *Viewer) age(as string) string {
	if len(as) != 4 {
		return as
	}
	n := strings.TrimLeft(as[:3], "0")
	if n == "" {
		n = "0"
	}
	switch as[3] {
	case 'Y':
		return v.line(WordAgeYears, n)
	case 'M':
		return v.line(WordAgeMonths, n)
	case 'W':
		return v.line(WordAgeWeeks, n)
	case 'D':
		return v.line(WordAgeDays, n)
	}
	return as
}

func (v *Viewer) orientText(o Orient) string {
	var parts []string
	if o.Rotation&3 != 0 {
		parts = append(parts, v.line(WordRotated, 90*(o.Rotation&3)))
	}
	if o.FlipH {
		parts = append(parts, v.line(WordMirroredLR))
	}
	if o.FlipV {
		parts = append(parts, v.line(WordMirroredTB))
	}
	return joinWords(parts, ", ")
}

// lossyText says that an image was compressed with loss, with its ratio and
// method when given ("Lossy compressed 10:1 ISO_10918_1").
func (v *Viewer) lossyText(fi *study.FrameInfo) string {
	s := v.line(WordLossy)
	if s == "" {
		return ""
	}
	for i, r := range fi.LossyRatio {
		s += " " + strings.TrimSpace(r) + ":1"
		if i < len(fi.LossyMethod) {
			s += " " + strings.TrimSpace(fi.LossyMethod[i])
		}
	}
	if len(fi.LossyRatio) == 0 && len(fi.LossyMethod) > 0 {
		s += " " + strings.Join(fi.LossyMethod, ", ")
	}
	return s
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
	edges := v.EdgeLabels()
	for i, t := range r.orient {
		t.Text = edges[i]
	}
	var ms []Measurement
	for _, m := range v.Measurements {
		if m.Index == v.Index {
			ms = append(ms, m)
		}
	}
	nl := 0
	for _, m := range ms {
		nl++
		if m.HasC {
			nl++
		}
	}
	for len(r.lines) < nl {
		ln := canvas.NewLine(MeasureColor)
		ln.StrokeWidth = 1.5
		r.lines = append(r.lines, ln)
	}
	for len(r.labels) < len(ms) {
		t := newText("", fyne.TextAlignLeading)
		t.Color = MeasureColor
		r.labels = append(r.labels, t)
	}
	r.lines, r.labels = r.lines[:nl], r.labels[:len(ms)]
	r.labelAt = r.labelAt[:0]
	p := v.placement()
	li := 0
	for i, m := range ms {
		r.lines[li].Position1 = p.toWidget(m.A[0], m.A[1])
		r.lines[li].Position2 = p.toWidget(m.B[0], m.B[1])
		li++
		at := p.toWidget(m.B[0], m.B[1])
		switch {
		case m.Angle && m.HasC:
			r.lines[li].Position1 = p.toWidget(m.B[0], m.B[1])
			r.lines[li].Position2 = p.toWidget(m.C[0], m.C[1])
			li++
			deg, _ := v.AngleDegrees(m)
			r.labels[i].Text = v.line(WordAngle, deg)
		case m.Angle:
			r.labels[i].Text = v.line(WordSecondArm)
		default:
			d, mm := v.Distance(m)
			if mm {
				r.labels[i].Text = v.line(WordDistance, d)
			} else {
				r.labels[i].Text = v.line(WordPixels, d)
			}
		}
		r.labelAt = append(r.labelAt, at)
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
	for _, ln := range r.lines {
		r.objects = append(r.objects, ln)
	}
	for _, t := range r.labels {
		r.objects = append(r.objects, t)
	}
	size := float32(OverlayTextSize)
	if v.TextSize > 0 {
		size = v.TextSize
	}
	for _, o := range r.objects {
		if t, ok := o.(*canvas.Text); ok {
			t.TextSize = size
		}
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
	for i, t := range r.labels {
		ts := t.MinSize()
		t.Resize(ts)
		if i < len(r.labelAt) {
			t.Move(r.labelAt[i].Add(fyne.NewPos(4, -ts.Height)))
		}
	}
}
