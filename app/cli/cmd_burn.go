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
	"strings"
	"sync"

	"github.com/google/uuid"

	"discdesk/app/burnqueue"
	"discdesk/burner"
	"discdesk/burner/disc"
	"discdesk/burner/drive"
	"discdesk/internal/version"
)

// Exit codes of `discdesk burn` and `discdesk verify` beyond 1 and 2.
const (
	exitBurnHeld     = 3 // the job is queued, held for staff (message on stderr)
	exitVerifyFailed = 4 // the disc does not match its manifest
)

func init() {
	Register(&Command{
		Name:    "burn",
		Summary: "write studies (or a disc folder) to a disc, ISO or ZIP file, folder or USB stick and verify it",
		Usage:   "--drive DEVICE|stdio:FILE|iso:FILE|zip:FILE|dir:PATH|usb:PATH [--copies N] [--media cd|dvd|bd|usb] [--report FILE] [--radiologist NAME] [--facility-name NAME ...] STUDY-UID... | --files DIR | --retry JOB-ID",
		Flags: func(fs *flag.FlagSet) func(context.Context, *Env, []string) error {
			spec := fs.String("drive", "", "target: a burner (see discdesk drives), stdio:FILE, iso:FILE, zip:FILE, dir:PATH or usb:PATH")
			copies := fs.Int("copies", 1, "number of copies; each is verified")
			media := fs.String("media", "", "media: cd, dvd, dvd-dl, bd or usb (default: cd for studies; for --files only to limit a file target)")
			report := fs.String("report", "", "report to add to the studies: a PDF, or a text file made into a PDF")
			ack := fs.String("ack-no-report", "", "acknowledge that a study has no report (your name)")
			files := fs.String("files", "", "write this disc folder as it is (e.g. made by discdesk disc --out) instead of studies")
			volid := fs.String("volid", "", "volume id for --files (default from the folder name)")
			request := fs.String("request", "", "handoff request id this burn belongs to")
			retry := fs.String("retry", "", "release a held job (after inserting a new disc) and run it")
			verifyOut := fs.String("verify-report", "", "write the verification reports (JSON) to this file")
			quiet := fs.Bool("quiet", false, "no progress lines")
			who := discPeopleFlags(fs)
			return func(ctx context.Context, env *Env, args []string) error {
				db, err := env.DB()
				if err != nil {
					return err
				}
				q, err := burnqueue.New(db)
				if err != nil {
					return err
				}
				// This process owns the store: discs a crashed run left
				// "burning" are spoiled; their jobs go back in the queue.
				if rec, err := q.Recover(); err != nil {
					return err
				} else {
					for _, j := range rec {
						fmt.Fprintf(env.Stderr, "job %s: %s\n", j.ID, j.LastError)
					}
				}
				var job burnqueue.Job
				switch {
				case *retry != "":
					id, err := uuid.Parse(*retry)
					if err != nil {
						return &ExitError{Code: 2, Err: fmt.Errorf("burn: --retry: %w", err)}
					}
					if job, err = q.Retry(id); err != nil {
						return err
					}
				default:
					if *spec == "" || (len(args) == 0) == (*files == "") {
						return &ExitError{Code: 2, Err: errors.New("burn: give --drive and either STUDY-UIDs or --files DIR")}
					}
					if _, err := drive.ParseMediaKind(*media); err != nil {
						return &ExitError{Code: 2, Err: err}
					}
					j := burnqueue.Job{RequestID: *request, StudyUIDs: args, Drive: *spec, Media: *media, Copies: *copies, Report: *report}
					if *files != "" {
						abs, err := filepath.Abs(*files)
						if err != nil {
							return err
						}
						j.Files, j.VolumeID = abs, *volid
						if j.VolumeID == "" {
							j.VolumeID = disc.FileSetID(filepath.Base(abs))
						}
					}
					if job, err = q.Enqueue(j); err != nil {
						return &ExitError{Code: 2, Err: err}
					}
				}
				fmt.Fprintf(env.Stdout, "job %s: %s to %s, %d copy(ies)\n", job.ID, describeJob(job), job.Drive, job.Copies)
				planner := &cliPlanner{env: env, ack: *ack, who: who}
				defer planner.Close()
				pp := &progressPrinter{w: env.Stdout, quiet: *quiet}
				w := &burnqueue.Worker{Queue: q, Plan: planner.plan, Event: pp.event, Eject: !isFileTarget(job.Drive)}
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
				if *verifyOut != "" {
					b, _ := json.MarshalIndent(reports, "", "  ")
					if err := os.WriteFile(*verifyOut, b, 0o600); err != nil {
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
		},
	})
}

func describeJob(j burnqueue.Job) string {
	if j.Files != "" {
		return "folder " + j.Files
	}
	return fmt.Sprintf("%d study(ies)", len(j.StudyUIDs))
}

func isFileTarget(spec string) bool {
	for _, p := range []string{"stdio:", "iso:", "zip:", "dir:", "usb:"} {
		if strings.HasPrefix(spec, p) {
			return true
		}
	}
	return false
}

// cliPlanner turns jobs into disc trees: a folder as it is, or studies of
// the library through the disc plan (kept open until the burn is over,
// since transcoded objects live in its work folder).
type cliPlanner struct {
	env   *Env
	ack   string
	who   *discPeople // facility and radiologist flags
	plans []*disc.Plan
}

func (p *cliPlanner) plan(ctx context.Context, j burnqueue.Job) ([]burner.Tree, error) {
	if j.Files != "" {
		t, err := burnqueue.FolderTree(j.Files, j.VolumeID)
		if err != nil {
			return nil, err
		}
		return []burner.Tree{*t}, nil
	}
	m := disc.Media(j.Media)
	if j.Media == "" {
		m = disc.CD
	}
	m, err := disc.ParseMedia(string(m))
	if err != nil {
		return nil, err
	}
	in, err := discInput(p.env, j.StudyUIDs, false, j.Report, p.who)
	if err != nil {
		return nil, err
	}
	plan, err := disc.NewPlan(ctx, in, disc.Options{Media: m, Software: version.Software, Version: version.Version})
	if err != nil {
		return nil, fmt.Errorf("%w (see discdesk disc for the options that resolve it)", err)
	}
	p.plans = append(p.plans, plan)
	if p.ack != "" {
		plan.Acknowledge(disc.WarnNoReport, p.ack)
	}
	for _, c := range j.Acks { // acknowledged when the job was queued (desk, auto-burn)
		plan.Acknowledge(disc.WarningCode(c), j.AckedBy)
	}
	trees, err := plan.Build(ctx, nil)
	if err != nil {
		return nil, err
	}
	out := make([]burner.Tree, len(trees))
	for i, t := range trees {
		out[i] = *t
	}
	return out, nil
}

func (p *cliPlanner) Close() {
	for _, pl := range p.plans {
		pl.Close()
	}
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
