package desk

import (
	"image"

	"fyne.io/fyne/v2"
	"github.com/kbinani/screenshot"
)

// The desk window's size: the size staff left it at, else 1200x800, never
// larger than the screen it opens on (a 1366x768 or 1280x720 front-desk
// screen must show the bottom of every screen, buttons included).
const (
	prefWindowWidth  = "window.width"
	prefWindowHeight = "window.height"
	// screenMargin leaves room for a task bar and the window's title bar.
	screenMargin = 80
)

var defaultWindow = fyne.NewSize(1200, 800)

// fitWindow is the size to open at: saved (or the default when nothing was
// saved) shrunk to fit screen, less the margin; screen empty means unknown.
func fitWindow(saved fyne.Size, screen image.Rectangle) fyne.Size {
	sz := saved
	if sz.Width < 640 || sz.Height < 480 {
		sz = defaultWindow
	}
	if screen.Dx() > 0 && screen.Dy() > 0 {
		sz.Width = min(sz.Width, float32(screen.Dx()))
		sz.Height = min(sz.Height, float32(screen.Dy()-screenMargin))
	}
	return sz
}

// primaryScreen is the bounds of the first display (empty when there is
// none, as under some test drivers).
func primaryScreen() (r image.Rectangle) {
	defer func() {
		if recover() != nil {
			r = image.Rectangle{}
		}
	}()
	if screenshot.NumActiveDisplays() < 1 {
		return image.Rectangle{}
	}
	return screenshot.GetDisplayBounds(0)
}

// sizeWindow opens w at the remembered size fitted to the screen, and
// remembers the size it is closed at.
func sizeWindow(a fyne.App, w fyne.Window) {
	p := a.Preferences()
	saved := fyne.NewSize(float32(p.FloatWithFallback(prefWindowWidth, 0)), float32(p.FloatWithFallback(prefWindowHeight, 0)))
	w.Resize(fitWindow(saved, primaryScreen()))
	w.SetCloseIntercept(func() {
		sz := w.Canvas().Size()
		p.SetFloat(prefWindowWidth, float64(sz.Width))
		p.SetFloat(prefWindowHeight, float64(sz.Height))
		w.Close()
	})
}
