package intake

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"time"

	"discdesk/app/burnqueue"
	"discdesk/app/handoff"
	"discdesk/app/library"
	"discdesk/app/pacs"
	"discdesk/app/pacs/dicomweb"
	"discdesk/app/settings"
	"discdesk/app/staff"
	"discdesk/app/station"
	"discdesk/burner/disc"
)

// Errors of intake.
var (
	// ErrNoSenders means receiving is on but no PACS node is configured:
	// every sender would be refused.
	ErrNoSenders = errors.New("no PACS nodes are configured to send to the desk")
	// ErrStarted means Start was called on a receiver already started.
	ErrStarted = errors.New("the DICOM receiver is already started")
	// ErrIncomplete means a Receiver lacks the library, or, for auto-burn,
	// the handoff log, burn queue or settings.
	ErrIncomplete = errors.New("the DICOM receiver is missing a part")
)

// SpoolDir is where received objects wait for the library: inside the data
// folder, on the library's file system, so the import is a rename.
func SpoolDir(dataDir string) string { return filepath.Join(dataDir, "pacs-spool") }

// Options are the network side of a Receiver.
type Options struct {
	// Server is the Storage SCP's configuration: AE titles (ours first),
	// allowed callers, TLS, limits, spool folder. Start adds BurnAE to
	// the AE titles.
	Server pacs.Config
	// Listen is where to listen, host:port (":11112": every interface).
	Listen string
	// BurnAE is the called AE title whose studies are burned when
	// complete; "" turns auto-burn off.
	BurnAE string
	// Quiet is how long a study may stay silent before it counts as
	// complete (0: pacs.AutoBurn's default).
	Quiet time.Duration
	// CountNode, when set, is asked for each study's Number of Study
	// Related Instances; otherwise the sending node is, when it is one of
	// Nodes.
	CountNode *pacs.Node
	Nodes     []pacs.Node
	// Count, when set, is asked instead of CountNode: a DICOMweb count
	// node answers over QIDO-RS.
	Count func(ctx context.Context, studyUID string) (int, error)
	// Prepare is how long a study sent for auto-burn must stay silent
	// before its disc's browser viewer frames are packed in the background
	// (station.PrepareStudies), so the burn that follows only writes
	// (0: DefaultPrepare; negative: never).
	Prepare time.Duration
}

// DefaultPrepare is how long a study sent for auto-burn stays silent
// before its browser viewer frames are packed: a pause in the transfer,
// well inside the quiet time, so packing does not compete with receiving.
const DefaultPrepare = 3 * time.Second

// FromSettings makes the receiver's options from the desk settings: our AE
// title, the port, the PACS nodes as the only allowed callers (each from its
// configured host), TLS when a certificate is configured, the auto-burn AE
// title, quiet time and instance-count node.
func FromSettings(s settings.Settings, dataDir string) (Options, error) {
	rc := s.Receive
	opt := Options{
		Server: pacs.Config{AETitles: []string{s.LocalAE}, SpoolDir: SpoolDir(dataDir)},
		Listen: net.JoinHostPort("", strconv.Itoa(rc.Port)),
		BurnAE: rc.BurnAE, Quiet: rc.Quiet(),
	}
	for _, n := range s.Nodes {
		if n.IsDICOMweb() {
			// Not a DICOM sender (no AE title to allow); asked for counts
			// over QIDO-RS when it is the count node.
			if n.Name == rc.CountNode && rc.CountNode != "" {
				r, err := dicomweb.Resolve(n, nil)
				if err != nil {
					return opt, fmt.Errorf("intake: instance count node: %w", err)
				}
				opt.Count = r.Counter(s.LocalAE)
			}
			continue
		}
		opt.Server.Callers = append(opt.Server.Callers, pacs.Caller{AETitle: n.AETitle, Host: n.Host})
		pn := pacs.Node{AETitle: n.AETitle, Host: n.Host, Port: n.Port}
		opt.Nodes = append(opt.Nodes, pn)
		if n.Name == rc.CountNode && rc.CountNode != "" {
			opt.CountNode = &pn
		}
	}
	if len(opt.Server.Callers) == 0 {
		return opt, fmt.Errorf("intake: %w: add the PACS or modality in Settings, PACS nodes", ErrNoSenders)
	}
	if rc.TLSCert != "" {
		pair, err := tls.LoadX509KeyPair(rc.TLSCert, rc.TLSKey)
		if err != nil {
			return opt, fmt.Errorf("intake: TLS certificate %s: %w", filepath.Base(rc.TLSCert), err)
		}
		opt.Server.TLS = &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12}
	}
	return opt, nil
}

// Queued is one auto-burn job. Request is nil when no request could be
// made; Problem says why (the job is queued all the same).
type Queued struct {
	StudyUID string
	Job      burnqueue.Job
	Request  *handoff.Request
	Problem  error
	// Fallback is why the study counted as complete without the PACS's
	// instance count, for the desk to show as is ("burned after quiet
	// time: the PACS did not answer"); empty when the count was reached.
	Fallback string
}

// A Receiver runs the Storage SCP into the library and, with a BurnAE,
// queues complete studies for discs. Set the fields, then Start; Stop (or
// the end of Start's context) closes it. Hooks are called from receiver
// goroutines, never with a lock held.
type Receiver struct {
	Options
	Lib *library.Library
	// Station records auto-burn's requests and queues their discs (the
	// lifecycle every entry point shares); needed for auto-burn only.
	Station *station.Station
	// Sink replaces the library as the objects' destination (nil:
	// LibrarySink). Auto-burn needs the studies in Lib.
	Sink pacs.Sink
	// Logger gets association and queueing events, never patient data.
	Logger *slog.Logger
	// Stored is called after each object joined the library.
	Stored func(studyUID string)
	// Queued is called after each auto-burn job was queued.
	Queued func(Queued)
	// Problem reports a complete study that could not be queued.
	Problem func(studyUID string, err error)

	mu      sync.Mutex
	srv     *pacs.Server
	ln      net.Listener
	cancel  context.CancelFunc
	done    chan struct{}
	err     error
	stopped bool
	ab      *pacs.AutoBurn
	senders map[string]string       // study UID -> calling AE title, for watched studies
	prep    map[string]*preparation // study UID -> its background preparation
	ctx     context.Context         // the serving context, for preparations
	pending sync.WaitGroup          // completions being queued, preparations running
}

// preparation is the background packing of one watched study's frames:
// a timer armed by each instance, the run it starts, and whether another
// instance came while it ran.
type preparation struct {
	timer   *time.Timer
	gen     int // instances seen; a run that started at an older one is not the last
	running bool
	again   bool
}

func (r *Receiver) log() *slog.Logger {
	if r.Logger == nil {
		return slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return r.Logger
}

// Start listens on Listen and serves in the background until ctx ends or
// Stop. An error (port in use, bad configuration) means nothing runs.
func (r *Receiver) Start(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.srv != nil {
		return ErrStarted
	}
	if r.Lib == nil && r.Sink == nil {
		return fmt.Errorf("intake: start: %w: no library", ErrIncomplete)
	}
	sink := r.Sink
	if sink == nil {
		sink = LibrarySink{Lib: r.Lib}
	}
	sink = storedSink{r: r, next: sink}
	cfg := r.Server
	cfg.AETitles = slices.Clone(cfg.AETitles)
	if cfg.Logger == nil {
		cfg.Logger = r.Logger
	}
	if r.BurnAE != "" {
		if r.Lib == nil || r.Station == nil {
			return fmt.Errorf("intake: start: %w: auto-burn needs the library and the station", ErrIncomplete)
		}
		ab := &pacs.AutoBurn{Next: sink, BurnAE: r.BurnAE, Quiet: r.Quiet, Count: r.count, Logger: r.Logger,
			OnComplete: func(c pacs.Completion) { r.complete(c.StudyUID, c.Fallback) }}
		sink, r.ab = senderSink{r: r, ab: ab}, ab
		if !slices.Contains(cfg.AETitles, r.BurnAE) {
			cfg.AETitles = append(cfg.AETitles, r.BurnAE)
		}
	}
	srv, err := pacs.NewServer(cfg, sink)
	if err != nil {
		return fmt.Errorf("intake: start: %w", err)
	}
	ln, err := srv.Listen(r.Listen)
	if err != nil {
		return fmt.Errorf("intake: start: %w", err)
	}
	ctx, cancel := context.WithCancel(ctx)
	r.srv, r.ln, r.cancel, r.done, r.stopped = srv, ln, cancel, make(chan struct{}), false
	r.senders, r.prep, r.ctx = map[string]string{}, map[string]*preparation{}, ctx
	go r.serve(ctx, srv, ln)
	return nil
}

func (r *Receiver) serve(ctx context.Context, srv *pacs.Server, ln net.Listener) {
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	var err error
	select {
	case err = <-errc:
		srv.Close()
	case <-ctx.Done():
		srv.Close() // aborts open associations and waits for them
		err = <-errc
	}
	r.mu.Lock()
	r.stopped = true
	for _, p := range r.prep {
		p.timer.Stop()
	}
	r.mu.Unlock()
	r.pending.Wait()
	if err != nil {
		r.log().Error("DICOM receiver stopped", "err", err)
	}
	r.mu.Lock()
	r.err = err
	r.mu.Unlock()
	close(r.done)
}

// Addr is the listening address (nil before Start).
func (r *Receiver) Addr() net.Addr {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ln == nil {
		return nil
	}
	return r.ln.Addr()
}

// Done is closed when the receiver has stopped (nil before Start).
func (r *Receiver) Done() <-chan struct{} {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.done
}

// Stop closes the receiver, aborting open associations, waits for studies
// being queued and returns the error that stopped serving, if any. Stop
// before Start does nothing.
func (r *Receiver) Stop() error {
	r.mu.Lock()
	cancel, done := r.cancel, r.done
	r.mu.Unlock()
	if cancel == nil {
		return nil
	}
	cancel()
	<-done
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.err
}

// Watching returns the studies sent for auto-burn that are not complete
// yet, with their received instance counts (none without auto-burn).
func (r *Receiver) Watching() map[string]int {
	r.mu.Lock()
	ab := r.ab
	r.mu.Unlock()
	if ab == nil {
		return map[string]int{}
	}
	return ab.Watching()
}

// storedSink reports each object the library took.
type storedSink struct {
	r    *Receiver
	next pacs.Sink
}

func (s storedSink) Store(ctx context.Context, obj *pacs.ReceivedObject) error {
	if err := s.next.Store(ctx, obj); err != nil {
		return err
	}
	if s.r.Stored != nil {
		s.r.Stored(obj.StudyInstanceUID)
	}
	return nil
}

// senderSink remembers who sent each study to the burn AE title (for the
// request and for asking the sender for the instance count), then hands
// the object to auto-burn.
type senderSink struct {
	r  *Receiver
	ab *pacs.AutoBurn
}

func (s senderSink) Store(ctx context.Context, obj *pacs.ReceivedObject) error {
	uid := obj.StudyInstanceUID
	burn := obj.CalledAE == s.ab.BurnAE && uid != ""
	if burn {
		s.r.mu.Lock()
		if _, ok := s.r.senders[uid]; !ok {
			s.r.senders[uid] = obj.CallingAE
		}
		s.r.mu.Unlock()
	}
	err := s.ab.Store(ctx, obj)
	if err == nil && burn {
		s.r.schedulePrepare(uid)
	}
	if burn {
		// Refused, or an instance that came after its study was queued
		// (auto-burn watches it no more): nothing will consume the entry.
		if _, watched := s.ab.Watching()[uid]; !watched {
			s.r.mu.Lock()
			delete(s.r.senders, uid)
			s.r.mu.Unlock()
		}
	}
	return err
}

// schedulePrepare (re)arms the study's preparation: its frames are packed
// once it has been silent for the Prepare time.
func (r *Receiver) schedulePrepare(uid string) {
	wait := r.Prepare
	if wait == 0 {
		wait = DefaultPrepare
	}
	if wait < 0 || r.Station == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stopped {
		return
	}
	p := r.prep[uid]
	if p == nil {
		p = &preparation{}
		r.prep[uid] = p
	} else {
		p.timer.Stop()
	}
	p.gen++
	p.timer = time.AfterFunc(wait, func() { r.prepare(uid, p) })
}

// prepare packs a silent study's browser viewer frames into the data
// folder's frame cache, as the desk does once staff have seen a plan:
// the files already packed are kept, so a run that more instances
// interrupt is not lost, and a study that completes meanwhile is burned
// with what is packed (the burn packs the rest). Errors are dropped: the
// burn plans again and says what is wrong.
func (r *Receiver) prepare(uid string, p *preparation) {
	_, watched := r.Watching()[uid] // auto-burn's lock is never taken inside ours
	r.mu.Lock()
	if r.stopped || r.prep[uid] != p {
		r.mu.Unlock()
		return
	}
	if p.running {
		p.again = true
		r.mu.Unlock()
		return
	}
	if !watched {
		delete(r.prep, uid) // queued already (or an instance came after): the burn packs it
		r.mu.Unlock()
		return
	}
	p.running = true
	ctx := r.ctx
	r.pending.Add(1)
	r.mu.Unlock()
	defer r.pending.Done()
	for {
		r.mu.Lock()
		gen := p.gen
		r.mu.Unlock()
		<-r.Station.PrepareStudies(ctx, []string{uid}, station.PlanOptions{})
		r.mu.Lock()
		if p.again && !r.stopped {
			p.again = false
			r.mu.Unlock()
			continue
		}
		p.running = false
		if p.gen == gen && r.prep[uid] == p {
			delete(r.prep, uid) // nothing came since: done
		}
		r.mu.Unlock()
		return
	}
}

// count asks the count node, or the sender when it is a configured node,
// for the study's Number of Study Related Instances.
func (r *Receiver) count(ctx context.Context, uid string) (int, error) {
	if r.Count != nil {
		return r.Count(ctx, uid)
	}
	n := r.CountNode
	if n == nil {
		r.mu.Lock()
		sender := r.senders[uid]
		r.mu.Unlock()
		for i := range r.Nodes {
			if r.Nodes[i].AETitle == sender {
				n = &r.Nodes[i]
				break
			}
		}
	}
	if n == nil {
		return 0, pacs.ErrNoCount
	}
	c := &pacs.Client{AETitle: r.Server.AETitles[0], Logger: r.Logger}
	return c.StudyInstanceCount(ctx, *n, uid)
}

// complete queues a study auto-burn found complete (fallback: why without
// the PACS's count, see Queued.Fallback).
func (r *Receiver) complete(uid, fallback string) {
	r.mu.Lock()
	sender := r.senders[uid]
	delete(r.senders, uid)
	if p := r.prep[uid]; p != nil && !p.running {
		p.timer.Stop() // the burn packs what is not packed yet
		delete(r.prep, uid)
	}
	if r.stopped {
		r.mu.Unlock()
		r.log().Warn("auto-burn: a study completed after the receiver stopped; it was not queued")
		return
	}
	r.pending.Add(1)
	r.mu.Unlock()
	defer r.pending.Done()
	q, err := r.QueueStudy(context.Background(), uid, sender)
	q.Fallback = fallback
	if err != nil {
		r.log().Error("auto-burn: study not queued", "err", err)
		if r.Problem != nil {
			r.Problem(uid, err)
		}
		return
	}
	if q.Problem != nil {
		r.log().Warn("auto-burn: job queued without a request", "job", q.Job.ID, "why", q.Problem)
	} else {
		r.log().Info("auto-burn: job queued", "job", q.Job.ID, "request", staff.RequestCode(q.Request.ID))
	}
	if r.Queued != nil {
		r.Queued(q)
	}
}

// QueueRequest queues the disc of a recorded request as auto-burn does: no
// staff member sees the plan, so the "no report" warning of a study
// without a report is acknowledged in auto-burn's name; any other warning
// that needs a person refuses.
func (r *Receiver) QueueRequest(ctx context.Context, requestID string) (burnqueue.Job, error) {
	st := r.Station
	p, err := st.PlanRequest(ctx, requestID, station.PlanOptions{})
	if err != nil {
		return burnqueue.Job{}, err
	}
	hasReport := true
	for _, u := range p.Studies {
		if sd, err := st.Lib.Study(u); err == nil && !sd.HasReport {
			hasReport = false
		}
	}
	r.acknowledge(p, hasReport)
	return st.Enqueue(p, "")
}

func (r *Receiver) acknowledge(p *station.Plan, hasReport bool) {
	if !hasReport {
		p.Acknowledge(disc.WarnNoReport, AutoBurnStaff)
	}
}

// QueueStudy makes the same-day pickup request for a complete study that
// sender sent to the burn AE title and queues its disc on the default
// target through the station, the "no report" warning acknowledged in
// auto-burn's name. When the request cannot be made the disc is queued
// without one (Queued.Problem says why); an error means nothing was
// queued (a plan warning nobody acknowledged, say).
func (r *Receiver) QueueStudy(ctx context.Context, uid, sender string) (Queued, error) {
	out := Queued{StudyUID: uid}
	st := r.Station
	cur, err := st.Settings.Get()
	if err != nil {
		return out, fmt.Errorf("intake: queue study: %w", err)
	}
	sd, err := st.Lib.Study(uid)
	if err != nil {
		return out, fmt.Errorf("intake: queue study: %w", err)
	}
	req, rerr := st.Record(AutoBurnInput(sd.Study, sender, r.BurnAE), handoff.Actor{Staff: AutoBurnStaff, Workstation: cur.Workstation})
	if rerr == nil {
		out.Request = &req
		out.Job, err = r.QueueRequest(ctx, req.ID)
	} else {
		out.Problem = fmt.Errorf("intake: auto-burn request: %w", rerr)
		var p *station.Plan
		if p, err = st.PlanStudies(ctx, []string{uid}, station.PlanOptions{}); err == nil {
			r.acknowledge(p, sd.HasReport)
			out.Job, err = st.Enqueue(p, "")
		}
	}
	if err != nil {
		return out, fmt.Errorf("intake: queue study: %w", err)
	}
	return out, nil
}
