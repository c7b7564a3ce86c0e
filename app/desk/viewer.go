package desk

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"discdesk/app/library"
)

// studyViewer shows one study's images, series by series, with previous
// and next buttons. It stands in for the viewer widget (viewer/...) until
// that exists: a canvas.Image of viewer/render's output.
type studyViewer struct {
	d       *Desk
	imgs    *images
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
	if allowed != nil && !allowed(uid) {
		v.content = name(d, "viewer.denied", widget.NewLabel("Not available."))
		return v
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
		v.content = name(d, "viewer.none", widget.NewLabel("This study has no images to show."))
		return v
	}
	v.ii = len(v.series[0]) / 2
	v.show()
	controls := container.NewHBox(prev, v.pos, next, layoutSpacer(), widget.NewLabel("Series"), seriesBox)
	if large {
		controls = container.NewGridWithColumns(3, prev, v.pos, next)
		v.content = container.NewBorder(nil, container.NewVBox(controls, seriesBox), nil, nil, name(d, "viewer.image", v.img))
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
		v.pos.SetText("This image cannot be shown.")
		v.img.Image = nil
		v.img.Refresh()
		return
	}
	v.img.Image = img
	v.img.Refresh()
	v.pos.SetText(fmt.Sprintf("Series %d · image %d of %d", v.si+1, v.ii+1, len(s)))
}
