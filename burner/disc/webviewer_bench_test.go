package disc

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"discdesk/viewer/dcm"
)

// BenchmarkWebFramesCT packs one CT slice for the browser viewer.
func BenchmarkWebFramesCT(b *testing.B) {
	path := files(b, "disc_layouts/philips_ct_partial/DICOM/S21610/S2010")[0]
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, _, err := webFrames(path, nil, "DICOM/X", true); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWebViewerFirstImage500 burns a 500-slice CT (the corpus CT's
// 54 slices repeated with new instance UIDs and positions) and opens its
// browser viewer from file:// in Chromium and Firefox ESR, reporting the
// time from the page's start to the first image, and the time of a
// scrolling step. Not a timed test: run it on an idle machine with
//
//	go test ./burner/disc -run XXX -bench WebViewerFirstImage500 -benchtime 1x
func BenchmarkWebViewerFirstImage500(b *testing.B) {
	src := files(b, "disc_layouts/philips_ct_partial/DICOM/S21610/S2010")
	dir := b.TempDir()
	series := NewUID()
	var in []string
	for k := 0; k < 500; k++ {
		f, err := dcm.ParseFile(src[k%len(src)])
		if err != nil {
			b.Fatal(err)
		}
		ds := f.DataSet
		ds.Set(dcm.Str(dcm.SOPInstanceUID, "UI", NewUID()))
		ds.Set(dcm.Str(dcm.SeriesInstanceUID, "UI", series))
		ds.Set(dcm.Str(dcm.InstanceNumber, "IS", strconv.Itoa(k+1)))
		if pos := ds.Floats(tagImagePosition); len(pos) == 3 {
			ds.Set(dcm.Str(tagImagePosition, "DS", fmt.Sprintf("%g\\%g\\%g", pos[0], pos[1], float64(k)*1.25)))
		}
		ds.Set(dcm.Str(tagSliceLocation, "DS", fmt.Sprintf("%g", float64(k)*1.25)))
		path := filepath.Join(dir, fmt.Sprintf("CT%04d.dcm", k))
		w, err := os.Create(path)
		if err != nil {
			b.Fatal(err)
		}
		if err := dcm.WriteExplicitLE(w, ds, dcm.ExplicitVRLittleEndian); err != nil {
			b.Fatal(err)
		}
		w.Close()
		in = append(in, path)
	}
	p, err := NewPlan(context.Background(), Input{Files: in, Facility: testFacility}, Options{Media: DVD, ViewerDir: b.TempDir(), NoWeb: true, WorkDir: b.TempDir(), Now: fixedNow})
	if err != nil {
		b.Fatal(err)
	}
	for _, w := range p.Unacknowledged() {
		p.Acknowledge(w.Code, "bench")
	}
	trees, err := p.Build(context.Background(), nil)
	if err != nil {
		b.Fatal(err)
	}
	disc := filepath.Join(b.TempDir(), "disc")
	if err := WriteFolder(trees[0], disc); err != nil {
		b.Fatal(err)
	}
	for i := 0; i < b.N; i++ {
		res := runBrowsers(b, disc, map[string]any{"scroll": 100})
		for name, r := range res {
			b.ReportMetric(r.Initial.FirstImageMs, name+"-first-image-ms")
			b.ReportMetric(r.Scroll.Mean, name+"-scroll-step-ms")
			b.ReportMetric(r.Scroll.Max, name+"-scroll-max-ms")
			b.ReportMetric(r.Scroll.DrawMean, name+"-draw-step-ms")
			b.Logf("%s: first image %.0f ms after the page started; scrolling %.1f ms a step (max %.1f) over %d steps, %.1f ms (max %.1f) over decoded images", name, r.Initial.FirstImageMs, r.Scroll.Mean, r.Scroll.Max, r.Scroll.Steps, r.Scroll.DrawMean, r.Scroll.DrawMax)
		}
	}
	var dicom, web int64
	for _, f := range trees[0].Files {
		switch {
		case len(f.Path) > 6 && f.Path[:6] == "DICOM/":
			dicom += f.Size
		case len(f.Path) > len(WebViewerFolder) && f.Path[:len(WebViewerFolder)] == WebViewerFolder:
			web += f.Size
		}
	}
	b.Logf("500-slice CT: DICOM %d MB, browser viewer and data %d MB (%.3fx)", dicom>>20, web>>20, float64(web)/float64(dicom))
}
