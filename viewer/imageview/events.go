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
	case ToolMeasure:
		f := v.Frame()
		if f == nil {
			return
		}
		p := v.placement()
		end := p.toImage(ev.Position)
		if !v.measuring {
			start := p.toImage(ev.Position.Subtract(fyne.NewPos(ev.Dragged.DX, ev.Dragged.DY)))
			v.Measurements = append(v.Measurements, Measurement{Index: v.Index, A: start, B: end})
			v.measuring = true
		} else {
			v.Measurements[len(v.Measurements)-1].B = end
		}
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
	return place(v.Size(), f.Info.Desc.Columns, f.Info.Desc.Rows, v.Zoom, v.Pan)
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

// TypedRune: + and - zoom, 0 fits, 1-9 apply window presets, space toggles
// cine, m measures, s scrolls, w windows, p pans.
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
		v.Tool = ToolMeasure
	case r == 's':
		v.Tool = ToolScroll
	case r == 'w':
		v.Tool = ToolWindow
	case r == 'p':
		v.Tool = ToolPan
	}
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
	}
}
