package imageview

import (
	"math"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
)

// Interfaces the viewer implements for input.
var (
	_ fyne.Scrollable     = (*Viewer)(nil)
	_ fyne.Draggable      = (*Viewer)(nil)
	_ fyne.Focusable      = (*Viewer)(nil)
	_ fyne.Tappable       = (*Viewer)(nil)
	_ desktop.Mouseable   = (*Viewer)(nil)
	_ desktop.Hoverable   = (*Viewer)(nil)
	_ fyne.DoubleTappable = (*Viewer)(nil)
)

// dragStep is how far (widget units) a scroll drag moves one frame.
const dragStep = 6

// Scrolled pages through the stack: one frame per wheel notch, towards the
// end when the wheel turns down.
func (v *Viewer) Scrolled(ev *fyne.ScrollEvent) {
	switch {
	case ev.Scrolled.DY < 0:
		v.ScrollBy(1)
	case ev.Scrolled.DY > 0:
		v.ScrollBy(-1)
	}
}

// MouseDown records which button a drag is made with.
func (v *Viewer) MouseDown(ev *desktop.MouseEvent) {
	v.button = ev.Button
	v.lastMouse = ev.Position
}

// MouseUp ends a right-drag.
func (v *Viewer) MouseUp(*desktop.MouseEvent) { v.button = 0 }

// MouseIn implements desktop.Hoverable.
func (v *Viewer) MouseIn(ev *desktop.MouseEvent) { v.lastMouse = ev.Position }

// MouseOut implements desktop.Hoverable.
func (v *Viewer) MouseOut() {}

// MouseMoved drives right-drag window/level: Fyne sends no drag events for
// the secondary button.
func (v *Viewer) MouseMoved(ev *desktop.MouseEvent) {
	if ev.Button&desktop.MouseButtonSecondary != 0 || (ev.Button == 0 && v.button == desktop.MouseButtonSecondary) {
		d := ev.Position.Subtract(v.lastMouse)
		v.windowBy(d.X, d.Y)
	}
	v.lastMouse = ev.Position
}

// windowBy changes the window by a drag of (dx, dy) widget units: right
// widens, down raises the centre (the image darkens), scaled to the width.
func (v *Viewer) windowBy(dx, dy float32) {
	f := v.Frame()
	if f == nil || !f.Info.Desc.Grey() {
		return
	}
	w := v.Window
	k := math.Max(1, w.Width/256)
	w.Width = math.Max(1, w.Width+float64(dx)*k)
	w.Center += float64(dy) * k
	w.Explanation = ""
	v.SetWindow(w)
}

// Dragged acts by the button and tool: middle-drag pans; primary drag
// scrolls, windows, pans, zooms or measures as Tool says.
func (v *Viewer) Dragged(ev *fyne.DragEvent) {
	tool := v.Tool
	switch v.button {
	case desktop.MouseButtonTertiary:
		tool = ToolPan
	case desktop.MouseButtonSecondary:
		tool = ToolWindow
	}
	switch tool {
	case ToolScroll:
		v.dragAcc += ev.Dragged.DY
		for v.dragAcc >= dragStep {
			v.dragAcc -= dragStep
			v.ScrollBy(1)
		}
		for v.dragAcc <= -dragStep {
			v.dragAcc += dragStep
			v.ScrollBy(-1)
		}
	case ToolWindow:
		v.windowBy(ev.Dragged.DX, ev.Dragged.DY)
	case ToolPan:
		v.Pan = v.Pan.Add(fyne.NewPos(ev.Dragged.DX, ev.Dragged.DY))
		v.Refresh()
	case ToolZoom:
		v.SetZoom(v.Zoom * float32(math.Exp(-float64(ev.Dragged.DY)/150)))
	case ToolMeasure, ToolAngle:
		if v.Frame() == nil {
			return
		}
		p := v.placement()
		end := p.clampImage(p.toImage(ev.Position))
		if v.measuring {
			m := &v.Measurements[len(v.Measurements)-1]
			if m.HasC {
				m.C = end
			} else {
				m.B = end
			}
			v.Refresh()
			return
		}
		v.measuring = true
		start := p.clampImage(p.toImage(ev.Position.Subtract(fyne.NewPos(ev.Dragged.DX, ev.Dragged.DY))))
		if n := len(v.Measurements); tool == ToolAngle && n > 0 {
			// The second drag of an angle draws its second arm from the
			// first arm's end.
			if m := &v.Measurements[n-1]; m.Angle && !m.HasC && m.Index == v.Index {
				m.C, m.HasC = end, true
				v.Refresh()
				return
			}
		}
		v.Measurements = append(v.Measurements, Measurement{Index: v.Index, A: start, B: end, Angle: tool == ToolAngle})
		v.Refresh()
	}
}

// DragEnd finishes a drag.
func (v *Viewer) DragEnd() {
	v.dragAcc, v.measuring = 0, false
	if v.button != desktop.MouseButtonSecondary {
		v.button = 0
	}
}

// placement is where the current frame lies in the widget.
func (v *Viewer) placement() placement {
	f := v.Frame()
	if f == nil {
		return placement{s: 1}
	}
	return place(v.Size(), f.Info.Desc.Columns, f.Info.Desc.Rows, v.Zoom, v.Pan, v.Orient)
}

// Tapped takes the keyboard focus.
func (v *Viewer) Tapped(*fyne.PointEvent) {
	if c := fyne.CurrentApp().Driver().CanvasForObject(v); c != nil {
		c.Focus(v)
	}
}

// DoubleTapped fits the image.
func (v *Viewer) DoubleTapped(*fyne.PointEvent) { v.Fit() }

// FocusGained implements fyne.Focusable.
func (v *Viewer) FocusGained() {}

// FocusLost implements fyne.Focusable.
func (v *Viewer) FocusLost() {}

// TypedRune: see Help.
func (v *Viewer) TypedRune(r rune) {
	switch {
	case r == '+' || r == '=':
		v.SetZoom(v.Zoom * 1.25)
	case r == '-':
		v.SetZoom(v.Zoom / 1.25)
	case r == '0':
		v.Fit()
	case r >= '1' && r <= '9':
		_ = v.ApplyPreset(int(r - '1'))
	case r == ' ':
		if v.Playing() {
			v.Stop()
		} else {
			v.Play(0)
		}
	case r == 'm':
		v.SetTool(ToolMeasure)
	case r == 'a':
		v.SetTool(ToolAngle)
	case r == 's':
		v.SetTool(ToolScroll)
	case r == 'w':
		v.SetTool(ToolWindow)
	case r == 'p':
		v.SetTool(ToolPan)
	case r == 'z':
		v.SetTool(ToolZoom)
	case r == 'r':
		v.Rotate()
	case r == 'h':
		v.FlipHorizontal()
	case r == 'v':
		v.FlipVertical()
	case r == 'c':
		v.ClearMeasurements()
	case r == 'i':
		v.HideOverlay = !v.HideOverlay
		v.Refresh()
	case r == '?':
		if v.OnHelp != nil {
			v.OnHelp()
		}
	}
}

// ClearMeasurements removes the measurements of the frame on screen.
func (v *Viewer) ClearMeasurements() {
	kept := v.Measurements[:0]
	for _, m := range v.Measurements {
		if m.Index != v.Index {
			kept = append(kept, m)
		}
	}
	v.Measurements = kept
	v.Refresh()
}

// HelpLine is one line of the viewer's help: an action and what does it.
type HelpLine struct{ Action, How string }

// Help lists every mouse action and key of the viewer, for a help overlay.
var Help = []HelpLine{
	{"Page through the images", "mouse wheel, arrow keys, Page Up/Down, Home/End, or drag with the Scroll tool"},
	{"Window/level", "right-drag: right widens the window, up lowers the centre (brighter); or the Window tool"},
	{"Window presets", "the preset list, or keys 1-9"},
	{"Pan", "middle-drag, or the Pan tool (p)"},
	{"Zoom", "+ and -, or the Zoom tool (z); double-click or 0 fits the image"},
	{"Rotate / mirror", "r turns a quarter turn clockwise; h mirrors left-right; v mirrors top-bottom"},
	{"Measure a distance", "the Measure tool (m), then drag; shown in mm when the image says its pixel spacing"},
	{"Measure an angle", "the Angle tool (a): drag the first arm, then drag the second arm from its end"},
	{"Clear measurements", "c"},
	{"Cine", "space starts and stops the loop"},
	{"Scroll tool", "s"},
	{"Window tool", "w"},
	{"Hide or show the text overlay", "i"},
	{"This help", "? or F1"},
}

// TypedKey: arrows and Page Up/Down page through the stack, Home and End
// jump to its ends.
func (v *Viewer) TypedKey(ev *fyne.KeyEvent) {
	switch ev.Name {
	case fyne.KeyDown, fyne.KeyRight:
		v.ScrollBy(1)
	case fyne.KeyUp, fyne.KeyLeft:
		v.ScrollBy(-1)
	case fyne.KeyPageDown:
		v.ScrollBy(10)
	case fyne.KeyPageUp:
		v.ScrollBy(-10)
	case fyne.KeyHome:
		v.SetIndex(0)
	case fyne.KeyEnd:
		v.SetIndex(v.Len() - 1)
	case fyne.KeyF1:
		if v.OnHelp != nil {
			v.OnHelp()
		}
	}
}
