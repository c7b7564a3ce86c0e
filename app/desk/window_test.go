package desk

import (
	"image"
	"testing"

	"fyne.io/fyne/v2"
)

func TestFitWindow(t *testing.T) {
	for _, c := range []struct {
		saved  fyne.Size
		screen image.Rectangle
		want   fyne.Size
	}{
		{fyne.Size{}, image.Rect(0, 0, 1920, 1080), fyne.NewSize(1200, 800)},
		{fyne.Size{}, image.Rect(0, 0, 1366, 768), fyne.NewSize(1200, 688)},
		{fyne.Size{}, image.Rect(0, 0, 1280, 720), fyne.NewSize(1200, 640)},
		{fyne.NewSize(1000, 700), image.Rect(0, 0, 1920, 1080), fyne.NewSize(1000, 700)},
		{fyne.NewSize(1900, 1000), image.Rect(0, 0, 1366, 768), fyne.NewSize(1366, 688)},
		{fyne.NewSize(1000, 700), image.Rectangle{}, fyne.NewSize(1000, 700)},
		{fyne.NewSize(10, 10), image.Rectangle{}, fyne.NewSize(1200, 800)},
	} {
		if got := fitWindow(c.saved, c.screen); got != c.want {
			t.Errorf("fitWindow(%v, %v) = %v, want %v", c.saved, c.screen, got, c.want)
		}
	}
}
