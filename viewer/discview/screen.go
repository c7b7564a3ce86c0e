package discview

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"discdesk/viewer/imageview"
	"discdesk/viewer/study"
)

// Pane is one side of the screen: a viewer, or a report in its place.
type Pane struct {
	Viewer *imageview.Viewer
	Box    *fyne.Container
}

func newPane() *Pane {
	v := imageview.NewViewer()
	return &Pane{Viewer: v, Box: container.NewStack(v)}
}

// Screen is the disc viewer's window content: the series strip, a toolbar
// and one or two panes.
type Screen struct {
	App     fyne.App
	Disc    *study.Disc
	Strip   *imageview.SeriesStrip
	Panes   [2]*Pane
	Content fyne.CanvasObject
	// Target is the pane a tapped series opens in (1 only side by side).
	Target int
	// SideBySide shows the second pane; Sync scrolls the panes together.
	SideBySide, Sync bool

	presets *widget.Select
	// ToolPicker shows and sets the drag tool of both panes.
	ToolPicker *widget.Select
	cine       *widget.Button
	split      *container.Split
	syncing    bool
	targetRG   *widget.RadioGroup
	// Notice says why a request was refused (another patient's series
	// beside this one); empty when all is well.
	Notice *widget.Label
	help   *widget.PopUp
}

// NewScreen builds the screen for d.
func NewScreen(a fyne.App, d *study.Disc) *Screen {
	s := &Screen{App: a, Disc: d, Sync: true}
	s.Panes = [2]*Pane{newPane(), newPane()}
	s.Strip = imageview.NewSeriesStrip(d, func(se *study.Series) { s.Show(s.Target, se) })
	s.Strip.LoadThumbnails(d)
	for i := range s.Panes {
		i := i
		v := s.Panes[i].Viewer
		v.OnIndexChanged = func(idx int) { s.follow(i, idx) }
		v.OnToolChanged = func(t imageview.Tool) { s.setTool(t) }
		v.OnHelp = s.ShowHelp
	}
	s.ToolPicker = widget.NewSelect(imageview.Tools, func(t string) {
		for j, n := range imageview.Tools {
			if n == t {
				s.setTool(imageview.Tool(j))
			}
		}
	})
	s.ToolPicker.SetSelectedIndex(0)
	s.presets = widget.NewSelect(nil, func(string) {
		v := s.Panes[s.Target].Viewer
		_ = v.ApplyPreset(s.presets.SelectedIndex())
	})
	s.presets.PlaceHolder = "Window preset"
	fit := widget.NewButton("Fit", func() {
		for _, p := range s.Panes {
			p.Viewer.Fit()
		}
	})
	s.cine = widget.NewButton("Cine", nil)
	s.cine.OnTapped = func() {
		v := s.Panes[s.Target].Viewer
		if v.Playing() {
			v.Stop()
		} else {
			v.Play(0)
		}
		s.updateCine()
	}
	rotate := widget.NewButton("Rotate", func() { s.Panes[s.Target].Viewer.Rotate() })
	flipH := widget.NewButton("Mirror", func() { s.Panes[s.Target].Viewer.FlipHorizontal() })
	help := widget.NewButton("?", s.ShowHelp)
	s.Notice = widget.NewLabel("")
	s.Notice.Wrapping = fyne.TextWrapWord
	s.Notice.Hide()
	s.targetRG = widget.NewRadioGroup([]string{"Left", "Right"}, func(t string) {
		s.Target = 0
		if t == "Right" {
			s.Target = 1
		}
		s.updatePresets()
	})
	s.targetRG.Horizontal = true
	s.targetRG.SetSelected("Left")
	s.targetRG.Hide()
	sync := widget.NewCheck("Sync", func(b bool) { s.Sync = b })
	sync.SetChecked(true)
	sync.Hide()
	side := widget.NewCheck("Side by side", func(b bool) {
		s.SetSideBySide(b)
		if b {
			s.targetRG.Show()
			sync.Show()
		} else {
			s.targetRG.Hide()
			sync.Hide()
		}
	})
	bar := container.NewVBox(container.NewHBox(widget.NewLabel("Drag:"), s.ToolPicker, s.presets, fit, rotate, flipH, s.cine, side, sync, s.targetRG, help), s.Notice)
	s.split = container.NewHSplit(s.Panes[0].Box, s.Panes[1].Box)
	s.split.Offset = 1
	s.Panes[1].Box.Hide()
	left := container.NewVScroll(s.Strip.Box)
	left.SetMinSize(fyne.NewSize(imageview.ThumbSide+40, 100))
	s.Content = container.NewBorder(bar, nil, left, nil, s.split)
	return s
}

// ShowFirst shows the first series with images (the first report when there
// are none).
func (s *Screen) ShowFirst() {
	all := s.Disc.Series()
	for _, se := range all {
		if len(se.Images()) > 0 {
			s.Show(0, se)
			return
		}
	}
	if len(all) > 0 {
		s.Show(0, all[0])
	}
}

// Show opens se in pane i: its images in the viewer, or its report. Side
// by side, a series of another patient than the other pane's is refused
// (IHE BIR: never two patients on screen together) and Notice says so.
func (s *Screen) Show(i int, se *study.Series) {
	p := s.Panes[i]
	if s.SideBySide {
		if other := s.Panes[1-i].Viewer.Series; other != nil && !samePatient(other, se) {
			s.Notice.SetText("That series belongs to another patient. Turn off side by side to look at it: two patients are never shown together.")
			s.Notice.Show()
			return
		}
	}
	s.Notice.Hide()
	s.Strip.Select(se)
	if len(se.Images()) > 0 {
		p.Box.Objects = []fyne.CanvasObject{p.Viewer}
		p.Box.Refresh()
		_ = p.Viewer.SetSeries(s.Disc, se) // the error shows in the overlay
		p.Viewer.SetTool(imageview.Tool(s.ToolPicker.SelectedIndex()))
		s.updatePresets()
		s.updateCine()
		s.focus(p.Viewer)
		return
	}
	p.Viewer.Close()
	var obj fyne.CanvasObject = widget.NewLabel("Nothing to show in this series.")
	if r := se.Reports(); len(r) > 0 {
		obj = imageview.NewReportView(s.Disc, r[0], s.App.OpenURL)
	}
	p.Box.Objects = []fyne.CanvasObject{obj}
	p.Box.Refresh()
}

func (s *Screen) updatePresets() {
	var names []string
	for _, w := range s.Panes[s.Target].Viewer.Presets() {
		names = append(names, w.String())
	}
	s.presets.Options = names
	s.presets.ClearSelected()
	s.presets.Refresh()
}

// samePatient says whether two series are of one patient: the Patient ID
// and the name must agree.
func samePatient(a, b *study.Series) bool {
	pa, pb := patientOf(a), patientOf(b)
	if pa == nil || pb == nil {
		return pa == pb
	}
	return pa == pb || (pa.ID == pb.ID && strings.EqualFold(strings.TrimSpace(pa.Name), strings.TrimSpace(pb.Name)))
}

func patientOf(se *study.Series) *study.Patient {
	if se == nil || se.Study == nil {
		return nil
	}
	return se.Study.Patient
}

// setTool selects the drag tool in both panes and the toolbar.
func (s *Screen) setTool(t imageview.Tool) {
	for _, p := range s.Panes {
		if p.Viewer.Tool != t {
			p.Viewer.SetTool(t)
		}
	}
	if s.ToolPicker.SelectedIndex() != int(t) {
		s.ToolPicker.SetSelectedIndex(int(t))
	}
}

// updateCine names what the cine button will do.
func (s *Screen) updateCine() {
	if s.Panes[s.Target].Viewer.Playing() {
		s.cine.SetText("Stop cine")
	} else {
		s.cine.SetText("Cine")
	}
}

// focus gives v the keyboard, so arrow keys page at once.
func (s *Screen) focus(v *imageview.Viewer) {
	if c := fyne.CurrentApp().Driver().CanvasForObject(s.Content); c != nil {
		c.Focus(v)
	}
}

// Focus gives the target pane's viewer the keyboard (call it once the
// content is in a window).
func (s *Screen) Focus() { s.focus(s.Panes[s.Target].Viewer) }

// HelpText is the text of the help overlay: every mouse action and key.
func HelpText() string {
	var b strings.Builder
	for _, h := range imageview.Help {
		b.WriteString(h.Action + ": " + h.How + "\n")
	}
	return b.String()
}

// ShowHelp shows the help overlay (every mouse action and key) over the
// window; a second call hides it.
func (s *Screen) ShowHelp() {
	if s.help != nil && s.help.Visible() {
		s.help.Hide()
		return
	}
	c := fyne.CurrentApp().Driver().CanvasForObject(s.Content)
	if c == nil {
		return
	}
	l := widget.NewLabel(HelpText())
	l.Wrapping = fyne.TextWrapWord
	title := widget.NewLabelWithStyle("How to use the viewer", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	var pop *widget.PopUp
	closeB := widget.NewButton("Close", func() { pop.Hide() })
	pop = widget.NewModalPopUp(container.NewBorder(title, closeB, nil, nil, container.NewVScroll(l)), c)
	sz := c.Size()
	pop.Resize(fyne.NewSize(min(640, sz.Width-40), min(520, sz.Height-40)))
	s.help = pop
	pop.Show()
}

// HelpShown says whether the help overlay is on screen.
func (s *Screen) HelpShown() bool { return s.help != nil && s.help.Visible() }

// SetSideBySide shows or hides the second pane; both panes fit their
// image again, since each has half the room it had.
func (s *Screen) SetSideBySide(b bool) {
	s.SideBySide = b
	defer func() {
		for _, p := range s.Panes {
			p.Viewer.Fit()
		}
	}()
	if b {
		s.Panes[1].Box.Show()
		s.split.SetOffset(0.5)
		if s.Panes[1].Viewer.Series == nil {
			s.Show(1, s.Panes[0].Viewer.Series)
		}
	} else {
		s.Panes[1].Box.Hide()
		s.split.SetOffset(1)
		s.Target = 0
	}
}

// follow scrolls the other pane to the same relative position.
func (s *Screen) follow(from, idx int) {
	if !s.Sync || !s.SideBySide || s.syncing {
		return
	}
	a, b := s.Panes[from].Viewer, s.Panes[1-from].Viewer
	if a.Len() < 2 || b.Len() == 0 {
		return
	}
	s.syncing = true
	defer func() { s.syncing = false }()
	b.SetIndex(idx * (b.Len() - 1) / (a.Len() - 1))
}

// Close stops both panes' loaders.
func (s *Screen) Close() {
	for _, p := range s.Panes {
		p.Viewer.Close()
	}
}
