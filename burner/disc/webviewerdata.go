package disc

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"discdesk/burner/disc/pdi"
	"discdesk/internal/version"
	"discdesk/viewer/dcm"
	"discdesk/viewer/render"
)

// Attributes the browser viewer's annotations need that viewer/dcm does
// not name.
var (
	tagPatientAge       = dcm.T(0x0010, 0x1010)
	tagSliceThickness   = dcm.T(0x0018, 0x0050)
	tagFrameTime        = dcm.T(0x0018, 0x1063)
	tagImagerSpacing    = dcm.T(0x0018, 0x1164)
	tagBodyPart         = dcm.T(0x0018, 0x0015)
	tagPatientOrient    = dcm.T(0x0020, 0x0020)
	tagImagePosition    = dcm.T(0x0020, 0x0032)
	tagImageOrientation = dcm.T(0x0020, 0x0037)
	tagLaterality       = dcm.T(0x0020, 0x0060)
	tagImageLaterality  = dcm.T(0x0020, 0x0062)
	tagSliceLocation    = dcm.T(0x0020, 0x1041)
	tagPixelSpacing     = dcm.T(0x0028, 0x0030)
	tagSharedGroups     = dcm.T(0x5200, 0x9229)
	tagPerFrameGroups   = dcm.T(0x5200, 0x9230)
	tagPixelMeasures    = dcm.T(0x0028, 0x9110)
	tagPlanePosition    = dcm.T(0x0020, 0x9113)
	tagPlaneOrientation = dcm.T(0x0020, 0x9116)
	tagRecommendedRate  = dcm.T(0x0008, 0x2144)
)

// webBatchBytes is the size a frame batch file grows to before the next
// starts: small enough that the first image needs one short file, large
// enough that a 500-slice CT needs no more than a few hundred files.
const webBatchBytes = 1 << 20

// The browser viewer's index (DATA/INDEX.JS), as JSON.
type (
	webIndexJSON struct {
		Version  int          `json:"version"`
		Mode     string       `json:"mode"`
		Reason   string       `json:"reason,omitempty"`
		FileSet  string       `json:"fileSet"`
		DiscOf   string       `json:"discOf"`
		Facility string       `json:"facility"`
		Patients []webPatient `json:"patients"`
	}
	webPatient struct {
		Name      string     `json:"name"`
		ID        string     `json:"id"`
		BirthDate string     `json:"birthDate"`
		Sex       string     `json:"sex"`
		Age       string     `json:"age"`
		Studies   []webStudy `json:"studies"`
	}
	webStudy struct {
		UID          string      `json:"uid"`
		Date         string      `json:"date"`
		Time         string      `json:"time"`
		Description  string      `json:"description"`
		Accession    string      `json:"accession"`
		Institution  string      `json:"institution"`
		Referring    string      `json:"referring"`
		Radiologists []string    `json:"radiologists"`
		Series       []webSeries `json:"series"`
		Reports      []webReport `json:"reports"`
	}
	webSeries struct {
		Key         string     `json:"key"` // S001: names its batch files
		UID         string     `json:"uid"`
		Number      int        `json:"number"`
		Modality    string     `json:"modality"`
		Description string     `json:"description"`
		BodyPart    string     `json:"bodyPart"`
		Note        string     `json:"note,omitempty"`
		Images      []webFrame `json:"images"` // one per frame, in viewing order
		Batches     []string   `json:"batches"`
	}
	// webFrame is one frame and the attributes its annotations show.
	webFrame struct {
		Instance      int         `json:"instance"`
		Frame         int         `json:"frame"` // 1-based, 0 for a single-frame object
		FileID        string      `json:"fileId"`
		Batch         int         `json:"batch"` // index into Batches; -1 = not in the data
		Rows          int         `json:"rows"`
		Columns       int         `json:"columns"`
		Samples       int         `json:"samples"` // 1 grey, 3 RGB
		Bytes         int         `json:"bytes"`   // bytes per sample of the packed values: 1 or 2
		Signed        bool        `json:"signed"`
		Monochrome1   bool        `json:"monochrome1"`
		Slope         float64     `json:"slope"`
		Intercept     float64     `json:"intercept"`
		LUT           *webLUT     `json:"lut,omitempty"`
		Windows       [][]float64 `json:"windows"`
		WindowNames   []string    `json:"windowNames"`
		PixelSpacing  []float64   `json:"pixelSpacing"` // row, column spacing in mm; empty = unknown
		SpacingSource string      `json:"spacingSource"`
		Position      []float64   `json:"position"`
		Orientation   []float64   `json:"orientation"`
		PatientOrient []string    `json:"patientOrientation"`
		Laterality    string      `json:"laterality"`
		SliceLocation *float64    `json:"sliceLocation"`
		Thickness     *float64    `json:"thickness"`
		FrameTime     float64     `json:"frameTime"` // ms, 0 = unknown
		Lossy         string      `json:"lossy"`     // "" or "Lossy 10:1 ISO_10918_1"
	}
	webLUT struct {
		First int      `json:"first"`
		Data  []uint16 `json:"data"`
	}
	webReport struct {
		Title    string    `json:"title"`
		Date     string    `json:"date"`
		Kind     string    `json:"kind"`
		FileID   string    `json:"fileId"`
		Text     string    `json:"text"`
		Tree     []webNode `json:"tree"`
		Verified string    `json:"verified"`
	}
	webNode struct {
		Name     string    `json:"name"`
		Value    string    `json:"value"`
		Children []webNode `json:"children,omitempty"`
	}
)

type webBatch struct {
	name, path string
	size       int64
}

// webIndex makes the index of disc d and, in data mode, writes the frame
// batches into dir.
func (p *Plan) webIndex(ctx context.Context, d *Disc, src func(*Object) (string, []byte), dir string, progress ProgressFunc) ([]byte, []webBatch, error) {
	idx := webIndexJSON{Version: 1, Mode: string(p.web.mode), Reason: p.web.reason, FileSet: d.FileSetID,
		DiscOf: fmt.Sprintf("disc %d of %d", d.Index, d.Count), Facility: p.Facility.Name}
	readers := p.radiologists()
	type seriesAt struct{ pi, si, ri int }
	patIdx, studyIdx, seriesIdx := map[string]int{}, map[string][2]int{}, map[string]seriesAt{}
	var order []string
	objs := map[string][]*Object{}
	for _, o := range d.Objects {
		h := o.header
		pi, ok := patIdx[o.PatientID]
		if !ok {
			pi = len(idx.Patients)
			patIdx[o.PatientID] = pi
			idx.Patients = append(idx.Patients, webPatient{Name: dcm.PersonName(h.String(dcm.PatientName)), ID: o.PatientID,
				BirthDate: dcm.FormatDate(h.String(dcm.PatientBirthDate)), Sex: h.String(dcm.PatientSex), Age: h.String(tagPatientAge)})
		}
		pat := &idx.Patients[pi]
		si, ok := studyIdx[o.StudyUID]
		if !ok {
			si = [2]int{pi, len(pat.Studies)}
			studyIdx[o.StudyUID] = si
			pat.Studies = append(pat.Studies, webStudy{UID: o.StudyUID, Date: dcm.FormatDate(h.String(dcm.StudyDate)), Time: h.String(dcm.StudyTime),
				Description: h.String(dcm.StudyDescription), Accession: h.String(dcm.AccessionNumber), Institution: h.String(dcm.InstitutionName),
				Referring: dcm.PersonName(h.String(dcm.ReferringPhysicianName)), Radiologists: readers[o.StudyUID]})
		}
		st := &pat.Studies[si[1]]
		if o.Kind == KindSR || o.Kind == KindPDF {
			r, err := reportOf(o, d.FileID(o))
			if err != nil {
				return nil, nil, err
			}
			st.Reports = append(st.Reports, webReport{Title: r.Title, Date: r.Date, Kind: r.Kind, FileID: r.FileID, Text: r.Text,
				Tree: webNodes(r.Tree), Verified: h.String(dcm.VerificationFlag)})
		}
		if _, ok := seriesIdx[o.SeriesUID]; !ok {
			seriesIdx[o.SeriesUID] = seriesAt{pi, si[1], len(st.Series)}
			order = append(order, o.SeriesUID)
			st.Series = append(st.Series, webSeries{Key: fmt.Sprintf("S%03d", len(order)), UID: o.SeriesUID, Number: o.SeriesNumber,
				Modality: o.Modality, Description: h.String(dcm.SeriesDescription), BodyPart: h.String(tagBodyPart)})
		}
		objs[o.SeriesUID] = append(objs[o.SeriesUID], o)
	}
	var batches []webBatch
	for k, uid := range order {
		at := seriesIdx[uid]
		se := &idx.Patients[at.pi].Studies[at.si].Series[at.ri]
		if k >= 999 {
			se.Note = "not in the browser data (more than 999 series on one disc)"
			continue
		}
		bs, err := p.webSeriesData(ctx, d, se, objs[uid], src, dir)
		if err != nil {
			return nil, nil, err
		}
		batches = append(batches, bs...)
		progress.emit(Progress{Disc: d.Index, Phase: PhaseWeb, Done: k + 1, Total: len(order)})
	}
	js, err := json.Marshal(idx)
	if err != nil {
		return nil, nil, fmt.Errorf("disc: browser viewer index: %w", err)
	}
	var b bytes.Buffer
	b.WriteString("/* DiscDesk browser viewer: the disc's index. */\nDDV.index(")
	b.Write(js)
	b.WriteString(");\n")
	return b.Bytes(), batches, nil
}

func webNodes(ns []pdi.Node) []webNode {
	var out []webNode
	for _, n := range ns {
		out = append(out, webNode{Name: n.Name, Value: n.Value, Children: webNodes(n.Children)})
	}
	return out
}

// webSeriesData fills the images of one series and, in data mode, packs
// its frames into batch files.
func (p *Plan) webSeriesData(ctx context.Context, d *Disc, se *webSeries, objs []*Object, src func(*Object) (string, []byte), dir string) ([]webBatch, error) {
	var images []*Object
	for _, o := range objs {
		if o.Kind == KindImage {
			images = append(images, o)
		}
	}
	if len(images) == 0 {
		se.Note = "no images (" + strings.ToLower(string(objs[0].Kind)) + " objects)"
		return nil, nil
	}
	// Pack on every core, write in order: at most two frames a worker wait
	// for the writer, so memory stays a few frames whatever the series.
	type packed struct {
		frameEntry
		err error
	}
	results := make([]chan packed, len(images))
	for i := range results {
		results[i] = make(chan packed, 1)
	}
	workers := min(runtime.GOMAXPROCS(0), len(images))
	ctx, cancel := context.WithCancel(ctx)
	sem := make(chan struct{}, 2*workers)
	next := make(chan int)
	var wg sync.WaitGroup
	defer func() { cancel(); wg.Wait() }()
	go func() {
		defer close(next)
		for i := range images {
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				return
			}
			select {
			case next <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				o := images[i]
				path, data := src(o)
				e, err := p.webObject(ctx, p.frameKey(o), path, data, d.FileID(o), p.web.mode == WebViewerData)
				if err == nil {
					o.digest, o.digestSize = e.Digest, e.Size // the tree's SHA-256 of this file: read once
				}
				results[i] <- packed{e, err}
			}
		}()
	}
	var batches []webBatch
	var cur bytes.Buffer
	flush := func() error {
		if cur.Len() == 0 {
			return nil
		}
		cur.WriteString("]);\n")
		name := fmt.Sprintf("%s%04d.JS", se.Key, len(se.Batches)+1)
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, cur.Bytes(), 0o600); err != nil {
			return fmt.Errorf("disc: browser viewer data: %w", err)
		}
		batches = append(batches, webBatch{name: name, path: path, size: int64(cur.Len())})
		se.Batches = append(se.Batches, name)
		cur.Reset()
		return nil
	}
	inBatch := 0
	frames := 0
	for _, o := range images {
		frames += max(o.Frames, 1)
	}
	mid := (frames - 1) / 2
	for i := range images {
		var r packed
		select {
		case r = <-results[i]:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		<-sem
		if r.err != nil {
			// A frame the viewer cannot carry costs the browser viewer that
			// image, never the disc; the Go viewer still shows what it can.
			se.Note = "some images are not in the browser data: " + r.err.Error()
			r.release()
			continue
		}
		for k, img := range r.Images {
			img.Batch = -1
			if k < len(r.frames) {
				// The middle image (the one the page and the thumbnail show
				// first) has a batch of its own: the first image waits for
				// one small file.
				at := len(se.Images)
				if cur.Len() > 0 && (cur.Len()+len(r.frames[k]) > webBatchBytes || at == mid || at == mid+1) && len(se.Batches) < 9998 {
					if err := flush(); err != nil {
						return nil, err
					}
				}
				if cur.Len() == 0 {
					fmt.Fprintf(&cur, "DDV.batch(%q,%d,[\n", se.Key, len(se.Batches))
					inBatch = 0
				}
				if inBatch > 0 {
					cur.WriteString(",\n")
				}
				cur.WriteByte('"')
				cur.Write(r.frames[k])
				cur.WriteByte('"')
				inBatch++
				img.Batch = len(se.Batches)
			}
			se.Images = append(se.Images, img)
		}
		r.release()
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return batches, nil
}

// webObject reads one image object as it goes on the disc (data, else the
// file at path) and returns what webFrames does and the SHA-256 of its
// bytes, as a frameEntry whose release is called once the frames have been
// written out. With a cache and a key (Plan.frameKey), the entry comes from
// the cache, or is packed and stored. An entry's digest is used only for a
// copied file (the key names those very bytes); a transcoded object's bytes
// are this build's, and are hashed.
func (p *Plan) webObject(ctx context.Context, key frameKey, path string, data []byte, fileID string, pack bool) (frameEntry, error) {
	read := func() (frameEntry, error) {
		var e frameEntry
		d := data
		if d == nil {
			buf, err := readPooled(path)
			if err != nil {
				return e, fmt.Errorf("%s: %w", fileID, err)
			}
			defer putReadBuf(buf) // nothing below keeps a reference into it
			d = *buf
		}
		e.Digest, e.Size = sha256Hex(d), int64(len(d))
		var err error
		e.Images, e.frames, err = webFrames("", d, fileID, pack)
		return e, err
	}
	c := p.Options.FrameCache
	if c == nil || !pack || key.name == "" {
		return read()
	}
	e, err := c.entry(ctx, key.name, read)
	if err != nil {
		return e, err
	}
	if e.buf != nil && !key.sameBytes { // from the cache, for bytes written by this build
		if data != nil {
			e.Digest, e.Size = sha256Hex(data), int64(len(data))
		} else {
			buf, err := readPooled(path)
			if err != nil {
				e.release()
				return frameEntry{}, fmt.Errorf("%s: %w", fileID, err)
			}
			e.Digest, e.Size = sha256Hex(*buf), int64(len(*buf))
			putReadBuf(buf)
		}
	}
	for i := range e.Images { // the entry may come from another disc
		e.Images[i].FileID = fileID
	}
	return e, nil
}

// frameKey names an object's entry in the frame cache.
type frameKey struct {
	name      string // "" = not cached
	sameBytes bool   // the key names the bytes on the disc (a copied file)
}

// frameKey is the cache key of object o's frames: a copied file's identity,
// or for a transcoded one its source's identity and everything the rewrite
// writes into it (target syntax, supplied values, added attributes, the
// software's version: pixels decoded losslessly are the source's, and
// the frame descriptions come from the rewritten header).
func (p *Plan) frameKey(o *Object) frameKey {
	if p.Options.FrameCache == nil || o.Kind != KindImage || o.Source == "" {
		return frameKey{}
	}
	id, ok := fileKey(o.Source)
	if !ok {
		return frameKey{}
	}
	switch o.Action {
	case Copy:
		return frameKey{name: id, sameBytes: true}
	case Transcode:
		var b strings.Builder
		fmt.Fprintf(&b, "transcode\x00%s\x00%s\x00%s\x00%s %s\x00", id, o.SourceSyntax, o.Syntax, o.software, version.Version)
		for _, t := range o.addEmpty {
			fmt.Fprintf(&b, "empty %08x\x00", uint32(t))
		}
		for _, s := range o.Supplied {
			fmt.Fprintf(&b, "supplied %08x %q\x00", uint32(s.Tag), s.Value)
		}
		return frameKey{name: sha256Hex([]byte(b.String()))}
	}
	return frameKey{}
}

// readBufs keeps the buffers objects are read into, one a worker, so
// reading a study allocates (and collects) no file-sized slices.
var readBufs sync.Pool

// readPooled reads the file at path into a pooled buffer.
func readPooled(path string) (*[]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	size := int(fi.Size())
	buf := getReadBuf(size)
	n, err := io.ReadFull(f, *buf)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		putReadBuf(buf)
		return nil, err
	}
	*buf = (*buf)[:n]
	var more [1]byte
	if m, _ := f.Read(more[:]); n == size && m > 0 { // the file grew since Stat: read the rest
		rest, err := io.ReadAll(f)
		if err != nil {
			putReadBuf(buf)
			return nil, err
		}
		*buf = append(append(*buf, more[:m]...), rest...)
	}
	return buf, nil
}

func getReadBuf(n int) *[]byte {
	if b, ok := readBufs.Get().(*[]byte); ok && cap(*b) >= n {
		*b = (*b)[:n]
		return b
	}
	b := make([]byte, n, n+n/8)
	return &b
}

func putReadBuf(b *[]byte) {
	if b != nil && cap(*b) <= 64<<20 {
		readBufs.Put(b)
	}
}

func putFrameBufs(frames [][]byte) {
	for _, f := range frames {
		putFrameBuf(f)
	}
}

// webFrames reads one image object and describes each frame; with pack it
// also packs every frame (base64 of the deflated, delta-coded values).
func webFrames(path string, data []byte, fileID string, pack bool) ([]webFrame, [][]byte, error) {
	var f *dcm.File
	var err error
	if data != nil {
		f, err = dcm.ParseBytes(data)
	} else {
		f, err = dcm.ParseFile(path)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", fileID, err)
	}
	ds := f.DataSet
	desc, err := render.Describe(ds, f.Syntax.UID)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", fileID, err)
	}
	if desc.BitsAllocated == 32 {
		return nil, nil, fmt.Errorf("%s: 32-bit pixels", fileID)
	}
	base := webFrame{Rows: desc.Rows, Columns: desc.Columns, Samples: 1, Bytes: 1, FileID: fileID,
		Signed: desc.Signed, Monochrome1: desc.Photometric == "MONOCHROME1", Slope: desc.RescaleSlope, Intercept: desc.RescaleIntercept,
		Laterality: firstNonEmpty(ds.String(tagImageLaterality), ds.String(tagLaterality)), PatientOrient: ds.Strings(tagPatientOrient)}
	base.Instance, _ = ds.Int(dcm.InstanceNumber)
	if desc.Grey() && desc.BitsStored > 8 {
		base.Bytes = 2
	}
	if !desc.Grey() {
		base.Samples, base.Bytes, base.Signed, base.Slope, base.Intercept = 3, 1, false, 1, 0
	}
	if l := desc.ModalityLUT; l != nil && desc.Grey() {
		base.LUT = &webLUT{First: l.First, Data: l.Data}
	}
	for _, w := range desc.Windows {
		base.Windows = append(base.Windows, []float64{w.Center, w.Width})
		base.WindowNames = append(base.WindowNames, w.Explanation)
	}
	geom := func(img *webFrame, groups ...*dcm.DataSet) {
		for _, g := range groups {
			if g == nil {
				continue
			}
			if v := g.Floats(tagPixelSpacing); len(v) == 2 && v[0] > 0 && v[1] > 0 {
				img.PixelSpacing, img.SpacingSource = v, "Pixel Spacing"
			}
			if v := g.Floats(tagImagePosition); len(v) == 3 {
				img.Position = v
			}
			if v := g.Floats(tagImageOrientation); len(v) == 6 {
				img.Orientation = v
			}
			if v, ok := g.Float(tagSliceLocation); ok {
				img.SliceLocation = &v
			}
			if v, ok := g.Float(tagSliceThickness); ok {
				img.Thickness = &v
			}
		}
	}
	if v := ds.Floats(tagImagerSpacing); len(v) == 2 && v[0] > 0 && v[1] > 0 {
		base.PixelSpacing, base.SpacingSource = v, "Imager Pixel Spacing (at the detector)"
	}
	geom(&base, ds)
	var shared *dcm.DataSet
	if s := ds.Seq(tagSharedGroups); len(s) > 0 {
		shared = s[0]
	}
	perFrame := ds.Seq(tagPerFrameGroups)
	macro := func(g *dcm.DataSet, t dcm.Tag) *dcm.DataSet {
		if g == nil {
			return nil
		}
		if s := g.Seq(t); len(s) > 0 {
			return s[0]
		}
		return nil
	}
	if ft, ok := ds.Float(tagFrameTime); ok && ft > 0 {
		base.FrameTime = ft
	} else if r, ok := ds.Float(tagRecommendedRate); ok && r > 0 {
		base.FrameTime = 1000 / r
	}
	if ds.String(dcm.LossyImageCompression) == "01" {
		base.Lossy = strings.TrimSpace("Lossy " + ratioText(ds.Strings(dcm.LossyImageCompressionRatio)) + " " + strings.Join(ds.Strings(dcm.LossyImageCompressionMethod), "/"))
	}
	var imgs []webFrame
	var frames [][]byte
	var r *render.Renderer
	pk := packers.Get().(*webPacker)
	defer packers.Put(pk)
	for n := 0; n < desc.NumberOfFrames; n++ {
		img := base
		if desc.NumberOfFrames > 1 {
			img.Frame = n + 1
		}
		var pf *dcm.DataSet
		if n < len(perFrame) {
			pf = perFrame[n]
		}
		geom(&img, macro(shared, tagPixelMeasures), macro(shared, tagPlaneOrientation), macro(pf, tagPixelMeasures), macro(pf, tagPlanePosition), macro(pf, tagPlaneOrientation))
		imgs = append(imgs, img)
		if !pack {
			continue
		}
		raw, err := render.Frame(f, desc, n)
		if err != nil {
			return nil, nil, fmt.Errorf("%s frame %d: %w", fileID, n+1, err)
		}
		var samples []byte
		if desc.Grey() && desc.BitsAllocated == 16 && base.Bytes == 2 && len(raw) >= 2*desc.Rows*desc.Columns {
			frames = append(frames, pk.packGrey16(frameBuf(), desc, raw))
			continue
		} else if desc.Grey() {
			samples = storedSamples(pk.samples, desc, raw, base.Bytes)
			pk.samples = samples
		} else {
			if r == nil {
				if r, err = render.New(desc); err != nil {
					return nil, nil, fmt.Errorf("%s: %w", fileID, err)
				}
			}
			rgba, err := r.Render(raw)
			if err != nil {
				return nil, nil, fmt.Errorf("%s frame %d: %w", fileID, n+1, err)
			}
			samples = rgbSamples(rgba)
		}
		frames = append(frames, pk.pack(frameBuf(), samples, base.Bytes, base.Samples, desc.Columns))
	}
	return imgs, frames, nil
}

func ratioText(r []string) string {
	if len(r) == 0 {
		return ""
	}
	return strings.Join(r, "/") + ":1"
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v = strings.TrimSpace(v); v != "" {
			return v
		}
	}
	return ""
}

// frameBufs keeps the buffers of packed frames between the packers and the
// batch writer.
var frameBufs sync.Pool

func frameBuf() []byte {
	if b, ok := frameBufs.Get().(*[]byte); ok {
		return (*b)[:0]
	}
	return nil
}

func putFrameBuf(b []byte) {
	if cap(b) > 0 {
		frameBufs.Put(&b)
	}
}
