package disc

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"discdesk/viewer/codec"
	"discdesk/viewer/dcm"
	"discdesk/viewer/dicomdir"
)

// WarningCode identifies a kind of plan warning.
type WarningCode string

// Warning codes.
const (
	// WarnNoReport: the study has no report (no SR or encapsulated PDF and
	// none given). Staff must acknowledge it before Build.
	WarnNoReport WarningCode = "no-report"
	// WarnInconsistent: study attributes differ across series; the
	// DICOMDIR took one value deterministically.
	WarnInconsistent WarningCode = "inconsistent"
	// WarnTranscode: objects will be transcoded to Explicit VR Little Endian.
	WarnTranscode WarningCode = "transcode"
	// WarnSupplied: staff-supplied values will be written into objects.
	WarnSupplied WarningCode = "supplied"
	// WarnSpan: the study needs several discs.
	WarnSpan WarningCode = "span"
	// WarnNoViewer: no viewer binaries were found; the disc has no viewer.
	WarnNoViewer WarningCode = "no-viewer"
	// WarnDuplicate: an input file repeated an instance already planned.
	WarnDuplicate WarningCode = "duplicate"
	// WarnLossy: images on the disc were compressed with loss before they
	// reached the desk (at the modality or an archive).
	WarnLossy WarningCode = "lossy"
)

// A Warning is something staff should see before burning.
type Warning struct {
	Code     WarningCode
	Message  string
	NeedsAck bool // Build refuses until Acknowledge(Code, ...) is called
}

func (w Warning) String() string { return string(w.Code) + ": " + w.Message }

// An Acknowledgement records who accepted a warning and when; it stays in
// the plan (and so in the handoff log).
type Acknowledgement struct {
	Code WarningCode
	By   string
	At   time.Time
}

// An Offer is an alternative profile the medium allows that would keep
// compressed objects as they are instead of transcoding them.
type Offer struct {
	Profile Profile
	Objects int   // objects that would be copied instead of transcoded
	Saves   int64 // bytes saved on the disc (estimate)
}

// Input is what a plan is made from.
type Input struct {
	Files []string // instance files (absolute paths)
	// Names are what staff know each file as (the name of the file they
	// imported, "CT0042.dcm"), by input path; warnings and errors name
	// the file so, with its series and study. A file without one is named
	// by its base name.
	Names    map[string]string
	Facility Facility
	// ReportPDF is a staff-provided PDF to wrap as an Encapsulated PDF
	// object in the study; ReportText is plain text made into a PDF when
	// no ReportPDF is given. ReportTitle is the Document Title ("" =
	// "Radiology report").
	ReportPDF   string
	ReportText  string
	ReportTitle string
	// ReadingPhysician is the reading radiologist as staff entered it
	// (free text, or a PN value Family^Given^Middle^Prefix^Suffix). It
	// overrides what the objects say for every study on the disc.
	ReadingPhysician string
}

// A Plan is a complete description of one or more discs, made before any
// byte is written.
type Plan struct {
	Options  Options
	Facility Facility
	// ReadingPhysician is Input.ReadingPhysician.
	ReadingPhysician string
	Profile          Profile
	Objects          []*Object // every object, input order after de-duplication
	Discs            []*Disc
	Warnings         []Warning
	Acks             []Acknowledgement
	Offers           []Offer
	Supplied         []Supplied // staff-supplied values that were used
	Size             int64      // bytes of all discs together (estimate until Build)

	viewer []viewerFile
	web    webViewerPlan // the browser viewer (webviewer.go)
}

// A Disc is one independent, complete file-set.
type Disc struct {
	Index, Count int    // 1-based "disc n of m"
	FileSetID    string // DICOMDIR File-set ID = ISO volume id
	Objects      []*Object
	Size         int64 // estimate until Build
	Label        Label

	ids map[*Object]string
}

// Label is what goes on the printed disc label (IHE PDI).
type Label struct {
	PatientName string
	BirthDate   string
	StudyDates  []string
	Institution string
	Created     string
	DiscOf      string // "disc 1 of 2"
	Content     string // "DICOM ONLY" or "DICOM PLUS WEB"
}

// Count returns the number of discs.
func (p *Plan) Count() int { return len(p.Discs) }

// Acknowledge records that staff accepted the warnings of code.
func (p *Plan) Acknowledge(code WarningCode, by string) {
	p.Acks = append(p.Acks, Acknowledgement{Code: code, By: by, At: p.Options.Now()})
}

// Unacknowledged lists the warnings that still need an acknowledgement.
func (p *Plan) Unacknowledged() []Warning {
	var out []Warning
	for _, w := range p.Warnings {
		if !w.NeedsAck {
			continue
		}
		ok := false
		for _, a := range p.Acks {
			if a.Code == w.Code {
				ok = true
			}
		}
		if !ok {
			out = append(out, w)
		}
	}
	return out
}

func (p *Plan) warn(code WarningCode, needsAck bool, format string, args ...any) {
	p.Warnings = append(p.Warnings, Warning{Code: code, Message: fmt.Sprintf(format, args...), NeedsAck: needsAck})
}

// NewPlan reads the headers of the input files and makes the plan. A
// missing Type 1 DICOMDIR key stops it with a *MissingKeyError unless
// staff supplied the value in opts.Supplied.
func NewPlan(ctx context.Context, in Input, opts Options) (*Plan, error) {
	if err := opts.normalise(); err != nil {
		return nil, err
	}
	if len(in.Files) == 0 {
		return nil, ErrNoInput
	}
	p := &Plan{Options: opts, Facility: in.Facility, ReadingPhysician: in.ReadingPhysician, Profile: opts.Profile}
	objs, err := readAll(ctx, in.Files, in.Names)
	if err != nil {
		return nil, err
	}
	objs, err = p.dedupe(objs)
	if err != nil {
		return nil, err
	}
	for _, o := range objs {
		o.now, o.software = opts.Now, opts.Software+" "+opts.Version
	}
	supplyNames(objs, in.Names)
	p.Objects = objs
	if err := p.applySupplied(); err != nil {
		return nil, err
	}
	for _, o := range p.Objects {
		h := o.header
		for _, t := range requiredType2 {
			if !h.Has(t) {
				o.addEmpty = append(o.addEmpty, t)
				h.Set(dcm.NewElement(t, dcm.DictVR(t), nil))
			}
		}
		o.PatientID, o.StudyUID, o.SeriesUID = h.String(dcm.PatientID), h.String(dcm.StudyInstanceUID), h.String(dcm.SeriesInstanceUID)
		o.SeriesNumber, _ = h.Int(dcm.SeriesNumber)
		o.InstanceNumber, _ = h.Int(dcm.InstanceNumber)
	}
	if err := p.report(in); err != nil {
		return nil, err
	}
	if err := p.decide(); err != nil {
		return nil, err
	}
	if err := p.checkKeys(); err != nil {
		return nil, err
	}
	if err := p.splitDiscs(); err != nil {
		return nil, err
	}
	p.findViewer()
	return p, nil
}

// readAll parses headers with one worker per CPU.
func readAll(ctx context.Context, files []string, names map[string]string) ([]*Object, error) {
	objs := make([]*Object, len(files))
	errs := make([]error, len(files))
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				objs[i], errs[i] = readObject(files[i], displayName(files[i], names))
			}
		}()
	}
	var ctxErr error
feed:
	for i := range files {
		select {
		case next <- i:
		case <-ctx.Done():
			ctxErr = ctx.Err()
			break feed
		}
	}
	close(next)
	wg.Wait()
	if ctxErr != nil {
		return nil, ctxErr
	}
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return objs, nil
}

// supplyNames gives each object the name a value supplied for it alone
// may use (Supplied.File): the name staff imported it as, when no other
// object of the plan has that name.
func supplyNames(objs []*Object, names map[string]string) {
	n := map[string]int{}
	for _, o := range objs {
		if name := strings.TrimSpace(names[o.Source]); name != "" {
			n[name]++
		}
	}
	for _, o := range objs {
		if name := strings.TrimSpace(names[o.Source]); n[name] == 1 {
			o.supplyName = name
		}
	}
}

// SupplyFile is what a value supplied for this object alone names as its
// Supplied.File: the imported name when it is the plan's only file of that
// name, else the input path.
func (o *Object) SupplyFile() string { return cmp.Or(o.supplyName, o.Source) }

func (p *Plan) dedupe(objs []*Object) ([]*Object, error) {
	seen := make(map[string]int, len(objs))
	var out []*Object
	dups := 0
	for _, o := range objs {
		i, ok := seen[o.SOPInstance]
		if !ok {
			seen[o.SOPInstance] = len(out)
			out = append(out, o)
			continue
		}
		// One instance in two files (received twice, or in two transfer
		// syntaxes): keep one deterministically, preferring a file that
		// can be copied as it is.
		dups++
		prev := out[i]
		if better(o, prev) {
			out[i] = o
		}
	}
	if dups > 0 {
		p.warn(WarnDuplicate, false, "%d input files repeat an instance already planned (same SOP Instance UID); one file of each was kept, preferring Explicit VR Little Endian", dups)
	}
	return out, nil
}

// better reports whether a is the better file of one instance than b.
func better(a, b *Object) bool {
	ae := a.SourceSyntax == dcm.ExplicitVRLittleEndian && a.metaProblem == ""
	be := b.SourceSyntax == dcm.ExplicitVRLittleEndian && b.metaProblem == ""
	if ae != be {
		return ae
	}
	return a.Source < b.Source
}

// requiredType2 are Type 2 attributes of the Patient and General Study
// modules (PS3.3 C.7.1.1, C.7.2.1) that every composite object must carry,
// if empty; receiving sites' importers and dcmmkdir refuse objects without
// them. Adding them empty invents nothing.
var requiredType2 = []dcm.Tag{dcm.PatientName, dcm.PatientBirthDate, dcm.PatientSex, dcm.ReferringPhysicianName, dcm.AccessionNumber}

// applySupplied writes staff-supplied values into the headers of the
// objects they are for: a value for one file replaces what it has; a value
// for all fills the objects that lack the attribute or whose value is not
// valid for its VR (an ACR-NEMA date 1995.06.26). A replaced value is kept
// in the object's Original Attributes Sequence when it is written.
func (p *Plan) applySupplied() error {
	for _, s := range p.Options.Supplied {
		if strings.TrimSpace(s.Value) == "" {
			return fmt.Errorf("disc: supplied value for %s %s is empty", s.Tag, s.Tag.Name())
		}
		filled, replaced := 0, 0
		for _, o := range p.Objects {
			if s.File != "" && s.File != o.Source && (o.supplyName == "" || s.File != o.supplyName) {
				continue
			}
			old := o.header.Get(s.Tag)
			has := old != nil && strings.TrimSpace(o.header.String(s.Tag)) != ""
			if s.File == "" && has && dicomdir.ValidValue(o.header, old) {
				continue
			}
			if has {
				replaced++
			} else {
				filled++
			}
			o.header.Set(dcm.Str(s.Tag, dcm.DictVR(s.Tag), s.Value))
			o.Supplied = append(o.Supplied, s)
		}
		if filled+replaced == 0 {
			continue
		}
		p.Supplied = append(p.Supplied, s)
		var what []string
		if filled > 0 {
			what = append(what, fmt.Sprintf("written into %d object(s) that lack it", filled))
		}
		if replaced > 0 {
			what = append(what, fmt.Sprintf("replaces the value of %d object(s), kept in their Original Attributes Sequence", replaced))
		}
		by := s.By
		if by == "" {
			by = "staff"
		}
		p.warn(WarnSupplied, false, "%s %s = %q supplied by %s: %s", s.Tag.Name(), s.Tag, s.Value, by, strings.Join(what, "; "))
	}
	return nil
}

// decide chooses copy or transcode for every object.
func (p *Plan) decide() error {
	series := map[string]bool{}
	reasons := map[string]int{}
	n := 0
	offers := map[Profile]*Offer{}
	for _, o := range p.Objects {
		if o.Action == Generate {
			continue
		}
		o.Action, o.Syntax, o.Size, o.Reason = Copy, o.SourceSyntax, o.SourceSize, ""
		syntaxOK := p.Profile.Allows(o.SourceSyntax)
		switch {
		case !syntaxOK:
			if s := dcm.SyntaxOf(o.SourceSyntax); s.Encapsulated && !codec.Supported(o.SourceSyntax) {
				return fmt.Errorf("%w: %s is %s, which %s does not allow and this build cannot decode", ErrCannotTranscode, o.Describe(), dcm.SyntaxName(o.SourceSyntax), p.Profile)
			}
			o.Action, o.Syntax = Transcode, dcm.ExplicitVRLittleEndian
			o.Reason = dcm.SyntaxName(o.SourceSyntax) + " is not allowed by " + string(p.Profile)
			o.Size = o.estimateNative()
			for _, alt := range []Profile{JPEGProfile(p.Options.Media), J2KProfile(p.Options.Media)} {
				if alt != "" && alt.Allows(o.SourceSyntax) {
					if offers[alt] == nil {
						offers[alt] = &Offer{Profile: alt}
					}
					offers[alt].Objects++
					offers[alt].Saves += o.Size - o.SourceSize
				}
			}
		case o.metaProblem != "":
			o.Action, o.Reason = Transcode, o.metaProblem
		case len(o.addEmpty) > 0:
			var names []string
			for _, t := range o.addEmpty {
				names = append(names, t.Name())
			}
			o.Action, o.Reason = Transcode, "lacks Type 2 attributes the IOD requires; they are added empty ("+strings.Join(names, ", ")+")"
		case len(o.Supplied) > 0:
			o.Action, o.Reason = Transcode, "staff-supplied values are written into it"
		}
		if o.Action == Transcode {
			n++
			series[o.SeriesUID] = true
			reasons[o.Reason]++
			if o.Syntax == "" {
				o.Syntax = dcm.ExplicitVRLittleEndian
			}
		}
	}
	if n > 0 {
		var rs []string
		for r, c := range reasons {
			rs = append(rs, fmt.Sprintf("%d: %s", c, r))
		}
		sort.Strings(rs)
		p.warn(WarnTranscode, false, "%d series will be transcoded (%d objects rewritten as Explicit VR Little Endian; %s)", len(series), n, strings.Join(rs, "; "))
	}
	for _, alt := range []Profile{JPEGProfile(p.Options.Media), J2KProfile(p.Options.Media)} {
		if o := offers[alt]; o != nil {
			p.Offers = append(p.Offers, *o)
		}
	}
	p.warnLossy()
	return nil
}

// warnLossy tells staff plainly which images were compressed with loss
// before they reached the desk: they go on the disc as they are (decoded,
// or kept), marked lossy, and are not the modality's original pixels.
func (p *Plan) warnLossy() {
	n := 0
	var series []string
	seen := map[string]bool{}
	for _, o := range p.Objects {
		if o.Kind != KindImage || o.header == nil || !lossyHeader(o.header, o.SourceSyntax) {
			continue
		}
		n++
		if !seen[o.SeriesUID] {
			seen[o.SeriesUID] = true
			d := fmt.Sprintf("series %d", o.SeriesNumber)
			if desc := strings.TrimSpace(o.header.String(dcm.SeriesDescription)); desc != "" {
				d += fmt.Sprintf(" %q", desc)
			}
			series = append(series, d)
		}
	}
	if n == 0 {
		return
	}
	more := ""
	if len(series) > 5 {
		more = fmt.Sprintf(" and %d more", len(series)-5)
		series = series[:5]
	}
	p.warn(WarnLossy, false, "%d image(s) on this disc (%s%s) were compressed with loss at the modality or an archive before they reached this desk: they are not the original pixels, and the disc marks them lossy (Lossy Image Compression 01)", n, strings.Join(series, ", "), more)
}

// estimateNative is the size of the object once its pixel data is native
// Explicit VR Little Endian.
func (o *Object) estimateNative() int64 {
	h := o.header
	rows, _ := h.Int(dcm.Rows)
	cols, _ := h.Int(dcm.Columns)
	spp, ok := h.Int(dcm.SamplesPerPixel)
	if !ok {
		spp = 1
	}
	bits, _ := h.Int(dcm.BitsAllocated)
	native := int64(rows) * int64(cols) * int64(spp) * int64((bits+7)/8) * int64(o.Frames)
	if o.pixelLen == 0 || native == 0 {
		// No pixels, or deflated (size unknown): twice the input is safe.
		if dcm.SyntaxOf(o.SourceSyntax).Deflated {
			return 4*o.SourceSize + 4096
		}
		return o.SourceSize + 4096
	}
	return o.SourceSize - o.pixelLen + native + 4096
}

// checkKeys runs the DICOMDIR builder over all objects once, so a missing
// Type 1 key stops the plan before anything is split or written, and
// inconsistent study attributes become warnings.
func (p *Plan) checkKeys() error {
	ids := make(map[*Object]string, len(p.Objects))
	for i, o := range p.Objects {
		ids[o] = fmt.Sprintf("CHECK/I%07d", i+1)
	}
	_, warns, err := p.directory("CHECK", p.Objects, func(o *Object) string { return ids[o] }, false)
	if err != nil {
		return err
	}
	for _, w := range warns {
		p.warn(WarnInconsistent, false, "%s", w)
	}
	return nil
}

// sector rounds a file size up to whole 2048-byte sectors plus its
// directory record.
func sector(n int64) int64 { return (n+2047)/2048*2048 + 64 }

// split groups objects by patient, study and series, assigns File IDs and
// packs whole series onto discs.
func (p *Plan) split() error {
	type series struct {
		uid, study, patient string
		number              int
		objs                []*Object
		size                int64
		docs                bool // reports: repeated on every disc of the study
		images              int  // frames, for the web estimate
	}
	byUID := map[string]*series{}
	var all []*series
	for _, o := range p.Objects {
		s := byUID[o.SeriesUID]
		if s == nil {
			s = &series{uid: o.SeriesUID, study: o.StudyUID, patient: o.PatientID, number: o.SeriesNumber, docs: true}
			byUID[o.SeriesUID] = s
			all = append(all, s)
		}
		s.objs = append(s.objs, o)
		s.size += sector(o.Size) + 400
		if o.Kind == KindImage {
			s.images += o.Frames
		}
		if o.Kind != KindSR && o.Kind != KindPDF {
			s.docs = false
		}
	}
	studyDate := map[string]string{}
	for _, o := range p.Objects {
		if d := o.header.String(dcm.StudyDate) + o.header.String(dcm.StudyTime); studyDate[o.StudyUID] == "" || d < studyDate[o.StudyUID] {
			studyDate[o.StudyUID] = d
		}
	}
	sort.SliceStable(all, func(i, j int) bool {
		a, b := all[i], all[j]
		if a.patient != b.patient {
			return a.patient < b.patient
		}
		if a.study != b.study {
			if studyDate[a.study] != studyDate[b.study] {
				return studyDate[a.study] < studyDate[b.study]
			}
			return a.study < b.study
		}
		if a.docs != b.docs {
			return !a.docs
		}
		if a.number != b.number {
			return a.number < b.number
		}
		return a.uid < b.uid
	})
	for _, s := range all {
		sort.SliceStable(s.objs, func(i, j int) bool {
			a, b := s.objs[i], s.objs[j]
			if a.InstanceNumber != b.InstanceNumber {
				return a.InstanceNumber < b.InstanceNumber
			}
			return a.SOPInstance < b.SOPInstance
		})
	}
	for _, s := range all {
		s.size += p.webEstimate(s.images) + p.webViewerEstimate(s.objs)
	}
	// Fixed content of every disc: README, pages, viewer, ISO structures.
	fixed := int64(1<<20) + p.viewerSize() + p.webViewerAppSize()
	capacity := p.Options.Capacity
	var docsByStudy = map[string][]*series{}
	for _, s := range all {
		if s.docs {
			docsByStudy[s.study] = append(docsByStudy[s.study], s)
		}
	}
	type bin struct {
		series []*series
		size   int64
		docs   map[string]bool
	}
	var bins []*bin
	cur := &bin{docs: map[string]bool{}}
	bins = append(bins, cur)
	cur.size = fixed
	add := func(b *bin, s *series) { b.series = append(b.series, s); b.size += s.size }
	for _, s := range all {
		if s.docs {
			continue
		}
		need := s.size
		if !cur.docs[s.study] {
			for _, d := range docsByStudy[s.study] {
				need += d.size
			}
		}
		if capacity > 0 && fixed+need > capacity {
			of := ""
			if w := s.objs[0].whose(); w != "" {
				of = " of " + w
			}
			return fmt.Errorf("%w: series %d%s (%s, %d objects, about %d MB) needs more than the %d MB of one %s", ErrSeriesTooLarge, s.number, of, s.objs[0].Modality, len(s.objs), need>>20, capacity>>20, p.Options.Media)
		}
		if capacity > 0 && cur.size+need > capacity && len(cur.series) > 0 {
			cur = &bin{docs: map[string]bool{}, size: fixed}
			bins = append(bins, cur)
		}
		if !cur.docs[s.study] {
			cur.docs[s.study] = true
			for _, d := range docsByStudy[s.study] {
				add(cur, d)
			}
		}
		add(cur, s)
	}
	// A study of reports only.
	studies := make([]string, 0, len(docsByStudy))
	for study := range docsByStudy {
		studies = append(studies, study)
	}
	sort.Strings(studies)
	for _, study := range studies {
		ds := docsByStudy[study]
		placed := false
		for _, b := range bins {
			placed = placed || b.docs[study]
		}
		if !placed {
			cur.docs[study] = true
			for _, d := range ds {
				add(cur, d)
			}
		}
	}
	m := len(bins)
	base := p.Options.FileSetID
	if base == "" {
		base = "DD" + p.Options.Now().Format("0601021504")
	}
	base = FileSetID(base)
	p.Size = 0
	for i, b := range bins {
		d := &Disc{Index: i + 1, Count: m, FileSetID: base}
		if m > 1 {
			suffix := fmt.Sprintf("_%d", i+1)
			if len(base)+len(suffix) > 16 {
				d.FileSetID = base[:16-len(suffix)] + suffix
			} else {
				d.FileSetID = base + suffix
			}
		}
		for _, s := range b.series {
			d.Objects = append(d.Objects, s.objs...)
		}
		d.ids = fileIDs(d.Objects)
		for _, o := range d.Objects {
			if o.FileID == "" {
				o.FileID = d.ids[o]
			}
		}
		d.Size = b.size
		p.Size += b.size
		d.Label = p.label(d)
		p.Discs = append(p.Discs, d)
	}
	if m > 1 {
		p.warn(WarnSpan, false, "the study needs %d discs of %s (%d MB in all); each disc is complete with its own DICOMDIR, README and pages", m, p.Options.Media, p.Size>>20)
	}
	return nil
}

// FileID returns the object's File ID on this disc (a report repeated on
// several discs may sit at a different place on each; Object.FileID is its
// place on the first disc that holds it).
func (d *Disc) FileID(o *Object) string { return d.ids[o] }

// fileIDs numbers objects DICOM/Pnnnnnnn/Snnnnnnn/Innnnnnn in order:
// patients and series (across the patient's studies) as they come.
func fileIDs(objs []*Object) map[*Object]string {
	out := make(map[*Object]string, len(objs))
	pat, ser := map[string]int{}, map[string]int{}
	lastSeries := ""
	k := 0
	for _, o := range objs {
		if _, ok := pat[o.PatientID]; !ok {
			pat[o.PatientID] = len(pat) + 1
		}
		if o.SeriesUID != lastSeries {
			ser[o.PatientID]++
			lastSeries = o.SeriesUID
			k = 0
		}
		k++
		out[o] = fmt.Sprintf("DICOM/P%07d/S%07d/I%07d", pat[o.PatientID], ser[o.PatientID], k)
	}
	return out
}

// FileSetID makes s a valid File-set ID (and ISO 9660 volume id): up to 16
// of A-Z 0-9 _, space, '-' and '.' becoming '_', "DISCDESK" when nothing is
// left.
func FileSetID(s string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		switch {
		case r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_':
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '.':
			b.WriteByte('_')
		}
		if b.Len() == 16 {
			break
		}
	}
	if b.Len() == 0 {
		return "DISCDESK"
	}
	return b.String()
}

func (p *Plan) label(d *Disc) Label {
	l := Label{Created: p.Options.Now().Format("2006-01-02"), DiscOf: fmt.Sprintf("disc %d of %d", d.Index, d.Count), Content: "DICOM PLUS WEB", Institution: p.Facility.Name}
	if p.Options.NoWeb {
		l.Content = "DICOM ONLY"
	}
	dates := map[string]bool{}
	for _, o := range d.Objects {
		h := o.header
		if l.PatientName == "" {
			l.PatientName = h.String(dcm.PatientName)
			l.BirthDate = h.String(dcm.PatientBirthDate)
		}
		if sd := h.String(dcm.StudyDate); sd != "" && !dates[sd] {
			dates[sd] = true
			l.StudyDates = append(l.StudyDates, sd)
		}
	}
	sort.Strings(l.StudyDates)
	return l
}

// webEstimate is the web content a series of n frames adds: its key
// images as JPEG with thumbnails, and its page.
func (p *Plan) webEstimate(n int) int64 {
	if p.Options.NoWeb {
		return 0
	}
	return int64(min(n, p.Options.MaxWebImages))*(128<<10) + 8<<10
}

// Close removes the plan's own work folder.
func (p *Plan) Close() error {
	if p.Options.WorkDir == "" {
		return nil
	}
	if strings.Contains(p.Options.WorkDir, "discdesk-work-") {
		return os.RemoveAll(p.Options.WorkDir)
	}
	return nil
}
