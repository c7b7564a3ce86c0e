package disc

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"discdesk/viewer/dcm"
	"discdesk/viewer/render"
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
// browser viewer from file:// in Chromium and Firefox ESR three times each,
// reporting medians: the time from the start of the navigation to the
// first image (performance marks), a scrolling step (decoding included,
// and over decoded images), and the page's memory once every image was
// shown (what it holds, Chromium's JS heap, the peak resident size of its
// process) against the study's stored pixel data. Not a timed test: run it
// with
//
//	go test ./burner/disc -run XXX -bench WebViewerFirstImage500 -benchtime 1x
func BenchmarkWebViewerFirstImage500(b *testing.B) {
	in := ctSeries(b, 500)
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
	runs := 3
	if n, err := strconv.Atoi(os.Getenv("WEBVIEWER_BENCH_RUNS")); err == nil && n > 0 {
		runs = n
	}
	for i := 0; i < b.N; i++ {
		got := map[string]map[string][]float64{}
		for r := 0; r < runs; r++ {
			for name, x := range runBrowsers(b, disc, map[string]any{"scroll": 100, "memory": true}) {
				if got[name] == nil {
					got[name] = map[string][]float64{}
				}
				m := got[name]
				m["first-image-ms"] = append(m["first-image-ms"], x.Initial.FirstImageMs)
				m["first-paint-ms"] = append(m["first-paint-ms"], x.Initial.FirstPaintMs)
				m["first-image-wall-ms"] = append(m["first-image-wall-ms"], x.FirstImageWallMs)
				m["scroll-step-ms"] = append(m["scroll-step-ms"], x.Scroll.Mean)
				m["scroll-max-ms"] = append(m["scroll-max-ms"], x.Scroll.Max)
				m["draw-step-ms"] = append(m["draw-step-ms"], x.Scroll.DrawMean)
				m["paced-step-ms"] = append(m["paced-step-ms"], x.Scroll.PacedMean)
				m["paced-max-ms"] = append(m["paced-max-ms"], x.Scroll.PacedMax)
				m["paced-over-16"] = append(m["paced-over-16"], float64(x.Scroll.PacedOver16))
				if mem := x.Memory; mem != nil && mem.PixelBytes > 0 {
					m["held-x-pixels"] = append(m["held-x-pixels"], (mem.Decoded+mem.Text)/mem.PixelBytes)
					m["process-peak-x-pixels"] = append(m["process-peak-x-pixels"], mem.ProcessPeak/mem.PixelBytes)
					m["pixel-mb"] = append(m["pixel-mb"], mem.PixelBytes/(1<<20))
					m["process-peak-mb"] = append(m["process-peak-mb"], mem.ProcessPeak/(1<<20))
					m["process-first-mb"] = append(m["process-first-mb"], mem.ProcessAtFirst/(1<<20))
					m["process-end-mb"] = append(m["process-end-mb"], mem.ProcessNow/(1<<20))
					m["process-loaded-mb"] = append(m["process-loaded-mb"], mem.ProcessLoaded/(1<<20))
					if mem.JSHeapUsedSize > 0 {
						m["js-heap-mb"] = append(m["js-heap-mb"], mem.JSHeapUsedSize/(1<<20))
					}
				}
			}
		}
		for _, name := range []string{"chromium", "firefox"} {
			m := got[name]
			for _, k := range []string{"first-image-ms", "first-paint-ms", "scroll-step-ms", "scroll-max-ms", "draw-step-ms", "paced-step-ms", "paced-max-ms", "held-x-pixels", "process-peak-x-pixels"} {
				if len(m[k]) > 0 {
					b.ReportMetric(median(m[k]), name+"-"+k)
				}
			}
			b.Logf("%s, medians of %d runs: first image %.0f ms after the navigation started (painted %.0f ms; %.0f ms from goto, browser start excluded); scrolling as fast as it goes %.1f ms a step (max %.1f) decoding included, %.1f ms over decoded images; one step a display frame %.1f ms (max %.1f, %.0f of 100 over 16 ms); memory with every image decoded: the page holds %.2fx the study's %.0f MB of pixels, its process peaked at %.0f MB (%.2fx; %.0f MB at the first image, %.0f MB with every frame file loaded, %.0f MB at the end), JS heap %.0f MB",
				name, runs, median(m["first-image-ms"]), median(m["first-paint-ms"]), median(m["first-image-wall-ms"]), median(m["scroll-step-ms"]), median(m["scroll-max-ms"]), median(m["draw-step-ms"]), median(m["paced-step-ms"]), median(m["paced-max-ms"]), median(m["paced-over-16"]),
				median(m["held-x-pixels"]), median(m["pixel-mb"]), median(m["process-peak-mb"]), median(m["process-peak-x-pixels"]), median(m["process-first-mb"]), median(m["process-loaded-mb"]), median(m["process-end-mb"]), median(m["js-heap-mb"]))
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

// ctSeries writes an n-slice CT series (the corpus CT's 54 slices repeated
// with new instance UIDs and positions) and returns its files.
func ctSeries(b *testing.B, n int) []string {
	b.Helper()
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
	return in
}

// BenchmarkPackFrameCT codes one CT slice's stored values (the packing
// alone, without reading the file).
func BenchmarkPackFrameCT(b *testing.B) {
	path := files(b, "disc_layouts/philips_ct_partial/DICOM/S21610/S2010")[0]
	f, err := dcm.ParseFile(path)
	if err != nil {
		b.Fatal(err)
	}
	desc, err := render.Describe(f.DataSet, f.Syntax.UID)
	if err != nil {
		b.Fatal(err)
	}
	raw, err := render.Frame(f, desc, 0)
	if err != nil {
		b.Fatal(err)
	}
	samples := storedSamples(nil, desc, raw, 2)
	var pk webPacker
	var out []byte
	b.SetBytes(int64(len(samples)))
	for b.Loop() {
		out = pk.pack(out[:0], samples, 2, 1, desc.Columns)
	}
	b.ReportMetric(float64(len(out))/float64(len(samples)), "ratio")
}

// median of v (0 for none).
func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
