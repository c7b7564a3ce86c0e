package desk

import (
	"context"
	"errors"
	"fmt"
	"image"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	bolt "go.etcd.io/bbolt"

	"discdesk/app/burnqueue"
	"discdesk/app/handoff"
	"discdesk/app/handoff/docs"
	"discdesk/app/intake"
	"discdesk/app/library"
	"discdesk/app/settings"
	"discdesk/app/staff"
	"discdesk/app/station"
	"discdesk/app/support"
	"discdesk/burner"
	"discdesk/burner/disc"
	"discdesk/burner/drive"
	"discdesk/viewer/dcm"
)

// Services are the domain packages the screens call, opened on one store.
// The file holds no Fyne code: it wires domain packages together.
type Services struct {
	Lib      *library.Library
	Handoff  *handoff.Store
	Staff    *staff.Store
	Settings *settings.Store
	Queue    *burnqueue.Queue
	Gate     *staff.Gate
	DataDir  string
	Demo     bool
	Now      func() time.Time
	Log      *support.Ring
	Logger   *log.Logger
	// Capture captures the screens for a problem report (support.CaptureScreens).
	Capture func() ([]image.Image, error)
	// OpenFile shows a written file (a PDF) with the system's viewer.
	OpenFile func(path string) error
	// DetectDrives lists the optical drives (drive.List).
	DetectDrives func(ctx context.Context) ([]drive.Info, error)
	// OpenDrive opens burn targets (nil: drive.Open); tests inject fakes.
	OpenDrive burnqueue.OpenFunc
	// DB is the store the domain packages are opened on (offers opens its
	// buckets on it).
	DB *bolt.DB
	// ReceiveHost, when set, is the only address the DICOM receiver
	// listens on (tests: loopback); the default is every interface.
	ReceiveHost string

	// Station is the request lifecycle the screens call (plan, queue,
	// log, hand over, tell); Handoff and Queue are its log and queue.
	Station *station.Station

	mu      sync.Mutex
	burning map[string]context.CancelFunc // target spec -> cancel of the disc being written
	events  map[uuid.UUID]burnqueue.Event // latest progress per job
	recv    *receiving                    // the DICOM receiver, once StartReceiver ran
	prep    sync.WaitGroup                // background preparations of discs (PrepareStudies)
}

// Options of openServices.
type Options struct {
	StaffOptions []staff.Option
	Now          func() time.Time // nil: time.Now
}

// openServices opens every domain package on db; lib nil opens the
// library of dataDir.
func openServices(db *bolt.DB, lib *library.Library, dataDir string, demo bool, opt Options) (*Services, error) {
	now := opt.Now
	if now == nil {
		now = time.Now
	}
	// The lifecycle opens the handoff log with the settings' rules and the
	// same PS3.15 auditor as the command line.
	sta, err := station.Open(db, dataDir, lib, handoff.WithClock(now))
	if err != nil {
		return nil, err
	}
	hs, q := sta.Log, sta.Queue
	lib = sta.Lib
	sf, err := staff.Open(db, append([]staff.Option{staff.WithClock(now)}, opt.StaffOptions...)...)
	if err != nil {
		return nil, err
	}
	ring := support.NewRing(500)
	s := &Services{DB: db, Lib: lib, Handoff: hs, Staff: sf, Settings: sta.Settings, Queue: q, Station: sta, Gate: staff.NewGate(hs, lib, now),
		DataDir: dataDir, Demo: demo, Now: now, Log: ring, Logger: log.New(ring, "", log.LstdFlags),
		Capture: support.CaptureScreens, OpenFile: openWithSystem, DetectDrives: func(ctx context.Context) ([]drive.Info, error) {
			return drive.List(ctx, drive.Options{})
		},
		burning: map[string]context.CancelFunc{}, events: map[uuid.UUID]burnqueue.Event{}}
	sta.Logged = func(j burnqueue.Job, d burnqueue.Disc, _ handoff.Event, err error) {
		if err != nil {
			s.Logger.Printf("record burn of job %s: %v", j.ID, err)
			return
		}
		s.Logger.Printf("job %s disc %d of %d verified and logged", j.ID, d.Index, d.Of)
	}
	return s, nil
}

// openWithSystem opens path in the desktop's viewer for its type.
func openWithSystem(path string) error {
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", path)
	case "darwin":
		cmd = exec.Command("open", path)
	default:
		cmd = exec.Command("xdg-open", path)
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("open %s: %w", filepath.Base(path), err)
	}
	go cmd.Wait()
	return nil
}

// Prepare runs the start-up steps: detected drives (an ISO-file target when
// the computer has no burner), the first supervisor or the demo member.
// It returns the first supervisor's PIN when one was created.
func (s *Services) Prepare(ctx context.Context) (firstPIN string, err error) {
	cur, err := s.Settings.Get()
	if err != nil {
		return "", err
	}
	var found []drive.Info
	if s.DetectDrives != nil {
		found, _ = s.DetectDrives(ctx) // no drive or no tool: the ISO target covers it
	}
	if cur.WithDetected(found, s.DataDir) {
		if _, err := s.Settings.SaveSystem(cur); err != nil {
			return "", err
		}
	}
	if s.Demo {
		if _, err := s.Staff.EnsureDemo(); err != nil {
			return "", err
		}
		if cur.Facility.Name == "" {
			cur.Facility = settings.Facility{Name: "DiscDesk Demo Imaging", Address: "100 Main St\nSpringfield, IL 62701", Phone: "(217) 555-0100"}
			if _, err := s.Settings.SaveSystem(cur); err != nil {
				return "", err
			}
		}
	}
	_, pin, created, err := s.Staff.EnsureSupervisor()
	if err != nil || !created {
		return "", err
	}
	return pin, nil
}

// Actor is who does things for the handoff log.
func (s *Services) actor(m staff.Member) handoff.Actor {
	cur, _ := s.Settings.Get()
	return handoff.Actor{Staff: m.Name, Workstation: cur.Workstation}
}

// noReportAck is the acknowledgement of a disc without a report.
var noReportAck = []disc.WarningCode{disc.WarnNoReport}

// PrepareStudies packs the browser viewer's frames of a disc of studies on
// media in the background (station.PrepareStudies), for a disc staff are
// about to queue; the channel closes when the work is done or ctx ends.
func (s *Services) PrepareStudies(ctx context.Context, uids []string, media disc.Media) <-chan struct{} {
	done := s.Station.PrepareStudies(ctx, uids, station.PlanOptions{Media: media})
	s.prep.Add(1)
	go func() { <-done; s.prep.Done() }()
	return done
}

// PrepareViewer packs the browser viewer's frames of a plan staff have
// just seen in the background (station.PrepareViewer), so the burn that
// follows only writes.
func (s *Services) PrepareViewer(p *station.Plan) <-chan struct{} {
	done := s.Station.PrepareViewer(context.Background(), p)
	s.prep.Add(1)
	go func() { <-done; s.prep.Done() }()
	return done
}

// waitPrepared waits for the background preparations to end (tests: before
// the data folder is removed).
func (s *Services) waitPrepared() { s.prep.Wait() }

// PlanStudies plans discs for studies on media ("" = the settings') with
// the settings' facility, through the station. The caller closes the plan.
func (s *Services) PlanStudies(ctx context.Context, uids []string, media disc.Media) (*station.Plan, error) {
	return s.Station.PlanStudies(ctx, uids, station.PlanOptions{Media: media})
}

// BurnRequest plans a recorded request, applies the warnings staff
// acknowledged (in by's name) and queues its disc on the default target:
// the Burn button of a request recorded earlier, and the last step of
// "Create and burn" and of the same-day disc.
func (s *Services) BurnRequest(ctx context.Context, requestID string, acks []disc.WarningCode, by staff.Member) (burnqueue.Job, error) {
	return s.Station.QueueRequest(ctx, requestID, station.Burn{Acks: acks, By: by.Name})
}

// cancellable wraps a drive so that Cancel can stop the disc it writes.
type cancellable struct {
	drive.Drive
	s    *Services
	spec string
}

func (c cancellable) Burn(ctx context.Context, t *burner.Tree, p drive.ProgressFunc) error {
	ctx, cancel := context.WithCancel(ctx)
	c.s.mu.Lock()
	c.s.burning[c.spec] = cancel
	c.s.mu.Unlock()
	defer func() {
		c.s.mu.Lock()
		delete(c.s.burning, c.spec)
		c.s.mu.Unlock()
		cancel()
	}()
	return c.Drive.Burn(ctx, t, p)
}

func (s *Services) open(spec string, media drive.MediaKind) (drive.Drive, error) {
	var d drive.Drive
	var err error
	if s.OpenDrive != nil {
		d, err = s.OpenDrive(spec, media)
	} else {
		d, err = drive.Open(spec, drive.Options{Media: media})
	}
	if err != nil {
		return nil, err
	}
	return cancellable{Drive: d, s: s, spec: spec}, nil
}

// ErrNotBurning means Cancel found no disc being written for the job.
var ErrNotBurning = errors.New("this job is not writing a disc now")

// Cancel stops the disc the job is writing; the queue then holds the job
// with a plain message, and Retry starts it again on a new disc.
func (s *Services) Cancel(j burnqueue.Job) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for spec, cancel := range s.burning {
		for _, d := range j.Discs {
			if d.Target == spec && d.State == burnqueue.Burning {
				cancel()
				return nil
			}
		}
	}
	return ErrNotBurning
}

// Progress returns the latest progress event of a job.
func (s *Services) Progress(id uuid.UUID) (burnqueue.Event, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ev, ok := s.events[id]
	return ev, ok
}

// progress keeps the latest progress event of each job for the queue screen.
func (s *Services) progress(ev burnqueue.Event) {
	s.mu.Lock()
	s.events[ev.Job] = ev
	s.mu.Unlock()
}

// RunQueue runs the burn queue until ctx ends; the station plans each job
// and logs each verified disc.
func (s *Services) RunQueue(ctx context.Context) error {
	err := s.Station.Worker(s.open, s.progress).Run(ctx)
	s.Station.Close()
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// SameDayInput is the technologist's same-day verbal request for one study
// (intake.SameDayInput): the patient's own copy, picked up at the desk
// today, on a CD; the technologist vouches for the order.
func SameDayInput(st library.Study, by staff.Member) handoff.RequestInput {
	return intake.SameDayInput(st, by.Name, "same-day verbal request to the technologist")
}

// PersonName turns a DICOM PN ("Family^Given^Middle=...") into "Family, Given Middle" (dcm.PersonName).
func PersonName(pn string) string { return dcm.PersonName(pn) }

// isoDate turns YYYYMMDD into YYYY-MM-DD ("" for anything else; dcm.FormatDate).
func isoDate(d string) string { return dcm.FormatDate(d) }

// WriteDoc writes one of a request's documents (form, invoice, receipt,
// label, insert) as a PDF into <data>/documents, 0600, and returns its
// path. Every one carries the request code; labels use the label stock
// chosen in Settings.
func (s *Services) WriteDoc(kind string, r handoff.Request) (string, error) {
	cur, err := s.Settings.Get()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(s.DataDir, "documents")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("desk: documents folder: %w", err)
	}
	code := strings.ReplaceAll(staff.RequestCode(r.ID), "-", "")
	path := filepath.Join(dir, code+"-"+kind+".pdf")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return "", fmt.Errorf("desk: write %s: %w", filepath.Base(path), err)
	}
	now := s.Now()
	fac := cur.Facility
	switch kind {
	case "form":
		err = docs.RequestForm(f, fac, &r, now)
	case "invoice":
		err = docs.Invoice(f, fac, r, docs.InvoiceNumber(r.ID), now)
	case "receipt":
		err = docs.Receipt(f, fac, r, now)
	case "label", "insert":
		err = s.writeLabel(f, fac, r, now, kind, docs.LabelLayout(cur.Printing.LabelLayout))
	default:
		err = fmt.Errorf("desk: unknown document %q", kind)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return "", err
	}
	return path, nil
}

func (s *Services) writeLabel(f *os.File, fac docs.Facility, r handoff.Request, now time.Time, kind string, layout docs.LabelLayout) error {
	l := docs.LabelFor(fac, r)
	l.Burned, l.Layout = now, layout
	for i := len(r.Discs) - 1; i >= 0; i-- {
		if r.Discs[i].Verified {
			l.DiscUUID, l.N, l.M, l.Burned = r.Discs[i].UUID, r.Discs[i].N, r.Discs[i].M, r.Discs[i].Burned
			break
		}
	}
	if l.DiscUUID == "" {
		return errors.New("desk: no verified disc to label yet: burn the disc first")
	}
	for _, u := range r.Studies.UIDs {
		if st, err := s.Lib.Study(u); err == nil {
			l.Studies = append(l.Studies, docs.LabelStudy{Date: isoDate(st.Date), Modality: strings.Join(st.Modalities, "/"), Description: st.Description})
		}
	}
	if kind == "insert" {
		return docs.JewelCaseInsert(f, l)
	}
	return docs.DiscLabel(f, l)
}
