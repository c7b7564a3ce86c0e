package imageview_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"

	"discdesk/internal/corpus"
	"discdesk/viewer/dcm"
	"discdesk/viewer/dicomdir"
	"discdesk/viewer/imageview"
	"discdesk/viewer/study"
)

// Without Words the overlay is the staff's English one, as it always was.
func TestOverlayEnglishByDefault(t *testing.T) {
	v, _ := ctViewer(t, 12)
	want := [4][]string{
		{"HEAD", "ID PLASTIC", "M"},
		{"QMC", "1A TRAUMA/PLAIN HEAD DM", "2015-02-06"},
		{"CT 201: STEREOTAXIS", "Im 7/12", "Thk 2.5 mm", "Loc -6 mm"},
		{"W 80 L 40", "Zoom 77%"},
	}
	if got := v.Annotations(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("English overlay\n got %q\nwant %q", got, want)
	}
	if got := v.EdgeLabels(); got != [4]string{"R", "L", "AH", "PF"} {
		t.Errorf("edge letters %q", got)
	}
	v.Words = imageview.English // the default named
	v.Rotate()
	v.Play(5)
	v.Stop()
	if got := v.Annotations()[3]; !slices.Contains(got, "Rotated 90°") {
		t.Errorf("rotated: %q", got)
	}
}

// spanish is a patient's overlay in Spanish: the lines it names and no
// others.
var spanish = map[string]string{
	imageview.WordName:                    "%s",
	imageview.WordStudy:                   "%s",
	imageview.WordStudyDate:               "%s",
	imageview.WordSeries:                  "%s",
	imageview.WordImage:                   "Imagen %d de %d",
	imageview.WordWindowName:              "Ventana: %s",
	imageview.WordWindowOwn:               "la de la imagen",
	imageview.WordWindowSet:               "ajustada a mano",
	imageview.WordPreset + "CT lung":      "pulmón",
	imageview.WordZoom:                    "Ampliación %.0f %%",
	imageview.WordRotated:                 "Girada %d°",
	imageview.WordDistance:                "%.1f milímetros",
	imageview.WordError:                   "No se puede mostrar esta imagen.",
	imageview.WordEdge + "R":              "D",
	imageview.WordEdge + "L":              "I",
	imageview.WordEdge + "A":              "A",
	imageview.WordEdge + "P":              "P",
	imageview.WordEdge + "H":              "S",
	imageview.WordEdge + "F":              "Inf",
	imageview.WordPreset + "not a preset": "",
}

func TestOverlayWords(t *testing.T) {
	v, w := ctViewer(t, 12)
	v.Words = func(key string) string { return spanish[key] }
	v.Refresh()
	want := [4][]string{
		{"HEAD"},
		{"1A TRAUMA/PLAIN HEAD DM", "2015-02-06"},
		{"CT 201: STEREOTAXIS", "Imagen 7 de 12"},
		{"Ventana: la de la imagen", "Ampliación 77 %"},
	}
	if got := v.Annotations(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Spanish overlay\n got %q\nwant %q", got, want)
	}
	if got := v.EdgeLabels(); got != [4]string{"D", "I", "AS", "PInf"} {
		t.Errorf("edge letters %q", got)
	}
	// What is on the canvas is what Annotations says: no English line.
	shown := canvasTexts(w)
	for _, en := range []string{"ID PLASTIC", "M", "QMC", "Im 7/12", "Thk 2.5 mm", "Loc -6 mm", "W 80 L 40", "Zoom 77%", "R", "L"} {
		if slices.Contains(shown, en) {
			t.Errorf("the Spanish overlay draws %q (%q)", en, shown)
		}
	}
	for _, es := range []string{"Imagen 7 de 12", "Ventana: la de la imagen", "D", "PInf"} {
		if !slices.Contains(shown, es) {
			t.Errorf("the Spanish overlay does not draw %q (%q)", es, shown)
		}
	}
	// The window's name follows the preset, or says it was set by hand.
	if err := v.ApplyPreset(presetIndex(t, v, "CT lung")); err != nil {
		t.Fatal(err)
	}
	if got := v.Annotations()[3]; !slices.Contains(got, "Ventana: pulmón") {
		t.Errorf("lung preset: %q", got)
	}
	v.Tool = imageview.ToolWindow
	test.Drag(w.Canvas(), fyne.NewPos(200, 200), 30, 0)
	if got := v.Annotations()[3]; !slices.Contains(got, "Ventana: ajustada a mano") {
		t.Errorf("dragged window: %q", got)
	}
	v.Rotate()
	if got := v.Annotations()[3]; !slices.Contains(got, "Girada 90°") {
		t.Errorf("rotated: %q", got)
	}
	// Measurement labels take the words too.
	v.Tool = imageview.ToolMeasure
	test.Drag(w.Canvas(), fyne.NewPos(300, 200), 100, 0)
	if shown := canvasTexts(w); !slices.ContainsFunc(shown, func(s string) bool { return strings.HasSuffix(s, " milímetros") }) {
		t.Errorf("measurement label: %q", shown)
	}
	// A line whose words have no verb is shown as it is.
	v.Err = fmt.Errorf("load F000001 frame 0: broken")
	if got := v.Annotations()[2]; !slices.Contains(got, "No se puede mostrar esta imagen.") || strings.Contains(fmt.Sprint(got), "broken") {
		t.Errorf("error line: %q", got)
	}
	// Words without edge letters hide them rather than show English ones.
	v.Words = func(key string) string {
		if strings.HasPrefix(key, imageview.WordEdge) {
			return ""
		}
		return spanish[key]
	}
	if got := v.EdgeLabels(); got != [4]string{} {
		t.Errorf("edge letters without words: %q", got)
	}
}

// canvasTexts are the texts the viewer's renderer draws.
func canvasTexts(w fyne.Window) []string {
	var out []string
	for _, o := range test.LaidOutObjects(w.Canvas().Content()) {
		if t, ok := o.(*canvas.Text); ok && t.Text != "" {
			out = append(out, t.Text)
		}
	}
	return out
}

// multiFrameFirst writes a series of two images, a 13-frame NM image and
// then one frame of it as an image of its own, with a DICOMDIR whose
// records (as they may) leave out Number of Frames: the stack starts with
// two frames and learns the other twelve when its loader reads the first
// image.
func multiFrameFirst(t *testing.T) *study.Disc {
	t.Helper()
	f, err := dcm.ParseFile(corpus.Path(t, "multiframe", "nm_13f_heart.dcm"))
	if err != nil {
		t.Fatal(err)
	}
	ds := f.DataSet
	if n, _ := ds.Int(dcm.NumberOfFrames); n != 13 {
		t.Fatalf("the NM corpus file has %d frames", n)
	}
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "DICOM"), 0o755); err != nil {
		t.Fatal(err)
	}
	ds.Set(dcm.Str(dcm.SeriesInstanceUID, "UI", "2.25.7702.2"))
	for _, e := range []*dcm.Element{dcm.Str(dcm.PatientID, "LO", "NM1"), dcm.Str(dcm.StudyDate, "DA", "20261102"),
		dcm.Str(dcm.StudyTime, "TM", "093000"), dcm.Str(dcm.StudyID, "SH", "1")} {
		ds.Set(e) // the DICOMDIR's required keys
	}
	var insts []dicomdir.Instance
	write := func(name string) {
		var buf bytes.Buffer
		if err := dcm.WriteExplicitLE(&buf, ds, dcm.ExplicitVRLittleEndian); err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, "DICOM", name)
		if err := os.WriteFile(p, buf.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
		in, err := dicomdir.InstanceFromFile(p, []string{"DICOM", name})
		if err != nil {
			t.Fatal(err)
		}
		insts = append(insts, in)
	}
	ds.Set(dcm.Str(dcm.SOPInstanceUID, "UI", "2.25.7702.3.1"))
	ds.Set(dcm.Str(dcm.InstanceNumber, "IS", "1"))
	write("I0000001")
	rows, _ := ds.Int(dcm.Rows)
	cols, _ := ds.Int(dcm.Columns)
	pix := ds.Get(dcm.PixelData)
	ds.Set(dcm.NewElement(dcm.PixelData, pix.VR, pix.Value[:rows*cols*2]))
	ds.Set(dcm.Str(dcm.NumberOfFrames, "IS", "1"))
	ds.Set(dcm.Str(dcm.SOPInstanceUID, "UI", "2.25.7702.3.2"))
	ds.Set(dcm.Str(dcm.InstanceNumber, "IS", "2"))
	write("I0000002")
	dd, _, err := dicomdir.Build("FRAMES", insts)
	if err != nil {
		t.Fatal(err)
	}
	b, err := dd.Encode()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "DICOMDIR"), b, 0o600); err != nil {
		t.Fatal(err)
	}
	d, err := study.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// When the loader learns a multi-frame image's frames after the stack was
// laid out, OnCountChanged says the new length (OnIndexChanged does not
// carry it), the frame on screen keeps its picture under its new index,
// and the overlay's "of N" follows.
func TestCountChangedAfterLayout(t *testing.T) {
	test.NewTempApp(t)
	d := multiFrameFirst(t)
	se := d.Series()[0]
	if n := len(se.Images()); n != 2 || se.Images()[0].Frames != 0 {
		t.Fatalf("series of %d images, the first with %d frames known", n, se.Images()[0].Frames)
	}
	v := imageview.NewViewer()
	w := test.NewWindow(v)
	w.Resize(fyne.NewSize(300, 300))
	t.Cleanup(func() { v.Close(); w.Close() })
	counts := make(chan int, 8)
	indexes := make(chan int, 8)
	opened := -1
	v.OnCountChanged = func(n int) {
		if opened < 0 {
			opened = v.Index
		}
		counts <- n
	}
	v.OnIndexChanged = func(i int) { indexes <- i }
	if err := v.SetSeries(d, se); err != nil {
		t.Fatal(err)
	}
	// The first count comes from SetSeries itself, before the loader
	// starts (the viewer is not read here again until the loader told of
	// the new layout: the test driver runs fyne.Do on the loader's
	// goroutine).
	if n := <-counts; n != 2 || opened != 1 {
		t.Fatalf("opened: count %d, index %d", n, opened)
	}
	select {
	case n := <-counts:
		if n != 14 {
			t.Fatalf("count after the loader read the multi-frame image: %d, want 14", n)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("no OnCountChanged after the loader read the multi-frame image")
	}
	// The index says which frame is on screen: the single frame, now
	// after the thirteen, or (when the cache let it go) the multi-frame
	// image's frame at the old index.
	f := v.Frame()
	at := f.Info.Frame
	if f.Info.Instance == se.Images()[1] {
		at = 13
	}
	if v.Len() != 14 || v.Index != at {
		t.Errorf("after the layout: len %d, index %d, on screen instance %d frame %d", v.Len(), v.Index, f.Info.Instance.Number, f.Info.Frame)
	}
	if got, want := v.Annotations()[2], fmt.Sprintf("Im %d/14", at+1); !slices.Contains(got, want) {
		t.Errorf("overlay after the layout: %q, want %q", got, want)
	}
	select {
	case i := <-indexes:
		if i != v.Index || at == 1 {
			t.Errorf("OnIndexChanged(%d) with index %d (was 1)", i, v.Index)
		}
	default:
		if at != 1 {
			t.Errorf("the frame on screen moved to index %d without OnIndexChanged", at)
		}
	}
	// Another series is a count change too; the same length is none.
	v.Close()
	if n := <-counts; n != 0 {
		t.Errorf("closed: count %d", n)
	}
	select {
	case n := <-counts:
		t.Errorf("a second count %d", n)
	default:
	}
}

// TextSize sets the size of every overlay text (corners, edge letters,
// measurement labels); 0 is OverlayTextSize.
func TestOverlayTextSize(t *testing.T) {
	v, w := ctViewer(t, 2)
	v.Tool = imageview.ToolMeasure
	test.Drag(w.Canvas(), fyne.NewPos(300, 200), 100, 0)
	sizes := func() map[float32]int {
		out := map[float32]int{}
		for _, o := range test.LaidOutObjects(w.Canvas().Content()) {
			if x, ok := o.(*canvas.Text); ok && x.Text != "" {
				out[x.TextSize]++
			}
		}
		return out
	}
	if got := sizes(); len(got) != 1 || got[imageview.OverlayTextSize] < 8 {
		t.Errorf("default overlay text sizes %v", got)
	}
	v.TextSize = 21
	v.Refresh()
	if got := sizes(); len(got) != 1 || got[21] < 8 {
		t.Errorf("overlay text sizes with TextSize 21: %v", got)
	}
}
