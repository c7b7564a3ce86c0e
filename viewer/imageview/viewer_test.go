package imageview_test

import (
	"bytes"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"

	"discdesk/viewer/imageview"
	"discdesk/viewer/study"
	"discdesk/viewer/study/studytest"
)

// ctViewer opens a generated n-slice CT series in a viewer in a test window.
func ctViewer(t *testing.T, n int) (*imageview.Viewer, fyne.Window) {
	t.Helper()
	test.NewTempApp(t)
	d, err := study.Open(studytest.CTSeries(t, t.TempDir(), n))
	if err != nil {
		t.Fatal(err)
	}
	v := imageview.NewViewer()
	w := test.NewWindow(v)
	w.Resize(fyne.NewSize(400, 400))
	if err := v.SetSeries(d, d.Series()[0]); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { v.Close(); w.Close() })
	return v, w
}

func sameImage(a, b image.Image) bool {
	if a == nil || b == nil || a.Bounds() != b.Bounds() {
		return false
	}
	for y := a.Bounds().Min.Y; y < a.Bounds().Max.Y; y++ {
		for x := a.Bounds().Min.X; x < a.Bounds().Max.X; x++ {
			r1, g1, b1, _ := a.At(x, y).RGBA()
			r2, g2, b2, _ := b.At(x, y).RGBA()
			if r1 != r2 || g1 != g2 || b1 != b2 {
				return false
			}
		}
	}
	return true
}

func clone(img image.Image) image.Image {
	var buf bytes.Buffer
	_ = png.Encode(&buf, img)
	out, _ := png.Decode(&buf)
	return out
}

func TestScrollChangesFrame(t *testing.T) {
	v, w := ctViewer(t, 12)
	if v.Len() != 12 || v.Index != 6 {
		t.Fatalf("Len %d Index %d, want the middle image (IHE BIR)", v.Len(), v.Index)
	}
	v.SetIndex(0)
	centre := fyne.NewPos(200, 200)
	test.Scroll(w.Canvas(), centre, 0, -10)
	if v.Index != 1 {
		t.Fatalf("wheel down: index %d, want 1", v.Index)
	}
	test.Scroll(w.Canvas(), centre, 0, 10)
	if v.Index != 0 {
		t.Fatalf("wheel up: index %d, want 0", v.Index)
	}
	w.Canvas().Focus(v)
	test.FocusNext(w.Canvas())
	v.TypedKey(&fyne.KeyEvent{Name: fyne.KeyDown})
	v.TypedKey(&fyne.KeyEvent{Name: fyne.KeyDown})
	if v.Index != 2 {
		t.Fatalf("two Down keys: index %d", v.Index)
	}
	v.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEnd})
	if v.Index != 11 || v.Frame().Info.Instance.Number != 12 {
		t.Fatalf("End: index %d instance %d", v.Index, v.Frame().Info.Instance.Number)
	}
	// Drag with the scroll tool: 6 units a frame.
	test.Drag(w.Canvas(), centre, 0, -30)
	if v.Index != 6 {
		t.Fatalf("drag up 30: index %d, want 6", v.Index)
	}
	var got []int
	v.OnIndexChanged = func(i int) { got = append(got, i) }
	v.ScrollBy(100)
	if v.Index != 11 || len(got) != 1 || got[0] != 11 {
		t.Errorf("ScrollBy past the end: index %d, callbacks %v", v.Index, got)
	}
}

func TestDragChangesWindow(t *testing.T) {
	v, w := ctViewer(t, 3)
	before := v.Window
	img0 := clone(v.Image())
	v.Tool = imageview.ToolWindow
	test.Drag(w.Canvas(), fyne.NewPos(200, 200), 50, 20)
	if v.Window.Width <= before.Width || v.Window.Center <= before.Center {
		t.Fatalf("window drag: %v -> %v, want wider and higher", before, v.Window)
	}
	if sameImage(img0, v.Image()) {
		t.Error("image unchanged after a window change")
	}
	// Right-drag: Fyne reports it as mouse moves with the secondary button.
	w2 := v.Window
	v.MouseDown(&desktop.MouseEvent{Button: desktop.MouseButtonSecondary, PointEvent: fyne.PointEvent{Position: fyne.NewPos(100, 100)}})
	v.MouseMoved(&desktop.MouseEvent{Button: desktop.MouseButtonSecondary, PointEvent: fyne.PointEvent{Position: fyne.NewPos(60, 100)}})
	v.MouseUp(&desktop.MouseEvent{Button: desktop.MouseButtonSecondary})
	if v.Window.Width >= w2.Width {
		t.Errorf("right-drag left: width %v -> %v, want narrower", w2.Width, v.Window.Width)
	}
	w3 := v.Window
	v.MouseMoved(&desktop.MouseEvent{PointEvent: fyne.PointEvent{Position: fyne.NewPos(0, 0)}})
	if v.Window != w3 {
		t.Error("plain mouse move changed the window")
	}
}

func TestPresetsApply(t *testing.T) {
	v, _ := ctViewer(t, 2)
	ps := v.Presets()
	var lung = -1
	for i, p := range ps {
		if p.Explanation == "CT lung" {
			lung = i
		}
	}
	if lung < 0 {
		t.Fatalf("no CT lung preset in %v", ps)
	}
	img0 := clone(v.Image())
	if err := v.ApplyPreset(lung); err != nil {
		t.Fatal(err)
	}
	if v.Window.Center != -600 || v.Window.Width != 1500 {
		t.Fatalf("window %v after the lung preset", v.Window)
	}
	if sameImage(img0, v.Image()) {
		t.Error("lung preset did not change the image")
	}
	if err := v.ApplyPreset(len(ps)); err == nil {
		t.Error("out-of-range preset accepted")
	}
	v.TypedRune('1')
	if v.Window != ps[0] {
		t.Errorf("key 1: window %v, want %v", v.Window, ps[0])
	}
}

func TestZoomPanMeasure(t *testing.T) {
	v, w := ctViewer(t, 2)
	v.TypedRune('+')
	if v.Zoom <= 1 {
		t.Fatalf("zoom %v after +", v.Zoom)
	}
	v.Tool = imageview.ToolPan
	test.Drag(w.Canvas(), fyne.NewPos(200, 200), 30, 10)
	if v.Pan.X != 30 || v.Pan.Y != 10 {
		t.Fatalf("pan %v", v.Pan)
	}
	v.TypedRune('0')
	if v.Zoom != 1 || v.Pan != (fyne.Position{}) {
		t.Fatalf("fit: zoom %v pan %v", v.Zoom, v.Pan)
	}
	v.Tool = imageview.ToolMeasure
	// Fyne's test driver reports the drag at its start position with the
	// whole movement: this one runs from x=100 to x=300.
	test.Drag(w.Canvas(), fyne.NewPos(300, 200), 200, 0)
	if len(v.Measurements) != 1 {
		t.Fatalf("%d measurements", len(v.Measurements))
	}
	d, mm := v.Distance(v.Measurements[0])
	ps := v.Frame().Info.PixelSpacing
	cols := float64(v.Frame().Info.Desc.Columns)
	sz := v.Size()
	rows := float64(v.Frame().Info.Desc.Rows)
	scale := min(float64(sz.Width)/cols, float64(sz.Height)/rows) // widget units per pixel at fit
	want := 200 / scale * ps[1]
	if !mm || d < want*0.98 || d > want*1.02 {
		t.Errorf("distance %.1f (mm=%v), want about %.1f mm (spacing %v)", d, mm, want, ps)
	}
}

// The raster (frame scaled into the widget) against golden PNGs.
func TestRenderGolden(t *testing.T) {
	v, w := ctViewer(t, 1)
	v.HideOverlay = true
	v.Refresh()
	img := w.Canvas().Capture()
	assertGolden(t, "ct_fit.png", img)
	v.SetZoom(2)
	v.Pan = fyne.NewPos(40, -20)
	if err := v.ApplyPreset(presetIndex(t, v, "CT bone")); err != nil {
		t.Fatal(err)
	}
	assertGolden(t, "ct_zoom_bone.png", w.Canvas().Capture())
}

// assertGolden compares img with testdata/name, writing the new image to
// testdata/failed/name on a mismatch (UPDATE_GOLDEN=1 rewrites the golden).
func assertGolden(t *testing.T, name string, img image.Image) {
	t.Helper()
	path := filepath.Join("testdata", name)
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	if os.Getenv("UPDATE_GOLDEN") == "1" {
		if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
		return
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("golden %s: %v (run with UPDATE_GOLDEN=1 to create it)", name, err)
	}
	want, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if !sameImage(want, img) {
		_ = os.MkdirAll(filepath.Join("testdata", "failed"), 0o755)
		_ = os.WriteFile(filepath.Join("testdata", "failed", name), buf.Bytes(), 0o600)
		t.Errorf("%s differs from the golden image; see testdata/failed/%s", name, name)
	}
}

// presetIndex finds a window preset by its explanation.
func presetIndex(t *testing.T, v *imageview.Viewer, name string) int {
	t.Helper()
	for i, p := range v.Presets() {
		if p.Explanation == name {
			return i
		}
	}
	t.Fatalf("no preset %q in %v", name, v.Presets())
	return -1
}
