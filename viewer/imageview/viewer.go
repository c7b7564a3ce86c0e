package imageview

import (
	"fmt"
	"image"
	"math"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	"discdesk/viewer/render"
	"discdesk/viewer/study"
)

// Tool is what a primary-button drag does.
type Tool int

// Tools for the primary button. Right-drag always windows, middle-drag pans
// and the wheel always scrolls the stack.
const (
	ToolScroll  Tool = iota // drag up/down pages through the stack
	ToolWindow              // drag changes window width (x) and centre (y)
	ToolPan                 // drag moves the image
	ToolZoom                // drag up/down zooms
	ToolMeasure             // drag draws a distance measurement
	ToolAngle               // two drags draw an angle: the first arm, then the second from its end
)

// Tools names the tools in Tool order, for toolbars.
var Tools = []string{"Scroll", "Window", "Pan", "Zoom", "Measure", "Angle"}

// Measurement is a distance (A to B) or an angle (at B, between BA and BC)
// drawn on one frame, in source image pixel coordinates (column, row;
// centres of pixels at +0.5).
type Measurement struct {
	Index   int // stack index of the frame it was drawn on
	A, B, C [2]float64
	Angle   bool // an angle measurement
	HasC    bool // the angle's second arm is drawn
}

// Viewer shows one stack of frames. Its exported fields are its state: set
// them and call Refresh, or use the methods, which do both.
type Viewer struct {
	widget.BaseWidget

	// Disc and Series are what the viewer shows (set by SetSeries).
	Disc   *study.Disc
	Series *study.Series
	// Index is the frame on screen (0 .. Len-1).
	Index int
	// Window is the VOI window of grey images, in modality units
	// (Hounsfield units for CT).
	Window render.Window
	// Zoom is the magnification relative to fit (1: the image fits).
	Zoom float32
	// Pan moves the image centre from the widget centre (widget units).
	Pan fyne.Position
	// Tool says what a primary drag does (set it with SetTool so
	// OnToolChanged hears of it).
	Tool Tool
	// Orient turns the image: rotation and mirroring.
	Orient Orient
	// HideOverlay hides the text and orientation overlay.
	HideOverlay bool
	// Words are the overlay's words and choose its lines (nil: English,
	// the staff's overlay); see Words.
	Words Words
	// TextSize is the overlay's text size (0: OverlayTextSize), larger
	// where the screen's text is, as on the kiosk's large text.
	TextSize float32
	// Measurements drawn so far (shown on their frame).
	Measurements []Measurement
	// Err is the last loading or rendering error (shown in the overlay).
	Err error

	// OnIndexChanged is called (on the UI goroutine) after Index changed
	// through the user or SetIndex; two viewers synchronise through it.
	OnIndexChanged func(index int)
	// OnCountChanged is called (on the UI goroutine) after Len changed:
	// another series was set, or reading a multi-frame image found its
	// frames after the stack was laid out (a DICOMDIR need not say how
	// many). A counter beside the viewer ("image 3 of N") listens here;
	// OnIndexChanged, which synchronises viewers, stays about the index.
	OnCountChanged func(n int)
	// OnToolChanged is called after the tool changed, by a key or SetTool,
	// so a toolbar can show the tool in use.
	OnToolChanged func(Tool)
	// OnHelp is called when the user asks for help ('?' or F1).
	OnHelp func()
	// Do hands work from the viewer's goroutines (background loading,
	// cine) to the UI goroutine; nil means fyne.Do. A screen whose other
	// background work takes another path to the UI sets the same path
	// here, so all of it arrives in one order.
	Do func(func())

	mu        sync.Mutex // guards the fields below (the raster reads them)
	stack     *study.Stack
	frame     *study.Frame
	renderers map[string]*render.Renderer
	src       image.Image // current frame rendered at the window
	srcIndex  int
	srcWindow render.Window
	out       *image.RGBA // composed raster

	button    desktop.MouseButton
	lastMouse fyne.Position
	dragAcc   float32
	measuring bool
	cineStop  chan struct{}
	count     int // the Len OnCountChanged last heard (UI goroutine)
}

// do runs fn on the UI goroutine (Do, or fyne.Do).
func (v *Viewer) do(fn func()) {
	if v.Do != nil {
		v.Do(fn)
		return
	}
	fyne.Do(fn)
}

// NewViewer returns an empty viewer.
func NewViewer() *Viewer {
	v := &Viewer{Zoom: 1, renderers: map[string]*render.Renderer{}, srcIndex: -1}
	v.ExtendBaseWidget(v)
	return v
}

// CreateRenderer implements fyne.Widget.
func (v *Viewer) CreateRenderer() fyne.WidgetRenderer { return newViewerRenderer(v) }

// SetSeries shows the images of se from disc d: the first image is loaded
// at once, the others in the background. A nil series empties the viewer.
func (v *Viewer) SetSeries(d *study.Disc, se *study.Series) error {
	v.Stop()
	v.mu.Lock()
	old := v.stack
	v.stack, v.frame, v.src, v.srcIndex = nil, nil, nil, -1
	v.renderers = map[string]*render.Renderer{}
	v.mu.Unlock()
	if old != nil {
		old.Close()
	}
	v.Disc, v.Series, v.Index, v.Zoom, v.Pan, v.Measurements, v.Err = d, se, 0, 1, fyne.Position{}, nil, nil
	v.Window, v.Orient = render.Window{}, Orient{}
	if se == nil || len(se.Images()) == 0 {
		v.Refresh()
		v.countChanged()
		return nil
	}
	st := study.NewStack(d, se.Images(), 0)
	// The series opens on its middle image (IHE BIR): the first ones of a
	// scan are often scout or edge slices.
	v.Index = st.Len() / 2
	st.OnLayout = func(int) {
		v.do(func() {
			if v.Stack() == st { // not a series shown before
				v.relayout()
			}
		})
	}
	v.mu.Lock()
	v.stack = st
	v.mu.Unlock()
	err := v.load()
	v.Refresh()
	v.countChanged()
	st.Start() // after the count above: a later one comes through relayout
	return err
}

// relayout follows the stack after it learnt a multi-frame image's frames:
// the frame on screen keeps its place on screen but gets its new index (an
// image after the multi-frame one moves up the stack), and the counters
// hear of the new length.
func (v *Viewer) relayout() {
	st := v.Stack()
	if st == nil {
		return
	}
	n, was := st.Len(), v.Index
	if f := v.Frame(); f != nil && st.Peek(v.Index) != f {
		found := false
		for i := 0; i < n && !found; i++ {
			if st.Peek(i) == f {
				v.Index, found = i, true
			}
		}
		if !found { // no longer cached: show what its index holds now
			v.Index = max(0, min(n-1, v.Index))
		}
		_ = v.load() // an error shows in the overlay
		v.mu.Lock()
		v.srcIndex = -1 // the raster renders the frame now at the index
		v.mu.Unlock()
	}
	v.Refresh()
	if v.Index != was && v.OnIndexChanged != nil {
		v.OnIndexChanged(v.Index)
	}
	v.countChanged()
}

// countChanged tells OnCountChanged of a new Len.
func (v *Viewer) countChanged() {
	n := v.Len()
	if n == v.count {
		return
	}
	v.count = n
	if v.OnCountChanged != nil {
		v.OnCountChanged(n)
	}
}

// Stack returns the loader of the series shown (nil when empty).
func (v *Viewer) Stack() *study.Stack {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.stack
}

// Len is the number of frames in the stack.
func (v *Viewer) Len() int {
	if st := v.Stack(); st != nil {
		return st.Len()
	}
	return 0
}

// Frame returns the frame on screen (nil before one loaded).
func (v *Viewer) Frame() *study.Frame {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.frame
}

// load makes v.frame the frame at v.Index, reading it when not cached, and
// picks the initial window from the first frame.
func (v *Viewer) load() error {
	st := v.Stack()
	if st == nil {
		return nil
	}
	st.SetCursor(v.Index)
	f := st.Peek(v.Index)
	if f == nil {
		var err error
		if f, err = st.Get(v.Index); err != nil {
			v.Err = err
			return err
		}
	}
	v.Err = nil
	v.mu.Lock()
	v.frame = f
	v.mu.Unlock()
	if v.Window.Width == 0 && f.Info.Desc.Grey() {
		v.Window = v.defaultWindow(f)
	}
	return nil
}

func (v *Viewer) defaultWindow(f *study.Frame) render.Window {
	if ws := f.Info.Desc.Windows; len(ws) > 0 {
		return ws[0]
	}
	r, err := v.renderer(f.Info.Desc)
	if err != nil {
		return render.Window{Center: 128, Width: 256}
	}
	lo, hi, err := r.ValueRange(f.Data)
	if err != nil || hi <= lo {
		return render.Window{Center: lo, Width: 1}
	}
	return render.Window{Center: (lo + hi + 1) / 2, Width: hi - lo + 1, Explanation: "full range"}
}

// renderer returns the renderer of descriptions that render alike.
func (v *Viewer) renderer(d *render.Description) (*render.Renderer, error) {
	key := rendererKey(d)
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.rendererLocked(key, d)
}

func rendererKey(d *render.Description) string {
	return fmt.Sprintf("%d %d %d %d %d %d %v %s %d %g %g %p %s %p %s", d.Rows, d.Columns, d.SamplesPerPixel, d.BitsAllocated, d.BitsStored,
		d.HighBit, d.Signed, d.Photometric, d.PlanarConfiguration, d.RescaleSlope, d.RescaleIntercept, d.ModalityLUT,
		d.PresentationLUTShape, d.Palette, d.VOIFunction)
}

func (v *Viewer) rendererLocked(key string, d *render.Description) (*render.Renderer, error) {
	if r := v.renderers[key]; r != nil {
		return r, nil
	}
	r, err := render.New(d)
	if err != nil {
		return nil, err
	}
	v.renderers[key] = r
	return r, nil
}

// SetIndex shows frame i (clamped to the stack).
func (v *Viewer) SetIndex(i int) {
	n := v.Len()
	if n == 0 {
		return
	}
	i = max(0, min(n-1, i))
	if i == v.Index && v.Frame() != nil {
		return
	}
	v.Index = i
	_ = v.load()
	v.Refresh()
	if v.OnIndexChanged != nil {
		v.OnIndexChanged(i)
	}
}

// ScrollBy moves n frames through the stack.
func (v *Viewer) ScrollBy(n int) { v.SetIndex(v.Index + n) }

// SetWindow sets the VOI window of grey images.
func (v *Viewer) SetWindow(w render.Window) {
	if w.Width < 1 {
		w.Width = 1
	}
	v.Window = w
	v.Refresh()
}

// Presets are the windows to offer for the frame on screen: the image's
// stored windows, the modality's usual ones (CT), then the full range of
// the values in the frame, each window once.
func (v *Viewer) Presets() []render.Window {
	f := v.Frame()
	if f == nil || !f.Info.Desc.Grey() {
		return nil
	}
	var out []render.Window
	seen := map[[2]float64]bool{}
	add := func(w render.Window) {
		k := [2]float64{w.Center, w.Width}
		if w.Width < 1 || seen[k] {
			return
		}
		seen[k] = true
		out = append(out, w)
	}
	for _, w := range f.Info.Desc.Presets() {
		add(w)
	}
	if r, err := v.renderer(f.Info.Desc); err == nil {
		if lo, hi, err := r.ValueRange(f.Data); err == nil && hi > lo {
			add(render.Window{Center: (lo + hi + 1) / 2, Width: hi - lo + 1, Explanation: "Full range"})
		}
	}
	return out
}

// ApplyPreset applies Presets()[i].
func (v *Viewer) ApplyPreset(i int) error {
	p := v.Presets()
	if i < 0 || i >= len(p) {
		return fmt.Errorf("window preset %d of %d: %w", i, len(p), render.ErrBadDescription)
	}
	v.SetWindow(p[i])
	return nil
}

// SetZoom sets the magnification relative to fit (clamped to 1/8..32).
func (v *Viewer) SetZoom(z float32) {
	v.Zoom = float32(math.Max(0.125, math.Min(32, float64(z))))
	v.Refresh()
}

// Fit shows the whole image, centred.
func (v *Viewer) Fit() {
	v.Zoom, v.Pan = 1, fyne.Position{}
	v.Refresh()
}

// SetTool selects what a primary drag does.
func (v *Viewer) SetTool(t Tool) {
	changed := v.Tool != t
	v.Tool = t
	if changed && v.OnToolChanged != nil {
		v.OnToolChanged(t)
	}
}

// Rotate turns the image a quarter turn clockwise.
func (v *Viewer) Rotate() {
	v.Orient.Rotation = (v.Orient.Rotation + 1) & 3
	v.Refresh()
}

// FlipHorizontal mirrors the image left to right (as shown).
func (v *Viewer) FlipHorizontal() {
	if v.Orient.Rotation&1 == 1 {
		v.Orient.FlipV = !v.Orient.FlipV
	} else {
		v.Orient.FlipH = !v.Orient.FlipH
	}
	v.Refresh()
}

// FlipVertical mirrors the image top to bottom (as shown).
func (v *Viewer) FlipVertical() {
	if v.Orient.Rotation&1 == 1 {
		v.Orient.FlipH = !v.Orient.FlipH
	} else {
		v.Orient.FlipV = !v.Orient.FlipV
	}
	v.Refresh()
}

// Play runs the stack as a cine loop at fps frames a second (the frame time
// of the object when fps <= 0) until Stop.
func (v *Viewer) Play(fps float64) {
	v.Stop()
	if v.Len() < 2 {
		return
	}
	if fps <= 0 {
		fps = 15
		if f := v.Frame(); f != nil && f.Info.FrameTime > 0 {
			fps = 1000 / f.Info.FrameTime
		}
	}
	fps = math.Max(1, math.Min(60, fps))
	stop := make(chan struct{})
	v.mu.Lock()
	v.cineStop = stop
	v.mu.Unlock()
	v.Refresh()
	go func() {
		t := time.NewTicker(time.Duration(float64(time.Second) / fps))
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				shown := make(chan struct{})
				v.do(func() {
					defer close(shown)
					select {
					case <-stop:
						return
					default:
					}
					v.SetIndex((v.Index + 1) % v.Len())
				})
				select { // one frame at a time, however slow the UI
				case <-shown:
				case <-stop:
					return
				}
			}
		}
	}()
}

// Stop ends cine (and the overlay stops saying "Cine").
func (v *Viewer) Stop() {
	v.mu.Lock()
	was := v.cineStop != nil
	if was {
		close(v.cineStop)
		v.cineStop = nil
	}
	v.mu.Unlock()
	if was {
		v.Refresh()
	}
}

// Playing reports whether cine runs.
func (v *Viewer) Playing() bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.cineStop != nil
}

// Close stops cine and the background loader.
func (v *Viewer) Close() { _ = v.SetSeries(nil, nil) }

// Distance returns a measurement's length (A to B) in mm, or in pixels
// with mm=false when the frame has no pixel spacing.
func (v *Viewer) Distance(m Measurement) (d float64, mm bool) {
	dx, dy := m.B[0]-m.A[0], m.B[1]-m.A[1]
	if ps, ok := v.spacing(); ok {
		return math.Hypot(dx*ps[1], dy*ps[0]), true
	}
	return math.Hypot(dx, dy), false
}

// spacing is the frame's row and column spacing in mm, when known.
func (v *Viewer) spacing() ([2]float64, bool) {
	if f := v.Frame(); f != nil && f.Info.PixelSpacing[0] > 0 && f.Info.PixelSpacing[1] > 0 {
		return f.Info.PixelSpacing, true // row spacing (vertical), column spacing (horizontal)
	}
	return [2]float64{1, 1}, false
}

// AngleDegrees returns an angle measurement's angle at B in degrees, on
// the patient (pixel spacing applied, so non-square pixels measure right);
// ok is false until the second arm is drawn.
func (v *Viewer) AngleDegrees(m Measurement) (deg float64, ok bool) {
	if !m.Angle || !m.HasC {
		return 0, false
	}
	ps, _ := v.spacing()
	ax, ay := (m.A[0]-m.B[0])*ps[1], (m.A[1]-m.B[1])*ps[0]
	cx, cy := (m.C[0]-m.B[0])*ps[1], (m.C[1]-m.B[1])*ps[0]
	la, lc := math.Hypot(ax, ay), math.Hypot(cx, cy)
	if la == 0 || lc == 0 {
		return 0, false
	}
	cos := math.Max(-1, math.Min(1, (ax*cx+ay*cy)/(la*lc)))
	return math.Acos(cos) * 180 / math.Pi, true
}

// Image renders the frame on screen at the current window, unscaled
// (*image.Gray or *image.RGBA); nil when nothing is loaded.
func (v *Viewer) Image() image.Image {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.sourceLocked()
}

// sourceLocked renders the current frame when the frame or window changed.
func (v *Viewer) sourceLocked() image.Image {
	f := v.frame
	if f == nil {
		return nil
	}
	if v.src != nil && v.srcIndex == v.Index && v.srcWindow == v.Window && v.src.Bounds().Dx() == f.Info.Desc.Columns && v.src.Bounds().Dy() == f.Info.Desc.Rows {
		return v.src
	}
	r, err := v.rendererLocked(rendererKey(f.Info.Desc), f.Info.Desc)
	if err != nil {
		v.Err = err
		return nil
	}
	d := f.Info.Desc
	rect := image.Rect(0, 0, d.Columns, d.Rows)
	if d.Grey() {
		g, ok := v.src.(*image.Gray)
		if !ok || g.Rect != rect {
			g = image.NewGray(rect)
		}
		if r.Window() != v.Window {
			r.SetWindow(v.Window)
		}
		if err := r.RenderGrayInto(g, f.Data); err != nil {
			v.Err = err
			return nil
		}
		v.src = g
	} else {
		c, ok := v.src.(*image.RGBA)
		if !ok || c.Rect != rect {
			c = image.NewRGBA(rect)
		}
		if err := r.RenderRGBAInto(c, f.Data); err != nil {
			v.Err = err
			return nil
		}
		v.src = c
	}
	v.srcIndex, v.srcWindow = v.Index, v.Window
	return v.src
}
