package discview

import (
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

	presets  *widget.Select
	split    *container.Split
	syncing  bool
	targetRG *widget.RadioGroup
}

// NewScreen builds the screen for d.
func NewScreen(a fyne.App, d *study.Disc) *Screen {
	s := &Screen{App: a, Disc: d, Sync: true}
	s.Panes = [2]*Pane{newPane(), newPane()}
	s.Strip = imageview.NewSeriesStrip(d, func(se *study.Series) { s.Show(s.Target, se) })
	s.Strip.LoadThumbnails(d)
	for i := range s.Panes {
		i := i
		s.Panes[i].Viewer.OnIndexChanged = func(idx int) { s.follow(i, idx) }
	}
	tools := widget.NewSelect(imageview.Tools, func(t string) {
		for j, n := range imageview.Tools {
			if n == t {
				for _, p := range s.Panes {
					p.Viewer.SetTool(imageview.Tool(j))
				}
			}
		}
	})
	tools.SetSelectedIndex(0)
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
	cine := widget.NewButton("Cine", func() {
		v := s.Panes[s.Target].Viewer
		if v.Playing() {
			v.Stop()
		} else {
			v.Play(0)
		}
	})
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
	bar := container.NewHBox(widget.NewLabel("Drag:"), tools, s.presets, fit, cine, side, sync, s.targetRG)
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

// Show opens se in pane i: its images in the viewer, or its report.
func (s *Screen) Show(i int, se *study.Series) {
	p := s.Panes[i]
	s.Strip.Select(se)
	if len(se.Images()) > 0 {
		p.Box.Objects = []fyne.CanvasObject{p.Viewer}
		p.Box.Refresh()
		_ = p.Viewer.SetSeries(s.Disc, se) // the error shows in the overlay
		s.updatePresets()
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

// SetSideBySide shows or hides the second pane.
func (s *Screen) SetSideBySide(b bool) {
	s.SideBySide = b
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
