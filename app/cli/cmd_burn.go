package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"

	"github.com/google/uuid"

	"discdesk/app/burnqueue"
	"discdesk/app/handoff"
	"discdesk/app/station"
	"discdesk/burner/drive"
)

// Exit codes of `discdesk burn` and `discdesk verify` beyond 1 and 2.
const (
	exitBurnHeld     = 3 // the job is queued, held for staff (message on stderr)
	exitVerifyFailed = 4 // the disc does not match its manifest
)

// burnOptions are the flags of `discdesk burn`.
type burnOptions struct {
	Drive     string
	Copies    int
	Files     string
	VolumeID  string
	Request   string
	Retry     string
	VerifyOut string
	Quiet     bool
	Plan      *planFlags
}

func newBurnCommand() *Command {
	return &Command{
		Name:    "burn",
		Summary: "write studies, a recorded request (or a disc folder) to a disc, ISO or ZIP file, folder or USB stick, verify it and log it",
		Usage:   "[--drive DEVICE|stdio:FILE|iso:FILE|zip:FILE|dir:PATH|usb:PATH] [plan flags as for disc] --request ID | --drive ... STUDY-UID... | --drive ... --files DIR | --retry JOB-ID",
		Flags: func(fs *flag.FlagSet) func(context.Context, *Env, []string) error {
			o := &burnOptions{}
			fs.StringVar(&o.Drive, "drive", "", "target: a burner (see discdesk drives), stdio:FILE, iso:FILE, zip:FILE, dir:PATH or usb:PATH (with --request: default the settings' target)")
			fs.IntVar(&o.Copies, "copies", 0, "number of copies, each verified (default 1, or the request's)")
			fs.StringVar(&o.Files, "files", "", "write this disc folder as it is (e.g. made by discdesk disc --out) instead of studies")
			fs.StringVar(&o.VolumeID, "volid", "", "volume id for --files (default: the File-set ID of the folder's DICOMDIR)")
			fs.StringVar(&o.Request, "request", "", "burn the studies of this recorded request; each verified disc is logged, ready for discdesk handoff")
			fs.StringVar(&o.Retry, "retry", "", "release a held job (after inserting a new disc) and run it")
			fs.StringVar(&o.VerifyOut, "verify-report", "", "write the verification reports (JSON) to this file")
			fs.BoolVar(&o.Quiet, "quiet", false, "no progress lines")
			o.Plan = addPlanFlags(fs, "")
			return func(ctx context.Context, env *Env, args []string) error { return runBurn(ctx, env, o, args) }
		},
	}
}

// queueBurn queues the job the options describe.
func queueBurn(ctx context.Context, env *Env, st *station.Station, o *burnOptions, args []string) (burnqueue.Job, error) {
	usage := func(msg string) error { return &ExitError{Code: 2, Err: errors.New("burn: " + msg)} }
	if o.Retry != "" {
		id, err := uuid.Parse(o.Retry)
		if err != nil {
			return burnqueue.Job{}, &ExitError{Code: 2, Err: fmt.Errorf("burn: --retry: %w", err)}
		}
		return st.Reburn(id)
	}
	if o.Files != "" {
		if o.Drive == "" || len(args) > 0 || o.Request != "" {
			return burnqueue.Job{}, usage("--files DIR takes --drive and no STUDY-UIDs or --request")
		}
		if _, err := drive.ParseMediaKind(o.Plan.media); err != nil {
			return burnqueue.Job{}, &ExitError{Code: 2, Err: err}
		}
		abs, err := filepath.Abs(o.Files)
		if err != nil {
			return burnqueue.Job{}, err
		}
		j := burnqueue.Job{Files: abs, VolumeID: o.VolumeID, Drive: o.Drive, Media: o.Plan.media, Copies: max(o.Copies, 1)}
		if j.VolumeID == "" {
			j.VolumeID = folderVolumeID(abs)
		}
		j, err = st.Queue.Enqueue(j)
		if err != nil {
			return j, &ExitError{Code: 2, Err: err}
		}
		return j, nil
	}
	opts, err := o.Plan.options()
	if err != nil {
		return burnqueue.Job{}, err
	}
	var p *station.Plan
	switch {
	case o.Request != "":
		if len(args) > 0 {
			return burnqueue.Job{}, usage("--request burns the request's own studies: give no STUDY-UIDs")
		}
		p, err = st.PlanRequest(ctx, o.Request, opts)
	case o.Drive == "" || len(args) == 0:
		return burnqueue.Job{}, usage("give --request ID, or --drive and STUDY-UIDs (or --files DIR)")
	default:
		p, err = st.PlanStudies(ctx, args, opts)
	}
	if err != nil {
		return burnqueue.Job{}, planError("burn", fmt.Errorf("burn: %w", err))
	}
	printPlan(env, p)
	o.Plan.acknowledge(p)
	if o.Copies > 0 {
		p.Copies = o.Copies
	}
	j, err := st.Enqueue(p, o.Drive)
	if err != nil {
		return j, planError("burn", fmt.Errorf("burn: %w", err))
	}
	return j, nil
}

func runBurn(ctx context.Context, env *Env, o *burnOptions, args []string) error {
	st, err := env.Station()
	if err != nil {
		return err
	}
	// This process owns the store: discs a crashed run left "burning" are
	// spoiled; their jobs go back in the queue.
	rec, err := st.Queue.Recover()
	if err != nil {
		return err
	}
	for _, j := range rec {
		fmt.Fprintf(env.Stderr, "job %s: %s\n", j.ID, j.LastError)
	}
	job, err := queueBurn(ctx, env, st, o, args)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "job %s: %s to %s, %d copy(ies)\n", job.ID, describeJob(job), job.Drive, job.Copies)
	st.Logged = func(j burnqueue.Job, d burnqueue.Disc, ev handoff.Event, err error) {
		if err != nil {
			fmt.Fprintf(env.Stderr, "disc %s verified but not logged in request %s: %v\n", d.UUID, j.RequestID, err)
			return
		}
		fmt.Fprintf(env.Stdout, "disc %s logged in request %s (event %s, manifest %s)\n", d.UUID, j.RequestID, ev.ID, ev.Burn.ManifestHash)
	}
	pp := &progressPrinter{w: env.Stdout, quiet: o.Quiet}
	w := st.Worker(nil, pp.event)
	w.Eject = !station.IsFileTarget(job.Drive)
	done, ran, runErr := w.RunJob(ctx, job.ID)
	if !ran && runErr == nil {
		return &ExitError{Code: exitBurnHeld, Err: fmt.Errorf("burn: job %s is %s and cannot run now", job.ID, done.State)}
	}
	var reports []drive.Report
	for _, d := range done.Discs {
		status := string(d.State)
		if d.Verified() {
			r := d.Reports[len(d.Reports)-1]
			reports = append(reports, r)
			status = r.Summary()
		} else if d.Error != "" {
			status += ": " + d.Error
		}
		if d.Finished.IsZero() && d.State != burnqueue.Done {
			continue
		}
		fmt.Fprintf(env.Stdout, "disc %s (disc %d of %d, copy %d) %s: %s\n", d.UUID, d.Index, d.Of, d.Copy, d.Target, status)
	}
	if o.VerifyOut != "" {
		b, _ := json.MarshalIndent(reports, "", "  ")
		if err := os.WriteFile(o.VerifyOut, b, 0o600); err != nil {
			return fmt.Errorf("burn: verification report: %w", err)
		}
	}
	if runErr != nil {
		var je *burnqueue.JobError
		if errors.As(runErr, &je) {
			fmt.Fprintf(env.Stderr, "%s\n", je.Message)
			fmt.Fprintf(env.Stderr, "The job is still queued. When ready: discdesk burn --retry %s\n", job.ID)
			return &ExitError{Code: exitBurnHeld}
		}
		return runErr
	}
	fmt.Fprintf(env.Stdout, "job %s done: %d disc(s) verified\n", job.ID, len(reports))
	return nil
}

func describeJob(j burnqueue.Job) string {
	if j.Files != "" {
		return "folder " + j.Files
	}
	if j.RequestID != "" {
		return fmt.Sprintf("request %s, %d study(ies)", j.RequestID, len(j.StudyUIDs))
	}
	return fmt.Sprintf("%d study(ies)", len(j.StudyUIDs))
}

// progressPrinter prints a line per phase change and every 10 percent.
type progressPrinter struct {
	w     io.Writer
	quiet bool
	mu    sync.Mutex
	phase drive.Phase
	disc  uuid.UUID
	step  int64
}

func (p *progressPrinter) event(e burnqueue.Event) {
	if p.quiet {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	pr := e.Progress
	step := int64(-1)
	if pr.Total > 0 {
		step = pr.Done * 10 / pr.Total
	}
	if pr.Phase == p.phase && e.Disc.UUID == p.disc && step == p.step {
		return
	}
	p.phase, p.disc, p.step = pr.Phase, e.Disc.UUID, step
	line := fmt.Sprintf("disc %d/%d copy %d: %-9s", e.Disc.Index, e.Disc.Of, e.Disc.Copy, pr.Phase)
	if pr.Total > 0 {
		line += fmt.Sprintf(" %3d%% %d/%d MB", pr.Done*100/pr.Total, pr.Done>>20, pr.Total>>20)
	}
	if pr.BytesPerSec > 0 {
		line += fmt.Sprintf(" %.1f MB/s", pr.BytesPerSec/1e6)
	}
	fmt.Fprintln(p.w, line)
}
