package desk

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"discdesk/app/library"
	"discdesk/viewer/imageview"
	"discdesk/viewer/study"
)

// studyViewer shows one study's images, series by series, with previous
// and next buttons: viewer/imageview's widget on a medium holding only that
// study's files, or, when that cannot open, a canvas.Image of
// viewer/render's output.
type studyViewer struct {
	d       *Desk
	disc    *study.Disc       // the study as the viewer widget's medium
	view    *imageview.Viewer // the viewer widget, when the study opened
	wseries []*study.Series   // its series with images
	imgs    *images
	lang    string // the kiosk's language ("" = English)
	series  [][]library.Instance
	si, ii  int
	img     *canvas.Image
	pos     *widget.Label
	content fyne.CanvasObject
}

// newStudyViewer builds the viewer; allowed, when set, must accept uid or
// the viewer shows nothing (the kiosk's guard). touch is called on every
// button press (the kiosk's idle timer).
func newStudyViewer(d *Desk, imgs *images, uid string, large bool, allowed func(string) bool, touch ...func()) *studyViewer {
	v := &studyViewer{d: d, imgs: imgs}
	if d.kiosk != nil {
		v.lang = d.kiosk.lang // the kiosk's language; staff screens are English
	}
	if allowed != nil && !allowed(uid) {
		v.content = name(d, "viewer.denied", widget.NewLabel(tr(v.lang, "notfound")))
		return v
	}
	if disc, err := imgs.studyDisc(uid); err == nil {
		v.disc = disc
		for _, se := range disc.Series() {
			if len(se.Images()) > 0 {
				v.wseries = append(v.wseries, se)
			}
		}
		if len(v.wseries) > 0 {
			return v.widgetViewer(large, touch)
		}
	}
	v.series = imgs.imageInstances(uid)
	v.img = canvas.NewImageFromImage(nil)
	v.img.FillMode = canvas.ImageFillContain
	v.img.SetMinSize(fyne.NewSize(320, 320))
	v.pos = name(d, "viewer.position", widget.NewLabel(""))
	tap := func(f func()) func() {
		return func() {
			for _, t := range touch {
				t()
			}
			f()
		}
	}
	prev := name(d, "viewer.prev", widget.NewButton("◀", tap(func() { v.step(-1) })))
	next := name(d, "viewer.next", widget.NewButton("▶", tap(func() { v.step(1) })))
	seriesBox := container.NewHBox()
	for i := range v.series {
		i := i
		seriesBox.Add(name(d, fmt.Sprintf("viewer.series.%d", i+1), widget.NewButton(fmt.Sprintf("%d", i+1), tap(func() { v.si, v.ii = i, len(v.series[i])/2; v.show() }))))
	}
	if large {
		prev.Importance, next.Importance = widget.HighImportance, widget.HighImportance
	}
	if len(v.series) == 0 {
		v.content = name(d, "viewer.none", widget.NewLabel(tr(v.lang, "noimages")))
		return v
	}
	v.ii = len(v.series[0]) / 2
	v.show()
	controls := container.NewHBox(prev, v.pos, next, layoutSpacer(), widget.NewLabel(tr(v.lang, "series")), seriesBox)
	if large {
		controls = container.NewGridWithColumns(3, prev, v.pos, next)
		v.content = container.NewBorder(nil, container.NewVBox(controls, container.NewHBox(widget.NewLabel(tr(v.lang, "series")), seriesBox)), nil, nil, name(d, "viewer.image", v.img))
		return v
	}
	v.content = container.NewBorder(nil, controls, nil, nil, name(d, "viewer.image", v.img))
	return v
}

func (v *studyViewer) step(n int) {
	if len(v.series) == 0 {
		return
	}
	v.ii += n
	if v.ii < 0 {
		v.ii = 0
	}
	if last := len(v.series[v.si]) - 1; v.ii > last {
		v.ii = last
	}
	v.show()
}

func (v *studyViewer) show() {
	s := v.series[v.si]
	img, err := v.imgs.render(s[v.ii])
	if err != nil {
		v.pos.SetText(tr(v.lang, "cantshow"))
		v.img.Image = nil
		v.img.Refresh()
		return
	}
	v.img.Image = img
	v.img.Refresh()
	v.pos.SetText(fmt.Sprintf(tr(v.lang, "position"), v.si+1, v.ii+1, len(s)))
}

// widgetViewer lays out the viewer widget with large step buttons.
func (v *studyViewer) widgetViewer(large bool, touch []func()) *studyViewer {
	d := v.d
	v.view = imageview.NewViewer()
	v.view.Do = d.uiDo // its loader reaches the screen the way the desk's other work does
	// The kiosk shows the patient's overlay in the kiosk's language: their
	// own name, study, series, image n of N and the window's name, none of
	// the staff's items (kioskOverlay). Staff screens keep the English one.
	if d.kiosk != nil {
		v.view.Words = kioskWords(v.lang)
		// The overlay grows with the kiosk's large text.
		v.view.TextSize = imageview.OverlayTextSize * d.kiosk.theme.Size(theme.SizeNameText) / theme.DefaultTheme().Size(theme.SizeNameText)
	}
	v.pos = name(d, "viewer.position", widget.NewLabel(""))
	// One counter: the label follows the widget's index however it moved
	// (buttons, wheel, keys) and its length however it changed (another
	// series, a multi-frame image's frames learnt after layout), so it
	// never disagrees with the overlay.
	v.view.OnIndexChanged = func(int) { v.showWidget() }
	v.view.OnCountChanged = func(int) { v.showWidget() }
	tap := func(f func()) func() {
		return func() {
			for _, t := range touch {
				t()
			}
			f()
			v.showWidget()
		}
	}
	prev := name(d, "viewer.prev", widget.NewButton("◀", tap(func() { v.view.ScrollBy(-1) })))
	next := name(d, "viewer.next", widget.NewButton("▶", tap(func() { v.view.ScrollBy(1) })))
	seriesBox := container.NewHBox()
	for i := range v.wseries {
		i := i
		seriesBox.Add(name(d, fmt.Sprintf("viewer.series.%d", i+1), widget.NewButton(fmt.Sprintf("%d", v.seriesNumber(i)), tap(func() { v.setWidgetSeries(i) }))))
	}
	v.setWidgetSeries(0)
	v.showWidget()
	img := name(d, "viewer.image", v.view)
	if large {
		prev.Importance, next.Importance = widget.HighImportance, widget.HighImportance
		v.content = container.NewBorder(nil, container.NewVBox(container.NewGridWithColumns(3, prev, v.pos, next), container.NewHBox(widget.NewLabel(tr(v.lang, "series")), seriesBox)), nil, nil, img)
		return v
	}
	v.content = container.NewBorder(nil, container.NewHBox(prev, v.pos, next, layoutSpacer(), widget.NewLabel(tr(v.lang, "series")), seriesBox), nil, nil, img)
	return v
}

func (v *studyViewer) setWidgetSeries(i int) {
	v.si = i
	_ = v.view.SetSeries(v.disc, v.wseries[i]) // an error shows in the widget's overlay
	v.view.SetIndex(v.view.Len() / 2)
}

// showWidget sets the counter from the widget itself: its series' number
// (the overlay's "CT 1") and its index and length (the overlay's "Im 21/40"),
// so the label and the overlay always show the same numbers.
func (v *studyViewer) showWidget() {
	v.pos.SetText(fmt.Sprintf(tr(v.lang, "position"), v.seriesNumber(v.si), v.view.Index+1, v.view.Len()))
}

// seriesNumber is the number the overlay gives series i (its Series
// Number), or its place in the list when it has none.
func (v *studyViewer) seriesNumber(i int) int {
	if i < len(v.wseries) && v.wseries[i].Number > 0 {
		return v.wseries[i].Number
	}
	return i + 1
}
