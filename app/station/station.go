package station

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"

	"github.com/google/uuid"
	bolt "go.etcd.io/bbolt"

	"discdesk/app/burnqueue"
	"discdesk/app/handoff"
	"discdesk/app/handoff/audit"
	"discdesk/app/library"
	"discdesk/app/settings"
	"discdesk/app/staff"
	"discdesk/burner"
	"discdesk/burner/disc"
	"discdesk/burner/drive"
)

// QueueStaff is the staff name the burn queue logs verified discs under.
const QueueStaff = "burn queue"

// A Station runs the lifecycle on one store. Set the parts (Open does) and
// use it from any number of goroutines.
type Station struct {
	Lib      *library.Library
	Log      *handoff.Store
	Queue    *burnqueue.Queue
	Settings *settings.Store
	DataDir  string
	// Logged, when set, is called after each verified disc was logged (err
	// nil) or could not be (err says why); from the worker's goroutine.
	Logged func(j burnqueue.Job, d burnqueue.Disc, ev handoff.Event, err error)

	mu    sync.Mutex
	plans map[uuid.UUID]*Plan
	trees map[uuid.UUID][]burner.Tree
}

// Open opens the lifecycle's parts on db: the settings, the handoff log
// with the settings' rules, the library as study check and the PS3.15
// auditor (AuditSource), and the burn queue. lib may be nil (opened here).
func Open(db *bolt.DB, dataDir string, lib *library.Library, opts ...handoff.Option) (*Station, error) {
	st, err := settings.Open(db)
	if err != nil {
		return nil, err
	}
	cur, err := st.Get()
	if err != nil {
		return nil, err
	}
	if lib == nil {
		if lib, err = library.Open(db, dataDir); err != nil {
			return nil, err
		}
	}
	base := []handoff.Option{
		handoff.WithConfig(cur.HandoffConfig()),
		handoff.WithAuditor(audit.ForHandoff(AuditSource(cur))),
		handoff.WithStudyValidator(func(uid string) error { _, err := lib.Study(uid); return err }),
	}
	log, err := handoff.Open(db, append(base, opts...)...)
	if err != nil {
		return nil, err
	}
	q, err := burnqueue.New(db)
	if err != nil {
		return nil, err
	}
	return New(lib, log, q, st, dataDir), nil
}

// New is a Station on parts opened by the caller.
func New(lib *library.Library, log *handoff.Store, q *burnqueue.Queue, st *settings.Store, dataDir string) *Station {
	return &Station{Lib: lib, Log: log, Queue: q, Settings: st, DataDir: dataDir,
		plans: map[uuid.UUID]*Plan{}, trees: map[uuid.UUID][]burner.Tree{}}
}

// AuditSource is who the PS3.15 audit messages of handoffs name: the
// settings' audit source ID (default DISCDESK@host) and the facility as
// the site. The desk and the command line both use it.
func AuditSource(cur settings.Settings) audit.Source {
	src := strings.TrimSpace(cur.AuditSourceID)
	if src == "" {
		host, _ := os.Hostname()
		src = "DISCDESK@" + host
	}
	return audit.Source{SourceID: src, SiteID: cur.Facility.Name}
}

// Record records a new request (the first step; nothing is planned yet).
func (s *Station) Record(in handoff.RequestInput, by handoff.Actor) (handoff.Request, error) {
	return s.Log.NewRequest(in, by)
}

// Enqueue queues the plan's discs for burning on target (a drive spec; ""
// = the settings' default target, named after the request). It refuses
// while a warning needs an acknowledgement. The plan is closed either way:
// the burn plans the discs again with the same options and
// acknowledgements.
func (s *Station) Enqueue(p *Plan, target string) (burnqueue.Job, error) {
	defer p.Close()
	if err := p.Check(); err != nil {
		return burnqueue.Job{}, err
	}
	if err := s.checkContent(context.Background(), p.Studies); err != nil {
		return burnqueue.Job{}, err
	}
	var j burnqueue.Job
	if target == "" {
		name := "DISC" + strings.ToUpper(uuid.NewString()[:8])
		if p.Request != "" {
			name = strings.ReplaceAll(staff.RequestCode(p.Request), "-", "")
			// A replacement gets its own image file: the first may be kept.
			if jobs, err := s.Jobs(p.Request); err == nil && len(jobs) > 0 {
				name += fmt.Sprintf("_%d", len(jobs)+1)
			}
		}
		cur, err := s.Settings.Get()
		if err != nil {
			return j, err
		}
		if j, err = TargetJob(cur, s.DataDir, name); err != nil {
			return j, err
		}
	} else {
		j.Drive = target
		if !IsFileTarget(target) {
			j.Media = string(p.Options.Media)
		}
	}
	raw, err := p.Options.encode()
	if err != nil {
		return j, err
	}
	j.RequestID, j.StudyUIDs, j.Copies, j.Plan = p.Request, p.Studies, max(p.Copies, 1), raw
	j.Acks, j.AckedBy = p.acks, p.ackedBy
	return s.Queue.Enqueue(j)
}

// IsFileTarget reports whether a drive spec names a file or folder target
// (no tray to eject, no fixed media).
func IsFileTarget(spec string) bool {
	for _, p := range []string{"stdio:", "iso:", "zip:", "dir:", "usb:"} {
		if strings.HasPrefix(spec, p) {
			return true
		}
	}
	return false
}

// Burn is what QueueRequest needs besides the request: plan options, the
// warnings staff acknowledged and who, and the target ("" = default).
type Burn struct {
	Options PlanOptions
	Acks    []disc.WarningCode
	By      string
	Target  string
}

// QueueRequest plans a recorded request, applies the acknowledgements and
// queues it: the desk's Burn button, `discdesk burn --request`, auto-burn.
func (s *Station) QueueRequest(ctx context.Context, requestID string, b Burn) (burnqueue.Job, error) {
	p, err := s.PlanRequest(ctx, requestID, b.Options)
	if err != nil {
		return burnqueue.Job{}, err
	}
	for _, c := range b.Acks {
		p.Acknowledge(c, b.By)
	}
	return s.Enqueue(p, b.Target)
}

// checkContent re-reads the studies' files against the checksums the
// library took (library.CheckStudy): bytes changed behind the library
// never reach a disc. A refusal wraps library.ErrContentChanged and names
// the file.
func (s *Station) checkContent(ctx context.Context, uids []string) error {
	for _, u := range uids {
		if err := s.Lib.CheckStudy(ctx, u); err != nil {
			return fmt.Errorf("station: study %s: %w", u, err)
		}
	}
	return nil
}

// PlanJob is the burn queue's PlanFunc: a folder job as it is (its volume
// id), or the job's studies planned again with its options and
// acknowledgements. The plan stays open until the job's last disc is
// verified (transcoded objects live in its work folder) or Close.
func (s *Station) PlanJob(ctx context.Context, j burnqueue.Job) ([]burner.Tree, error) {
	if j.Files != "" {
		t, err := burnqueue.FolderTree(j.Files, j.VolumeID)
		if err != nil {
			return nil, err
		}
		return []burner.Tree{*t}, nil
	}
	o, err := decodeOptions(j.Plan)
	if err != nil {
		return nil, err
	}
	if err := s.checkContent(ctx, j.StudyUIDs); err != nil {
		return nil, err
	}
	if o.Media == "" && j.Media != "" {
		o.Media = disc.Media(j.Media)
	}
	p, err := s.PlanStudies(ctx, j.StudyUIDs, o)
	if err != nil {
		return nil, err
	}
	for _, c := range j.Acks {
		p.Plan.Acknowledge(disc.WarningCode(c), j.AckedBy)
	}
	if err := p.Check(); err != nil {
		p.Close()
		return nil, err
	}
	ptrs, err := p.Build(ctx, nil)
	if err != nil {
		p.Close()
		return nil, err
	}
	trees := make([]burner.Tree, len(ptrs))
	for i, t := range ptrs {
		trees[i] = *t
	}
	s.mu.Lock()
	if old := s.plans[j.ID]; old != nil {
		old.Close()
	}
	s.plans[j.ID], s.trees[j.ID] = p, trees
	s.mu.Unlock()
	return trees, nil
}

// Event is the burn queue's event hook: each disc the queue verified is
// logged once, with its manifest hash, under its request (if any).
func (s *Station) Event(ev burnqueue.Event) {
	// A drive reports "done" when it finished writing, too: only the
	// queue's "done" for a disc it verified counts.
	if ev.Progress.Phase != drive.PhaseDone || ev.Disc.State != burnqueue.Done {
		return
	}
	j, err := s.Queue.Get(ev.Job)
	if err != nil {
		s.logged(j, ev.Disc, handoff.Event{}, err)
		return
	}
	s.mu.Lock()
	var tree *burner.Tree
	if ts := s.trees[ev.Job]; ev.Disc.Index >= 1 && ev.Disc.Index <= len(ts) {
		tree = &ts[ev.Disc.Index-1]
	}
	if ev.Disc.Index == ev.Disc.Of && ev.Disc.Copy == j.Copies {
		defer s.release(ev.Job)
	}
	s.mu.Unlock()
	if j.RequestID == "" {
		return
	}
	if tree == nil {
		s.logged(j, ev.Disc, handoff.Event{}, fmt.Errorf("station: job %s disc %d: no tree to log", j.ID, ev.Disc.Index))
		return
	}
	cur, _ := s.Settings.Get()
	le, err := s.Log.RecordBurn(j.RequestID, BurnRecord(j, ev.Disc, tree), handoff.Actor{Staff: QueueStaff, Workstation: cur.Workstation})
	s.logged(j, ev.Disc, le, err)
}

func (s *Station) logged(j burnqueue.Job, d burnqueue.Disc, ev handoff.Event, err error) {
	if s.Logged != nil {
		s.Logged(j, d, ev, err)
	}
}

func (s *Station) release(id uuid.UUID) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p := s.plans[id]; p != nil {
		p.Close()
	}
	delete(s.plans, id)
	delete(s.trees, id)
}

// Close closes the plans of jobs still running.
func (s *Station) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, p := range s.plans {
		p.Close()
		delete(s.plans, id)
		delete(s.trees, id)
	}
}

// Worker is a burn queue worker that plans with PlanJob and logs with
// Event; progress, when set, gets every event too.
func (s *Station) Worker(open burnqueue.OpenFunc, progress func(burnqueue.Event)) *burnqueue.Worker {
	return &burnqueue.Worker{Queue: s.Queue, Plan: s.PlanJob, Open: open, Event: func(ev burnqueue.Event) {
		if progress != nil {
			progress(ev)
		}
		s.Event(ev)
	}}
}

// BurnRecord is the handoff log's record of one verified disc of a job
// whose content is tree.
func BurnRecord(j burnqueue.Job, d burnqueue.Disc, tree *burner.Tree) handoff.Burn {
	b := handoff.Burn{DiscUUID: d.UUID.String(), N: d.Index, M: d.Of, Verified: true, Studies: j.StudyUIDs}
	if tree != nil {
		b.ManifestHash = disc.ManifestDigest(tree)
		for _, f := range tree.Files {
			if strings.HasPrefix(f.Path, "DICOM/") {
				b.Instances++
			}
		}
	}
	return b
}

// TargetJob is a job on the settings' default target - an ISO-file folder
// in dataDir when the settings list none, as on a computer without a
// burner - its image file or folder called name: Drive and Media set, the
// rest for the caller. It creates an ISO target's folder (0700).
func TargetJob(cur settings.Settings, dataDir, name string) (burnqueue.Job, error) {
	t, ok := cur.DefaultTarget()
	if !ok {
		cur.WithDetected(nil, dataDir)
		t, _ = cur.DefaultTarget()
	}
	if t.Kind == settings.TargetISO {
		if err := os.MkdirAll(t.Path, 0o700); err != nil {
			return burnqueue.Job{}, fmt.Errorf("station: ISO folder: %w", err)
		}
	}
	media := ""
	if t.Kind == settings.TargetDevice {
		media = string(cur.Media)
	}
	return burnqueue.Job{Drive: t.Spec(name), Media: media}, nil
}

// ErrSpoiledDisc means the disc is one the burn queue found spoiled (its
// read-back failed, or writing stopped): it was never logged and must
// never be handed out.
var ErrSpoiledDisc = fmt.Errorf("station: the burn queue found this disc spoiled: %w", handoff.ErrSpoiled)

// request finds the request of a disc, refusing a disc the queue spoiled.
func (s *Station) discRequest(discUUID string) (handoff.Request, error) {
	if id, err := uuid.Parse(discUUID); err == nil {
		if _, d, err := s.Queue.FindDisc(id); err == nil && d.State == burnqueue.Spoiled {
			return handoff.Request{}, fmt.Errorf("disc %s: %w", discUUID, ErrSpoiledDisc)
		}
	}
	return s.Log.DiscRequest(discUUID)
}

// HandOver records a disc handed over at the desk (mail false: the identity
// check is required) or mailed (the carrier is required, and the request
// needs an address). The log's auditor adds the PS3.15 audit message.
func (s *Station) HandOver(discUUID string, mail bool, h handoff.Handover, by handoff.Actor) (handoff.Event, error) {
	r, err := s.discRequest(strings.ToLower(discUUID))
	if err != nil {
		return handoff.Event{}, err
	}
	if err := r.CanHandOver(strings.ToLower(discUUID), mail); err != nil {
		return handoff.Event{}, err
	}
	return s.Log.HandOver(discUUID, mail, h, by)
}

// ConfirmReceipt records that the recipient confirmed a mailed disc arrived.
func (s *Station) ConfirmReceipt(discUUID, who string, by handoff.Actor) (handoff.Event, error) {
	return s.Log.ConfirmReceipt(discUUID, who, by)
}

// Return records a disc that came back (undeliverable, refused).
func (s *Station) Return(discUUID, reason string, by handoff.Actor) (handoff.Event, error) {
	return s.Log.Return(discUUID, reason, by)
}

// Spoil records that a logged disc must never leave the building.
func (s *Station) Spoil(discUUID, reason string, by handoff.Actor) (handoff.Event, error) {
	return s.Log.Spoil(discUUID, reason, by)
}

// Replace spoils a logged disc and queues a replacement with the plan
// options and acknowledgements of the job that wrote it (one copy).
func (s *Station) Replace(discUUID, reason string, by handoff.Actor) (burnqueue.Job, error) {
	id, err := uuid.Parse(discUUID)
	if err != nil {
		return burnqueue.Job{}, fmt.Errorf("station: disc %q: %w", discUUID, handoff.ErrNotFound)
	}
	old, _, err := s.Queue.FindDisc(id)
	if err != nil {
		return burnqueue.Job{}, err
	}
	if _, err := s.Spoil(discUUID, reason, by); err != nil {
		return burnqueue.Job{}, err
	}
	j := burnqueue.Job{RequestID: old.RequestID, StudyUIDs: old.StudyUIDs, Files: old.Files, VolumeID: old.VolumeID, Report: old.Report,
		Acks: old.Acks, AckedBy: old.AckedBy, Plan: old.Plan, Drive: old.Drive, Media: old.Media, Copies: 1}
	return s.Queue.Enqueue(j)
}

// Reburn releases a job the queue holds (a disc spoiled in the drive, no
// blank disc, a drive fault) so it is written on a new disc.
func (s *Station) Reburn(job uuid.UUID) (burnqueue.Job, error) { return s.Queue.Retry(job) }

// Cancel cancels a request and takes its jobs that are not writing out of
// the queue. A job writing a disc now refuses (stop it first).
func (s *Station) Cancel(requestID, reason string, by handoff.Actor) (handoff.Event, error) {
	if strings.TrimSpace(reason) == "" {
		return handoff.Event{}, fmt.Errorf("station: cancel: %w", handoff.ErrMissing)
	}
	jobs, err := s.Jobs(requestID)
	if err != nil {
		return handoff.Event{}, err
	}
	for _, j := range jobs {
		if _, err := s.Queue.Cancel(j.ID); err != nil {
			return handoff.Event{}, err
		}
	}
	return s.Log.Cancel(requestID, reason, by)
}

// TellPatient records that the patient was told, when the request's rule
// allows it (a good disc ready for pickup, or arrived).
func (s *Station) TellPatient(requestID, how string, by handoff.Actor) (handoff.Event, error) {
	r, err := s.Log.Request(requestID)
	if err != nil {
		return handoff.Event{}, err
	}
	if err := r.CanTell(); err != nil {
		return handoff.Event{}, err
	}
	return s.Log.TellPatient(requestID, how, by)
}

// Jobs returns the burn jobs of a request, oldest first.
func (s *Station) Jobs(requestID string) ([]burnqueue.Job, error) {
	all, err := s.Queue.List()
	if err != nil {
		return nil, err
	}
	var out []burnqueue.Job
	for _, j := range all {
		if j.RequestID == requestID {
			out = append(out, j)
		}
	}
	return out, nil
}

// Stage is where a request stands in the lifecycle.
type Stage string

// The stages, in order.
const (
	StageRecorded  Stage = "recorded"    // nothing queued or burned
	StageQueued    Stage = "queued"      // a job is waiting, writing or held
	StageBurned    Stage = "burned"      // a good disc is at the desk
	StageHanded    Stage = "handed-over" // every good disc left the building
	StageDelivered Stage = "delivered"   // receipt confirmed
	StageTold      Stage = "told"        // the patient was told
	StageCancelled Stage = "cancelled"
)

// StageOf returns the stage of a request, given its jobs.
func StageOf(r handoff.Request, jobs []burnqueue.Job) Stage {
	switch {
	case r.Status == handoff.StatusCancelled:
		return StageCancelled
	case r.Status == handoff.StatusDelivered && r.Delivery == handoff.DeliveryPickup:
		return StageHanded // told it is ready, then handed over: done
	case !r.PatientTold.IsZero():
		return StageTold
	case r.Status == handoff.StatusReceived:
		return StageDelivered
	case r.Status == handoff.StatusDelivered:
		return StageHanded
	case r.Status == handoff.StatusBurned:
		return StageBurned
	}
	for _, j := range jobs {
		if j.State == burnqueue.Queued || j.State == burnqueue.Burning || j.State == burnqueue.Verifying {
			return StageQueued
		}
	}
	return StageRecorded
}

// Stage returns where the request stands.
func (s *Station) Stage(requestID string) (Stage, error) {
	r, err := s.Log.Request(requestID)
	if err != nil {
		return "", err
	}
	jobs, err := s.Jobs(requestID)
	if err != nil {
		return "", err
	}
	return StageOf(r, jobs), nil
}

// IsRefusal reports whether err is the lifecycle refusing a step (a rule,
// a missing field, an unacknowledged warning) rather than a failure.
func IsRefusal(err error) bool {
	var fe *handoff.FieldError
	return errors.As(err, &fe) || errors.Is(err, handoff.ErrWrongState) || errors.Is(err, handoff.ErrClosed) ||
		errors.Is(err, ErrUnacknowledged) || errors.Is(err, ErrNoDiscNeeded) || errors.Is(err, ErrNoStudies) || errors.Is(err, staff.ErrNotAllowed)
}
