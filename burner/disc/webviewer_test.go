package disc

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"io"
	"math"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"discdesk/internal/corpus"
	"discdesk/viewer/dcm"
	"discdesk/viewer/render"
)

// webDisc plans and builds a disc of the corpus files with the browser
// viewer, judges it with every validator, and returns the plan and the
// disc folder (written, or extracted read-only from the ISO with iso set).
func webDisc(t *testing.T, rel []string, opts Options, iso bool) (*Plan, string) {
	t.Helper()
	var in []string
	for _, f := range files(t, rel...) {
		if !notForDisc[filepath.Base(f)] {
			in = append(in, f)
		}
	}
	p, _ := supplyMissing(t, Input{Files: in, Facility: testFacility}, opts)
	trees := build(t, p)
	dir := checkDisc(t, p, trees[0], iso)
	if !iso {
		return p, dir
	}
	isoPath := filepath.Join(t.TempDir(), "disc.iso")
	if err := WriteISO(context.Background(), trees[0], isoPath); err != nil {
		t.Fatal(err)
	}
	ext := filepath.Join(t.TempDir(), "mnt")
	runTool(t, ".", "xorriso", "-osirrox", "on", "-indev", isoPath, "-extract", "/", ext)
	runTool(t, ".", "chmod", "-R", "a-w", ext)
	t.Cleanup(func() { exec.Command("chmod", "-R", "u+w", ext).Run() })
	return p, ext
}

// readIndex reads DATA/INDEX.JS of a disc folder.
func readIndex(t *testing.T, dir string) webIndexJSON {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(webDataFolder), "INDEX.JS"))
	if err != nil {
		t.Fatal(err)
	}
	i, j := bytes.Index(b, []byte("DDV.index(")), bytes.LastIndex(b, []byte(");"))
	var idx webIndexJSON
	if i < 0 || j < i {
		t.Fatalf("INDEX.JS does not call DDV.index")
	}
	if err := json.Unmarshal(b[i+len("DDV.index("):j], &idx); err != nil {
		t.Fatalf("INDEX.JS: %v", err)
	}
	return idx
}

// browserRun is what webviewer.mjs reports for one browser.
type browserRun struct {
	Error            string
	Requests         []string
	Blocked          []string
	Console          []string
	FirstImageWallMs float64
	Initial          pageState
	Rendered         []int
	InflateAgrees    bool
	Picker           *pageState
	Series           []struct {
		Key, UID, Modality string
		N                  int
		FileIDs            []string
	}
	Thumbs []thumbState
	Values []struct {
		Key    string
		K      int
		FileID string // picker mode: the file and frame ("DICOM/...#3") the page read
		Values []int
	}
	WL struct {
		WL0, WL1, WL2 []float64
		Changed       bool
	}
	Memory *struct {
		Decoded, Text, PixelBytes       float64 // bytes the page keeps; the study's stored pixels
		JSHeapUsedSize, JSHeapTotalSize float64 // Chromium
		ProcessPeak                     float64 // VmHWM of the page's process
		ProcessNow, ProcessAtFirst      float64 // its VmRSS once every image was shown, and at the first image
		ProcessLoaded                   float64 // ... and once every frame file was loaded, before decoding
	}
	Scroll struct {
		Mean, Max         float64 // a step, decoding included
		DrawMean, DrawMax float64 // a step back over decoded images
		PacedMean         float64 // one step a display frame, from image 1 on
		PacedMax          float64
		PacedOver16       int // paced steps over 16 ms
		Steps             int
	}
	ToolAfterM string
	Measures   []string
	AfterWheel int
	Last       tileState
	LastValues []int
	Report     string
	Patients   []struct {
		Patient string
		Tiles   []*tileState
		Thumbs  []thumbState
		Report  string
	}
	BIR *struct {
		Rotate                            int
		FlipH, FlipV                      bool
		Markers, MarkersRotated           []string
		Pan                               []float64
		Zoom                              float64
		Presets                           []string
		Preset0, Preset1                  []float64
		CineLabel, CineStopLabel, CineAnn string
		CineMoved                         bool
		CineStopped                       bool
		SideBySide                        []*tileState
		Synced                            []int
		Help                              bool
	}
	Final pageState
}

type thumbState struct {
	Key, Patient string
	Drawn        bool
}

type pageState struct {
	Mode         string
	FirstImageMs float64 // from navigation start to the first image drawn
	FirstPaintMs float64 // ... and to the frame after it
	Drawn        int
	Errors       []string
	Patients     []string
	Patient      string
	Thumbs       []thumbState
	SeriesCount  int
	Tool         string
	Presets      []string
	Tiles        []*tileState
	Markers      [][]string
}

type tileState struct {
	Key, Patient string
	K, N         int
	Shown        bool
	WL           []float64
	Ann          []string
	Measures     []string
}

// runBrowsers opens the disc's VIEWER.HTM from file:// in Chromium and
// Firefox ESR through webviewer.mjs.
func runBrowsers(t testing.TB, dir string, job map[string]any) map[string]*browserRun {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("node is not installed: %v", err)
	}
	modules := filepath.Join(corpus.RepoRoot(), "packaging", "node", "node_modules")
	if _, err := os.Stat(filepath.Join(modules, "playwright-core")); err != nil {
		t.Fatalf("playwright-core is not installed in packaging/node: %v", err)
	}
	for _, b := range []string{"/usr/bin/chromium", "/usr/bin/firefox-esr"} {
		if _, err := os.Stat(b); err != nil {
			t.Fatalf("%s is not installed: %v", b, err)
		}
	}
	page := (&url.URL{Scheme: "file", Path: filepath.ToSlash(filepath.Join(dir, filepath.FromSlash(WebViewerPage)))}).String()
	job["page"] = page
	job["chromium"] = "/usr/bin/chromium"
	job["firefox"] = "/usr/bin/firefox-esr"
	if job["browsers"] == nil {
		job["browsers"] = []string{"chromium", "firefox"}
	}
	work := t.TempDir()
	jb, _ := json.Marshal(job)
	jobPath, outPath := filepath.Join(work, "job.json"), filepath.Join(work, "out.json")
	if err := os.WriteFile(jobPath, jb, 0o600); err != nil {
		t.Fatal(err)
	}
	script, _ := filepath.Abs(filepath.Join("testdata", "webviewer.mjs"))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, script, jobPath, outPath)
	cmd.Env = append(os.Environ(), "NODE_PATH="+modules, "HOME="+work)
	cmd.Dir = work
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("webviewer.mjs: %v\n%s", err, out)
	}
	ob, err := os.ReadFile(outPath)
	if err != nil {
		t.Fatal(err)
	}
	var res map[string]*browserRun
	if err := json.Unmarshal(ob, &res); err != nil {
		t.Fatalf("webviewer.mjs output: %v", err)
	}
	for name, r := range res {
		if r.Error != "" {
			t.Fatalf("%s: %s", name, r.Error)
		}
		// No request leaves the machine.
		for _, u := range append(r.Requests, r.Blocked...) {
			if !strings.HasPrefix(u, "file:") {
				t.Errorf("%s: the page asked for %s", name, u)
			}
		}
		for _, e := range append(r.Console, r.Final.Errors...) {
			t.Errorf("%s: page error: %s", name, e)
		}
	}
	return res
}

// storedValues reads frame n of a disc file with viewer/dcm and returns its
// stored values (Bits Stored and High Bit applied, signed when Pixel
// Representation is 1), or the R, G, B bytes of an RGB image.
func storedValues(t *testing.T, path string, n int) []int {
	t.Helper()
	f, err := dcm.ParseFile(path)
	if err != nil {
		t.Fatal(err)
	}
	ds := f.DataSet
	geti := func(tag dcm.Tag, def int) int {
		if v, ok := ds.Int(tag); ok {
			return v
		}
		return def
	}
	rows, cols, spp, ba := geti(dcm.Rows, 0), geti(dcm.Columns, 0), geti(dcm.SamplesPerPixel, 1), geti(dcm.BitsAllocated, 16)
	bs := geti(dcm.BitsStored, ba)
	hb := geti(dcm.HighBit, bs-1)
	signed := geti(dcm.PixelRepresentation, 0) == 1
	pix := ds.Get(dcm.PixelData)
	if f.Syntax.UID != dcm.ExplicitVRLittleEndian || pix == nil {
		t.Fatalf("%s: not native Explicit VR LE pixel data", path)
	}
	np := rows * cols
	frame := pix.Value[n*np*spp*ba/8 : (n+1)*np*spp*ba/8]
	out := make([]int, np*spp)
	if spp == 3 {
		planar := geti(dcm.PlanarConfiguration, 0) == 1
		for i := 0; i < np; i++ {
			for c := 0; c < 3; c++ {
				if planar {
					out[3*i+c] = int(frame[c*np+i])
				} else {
					out[3*i+c] = int(frame[3*i+c])
				}
			}
		}
		return out
	}
	for i := range out {
		w := int(frame[i])
		if ba == 16 {
			w = int(frame[2*i]) | int(frame[2*i+1])<<8
		}
		v := (w >> (hb - bs + 1)) & (1<<bs - 1)
		if signed && v >= 1<<(bs-1) {
			v -= 1 << bs
		}
		out[i] = v
	}
	return out
}

// checkLossless compares what each browser holds with the disc's DICOM.
func checkLossless(t *testing.T, dir string, idx webIndexJSON, res map[string]*browserRun) {
	t.Helper()
	byKey := map[string]webSeries{}
	for _, p := range idx.Patients {
		for _, st := range p.Studies {
			for _, s := range st.Series {
				byKey[s.Key] = s
			}
		}
	}
	for name, r := range res {
		if len(r.Values) == 0 {
			t.Errorf("%s: no values compared", name)
		}
		for _, v := range r.Values {
			var im webFrame
			if v.FileID != "" {
				fid, fr, _ := strings.Cut(v.FileID, "#")
				im.FileID = fid
				fmt.Sscan(fr, &im.Frame)
			} else {
				im = byKey[v.Key].Images[v.K]
			}
			frame := max(im.Frame-1, 0)
			want := storedValues(t, filepath.Join(dir, filepath.FromSlash(im.FileID)), frame)
			if len(v.Values) != len(want) {
				t.Errorf("%s: %s image %d: page holds %d values, the DICOM has %d", name, v.Key, v.K, len(v.Values), len(want))
				continue
			}
			bad := 0
			for i := range want {
				if v.Values[i] != want[i] {
					if bad == 0 {
						t.Errorf("%s: %s image %d (%s): value %d is %d in the page, %d in the DICOM", name, v.Key, v.K, im.FileID, i, v.Values[i], want[i])
					}
					bad++
				}
			}
			if bad > 0 {
				t.Errorf("%s: %s image %d: %d of %d values differ", name, v.Key, v.K, bad, len(want))
			}
		}
	}
}

// valueJobs asks for the first, middle and last image of every image
// series with native grey or RGB pixels on the disc.
func valueJobs(t *testing.T, dir string, idx webIndexJSON) [][2]any {
	var out [][2]any
	for _, p := range idx.Patients {
		for _, st := range p.Studies {
			for _, s := range st.Series {
				n := len(s.Images)
				if n == 0 || s.Images[0].Batch < 0 {
					continue
				}
				f, err := dcm.ParseFile(filepath.Join(dir, filepath.FromSlash(s.Images[0].FileID)), dcm.SkipPixelData())
				if err != nil {
					t.Fatal(err)
				}
				if ph := f.DataSet.String(dcm.PhotometricInterpretation); s.Images[0].Samples == 3 && ph != "RGB" {
					continue // YBR: the page holds RGB, compared by the Go test of the packer
				}
				for _, k := range []int{0, (n - 1) / 2, n - 1} {
					out = append(out, [2]any{s.Key, k})
				}
			}
		}
	}
	return out
}

func firstImageSeries(idx webIndexJSON) webSeries {
	for _, st := range idx.Patients[0].Studies {
		for _, s := range st.Series {
			if len(s.Images) > 0 {
				return s
			}
		}
	}
	return webSeries{}
}

// TestWebViewerCT burns a CT volume, extracts the ISO read-only and opens
// the browser viewer in Chromium and Firefox: first image, lossless
// values, window/level by drag, a known distance and angle, scrolling to
// the last image, no network, and the IHE BIR checklist.
func TestWebViewerCT(t *testing.T) {
	p, dir := webDisc(t, []string{"disc_layouts/philips_ct_partial/DICOM/S21610/S2010"}, Options{}, true)
	if m := p.WebViewer().Mode; m != WebViewerData {
		t.Fatalf("browser viewer mode %s, want data", m)
	}
	checkLinks(t, dir)
	idx := readIndex(t, dir)
	s := firstImageSeries(idx)
	if len(s.Images) < 50 {
		t.Fatalf("CT series has %d images in the index", len(s.Images))
	}
	im := s.Images[0]
	if len(im.PixelSpacing) != 2 {
		t.Fatal("CT without Pixel Spacing")
	}
	from, to := []float64{100, 100}, []float64{400, 100}
	angle := [][]float64{{400, 150}, {100, 150}, {100, 450}} // 90 degrees at the vertex
	wantMM := 300 * im.PixelSpacing[1]
	res := runBrowsers(t, dir, map[string]any{
		"values":  valueJobs(t, dir, idx),
		"measure": map[string]any{"key": s.Key, "k": 0, "from": from, "to": to, "angle": angle},
		"bir":     true,
	})
	checkLossless(t, dir, idx, res)
	for name, r := range res {
		t.Logf("%s: first image %.0f ms after the page started (%.0f ms wall, browser start included)", name, r.Initial.FirstImageMs, r.FirstImageWallMs)
		if r.Initial.Drawn == 0 || len(r.Initial.Tiles) != 1 || r.Initial.Tiles[0] == nil || !r.Initial.Tiles[0].Shown {
			t.Errorf("%s: no first image: %+v", name, r.Initial)
			continue
		}
		first := r.Initial.Tiles[0]
		if first.K != (first.N-1)/2 {
			t.Errorf("%s: first image is %d of %d, want the middle one", name, first.K+1, first.N)
		}
		// Window/level: right widens, up lowers the centre; pixels change.
		if !r.WL.Changed || len(r.WL.WL0) != 2 || !(r.WL.WL1[1] > r.WL.WL0[1]) || !(r.WL.WL2[0] < r.WL.WL1[0]) {
			t.Errorf("%s: window/level drag: %+v", name, r.WL)
		}
		if r.ToolAfterM != "distance" {
			t.Errorf("%s: after m the tool is %q", name, r.ToolAfterM)
		}
		if len(r.Measures) != 2 {
			t.Errorf("%s: measures %q, want a distance and an angle", name, r.Measures)
		} else {
			var mm float64
			if _, err := fmt.Sscanf(r.Measures[0], "%g mm", &mm); err != nil || math.Abs(mm-wantMM) > 0.01*wantMM {
				t.Errorf("%s: distance reads %q, want %.2f mm", name, r.Measures[0], wantMM)
			}
			var deg float64
			if _, err := fmt.Sscanf(r.Measures[1], "%g", &deg); err != nil || math.Abs(deg-90) > 1 {
				t.Errorf("%s: angle reads %q, want 90 degrees", name, r.Measures[1])
			}
		}
		if r.AfterWheel != 1 {
			t.Errorf("%s: one wheel step went to image %d", name, r.AfterWheel+1)
		}
		if r.Last.K != len(s.Images)-1 || !r.Last.Shown {
			t.Errorf("%s: End went to image %d of %d (shown %v)", name, r.Last.K+1, len(s.Images), r.Last.Shown)
		}
		last := s.Images[len(s.Images)-1]
		if want := storedValues(t, filepath.Join(dir, filepath.FromSlash(last.FileID)), 0); fmt.Sprint(want) != fmt.Sprint(r.LastValues) {
			t.Errorf("%s: the last image's values differ from its DICOM file", name)
		}
		checkBIR(t, name, r, idx, "CT")
		checkRendered(t, name, dir, s.Images[first.K], first.WL, r.Rendered)
		if !r.InflateAgrees {
			t.Errorf("%s: the page's own inflate disagrees with DecompressionStream", name)
		}
	}
}

// checkBIR is the IHE Basic Image Review checklist of the browser viewer.
func checkBIR(t *testing.T, name string, r *browserRun, idx webIndexJSON, modality string) {
	t.Helper()
	// Thumbnails of every series of the patient.
	nSeries := 0
	for _, st := range idx.Patients[0].Studies {
		nSeries += len(st.Series)
	}
	if len(r.Thumbs) < nSeries {
		t.Errorf("%s BIR: %d thumbnails for %d series", name, len(r.Thumbs), nSeries)
	}
	for _, th := range r.Thumbs {
		if !th.Drawn && th.Key != "" {
			ok := false
			for _, st := range idx.Patients[0].Studies {
				for _, s := range st.Series {
					ok = ok || (s.Key == th.Key && len(s.Images) == 0)
				}
			}
			if !ok {
				t.Errorf("%s BIR: thumbnail of %s is blank", name, th.Key)
			}
		}
	}
	// Corner annotations.
	p, st := idx.Patients[0], idx.Patients[0].Studies[0]
	ann := strings.Join(r.Initial.Tiles[0].Ann, "\n")
	for _, want := range []string{p.Name, "ID " + p.ID, p.BirthDate, "Sex " + p.Sex, st.Institution, st.Date, "Acc ", "Se ", "Im ", "W ", "C "} {
		if want != "" && !strings.Contains(ann, want) {
			t.Errorf("%s BIR: corner annotations lack %q:\n%s", name, want, ann)
		}
	}
	if modality == "CT" {
		for _, want := range []string{"Thk ", "Loc "} {
			if !strings.Contains(ann, want) {
				t.Errorf("%s BIR: corner annotations lack %q:\n%s", name, want, ann)
			}
		}
	}
	b := r.BIR
	if b == nil {
		t.Errorf("%s BIR: no checklist run", name)
		return
	}
	if b.Rotate != 90 || !b.FlipH || !b.FlipV {
		t.Errorf("%s BIR: rotate %d, flip %v/%v", name, b.Rotate, b.FlipH, b.FlipV)
	}
	if strings.Join(b.Markers, "") == "" || fmt.Sprint(b.Markers) == fmt.Sprint(b.MarkersRotated) {
		t.Errorf("%s BIR: orientation markers %q, rotated %q", name, b.Markers, b.MarkersRotated)
	}
	if len(b.Pan) != 2 || b.Pan[0] == 0 || b.Pan[1] == 0 || b.Zoom <= 1 {
		t.Errorf("%s BIR: pan %v zoom %v", name, b.Pan, b.Zoom)
	}
	presets := strings.Join(b.Presets, "|")
	if modality == "CT" {
		for _, want := range []string{"Brain", "Lung", "Bone", "Abdomen"} {
			if strings.Count(presets, want+" (") != 1 {
				t.Errorf("%s BIR: CT presets %q lack %s or repeat it", name, b.Presets, want)
			}
		}
	}
	if len(b.Presets) < 3 {
		t.Errorf("%s BIR: presets %q", name, b.Presets)
	}
	if fmt.Sprint(b.Preset0) == fmt.Sprint(b.Preset1) && len(b.Presets) > 2 {
		t.Logf("%s BIR: preset 1 equals the stored window", name)
	}
	if b.CineLabel != "Stop" || !b.CineMoved || b.CineStopLabel != "Cine" || !b.CineStopped || strings.Contains(b.CineAnn, "Cine") {
		t.Errorf("%s BIR: cine label %q then %q, stopped %v, annotation %q", name, b.CineLabel, b.CineStopLabel, b.CineStopped, b.CineAnn)
	}
	if len(b.SideBySide) != 2 || b.SideBySide[0] == nil || b.SideBySide[1] == nil {
		t.Errorf("%s BIR: side by side shows %+v", name, b.SideBySide)
	} else if b.SideBySide[0].Patient != b.SideBySide[1].Patient {
		t.Errorf("%s BIR: side by side mixes patients", name)
	} else if len(b.Synced) != 2 || b.Synced[0] != 1 || (b.SideBySide[0].Key == b.SideBySide[1].Key && b.Synced[1] != 1) {
		t.Errorf("%s BIR: synchronized scrolling went to %v", name, b.Synced)
	}
	if !b.Help {
		t.Errorf("%s BIR: ? shows no help", name)
	}
}

// checkPatients: every patient's view holds only that patient.
func checkPatients(t *testing.T, name string, r *browserRun, idx webIndexJSON) {
	t.Helper()
	if len(r.Patients) != len(idx.Patients) {
		t.Errorf("%s: visited %d patients of %d", name, len(r.Patients), len(idx.Patients))
	}
	for i, pv := range r.Patients {
		want := idx.Patients[i]
		if pv.Patient != want.ID {
			t.Errorf("%s: patient %d shows %s, want %s", name, i, pv.Patient, want.ID)
		}
		for _, tl := range pv.Tiles {
			if tl == nil {
				continue
			}
			if tl.Patient != want.ID || !strings.Contains(tl.Ann[0], "ID "+want.ID) {
				t.Errorf("%s: patient %s's view shows %s (%q)", name, want.ID, tl.Patient, tl.Ann[0])
			}
			for _, other := range idx.Patients {
				if other.ID != want.ID && other.Name != want.Name && other.Name != "" && strings.Contains(strings.Join(tl.Ann, "\n"), other.Name) {
					t.Errorf("%s: patient %s's view names %s", name, want.ID, other.Name)
				}
			}
		}
		n := 0
		for _, st := range want.Studies {
			n += len(st.Series)
		}
		if len(pv.Thumbs) != n {
			t.Errorf("%s: patient %s has %d thumbnails for %d series", name, want.ID, len(pv.Thumbs), n)
		}
		for _, th := range pv.Thumbs {
			if th.Patient != want.ID {
				t.Errorf("%s: patient %s's thumbnails hold %s of patient %s", name, want.ID, th.Key, th.Patient)
			}
		}
	}
}

// TestWebViewerMixed: an MR series, multi-frame images (NM and enhanced
// MR), colour US and RGB, and an SR report, several patients on one disc.
func TestWebViewerMixed(t *testing.T) {
	_, dir := webDisc(t, []string{"mr_series/dcm4che_mr16", "multiframe/nm_13f_heart.dcm", "multiframe/emri_small_10f.dcm",
		"multiframe/us_30f_jpeg_baseline.dcm", "transfer_syntax/sc_rgb_rle.dcm", "sr_docs/basic_text_sr.dcm"}, Options{}, false)
	idx := readIndex(t, dir)
	if len(idx.Patients) < 4 {
		t.Fatalf("%d patients on the mixed disc, want at least 4", len(idx.Patients))
	}
	res := runBrowsers(t, dir, map[string]any{"values": valueJobs(t, dir, idx)})
	checkLossless(t, dir, idx, res)
	for name, r := range res {
		checkPatients(t, name, r, idx)
		reports := 0
		for i, pv := range r.Patients {
			for _, st := range idx.Patients[i].Studies {
				for _, rep := range st.Reports {
					reports++
					if !strings.Contains(pv.Report, rep.Title) {
						t.Errorf("%s: report %q of %s does not open: %q", name, rep.Title, idx.Patients[i].ID, pv.Report)
					}
					if !strings.Contains(pv.Report, "Reading radiologist: ") {
						t.Errorf("%s: report names no reader: %q", name, pv.Report)
					}
				}
			}
		}
		if reports == 0 {
			t.Errorf("%s: no report on the mixed disc", name)
		}
		// Every frame of the multi-frame objects is an image of its series.
		for _, s := range r.Series {
			t.Logf("%s: %s %s %d images", name, s.Key, s.Modality, s.N)
		}
	}
	// Frames of multi-frame objects are all in the index.
	frames := 0
	for _, p := range idx.Patients {
		for _, st := range p.Studies {
			for _, s := range st.Series {
				for _, im := range s.Images {
					if im.Frame > 0 {
						frames++
					}
				}
			}
		}
	}
	if frames < 13+10+30 {
		t.Errorf("%d frames of multi-frame objects in the index, want %d", frames, 13+10+30)
	}
}

// TestWebViewerPicker: when the data would cost a second disc the viewer
// asks once for the disc folder and reads DICOMDIR and the files itself.
func TestWebViewerPicker(t *testing.T) {
	rel := []string{"mr_series/dcm4che_mr16", "sr_docs/basic_text_sr.dcm"}
	// A medium with room for the DICOM and the pages, not for the data too.
	probe, _ := supplyMissing(t, Input{Files: files(t, rel...), Facility: testFacility}, Options{ViewerDir: t.TempDir()})
	capacity := probe.Discs[0].Size - probe.webViewerEstimate(probe.Objects)/2
	p, dir := webDisc(t, rel, Options{Capacity: capacity}, false)
	if info := p.WebViewer(); info.Mode != WebViewerPicker || info.Reason == "" {
		t.Fatalf("browser viewer %+v, want picker mode with a reason", info)
	}
	warned := false
	for _, w := range p.Warnings {
		warned = warned || w.Code == WarnWebViewer
	}
	if !warned {
		t.Errorf("the plan does not warn that the browser viewer goes without its data: %v", p.Warnings)
	}
	if ents, _ := os.ReadDir(filepath.Join(dir, filepath.FromSlash(webDataFolder))); len(ents) != 1 {
		t.Errorf("picker disc has %d data files, want the index alone", len(ents))
	}
	idx := readIndex(t, dir)
	// Chromium chooses the folder through playwright's setInputFiles;
	// Firefox ESR gets the folder's files as File objects with their
	// webkitRelativePath (playwright-core's WebDriver BiDi setFiles never
	// completes for a folder): the page's own reading of the disc is the
	// same code in both.
	res := runBrowsers(t, dir, map[string]any{"folder": dir, "valuesAll": true})
	checkLossless(t, dir, idx, res)
	for name, r := range res {
		if r.Picker == nil || r.Picker.Drawn != 0 {
			t.Errorf("%s: no folder question before the images", name)
		}
		if r.Initial.Mode != "picker" || r.Initial.Drawn == 0 {
			t.Errorf("%s: no image after choosing the folder: %+v", name, r.Initial)
		}
		if len(r.Series) == 0 {
			t.Fatalf("%s: no series read from DICOMDIR", name)
		}
		reports := ""
		for _, pv := range r.Patients {
			reports += pv.Report
		}
		if !strings.Contains(reports, "Reading radiologist: ") {
			t.Errorf("%s: the SR read from the disc does not open as a report", name)
		}
		checkPatientsPicker(t, name, r)
	}
}

// checkPatientsPicker: one patient at a time in picker mode too.
func checkPatientsPicker(t *testing.T, name string, r *browserRun) {
	for _, pv := range r.Patients {
		for _, tl := range pv.Tiles {
			if tl != nil && tl.Patient != pv.Patient {
				t.Errorf("%s: patient %s's view shows %s", name, pv.Patient, tl.Patient)
			}
		}
		for _, th := range pv.Thumbs {
			if th.Patient != pv.Patient {
				t.Errorf("%s: patient %s's thumbnails hold one of %s", name, pv.Patient, th.Patient)
			}
		}
	}
}

// TestWebViewerBudgetCT: the browser viewer and its data add at most 0.6x
// the DICOM objects of an uncompressed CT.
func TestWebViewerBudgetCT(t *testing.T) {
	p := plan(t, Input{Files: files(t, "disc_layouts/philips_ct_partial/DICOM/S21610/S2010")}, Options{ViewerDir: t.TempDir(), NoWeb: true})
	trees := build(t, p)
	var dicom, web int64
	for _, f := range trees[0].Files {
		switch {
		case strings.HasPrefix(f.Path, "DICOM/"):
			dicom += f.Size
		case strings.HasPrefix(f.Path, WebViewerFolder+"/"):
			web += f.Size
		}
	}
	ratio := float64(web) / float64(dicom)
	t.Logf("CT: DICOM %d bytes, browser viewer and data %d bytes: %.3fx (plan says %d bytes)", dicom, web, ratio, p.WebViewer().Bytes)
	if ratio > 0.6 {
		t.Errorf("browser viewer costs %.3fx the DICOM, budget 0.6x", ratio)
	}
	if est := p.webViewerEstimate(p.Objects); est < web*9/10 {
		t.Errorf("plan estimates %d bytes of data, %d were written", est, web)
	}
}

// TestPackFrameLossless: the page's coding of frames is exact for every
// sample width and layout.
func TestPackFrameLossless(t *testing.T) {
	for _, c := range []struct{ bps, spp, cols, rows int }{{2, 1, 7, 5}, {1, 1, 9, 3}, {1, 3, 4, 4}, {2, 1, 1, 1}} {
		n := c.cols * c.rows * c.spp * c.bps
		in := make([]byte, n)
		for i := range in {
			in[i] = byte(i*131 + i*i*7)
		}
		b, err := packFrame(in, c.bps, c.spp, c.cols)
		if err != nil {
			t.Fatal(err)
		}
		out, err := unpackFrame(b, c.bps, c.spp, c.cols)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(in, out) {
			t.Errorf("%+v: round trip differs", c)
		}
	}
}

// TestPackGrey16: the one-pass coder of 16-bit grey frames gives the bytes
// of storedSamples and packFrame, for every layout of the stored bits.
func TestPackGrey16(t *testing.T) {
	rnd := uint32(7)
	raw := make([]byte, 2*13*9)
	for i := range raw {
		rnd = rnd*1664525 + 1013904223
		raw[i] = byte(rnd >> 24)
		if i%7 == 0 {
			raw[i] = 0 // some runs
		}
	}
	for _, c := range []struct {
		stored, high int
		signed       bool
	}{{16, 15, false}, {16, 15, true}, {12, 11, false}, {12, 11, true}, {12, 15, true}, {10, 13, false}, {1, 0, false}} {
		d := &render.Description{Rows: 9, Columns: 13, BitsAllocated: 16, BitsStored: c.stored, HighBit: c.high, Signed: c.signed}
		var pk webPacker
		want, _ := packFrame(storedSamples(nil, d, raw, 2), 2, 1, d.Columns)
		if got := pk.packGrey16(nil, d, raw); !bytes.Equal(got, want) {
			t.Errorf("%+v: packGrey16 differs from packFrame", c)
		}
	}
}

func FuzzPackFrame(f *testing.F) {
	f.Add([]byte{1, 2, 3, 4, 250, 0, 7, 9}, uint8(2), uint8(1), uint8(2))
	f.Add([]byte{255, 0, 0, 0, 255, 0}, uint8(1), uint8(3), uint8(1))
	f.Fuzz(func(t *testing.T, in []byte, bps, spp, cols uint8) {
		b, s, c := int(bps%2)+1, []int{1, 3}[spp%2], int(cols%16)+1
		unit := b * s * c
		in = in[:len(in)/unit*unit]
		if len(in) == 0 {
			return
		}
		p, err := packFrame(in, b, s, c)
		if err != nil {
			t.Fatal(err)
		}
		out, err := unpackFrame(p, b, s, c)
		if err != nil || !bytes.Equal(in, out) {
			t.Fatalf("round trip: %v", err)
		}
		unpackFrame(in, b, s, c) // garbage in: an error, never a crash
	})
}

// checkRendered compares the page's windowed image with viewer/render's at
// the same window: the browser applies the modality LUT and the window to
// the real values as the Go renderer does, within one grey level.
func checkRendered(t *testing.T, name, dir string, im webFrame, wl []float64, got []int) {
	t.Helper()
	f, err := dcm.ParseFile(filepath.Join(dir, filepath.FromSlash(im.FileID)))
	if err != nil {
		t.Fatal(err)
	}
	d, err := render.Describe(f.DataSet, f.Syntax.UID)
	if err != nil {
		t.Fatal(err)
	}
	r, err := render.New(d)
	if err != nil {
		t.Fatal(err)
	}
	r.SetWindow(render.Window{Center: wl[0], Width: wl[1]})
	frame, err := render.Frame(f, d, max(im.Frame-1, 0))
	if err != nil {
		t.Fatal(err)
	}
	img, err := r.Render(frame)
	if err != nil {
		t.Fatal(err)
	}
	g, ok := img.(*image.Gray)
	if !ok || len(g.Pix) != len(got) {
		t.Fatalf("%s: the page shows %d pixels, the renderer %T", name, len(got), img)
	}
	worst, off := 0, 0
	for i, v := range g.Pix {
		if d := abs(int(v) - got[i]); d > 0 {
			off++
			worst = max(worst, d)
		}
	}
	t.Logf("%s: windowed image %g/%g: %d of %d pixels differ from viewer/render, by at most %d", name, wl[0], wl[1], off, len(got), worst)
	if worst > 1 {
		t.Errorf("%s: the page's windowed image differs from viewer/render by up to %d grey levels", name, worst)
	}
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// checkLinks: INDEX.HTM links the browser viewer and README.TXT names it,
// and INDEX.HTM and IHE_PDI/ stay script-free.
func checkLinks(t *testing.T, dir string) {
	t.Helper()
	index, _ := os.ReadFile(filepath.Join(dir, "INDEX.HTM"))
	readme, _ := os.ReadFile(filepath.Join(dir, "README.TXT"))
	if !bytes.Contains(index, []byte(`href="VIEWER/WEB/VIEWER.HTM"`)) {
		t.Errorf("INDEX.HTM does not link the browser viewer")
	}
	if !bytes.Contains(readme, []byte(`open VIEWER\WEB\VIEWER.HTM in any`)) {
		t.Errorf("README.TXT does not say how to open the browser viewer:\n%s", readme)
	}
	pages, _ := filepath.Glob(filepath.Join(dir, "IHE_PDI", "*"))
	for _, page := range append(pages, filepath.Join(dir, "INDEX.HTM")) {
		b, _ := os.ReadFile(page)
		if bytes.Contains(bytes.ToLower(b), []byte("<script")) {
			t.Errorf("%s carries a script", filepath.Base(page))
		}
	}
}

// TestWebZlib: the frames' deflate coder (runs as distance-1 matches, one
// dynamic Huffman block a part) inflates to its input with zlib, for runs
// of every length around deflate's limits, skewed and flat statistics, and
// empty parts.
func TestWebZlib(t *testing.T) {
	var cases [][][]byte
	rnd := uint32(1)
	next := func() uint32 { rnd = rnd*1664525 + 1013904223; return rnd >> 8 }
	for _, runLen := range []int{0, 1, 2, 3, 4, 5, 10, 11, 137, 138, 139, 257, 258, 259, 260, 261, 516, 1000} {
		var b []byte
		for k := 0; k < 5; k++ {
			b = append(b, byte(next()))
			b = append(b, bytes.Repeat([]byte{byte(k * 50)}, runLen)...)
		}
		cases = append(cases, [][]byte{b})
	}
	flat := make([]byte, 70000)
	skew := make([]byte, 70000)
	for i := range flat {
		flat[i] = byte(next())
		skew[i] = byte(int(next()%7) - 3)
	}
	cases = append(cases, [][]byte{flat}, [][]byte{skew, flat}, [][]byte{{}, {9}}, [][]byte{{}}, [][]byte{bytes.Repeat([]byte{7}, 100000)}, [][]byte{})
	// Short runs at every offset around the coder's eight-byte windows.
	for k := 0; k < 400; k++ {
		b := make([]byte, int(next()%40))
		for i := range b {
			if next()%3 == 0 {
				b[i] = byte(next() % 3)
			} else if i > 0 {
				b[i] = b[i-1]
			}
		}
		cases = append(cases, [][]byte{b})
	}
	var z webDeflater
	for n, parts := range cases {
		enc := webZlib(nil, &z, parts...)
		r, err := zlib.NewReader(bytes.NewReader(enc))
		if err != nil {
			t.Fatalf("case %d: %v", n, err)
		}
		got, err := io.ReadAll(r)
		if err != nil {
			t.Fatalf("case %d: %v", n, err)
		}
		if want := bytes.Join(parts, nil); !bytes.Equal(got, want) {
			t.Errorf("case %d: inflates to %d bytes, want %d (equal %v)", n, len(got), len(want), bytes.Equal(got, want))
		}
	}
}

// TestWebViewerScreens compares the browser viewer's first view of a CT
// disc (the middle image fitted and windowed, corner annotations,
// orientation markers, thumbnails, toolbar) in Chromium and Firefox with
// golden screenshots (testdata/webviewer_ct_BROWSER.png), within a
// tolerance for text antialiasing. UPDATE_GOLDEN=1 rewrites them.
func TestWebViewerScreens(t *testing.T) {
	_, dir := webDisc(t, []string{"disc_layouts/philips_ct_partial/DICOM/S21610/S2010"}, Options{Now: fixedNow}, false)
	shots := t.TempDir()
	runBrowsers(t, dir, map[string]any{"viewport": []int{640, 400}, "shot": filepath.Join(shots, "NAME.png")})
	for _, name := range []string{"chromium", "firefox"} {
		got, err := os.ReadFile(filepath.Join(shots, name+".png"))
		if err != nil {
			t.Fatalf("%s: no screenshot: %v", name, err)
		}
		assertScreen(t, "webviewer_ct_"+name+".png", got)
	}
}

// assertScreen compares a PNG screenshot with testdata/golden: the same
// size, and at most 0.5% of the pixels off by more than 32 levels in a
// channel (text may antialias differently). A mismatch leaves the new
// image in testdata/failed/.
func assertScreen(t *testing.T, golden string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", golden)
	if os.Getenv("UPDATE_GOLDEN") == "1" {
		if err := os.WriteFile(path, got, 0o600); err != nil {
			t.Fatal(err)
		}
		return
	}
	wb, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("golden %s: %v (UPDATE_GOLDEN=1 makes it)", golden, err)
	}
	want, err := png.Decode(bytes.NewReader(wb))
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(got))
	if err != nil {
		t.Fatal(err)
	}
	fail := func(f string, a ...any) {
		t.Helper()
		_ = os.MkdirAll(filepath.Join("testdata", "failed"), 0o755)
		_ = os.WriteFile(filepath.Join("testdata", "failed", golden), got, 0o600)
		t.Errorf("%s: "+f+" (the new screenshot is testdata/failed/%s)", append(append([]any{golden}, a...), golden)...)
	}
	if img.Bounds() != want.Bounds() {
		fail("size %v, golden %v", img.Bounds(), want.Bounds())
		return
	}
	off, worst := 0, 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r1, g1, b1, _ := img.At(x, y).RGBA()
			r2, g2, b2, _ := want.At(x, y).RGBA()
			d := max(abs(int(r1>>8)-int(r2>>8)), abs(int(g1>>8)-int(g2>>8)), abs(int(b1>>8)-int(b2>>8)))
			worst = max(worst, d)
			if d > 32 {
				off++
			}
		}
	}
	t.Logf("%s: %d of %d pixels off by more than 32 levels (worst %d)", golden, off, b.Dx()*b.Dy(), worst)
	if off*200 > b.Dx()*b.Dy() {
		fail("%d of %d pixels differ", off, b.Dx()*b.Dy())
	}
}

// TestWebViewerEstimateSampled: the plan measures a series' data ratio on
// its middle image, so a noisy MR is not planned at CT's ratio and a CT
// not at MR's: the estimate never falls short of what Build writes and
// exceeds it by at most 40% (the page, the index allowance and a margin).
func TestWebViewerEstimateSampled(t *testing.T) {
	for _, rel := range []string{"mr_series/dcm4che_mr16", "disc_layouts/philips_ct_partial/DICOM/S21610/S2010"} {
		p := plan(t, Input{Files: files(t, rel)}, Options{ViewerDir: t.TempDir(), NoWeb: true})
		est := p.WebViewer().Bytes
		build(t, p)
		got := p.WebViewer().Bytes
		t.Logf("%s: planned %d bytes, written %d", rel, est, got)
		if est < got || float64(est) > 1.4*float64(got) {
			t.Errorf("%s: the plan says %d bytes of browser viewer, Build wrote %d", rel, est, got)
		}
	}
}
