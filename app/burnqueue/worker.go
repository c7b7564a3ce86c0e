package burnqueue

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"discdesk/burner"
	"discdesk/burner/drive"
)

// PlanFunc turns a job into the trees of its discs (disc 1 of m, ...).
// It is injected: the desk passes the disc plan, tests pass fixed trees.
type PlanFunc func(ctx context.Context, j Job) ([]burner.Tree, error)

// OpenFunc opens a target; the default is drive.Open with the job's media.
type OpenFunc func(spec string, media drive.MediaKind) (drive.Drive, error)

// An Event is progress of one disc of one job, for the UI or the CLI.
type Event struct {
	Job      uuid.UUID
	Disc     Disc
	Progress drive.Progress
}

// A Worker runs queued jobs.
type Worker struct {
	Queue *Queue
	Plan  PlanFunc
	Open  OpenFunc    // nil: drive.Open
	Event func(Event) // optional; called from the worker's goroutine
	Eject bool        // eject each verified disc of a physical drive
}

func (w *Worker) open(spec string, media drive.MediaKind) (drive.Drive, error) {
	if w.Open != nil {
		return w.Open(spec, media)
	}
	return drive.Open(spec, drive.Options{Media: media})
}

// RunNext runs the oldest runnable job for the drive spec to its end: done,
// or held for staff, or failed. ran is false when there was none. The error
// is the job's failure (its staff message is in job.LastError); a store
// error is returned as is.
func (w *Worker) RunNext(ctx context.Context, spec string) (job Job, ran bool, err error) {
	job, ok, err := w.Queue.claim(spec, uuid.Nil)
	if err != nil || !ok {
		return job, false, err
	}
	return w.runClaimed(ctx, job)
}

// RunJob runs one job (queued and not held) now, as RunNext does; the CLI
// uses it to run the job it just enqueued. ran is false when the job is not
// runnable.
func (w *Worker) RunJob(ctx context.Context, id uuid.UUID) (job Job, ran bool, err error) {
	j, err := w.Queue.Get(id)
	if err != nil {
		return j, false, err
	}
	job, ok, err := w.Queue.claim(j.Drive, id)
	if err != nil || !ok {
		return job, false, err
	}
	return w.runClaimed(ctx, job)
}

func (w *Worker) runClaimed(ctx context.Context, job Job) (Job, bool, error) {
	stop := w.Queue.renewing(job)
	runErr := w.run(ctx, &job)
	stop()
	job, err := w.Queue.Get(job.ID)
	if err != nil {
		return job, true, err
	}
	w.Queue.finish(job)
	return job, true, runErr
}

func (w *Worker) run(ctx context.Context, job *Job) error {
	media, err := drive.ParseMediaKind(job.Media)
	if err != nil {
		return w.fail(job, err, "The job names an unknown media type: "+job.Media+".")
	}
	trees, err := w.Plan(ctx, *job)
	if err != nil {
		return w.fail(job, err, "The studies could not be prepared for a disc: "+err.Error())
	}
	if len(trees) == 0 {
		return w.fail(job, errors.New("empty plan"), "There is nothing to write for this job.")
	}
	for c := 1; c <= job.Copies; c++ {
		for i := range trees {
			if job.hasVerified(i+1, c) {
				continue // written and verified before a fault or crash
			}
			if err := w.burnDisc(ctx, job, &trees[i], i+1, len(trees), c, media); err != nil {
				return err
			}
		}
	}
	_, err = w.Queue.update(job.ID, func(j *Job) error {
		j.State, j.Held, j.LastError = Done, false, ""
		return nil
	})
	return err
}

func (j *Job) hasVerified(index, copy int) bool {
	for _, d := range j.Discs {
		if d.Index == index && d.Copy == copy && d.Verified() {
			return true
		}
	}
	return false
}

// burnDisc writes, verifies and records one disc.
func (w *Worker) burnDisc(ctx context.Context, job *Job, tree *burner.Tree, index, of, copy int, media drive.MediaKind) error {
	target := targetFor(job.Drive, index, of, copy, job.Copies)
	what := ""
	if of > 1 || job.Copies > 1 {
		what = fmt.Sprintf("Disc %d of %d, copy %d of %d: ", index, of, copy, job.Copies)
	}
	d, err := w.open(target, media)
	if err != nil {
		return w.hold(job, err, what)
	}
	discID, err := uuid.NewV7()
	if err != nil {
		return err
	}
	disc := Disc{UUID: discID, Index: index, Of: of, Copy: copy, Target: target, State: Burning, Started: time.Now().UTC()}
	// Record the disc before its first byte: a crash from here on leaves it
	// "burning", which Recover reports as spoiled.
	if _, err := w.Queue.update(job.ID, func(j *Job) error {
		j.Discs = append(j.Discs, disc)
		return nil
	}); err != nil {
		return err
	}
	w.Queue.writing(*job, discID)
	emit := func(p drive.Progress) {
		if w.Event != nil {
			w.Event(Event{Job: job.ID, Disc: disc, Progress: p})
		}
	}
	if err := d.Burn(ctx, tree, emit); err != nil {
		if refusedBeforeWriting(err) {
			w.dropDisc(job, discID) // nothing was written: no spoiled disc
		} else {
			w.setDisc(job, discID, Spoiled, drive.Message(err), nil)
		}
		return w.hold(job, err, what)
	}
	disc.State = Verifying
	w.setDisc(job, discID, Verifying, "", nil)
	if _, err := w.Queue.update(job.ID, func(j *Job) error { j.State = Verifying; return nil }); err != nil {
		return err
	}
	manifest := manifestOf(discID, job.ID, tree)
	rep, verr := d.Verify(ctx, manifest.Tree(), emit)
	if verr != nil {
		w.setDisc(job, discID, Spoiled, drive.Message(verr), rep)
		return w.hold(job, verr, what)
	}
	if err := w.Queue.putManifest(manifest); err != nil {
		return err
	}
	w.setDisc(job, discID, Done, "", rep)
	disc.State = Done
	emit(drive.Progress{Phase: drive.PhaseDone, Done: rep.Bytes, Total: rep.Bytes})
	if _, err := w.Queue.update(job.ID, func(j *Job) error { j.State = Burning; return nil }); err != nil {
		return err
	}
	if w.Eject {
		_ = d.Eject(ctx) // best effort: the disc is verified either way
	}
	return nil
}

// getLocal finds a disc in j.
func (q *Queue) getLocal(j *Job, id uuid.UUID) (*Disc, bool) {
	for i := range j.Discs {
		if j.Discs[i].UUID == id {
			return &j.Discs[i], true
		}
	}
	return nil, false
}

// refusedBeforeWriting: the target refused the job before writing a byte.
func refusedBeforeWriting(err error) bool {
	for _, s := range []error{drive.ErrNoMedia, drive.ErrMediaNotBlank, drive.ErrCapacityExceeded, drive.ErrBusy,
		drive.ErrNoDrive, drive.ErrToolMissing, drive.ErrBadTree, drive.ErrMediaUnsupported, drive.ErrUnsupported} {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}

func (w *Worker) setDisc(job *Job, id uuid.UUID, st State, msg string, rep *drive.Report) {
	j, err := w.Queue.update(job.ID, func(j *Job) error {
		d, ok := w.Queue.getLocal(j, id)
		if !ok {
			return ErrNotFound
		}
		d.State, d.Error = st, msg
		if st == Done || st == Spoiled {
			d.Finished = time.Now().UTC()
		}
		if rep != nil {
			d.Reports = append(d.Reports, *rep)
		}
		return nil
	})
	if err == nil {
		*job = j
	}
}

func (w *Worker) dropDisc(job *Job, id uuid.UUID) {
	j, err := w.Queue.update(job.ID, func(j *Job) error {
		for i := range j.Discs {
			if j.Discs[i].UUID == id {
				j.Discs = append(j.Discs[:i], j.Discs[i+1:]...)
				break
			}
		}
		return nil
	})
	if err == nil {
		*job = j
	}
}

// hold puts the job back in the queue, waiting for staff, with the plain
// message for the fault.
func (w *Worker) hold(job *Job, cause error, prefix string) error {
	msg := prefix + drive.Message(cause)
	j, err := w.Queue.update(job.ID, func(j *Job) error {
		j.State, j.Held, j.LastError = Queued, true, msg
		return nil
	})
	if err != nil {
		return err
	}
	*job = j
	return &JobError{Job: job.ID, Message: msg, Err: cause}
}

func (w *Worker) fail(job *Job, cause error, msg string) error {
	j, err := w.Queue.update(job.ID, func(j *Job) error {
		j.State, j.Held, j.LastError = Failed, true, msg
		return nil
	})
	if err != nil {
		return err
	}
	*job = j
	return &JobError{Job: job.ID, Message: msg, Err: cause}
}

// A JobError is a job that stopped for staff: Message is what to tell them,
// Err the cause (wrapping a drive sentinel).
type JobError struct {
	Job     uuid.UUID
	Message string
	Err     error
}

func (e *JobError) Error() string { return fmt.Sprintf("burn job %s: %v", e.Job, e.Err) }
func (e *JobError) Unwrap() error { return e.Err }

// targetFor names the target of one disc copy. A physical drive takes every
// disc in turn; a file or folder target gets one file or folder per disc and
// copy ("disc.iso" -> "disc_2OF3_C2.iso").
func targetFor(spec string, index, of, copy, copies int) string {
	if of == 1 && copies == 1 {
		return spec
	}
	kind, path, ok := strings.Cut(spec, ":")
	if !ok || (kind != "stdio" && kind != "iso" && kind != "dir") {
		return spec
	}
	suffix := ""
	if of > 1 {
		suffix += fmt.Sprintf("_%dOF%d", index, of)
	}
	if copies > 1 {
		suffix += fmt.Sprintf("_C%d", copy)
	}
	ext := filepath.Ext(path)
	if kind == "dir" {
		ext = ""
	}
	return kind + ":" + strings.TrimSuffix(path, ext) + suffix + ext
}

// Run recovers the queue and then runs jobs until ctx ends: one goroutine
// per drive with runnable jobs, so drives work in parallel and each drive
// takes one job at a time. It wakes when jobs are enqueued or retried.
func (w *Worker) Run(ctx context.Context) error {
	if _, err := w.Queue.Recover(); err != nil {
		return err
	}
	var wg sync.WaitGroup
	defer wg.Wait()
	active := map[string]bool{}
	finished := make(chan string)
	// An idle desk of a facility asks it now and then for a job another
	// desk queued (one this desk holds the studies of).
	var pullTick <-chan time.Time
	if w.Queue.facility() != nil {
		t := time.NewTicker(PullEvery)
		defer t.Stop()
		pullTick = t.C
	}
	for {
		drives, err := w.Queue.runnableDrives()
		if err != nil {
			return err
		}
		for _, spec := range drives {
			if active[spec] {
				continue
			}
			active[spec] = true
			wg.Add(1)
			go func() {
				defer wg.Done()
				for ctx.Err() == nil {
					if _, ran, err := w.RunNext(ctx, spec); !ran || err != nil {
						break
					}
				}
				select {
				case finished <- spec:
				case <-ctx.Done():
				}
			}()
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case spec := <-finished:
			delete(active, spec)
		case <-w.Queue.Changed():
		case <-pullTick:
			if len(active) == 0 {
				w.Queue.pull()
			}
		}
	}
}
