package imageview_test

import (
	"image"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"discdesk/viewer/imageview"
	"discdesk/viewer/study"
	"discdesk/viewer/study/studytest"
)

// BenchmarkOpenToFirstImage opens a 500-slice CT folder (no DICOMDIR: every
// header is read) and shows its first image in a 1024x768 viewer.
func BenchmarkOpenToFirstImage(b *testing.B) {
	dir := studytest.CTSeries(b, b.TempDir(), 500)
	test.NewTempApp(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d, err := study.Open(dir)
		if err != nil {
			b.Fatal(err)
		}
		v := imageview.NewViewer()
		w := test.NewWindow(v)
		w.Resize(fyne.NewSize(1024, 768))
		if err := v.SetSeries(d, d.Series()[0]); err != nil {
			b.Fatal(err)
		}
		if v.Len() != 500 || imageview.Compose(v, 1024, 768) == nil {
			b.Fatal("no first image")
		}
		b.StopTimer()
		v.Close()
		w.Close()
		b.StartTimer()
	}
}

// BenchmarkScrollFrame is one step of stack scrolling with frames cached:
// the frame through the window LUT and scaled into a 1024x768 raster.
func BenchmarkScrollFrame(b *testing.B) {
	dir := studytest.CTSeries(b, b.TempDir(), 50)
	test.NewTempApp(b)
	d, err := study.Open(dir)
	if err != nil {
		b.Fatal(err)
	}
	v := imageview.NewViewer()
	w := test.NewWindow(v)
	w.Resize(fyne.NewSize(1024, 768))
	defer w.Close()
	defer v.Close()
	if err := v.SetSeries(d, d.Series()[0]); err != nil {
		b.Fatal(err)
	}
	for i := 0; i < v.Len(); i++ {
		if _, err := v.Stack().Get(i); err != nil {
			b.Fatal(err)
		}
	}
	var img image.Image
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		v.SetIndex(i % v.Len())
		img = imageview.Compose(v, 1024, 768)
	}
	if img == nil {
		b.Fatal("nothing rendered")
	}
}
