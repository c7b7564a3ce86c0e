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
// pixel data: delta-coded, Huffman-coded frames in base64 measure about
// 0.5 for CT (see TestWebViewerBudgetCT); the plan assumes a little more
// so the estimate does not undercount.
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
	bytes  int64 // measured by Build (0 until then)
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

// webViewerEstimate is the planned data of a series' objects.
func (p *Plan) webViewerEstimate(objs []*Object) int64 {
	var n int64
	for _, o := range objs {
		n += p.webViewerObjectEstimate(o)
	}
	return n
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
	return int64(float64(native)*webDataRatio) + 64
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
	p.web = webViewerPlan{mode: WebViewerData}
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
	p.web = webViewerPlan{mode: WebViewerPicker}
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
		p.web = webViewerPlan{mode: WebViewerData}
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
