package station

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"discdesk/app/handoff"
	"discdesk/burner/disc"
	"discdesk/internal/version"
	"discdesk/viewer/dcm"
)

// PlanOptions are the choices of a disc plan that every entry point
// shares (`discdesk disc`, `burn`, `copy`, the desk, auto-burn). A queued
// job keeps them (burnqueue.Job.Plan), so the burn plans the disc that was
// shown.
type PlanOptions struct {
	Media       disc.Media `json:"media,omitempty"`   // "" = the request's format, else the settings' medium
	Profile     string     `json:"profile,omitempty"` // "", "jpeg" or "j2k": keep JPEG / JPEG 2000 objects (DVD, BD, USB)
	NoViewer    bool       `json:"no_viewer,omitempty"`
	NoWeb       bool       `json:"no_web,omitempty"`
	ViewerDir   string     `json:"viewer_dir,omitempty"`
	FileSetID   string     `json:"file_set_id,omitempty"` // also the ISO volume id ("" = derived from the date)
	Supplied    []Supply   `json:"supplied,omitempty"`
	Report      string     `json:"report,omitempty"` // a PDF, or a text file made into a PDF
	ReportTitle string     `json:"report_title,omitempty"`
	Radiologist string     `json:"radiologist,omitempty"`
	// Facility fields given here replace the settings' facility on the disc.
	Facility disc.Facility `json:"facility,omitzero"`
	// Capacity overrides the medium's capacity (tests: spanning).
	Capacity int64 `json:"capacity,omitempty"`
}

// Supply is a value staff supply for a missing or invalid Type 1 key
// (disc.Supplied): in File only, or in every object lacking it.
type Supply struct {
	File  string `json:"file,omitempty"`
	Tag   uint32 `json:"tag"`
	Value string `json:"value"`
	By    string `json:"by"`
}

// ErrBadOptions means plan options name an unknown profile or medium.
var ErrBadOptions = errors.New("station: invalid plan options")

// DiscOptions turns the options into burner/disc's, media m ("" = CD).
func (o PlanOptions) DiscOptions(m disc.Media) (disc.Options, error) {
	if o.Media != "" {
		m = o.Media
	}
	if m == "" {
		m = disc.CD
	}
	m, err := disc.ParseMedia(string(m))
	if err != nil {
		return disc.Options{}, fmt.Errorf("%w: %v", ErrBadOptions, err)
	}
	opts := disc.Options{Media: m, Capacity: o.Capacity, NoViewer: o.NoViewer, NoWeb: o.NoWeb, ViewerDir: o.ViewerDir,
		FileSetID: o.FileSetID, Software: version.Software, Version: version.Version}
	switch strings.ToLower(o.Profile) {
	case "":
	case "jpeg":
		opts.Profile = disc.JPEGProfile(m)
	case "j2k":
		opts.Profile = disc.J2KProfile(m)
	default:
		return disc.Options{}, fmt.Errorf("%w: profile must be jpeg or j2k, got %q", ErrBadOptions, o.Profile)
	}
	for _, s := range o.Supplied {
		opts.Supplied = append(opts.Supplied, disc.Supplied{File: s.File, Tag: dcm.Tag(s.Tag), Value: s.Value, By: s.By})
	}
	return opts, nil
}

// MediaFor is the disc medium of a request's format.
func MediaFor(f handoff.Format) disc.Media {
	switch f {
	case handoff.FormatDVD:
		return disc.DVD
	case handoff.FormatUSB, handoff.FormatISO, handoff.FormatZIP:
		return disc.USB
	}
	return disc.CD
}

func (o PlanOptions) encode() (json.RawMessage, error) {
	b, err := json.Marshal(o)
	if err != nil {
		return nil, fmt.Errorf("station: plan options: %w", err)
	}
	if string(b) == "{}" {
		return nil, nil
	}
	return b, nil
}

func decodeOptions(raw json.RawMessage) (PlanOptions, error) {
	var o PlanOptions
	if len(raw) == 0 {
		return o, nil
	}
	if err := json.Unmarshal(raw, &o); err != nil {
		return o, fmt.Errorf("station: the job's plan options: %w", err)
	}
	return o, nil
}

// A Plan is a request's (or some studies') discs planned and shown, with
// the acknowledgements staff gave; Enqueue turns it into a burn job.
type Plan struct {
	*disc.Plan
	Request string   // handoff request ID ("" = none)
	Studies []string // Study Instance UIDs planned
	Options PlanOptions
	Copies  int

	acks    []string
	ackedBy string
}

// Acknowledge records that by accepted the warnings of code.
func (p *Plan) Acknowledge(code disc.WarningCode, by string) {
	p.Plan.Acknowledge(code, by)
	p.acks = append(p.acks, string(code))
	if p.ackedBy == "" {
		p.ackedBy = by
	} else if !strings.Contains(p.ackedBy, by) {
		p.ackedBy += ", " + by
	}
}

// ErrUnacknowledged means a plan warning that needs a named staff member's
// acknowledgement has none; the error text is the warning.
var ErrUnacknowledged = errors.New("staff must acknowledge")

// Check returns ErrUnacknowledged (with the first such warning) or nil.
func (p *Plan) Check() error {
	if un := p.Unacknowledged(); len(un) > 0 {
		return fmt.Errorf("%w: %s", ErrUnacknowledged, un[0].Message)
	}
	return nil
}

// input gathers a plan's disc.Input: files, report, facility, radiologist.
func (s *Station) input(files []string, o PlanOptions) (disc.Input, error) {
	in := disc.Input{Files: files, ReadingPhysician: strings.TrimSpace(o.Radiologist), ReportTitle: o.ReportTitle}
	if o.Report != "" {
		b, err := os.ReadFile(o.Report)
		if err != nil {
			return in, fmt.Errorf("report: %w", err)
		}
		if strings.HasPrefix(string(b), "%PDF-") {
			in.ReportPDF = o.Report
		} else {
			in.ReportText = string(b)
		}
	}
	f, err := s.Facility()
	if err != nil {
		return in, err
	}
	in.Facility = overrideFacility(f, o.Facility)
	return in, nil
}

// Facility is the facility printed on discs: the settings' (one source).
func (s *Station) Facility() (disc.Facility, error) {
	if s.Settings == nil {
		return disc.Facility{}, nil
	}
	cur, err := s.Settings.Get()
	if err != nil {
		return disc.Facility{}, err
	}
	return cur.Facility, nil
}

// overrideFacility replaces each field of f that o sets. An address given on
// one line takes "\n" (backslash n) as a line break.
func overrideFacility(f, o disc.Facility) disc.Facility {
	set := func(field *string, v string) {
		if v = strings.TrimSpace(v); v != "" {
			*field = v
		}
	}
	set(&f.Name, o.Name)
	set(&f.Address, strings.ReplaceAll(o.Address, `\n`, "\n"))
	set(&f.Phone, o.Phone)
	set(&f.Fax, o.Fax)
	set(&f.Email, o.Email)
	set(&f.Contact, o.Contact)
	return f
}

// studyFiles lists the library files of the studies, with the name staff
// imported each as (library.Instance.Source, for disc.Input.Names): plan
// warnings and errors then say "file CT0042.dcm (series 3 ...)", never the
// library's hashed object path.
func (s *Station) studyFiles(uids []string) ([]string, map[string]string, error) {
	var out []string
	names := map[string]string{}
	for _, u := range uids {
		fs, err := s.Lib.Files(u)
		if err != nil {
			return nil, nil, err
		}
		out = append(out, fs...)
		d, err := s.Lib.Study(u)
		if err != nil {
			return nil, nil, err
		}
		for _, se := range d.Series {
			for _, in := range se.Instances {
				if in.Source != "" {
					names[s.Lib.FilePath(in)] = in.Source
				}
			}
		}
	}
	return out, names, nil
}

// PlanFiles plans discs of files (instance paths) with o; names are what
// staff know each as (disc.Input.Names: the path they typed). The caller
// closes the plan. `discdesk disc --files` and `copy --files` use it.
func (s *Station) PlanFiles(ctx context.Context, files []string, names map[string]string, o PlanOptions) (*Plan, error) {
	in, err := s.input(files, o)
	if err != nil {
		return nil, err
	}
	in.Names = names
	return s.newPlan(ctx, in, o, "", nil)
}

// PlanStudies plans discs of library studies with o (media "" = the
// settings' medium); the caller closes the plan.
func (s *Station) PlanStudies(ctx context.Context, uids []string, o PlanOptions) (*Plan, error) {
	files, names, err := s.studyFiles(uids)
	if err != nil {
		return nil, err
	}
	in, err := s.input(files, o)
	if err != nil {
		return nil, err
	}
	in.Names = names
	return s.newPlan(ctx, in, o, "", uids)
}

// PlanRequest plans the discs of a recorded request: its studies, on the
// medium of its format unless o names one. The caller closes the plan.
func (s *Station) PlanRequest(ctx context.Context, requestID string, o PlanOptions) (*Plan, error) {
	r, err := s.Log.Request(requestID)
	if err != nil {
		return nil, err
	}
	if !r.NeedsDisc() {
		return nil, fmt.Errorf("station: request %s (%s): %w", r.ID, r.Status, ErrNoDiscNeeded)
	}
	if len(r.Studies.UIDs) == 0 {
		return nil, fmt.Errorf("station: request %s asks for %s: %w", r.ID, r.Studies, ErrNoStudies)
	}
	if o.Media == "" {
		o.Media = MediaFor(r.Format)
	}
	p, err := s.PlanStudies(ctx, r.Studies.UIDs, o)
	if err != nil {
		return nil, err
	}
	p.Request, p.Copies = r.ID, r.Copies
	return p, nil
}

// Errors of planning a request.
var (
	// ErrNoDiscNeeded means the request is closed, or has a good disc that
	// has not come back: nothing is to be burned (Replace a spoiled one).
	ErrNoDiscNeeded = errors.New("no disc is needed for this request")
	// ErrNoStudies means the request names a date range, not studies:
	// choose the studies first.
	ErrNoStudies = errors.New("the request names no studies yet: choose them")
)

func (s *Station) newPlan(ctx context.Context, in disc.Input, o PlanOptions, request string, uids []string) (*Plan, error) {
	media := disc.Media("")
	if s.Settings != nil && o.Media == "" {
		if cur, err := s.Settings.Get(); err == nil {
			media = cur.Media
		}
	}
	opts, err := o.DiscOptions(media)
	if err != nil {
		return nil, err
	}
	opts.FrameCache = s.frameCache()
	p, err := disc.NewPlan(ctx, in, opts)
	if err != nil {
		return nil, err
	}
	o.Media = opts.Media
	return &Plan{Plan: p, Request: request, Studies: uids, Options: o, Copies: 1}, nil
}

// WebViewerCost says what the browser viewer costs on the plan's discs, in
// one line for staff: the `disc`, `burn` and `copy` printouts and the
// desk's plan screen show it. "" when the discs carry no browser viewer.
func (p *Plan) WebViewerCost() string {
	w := p.WebViewer()
	switch w.Mode {
	case disc.WebViewerData:
		return fmt.Sprintf("browser viewer with its images: about %s on the disc(s)", megabytes(w.Bytes))
	case disc.WebViewerPicker:
		return fmt.Sprintf("browser viewer without a copy of the images (%s): about %s on the disc(s); it reads the DICOM files once the user picks the disc folder", w.Reason, megabytes(w.Bytes))
	}
	return ""
}

// megabytes shows a size in MB, at least 0.1 MB for anything above zero.
func megabytes(n int64) string {
	if n > 0 && n < 100<<10 {
		return "0.1 MB"
	}
	return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
}

// FrameCacheFolder is the browser viewer's frame cache inside the data
// folder (disc.FrameCache: packed frames, pixel data, 0700).
const FrameCacheFolder = "cache/viewer-frames"

// frameCaches holds one disc.FrameCache per data folder, shared by every
// station of the process (the desk and its burn worker).
var frameCaches sync.Map // data folder -> *disc.FrameCache

// frameCache is the data folder's frame cache; nil without a data folder
// or when it cannot be made (discs are then packed as they are built).
func (s *Station) frameCache() *disc.FrameCache {
	if s.DataDir == "" {
		return nil
	}
	if c, ok := frameCaches.Load(s.DataDir); ok {
		return c.(*disc.FrameCache)
	}
	c, err := disc.OpenFrameCache(filepath.Join(s.DataDir, filepath.FromSlash(FrameCacheFolder)), 0)
	if err != nil {
		return nil
	}
	got, _ := frameCaches.LoadOrStore(s.DataDir, c)
	return got.(*disc.FrameCache)
}

// PrepareViewer packs the browser viewer's frames of p's discs into the
// frame cache in the background (disc.Plan.PrepareViewer), so the burn
// that follows only writes: the desk calls it once staff have seen the
// plan. The work stops when ctx ends; p may be closed meanwhile. The
// channel is closed when the work is done.
func (s *Station) PrepareViewer(ctx context.Context, p *Plan) <-chan struct{} {
	done := make(chan struct{})
	if p == nil || p.Options.NoViewer || s.frameCache() == nil {
		close(done)
		return done
	}
	go func() {
		defer close(done)
		_ = p.Plan.PrepareViewer(ctx)
	}()
	return done
}

// PrepareStudies plans discs of studies with o and packs their browser
// viewer's frames in the background, for a disc staff are about to queue
// (the same-day box calls it as it opens, so the burn finds them packed).
// Errors are dropped: the burn plans again and says what is wrong. The
// channel is closed when the work is done or ctx ends.
func (s *Station) PrepareStudies(ctx context.Context, uids []string, o PlanOptions) <-chan struct{} {
	done := make(chan struct{})
	if o.NoViewer || s.frameCache() == nil || s.Lib == nil {
		close(done)
		return done
	}
	go func() {
		defer close(done)
		p, err := s.PlanStudies(ctx, uids, o)
		if err != nil {
			return
		}
		defer p.Close()
		_ = p.Plan.PrepareViewer(ctx)
	}()
	return done
}
