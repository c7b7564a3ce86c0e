package disc

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"discdesk/assets/webviewer"
	"discdesk/burner"
	"discdesk/viewer/dcm"
)

// The browser viewer's place on the disc (ISO 9660 level 1 names). Its
// page loads the data with <script src> because browsers refuse fetch and
// XHR on file://.
const (
	WebViewerFolder = ViewerFolder + "/WEB"
	WebViewerPage   = WebViewerFolder + "/VIEWER.HTM"
	webDataFolder   = WebViewerFolder + "/DATA"
)

// WebViewerMode says how the browser viewer gets the pixels.
type WebViewerMode string

// Browser viewer modes.
const (
	// WebViewerOff: no browser viewer (Options.NoViewer).
	WebViewerOff WebViewerMode = "off"
	// WebViewerData: the frames ride along as script files under
	// VIEWER/WEB/DATA, so the page opens the images by itself.
	WebViewerData WebViewerMode = "data"
	// WebViewerPicker: the data would cost the plan another disc (or would
	// not fit); the page asks once for the disc folder and reads the
	// DICOMDIR and the DICOM files itself.
	WebViewerPicker WebViewerMode = "picker"
)

// WarnWebViewer: the browser viewer goes without its data (its images
// would cost another disc); it reads the disc folder once the user picks it.
const WarnWebViewer WarningCode = "web-viewer"

// webDataRatio is the planned size of the viewer data per byte of native
// pixel data where no image of the series could be sampled (see
// sampleWebRatio): coded frames in base64 measure 0.38 for CT (see
// TestWebViewerBudgetCT), 0.64 for enhanced MR, 0.84 for a noisy 16-bit MR.
const webDataRatio = 0.55

// WebViewerInfo is what the plan says about the browser viewer.
type WebViewerInfo struct {
	Mode WebViewerMode
	// Bytes is the planned size of the viewer and its data on all discs
	// (an estimate until Build, then the size written).
	Bytes int64
	// Reason explains a picker-mode viewer.
	Reason string
}

// webViewerPlan is the plan's state of the browser viewer.
type webViewerPlan struct {
	mode   WebViewerMode
	reason string
	bytes  int64              // measured by Build (0 until then)
	ratios map[string]float64 // series UID -> planned data per native pixel byte
}

// WebViewer reports the browser viewer's mode and cost.
func (p *Plan) WebViewer() WebViewerInfo {
	info := WebViewerInfo{Mode: p.web.mode, Reason: p.web.reason}
	if info.Mode == "" {
		info.Mode = WebViewerOff
	}
	switch {
	case info.Mode == WebViewerOff:
	case p.web.bytes > 0:
		info.Bytes = p.web.bytes
	default:
		for _, d := range p.Discs {
			info.Bytes += p.webViewerAppSize()
			for _, o := range d.Objects {
				info.Bytes += p.webViewerObjectEstimate(o)
			}
		}
	}
	return info
}

// webViewerAppSize is what the page, its script and style and the index
// add to every disc that carries the browser viewer.
func (p *Plan) webViewerAppSize() int64 {
	if p.web.mode == WebViewerOff || p.web.mode == "" {
		return 0
	}
	var n int64
	for _, f := range webviewer.Files() {
		n += sector(int64(len(f.Data)))
	}
	return n + 256<<10 // the index
}

// webViewerEstimate is the planned data of a series' objects. The first
// call for a series packs its middle image (an object of at most 64
// frames: a few milliseconds for a slice) and plans the series at that
// ratio with a margin: noisy MR costs twice what CT does (0.84 against
// 0.38 of the native bytes).
func (p *Plan) webViewerEstimate(objs []*Object) int64 {
	if p.web.mode == WebViewerData && len(objs) > 0 {
		p.sampleWebRatio(objs)
	}
	var n int64
	for _, o := range objs {
		n += p.webViewerObjectEstimate(o)
	}
	return n
}

// sampleWebRatio measures the data ratio of the series of objs once.
func (p *Plan) sampleWebRatio(objs []*Object) {
	uid := objs[0].SeriesUID
	if _, ok := p.web.ratios[uid]; ok {
		return
	}
	if p.web.ratios == nil {
		p.web.ratios = map[string]float64{}
	}
	p.web.ratios[uid] = webDataRatio
	var images []*Object
	for _, o := range objs {
		if o.Kind == KindImage && o.Source != "" && o.Frames <= 64 {
			images = append(images, o)
		}
	}
	if len(images) == 0 {
		return
	}
	o := images[len(images)/2]
	imgs, frames, err := webFrames(o.Source, nil, o.Describe(), true)
	if err != nil || len(frames) == 0 {
		return
	}
	var native, packed int
	for i, f := range frames {
		im := imgs[i]
		native += im.Rows * im.Columns * im.Samples * im.Bytes
		packed += len(f) + 4
		putFrameBuf(f)
	}
	if native > 0 {
		p.web.ratios[uid] = min(max(float64(packed)/float64(native)*1.1+0.02, 0.05), 1.4)
	}
}

func (p *Plan) webViewerObjectEstimate(o *Object) int64 {
	if p.web.mode != WebViewerData || o.Kind != KindImage {
		return 0
	}
	h := o.header
	rows, _ := h.Int(dcm.Rows)
	cols, _ := h.Int(dcm.Columns)
	spp, ok := h.Int(dcm.SamplesPerPixel)
	if !ok || spp < 1 {
		spp = 1
	}
	bits, _ := h.Int(dcm.BitsAllocated)
	bps := int64(1)
	if bits > 8 && spp == 1 {
		bps = 2
	}
	native := int64(rows) * int64(cols) * int64(spp) * bps * int64(o.Frames)
	ratio := webDataRatio
	if r, ok := p.web.ratios[o.SeriesUID]; ok {
		ratio = r
	}
	return int64(float64(native)*ratio) + 64
}

// splitDiscs packs the discs with the browser viewer's data when it rides
// along without costing another disc; otherwise the viewer goes in picker
// mode (it reads the disc's DICOM files itself once the user names the
// disc folder).
func (p *Plan) splitDiscs() error {
	if p.Options.NoViewer {
		p.web.mode = WebViewerOff
		return p.split()
	}
	warnings := len(p.Warnings)
	reset := func() {
		p.Discs, p.Size, p.Warnings = nil, 0, p.Warnings[:warnings]
		for _, o := range p.Objects {
			o.FileID = ""
		}
	}
	ratios := p.web.ratios // the series sampled once, whatever the mode tried
	if ratios == nil {
		ratios = map[string]float64{}
	}
	p.web = webViewerPlan{mode: WebViewerData, ratios: ratios}
	err := p.split()
	if err == nil && len(p.Discs) <= 1 {
		return nil
	}
	if err != nil && !errors.Is(err, ErrSeriesTooLarge) {
		return err
	}
	with, withSize, withWarn := p.Discs, p.Size, append([]Warning(nil), p.Warnings...)
	withIDs := make([]string, len(p.Objects))
	for i, o := range p.Objects {
		withIDs[i] = o.FileID
	}
	reset()
	p.web = webViewerPlan{mode: WebViewerPicker, ratios: ratios}
	perr := p.split()
	if perr != nil {
		return perr
	}
	if err == nil && len(p.Discs) >= len(with) {
		// The data costs no extra disc after all: keep it.
		p.Discs, p.Size, p.Warnings = with, withSize, withWarn
		for i, o := range p.Objects {
			o.FileID = withIDs[i]
		}
		p.web = webViewerPlan{mode: WebViewerData, ratios: ratios}
		return nil
	}
	if err != nil {
		p.web.reason = "a series with the browser viewer's data would not fit one medium"
	} else {
		p.web.reason = fmt.Sprintf("the browser viewer's data would need %d discs instead of %d", len(with), len(p.Discs))
	}
	p.warn(WarnWebViewer, false, "the browser viewer carries no copy of the images (%s): it asks for the disc folder and reads the DICOM files itself", p.web.reason)
	return nil
}

// webViewerFiles makes the browser viewer of disc d: the page, script and
// style, DATA/INDEX.JS and, in data mode, the frames as script files
// written to the work folder. src gives the file of an object as it is on
// the disc.
func (p *Plan) webViewerFiles(ctx context.Context, d *Disc, src func(*Object) (string, []byte), progress ProgressFunc) ([]burner.File, error) {
	if p.web.mode == WebViewerOff || p.web.mode == "" {
		return nil, nil
	}
	var out []burner.File
	for _, f := range webviewer.Files() {
		out = append(out, burner.File{Path: WebViewerFolder + "/" + f.Name, Data: f.Data, Size: int64(len(f.Data))})
	}
	dir := filepath.Join(p.Options.WorkDir, fmt.Sprintf("web%d", d.Index))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("disc: browser viewer: %w", err)
	}
	idx, batches, err := p.webIndex(ctx, d, src, dir, progress)
	if err != nil {
		return nil, err
	}
	out = append(out, burner.File{Path: webDataFolder + "/INDEX.JS", Data: idx, Size: int64(len(idx))})
	for _, b := range batches {
		out = append(out, burner.File{Path: webDataFolder + "/" + b.name, Source: b.path, Size: b.size})
	}
	var n int64
	for _, f := range out {
		n += sector(f.Size)
	}
	if d.Index == 1 {
		p.web.bytes = 0
	}
	p.web.bytes += n
	return out, nil
}
