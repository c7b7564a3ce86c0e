package retrieve

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"discdesk/app/intake"
	"discdesk/app/library"
	"discdesk/app/pacs"
)

// Errors of a retrieve.
var (
	// ErrMethod means Options.Method is neither "move" nor "get".
	ErrMethod = errors.New("retrieve method must be move or get")
	// ErrSCP means the temporary Storage SCP a C-MOVE needs could not
	// listen on its port (the desk's receiver or `discdesk serve` may
	// hold it: then name that receiver in Options.MoveTo).
	ErrSCP = errors.New("our Storage SCP for the C-MOVE could not listen")
)

// Into is where retrieved instances go: the library (Library) or a folder
// (Folder).
type Into struct {
	Sink     pacs.Sink
	SpoolDir string // objects are spooled here whole before Sink takes them
	// held lists the SOP Instance UIDs of a study the destination holds.
	held func(studyUID string) (map[string]bool, error)
}

// Library is the library of the data folder dataDir, spooling in the
// receiver's spool folder (on the library's file system, so the library
// takes each file by rename).
func Library(lib *library.Library, dataDir string) Into {
	return Into{Sink: intake.LibrarySink{Lib: lib}, SpoolDir: intake.SpoolDir(dataDir), held: func(study string) (map[string]bool, error) {
		d, err := lib.Study(study)
		if errors.Is(err, library.ErrNoStudy) {
			return map[string]bool{}, nil
		}
		if err != nil {
			return nil, err
		}
		out := map[string]bool{}
		for _, se := range d.Series {
			for _, in := range se.Instances {
				out[in.SOPInstanceUID] = true
			}
		}
		return out, nil
	}}
}

// Folder stores instances as dir/<Study UID>/<SOP Instance UID>.dcm (mode
// 0600), spooling in dir/.spool.
func Folder(dir string) (Into, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return Into{}, fmt.Errorf("output folder: %w", err)
	}
	sink := pacs.FileSink{Dir: dir}
	return Into{Sink: sink, SpoolDir: filepath.Join(dir, ".spool"), held: func(study string) (map[string]bool, error) {
		out := map[string]bool{}
		ents, err := os.ReadDir(filepath.Join(dir, study))
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
		for _, e := range ents {
			if uid, ok := strings.CutSuffix(e.Name(), ".dcm"); ok {
				out[uid] = true
			}
		}
		return out, nil
	}}, nil
}

// Options of Retrieve.
type Options struct {
	// Method is "move" (C-MOVE, the default) or "get" (C-GET); a
	// DICOMweb node always uses WADO-RS.
	Method string
	// MoveTo is the AE title of a receiver already running that files
	// into the same destination (the desk's, or serve's): the C-MOVE
	// names it. "" runs a temporary Storage SCP on Port instead.
	MoveTo string
	// Host and Port are where the temporary Storage SCP listens (host ""
	// is every interface); the node must know our AE title at this port.
	Host string
	Port int
	// PatientID is needed with the Patient Root model.
	PatientID string
	// Expected is the study's instance count when the caller knows it
	// (a Find result); 0 or less (-1: the node did not say) asks the node
	// when Progress is set.
	Expected int
	// Progress is called after each instance is stored (or found already
	// held) with the instances done and expected (0: not known), and once
	// before the first. It runs on the goroutine that stores, so it
	// must not block.
	Progress func(done, total int)
}

// Result says what a retrieve did.
type Result struct {
	Node     string // the node, as errors name it
	StudyUID string
	// Stored counts instances new to the destination; Held those it
	// already held (the same instance: nothing was stored again).
	Stored, Held int
	// Failed counts instances the node or the destination did not
	// deliver; FailedInstances names those that are known.
	Failed          int
	FailedInstances []string
	// PACS is the node's own account: the C-MOVE or C-GET sub-operation
	// counts, or WADO-RS's parts (`discdesk retrieve` prints it).
	PACS pacs.RetrieveResult
}

// Summary says in plain words what was retrieved.
func (r Result) Summary() string {
	s := fmt.Sprintf("Retrieved %s from %s: %d new, %d already held", instances(r.Stored+r.Held), r.Node, r.Stored, r.Held)
	if r.Failed > 0 {
		s += fmt.Sprintf("; %s could not be retrieved", instances(r.Failed))
	}
	return s + "."
}

func instances(n int) string {
	if n == 1 {
		return "1 instance"
	}
	return strconv.Itoa(n) + " instances"
}

// tally counts what a destination took, for Result and Progress.
type tally struct {
	ctx      context.Context // the retrieve's: once it ends nothing more is filed
	into     Into
	before   map[string]bool // what the destination held before
	progress func(done, total int)
	total    int

	mu           sync.Mutex
	arrived      map[string]bool
	stored, held int
}

// Store implements pacs.Sink: the destination's sink, counted.
func (t *tally) Store(ctx context.Context, obj *pacs.ReceivedObject) error {
	if err := t.ctx.Err(); err != nil {
		return err // cancelled: the temporary SCP refuses what still comes
	}
	err := t.into.Sink.Store(ctx, obj)
	if err != nil && !errors.Is(err, pacs.ErrAlreadyHeld) {
		return err
	}
	t.mu.Lock()
	first := !t.arrived[obj.SOPInstanceUID]
	t.arrived[obj.SOPInstanceUID] = true
	if first {
		if t.before[obj.SOPInstanceUID] || errors.Is(err, pacs.ErrAlreadyHeld) {
			t.held++
		} else {
			t.stored++
		}
	}
	done, total := t.stored+t.held, t.total
	t.mu.Unlock()
	if first && t.progress != nil {
		if total > 0 {
			total = max(total, done) // the node sent more than it counted
		}
		t.progress(done, total)
	}
	return err
}

// have tells a C-MOVE falling back to instance by instance what arrived.
func (t *tally) have(uid string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.arrived[uid]
}

// Retrieve fetches the study studyUID from the node into into.
func (n *Node) Retrieve(ctx context.Context, studyUID string, into Into, o Options) (Result, error) {
	res := Result{Node: n.String(), StudyUID: studyUID}
	fail := func(err error) (Result, error) { return res, n.fail(ctx, "retrieve the study from", err) }
	switch o.Method {
	case "", "move", "get":
	default:
		return res, fmt.Errorf("retrieve: %w, not %q", ErrMethod, o.Method)
	}
	before, err := into.held(studyUID)
	if err != nil {
		return fail(err)
	}
	t := &tally{ctx: ctx, into: into, before: before, progress: o.Progress, total: max(o.Expected, 0), arrived: map[string]bool{}}
	if o.Progress != nil {
		if t.total <= 0 {
			if c, err := n.Remote.StudyInstanceCount(ctx, n.SCU, studyUID); err == nil {
				t.total = c
			}
		}
		o.Progress(0, t.total)
	}
	var rerr error
	switch {
	case n.Remote.IsWeb():
		res.PACS, rerr = n.Remote.Web.RetrieveStudyInto(ctx, studyUID, into.SpoolDir, t)
	case o.Method == "get":
		c := *n.SCU
		c.SpoolDir = into.SpoolDir
		res.PACS, rerr = c.GetStudy(ctx, n.Remote.DIMSE, n.Model, o.PatientID, studyUID, t)
	case o.MoveTo != "":
		return n.moveToReceiver(ctx, res, t, o)
	default:
		res.PACS, rerr = n.moveToSelf(ctx, studyUID, t, o)
	}
	t.mu.Lock()
	res.Stored, res.Held = t.stored, t.held
	t.mu.Unlock()
	res.count()
	if rerr != nil {
		return fail(rerr)
	}
	return res, nil
}

// count fills Failed from the node's account.
func (r *Result) count() {
	r.FailedInstances = r.PACS.FailedInstances
	r.Failed = max(r.PACS.Failed, len(r.FailedInstances))
}

// moveToReceiver names the running receiver in the C-MOVE; what arrived
// is read from the destination afterwards.
func (n *Node) moveToReceiver(ctx context.Context, res Result, t *tally, o Options) (Result, error) {
	c := *n.SCU
	c.Have = func(uid string) bool { return t.before[uid] }
	if o.Progress != nil {
		// The receiver files the instances; the PACS's pending responses
		// say how far the move is.
		c.Pending = func(r pacs.RetrieveResult, remaining int) {
			done := r.Completed + r.Warning
			o.Progress(done, max(t.total, done+r.Failed+remaining))
		}
	}
	var err error
	res.PACS, err = c.MoveStudy(ctx, n.Remote.DIMSE, n.Model, o.PatientID, res.StudyUID, o.MoveTo)
	after, herr := t.into.held(res.StudyUID)
	if herr == nil {
		for uid := range after {
			if !t.before[uid] {
				res.Stored++
			}
		}
		res.Held = max(0, res.PACS.Completed+res.PACS.Warning-res.Stored)
	}
	res.count()
	if o.Progress != nil {
		done := res.Stored + res.Held
		o.Progress(done, max(t.total, done))
	}
	if err = errors.Join(err, herr); err != nil {
		return res, n.fail(ctx, "retrieve the study from", err)
	}
	return res, nil
}

// moveToSelf runs a Storage SCP accepting only the node's AE title, as our
// AE title on o.Port, for the length of a C-MOVE whose destination is our
// AE title.
func (n *Node) moveToSelf(ctx context.Context, studyUID string, t *tally, o Options) (pacs.RetrieveResult, error) {
	c := *n.SCU
	// Remember what arrived, so that a move the PACS stops part-way is
	// finished instance by instance without sending anything twice.
	c.Have = t.have
	srv, err := pacs.NewServer(pacs.Config{AETitles: []string{c.AETitle}, Callers: []pacs.Caller{{AETitle: n.Remote.DIMSE.AETitle}}, SpoolDir: t.into.SpoolDir}, t)
	if err != nil {
		return pacs.RetrieveResult{}, err
	}
	ln, err := srv.Listen(net.JoinHostPort(o.Host, strconv.Itoa(o.Port)))
	if err != nil {
		return pacs.RetrieveResult{}, fmt.Errorf("%w on port %d (is `discdesk serve` or the desk already receiving on it? then use it as the destination): %w", ErrSCP, o.Port, err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	res, err := c.MoveStudy(ctx, n.Remote.DIMSE, n.Model, o.PatientID, studyUID, c.AETitle)
	// The final C-MOVE response comes after the last sub-operation's
	// C-STORE response, so everything has been stored; close now (on a
	// cancel this aborts a store in progress, whose spool file goes).
	srv.Close()
	<-done
	return res, err
}
