package burnqueue_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"discdesk/app/burnqueue"
	"discdesk/app/store"
	"discdesk/app/store/storetest"
	"discdesk/burner"
	"discdesk/burner/drive"
	"discdesk/burner/drive/drivetest"
)

func newQueue(t *testing.T) (*burnqueue.Queue, string) {
	t.Helper()
	dir := t.TempDir()
	q, err := burnqueue.New(storetest.MustOpen(t, dir))
	if err != nil {
		t.Fatal(err)
	}
	return q, dir
}

func planOf(tree *burner.Tree) burnqueue.PlanFunc {
	return func(context.Context, burnqueue.Job) ([]burner.Tree, error) { return []burner.Tree{*tree}, nil }
}

func fakeOpener(fakes map[string]*drivetest.Fake) burnqueue.OpenFunc {
	return func(spec string, _ drive.MediaKind) (drive.Drive, error) {
		if f, ok := fakes[spec]; ok {
			return f, nil
		}
		return nil, fmt.Errorf("no fake %s: %w", spec, drive.ErrNoDrive)
	}
}

func countDiscs(j burnqueue.Job, st burnqueue.State) int {
	n := 0
	for _, d := range j.Discs {
		if d.State == st {
			n++
		}
	}
	return n
}

// Every fault ends with a plain staff message, the job still queued (held)
// and retryable, no disc recorded as done; after staff act, Retry delivers.
func TestFaultsLeaveJobQueued(t *testing.T) {
	tree := drivetest.CorpusTree(t)
	for _, tc := range []struct {
		name    string
		fault   drivetest.Fault
		cancel  bool
		busy    bool
		want    error
		phrase  string
		spoiled int
	}{
		{"tool missing", drivetest.ToolMissing, false, false, drive.ErrToolMissing, "not installed", 0},
		{"no drive", drivetest.NoDrive, false, false, drive.ErrNoDrive, "No disc burner", 0},
		{"no disc", drivetest.NoMedia, false, false, drive.ErrNoMedia, "Insert a blank CD-R", 0},
		{"not blank", drivetest.NotBlank, false, false, drive.ErrMediaNotBlank, "is not blank", 0},
		{"too small", drivetest.TooSmall, false, false, drive.ErrCapacityExceeded, "holds only", 0},
		{"write error", drivetest.WriteError, false, false, drive.ErrWrite, "spoiled", 1},
		{"ejected", drivetest.Ejected, false, false, drive.ErrEjected, "ejected", 1},
		{"verify mismatch", drivetest.Corrupt, false, false, drive.ErrVerifyMismatch, "do not hand it out", 1},
		{"cancel", drivetest.NoFault, true, false, context.Canceled, "cancelled", 1},
		{"busy", drivetest.NoFault, false, true, drive.ErrBusy, "busy", 0},
	} {
		t.Run(strings.ReplaceAll(tc.name, " ", "_"), func(t *testing.T) {
			q, _ := newQueue(t)
			spec := "fake-" + tc.name
			fake := drivetest.NewFake(spec, tc.fault)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			w := &burnqueue.Worker{Queue: q, Plan: planOf(tree), Open: fakeOpener(map[string]*drivetest.Fake{spec: fake})}
			if tc.cancel {
				w.Event = func(e burnqueue.Event) {
					if e.Progress.Phase == drive.PhaseWriting && e.Progress.Done > 0 {
						cancel()
					}
				}
			}
			if tc.busy {
				unlock, err := drive.Lock("fake:" + spec) // another job holds the drive
				if err != nil {
					t.Fatal(err)
				}
				defer unlock()
			}
			job, err := q.Enqueue(burnqueue.Job{StudyUIDs: []string{"1.2.3"}, Drive: spec})
			if err != nil {
				t.Fatal(err)
			}
			got, ran, err := w.RunNext(ctx, spec)
			if !ran || !errors.Is(err, tc.want) {
				t.Fatalf("RunNext: ran %v, err %v; want %v", ran, err, tc.want)
			}
			var je *burnqueue.JobError
			if !errors.As(err, &je) || je.Message != got.LastError {
				t.Fatalf("error %v carries no staff message equal to LastError %q", err, got.LastError)
			}
			if got.State != burnqueue.Queued || !got.Held || !strings.Contains(got.LastError, tc.phrase) {
				t.Fatalf("job after fault: state %s held %v message %q; want queued, held, %q", got.State, got.Held, got.LastError, tc.phrase)
			}
			if countDiscs(got, burnqueue.Done) != 0 || countDiscs(got, burnqueue.Spoiled) != tc.spoiled || len(got.Discs) != tc.spoiled {
				t.Fatalf("discs %+v: want %d spoiled and none done", got.Discs, tc.spoiled)
			}
			// A held job is not taken again until staff retry.
			if _, ran, _ := w.RunNext(context.Background(), spec); ran {
				t.Fatal("held job ran without Retry")
			}
			// Staff fix it (new blank disc, drive free) and retry.
			fake.InsertBlank()
			if _, err := q.Retry(job.ID); err != nil {
				t.Fatal(err)
			}
			if tc.busy {
				// still busy: held again, not lost
				if _, _, err := w.RunNext(context.Background(), spec); !errors.Is(err, drive.ErrBusy) {
					t.Fatalf("second try while busy: %v", err)
				}
				return
			}
			done, _, err := w.RunNext(context.Background(), spec)
			if err != nil {
				t.Fatalf("retry: %v", err)
			}
			if done.State != burnqueue.Done || countDiscs(done, burnqueue.Done) != 1 || done.Attempts != 2 || done.LastError != "" {
				t.Fatalf("after retry: %+v", done)
			}
			for _, d := range done.Discs {
				if d.State == burnqueue.Done {
					if !d.Verified() {
						t.Fatalf("done disc not verified: %+v", d)
					}
					m, err := q.Manifest(d.UUID)
					if err != nil || len(m.Files) != len(tree.Files) || m.VolumeID != tree.VolumeID {
						t.Fatalf("manifest %+v, %v", m, err)
					}
				} else if d.State != burnqueue.Spoiled {
					t.Fatalf("disc in state %s", d.State)
				}
				if _, err := q.Manifest(d.UUID); d.State == burnqueue.Spoiled && !errors.Is(err, burnqueue.ErrNotFound) {
					t.Fatalf("spoiled disc has a manifest: %v", err)
				}
			}
		})
	}
}

// Several copies, each written to its own ISO by the real xorriso path and
// each verified; a later re-verification is recorded.
func TestCopiesEachVerified(t *testing.T) {
	tree := drivetest.CorpusTree(t)
	q, _ := newQueue(t)
	dir := t.TempDir()
	spec := "iso:" + filepath.Join(dir, "disc.iso")
	w := &burnqueue.Worker{Queue: q, Plan: planOf(tree)}
	if _, err := q.Enqueue(burnqueue.Job{Files: "x", Drive: spec, Copies: 2, Media: "cd"}); err != nil {
		t.Fatal(err)
	}
	job, _, err := w.RunNext(context.Background(), spec)
	if err != nil {
		t.Fatal(err)
	}
	if job.State != burnqueue.Done || len(job.Discs) != 2 {
		t.Fatalf("job %+v", job)
	}
	for i, d := range job.Discs {
		want := filepath.Join(dir, fmt.Sprintf("disc_C%d.iso", i+1))
		if d.Target != "iso:"+want || !d.Verified() || d.Reports[0].Files != len(tree.Files) {
			t.Fatalf("disc %d: %+v", i, d)
		}
		if _, err := os.Stat(want); err != nil {
			t.Fatal(err)
		}
		m, err := q.Manifest(d.UUID)
		if err != nil {
			t.Fatal(err)
		}
		dr, _ := drive.Open(d.Target, drive.Options{})
		rep, err := dr.Verify(context.Background(), m.Tree(), nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := q.AddReport(d.UUID, *rep); err != nil {
			t.Fatal(err)
		}
	}
	job, _ = q.Get(job.ID)
	if len(job.Discs[1].Reports) != 2 {
		t.Fatalf("re-verification not recorded: %+v", job.Discs[1])
	}
}

// One job per drive at a time, drives in parallel.
func TestDrivesInParallel(t *testing.T) {
	tree := drivetest.CorpusTree(t)
	q, _ := newQueue(t)
	a, b := drivetest.NewFake("A", drivetest.NoFault), drivetest.NewFake("B", drivetest.NoFault)
	a.Capacity, b.Capacity = 1<<40, 1<<40
	// The first burns on A and B wait for each other: they only meet if the
	// drives run in parallel.
	var barrier sync.WaitGroup
	barrier.Add(2)
	meet := func(burns int) {
		if burns == 1 {
			barrier.Done()
			ch := make(chan struct{})
			go func() { barrier.Wait(); close(ch) }()
			select {
			case <-ch:
			case <-time.After(20 * time.Second):
				t.Error("drives did not burn in parallel")
			}
		}
	}
	a.Writing, b.Writing = meet, meet
	var mu sync.Mutex
	done := 0
	all := make(chan struct{})
	w := &burnqueue.Worker{Queue: q, Plan: planOf(tree), Open: fakeOpener(map[string]*drivetest.Fake{"A": a, "B": b}),
		Event: func(e burnqueue.Event) {
			if e.Progress.Phase == drive.PhaseDone && e.Disc.State == burnqueue.Done {
				mu.Lock()
				if done++; done == 4 {
					close(all)
				}
				mu.Unlock()
			}
		}}
	for _, spec := range []string{"A", "B", "A", "B"} {
		if _, err := q.Enqueue(burnqueue.Job{StudyUIDs: []string{"1"}, Drive: spec}); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w.Open = func(spec string, _ drive.MediaKind) (drive.Drive, error) {
		f := map[string]*drivetest.Fake{"A": a, "B": b}[spec]
		if m, _ := f.Media(ctx); m.State != drive.StateBlank {
			f.InsertBlank() // the robot loads a new disc
		}
		return f, nil
	}
	errc := make(chan error, 1)
	go func() { errc <- w.Run(ctx) }()
	select {
	case <-all:
	case <-time.After(60 * time.Second):
		t.Fatal("jobs did not finish")
	}
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("Run: %v", err)
	}
	jobs, _ := q.List()
	for _, j := range jobs {
		if j.State != burnqueue.Done || j.Attempts != 1 {
			t.Errorf("job on %s: %s after %d attempts (%s)", j.Drive, j.State, j.Attempts, j.LastError)
		}
	}
	if a.Burns() != 2 || b.Burns() != 2 {
		t.Errorf("burns A %d B %d", a.Burns(), b.Burns())
	}
}

func TestEnqueueValidates(t *testing.T) {
	q, _ := newQueue(t)
	for _, j := range []burnqueue.Job{{StudyUIDs: []string{"1"}}, {Drive: "A"}, {Drive: "A", StudyUIDs: []string{"1"}, Copies: -1}} {
		if _, err := q.Enqueue(j); !errors.Is(err, burnqueue.ErrBadJob) {
			t.Errorf("%+v: %v", j, err)
		}
	}
	if _, err := q.Get(uuid.New()); !errors.Is(err, burnqueue.ErrNotFound) {
		t.Errorf("Get unknown: %v", err)
	}
}

// The crash test re-executes this test binary as a child that burns on a
// fake drive that hangs mid-write; the parent kills it with SIGKILL, reopens
// the store and recovers.
const childEnv = "DISCDESK_BURNQUEUE_CHILD_DIR"

func TestCrashChild(t *testing.T) {
	dir := os.Getenv(childEnv)
	if dir == "" {
		return // only runs as the child of TestCrashRecovery
	}
	db, err := store.Open(dir)
	if err != nil {
		fmt.Println("ERROR", err)
		os.Exit(3)
	}
	q, err := burnqueue.New(db)
	if err != nil {
		fmt.Println("ERROR", err)
		os.Exit(3)
	}
	fake := drivetest.NewFake("crash", drivetest.Hang)
	fake.Writing = func(int) { fmt.Println("WRITING") }
	w := &burnqueue.Worker{Queue: q, Plan: planOf(drivetest.CorpusTree(t)), Open: fakeOpener(map[string]*drivetest.Fake{"crash": fake})}
	w.RunNext(context.Background(), "crash") // hangs until killed
	fmt.Println("ERROR not killed")
	os.Exit(3)
}

func TestCrashRecovery(t *testing.T) {
	tree := drivetest.CorpusTree(t)
	dir := t.TempDir()
	db, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	q, _ := burnqueue.New(db)
	job, err := q.Enqueue(burnqueue.Job{StudyUIDs: []string{"1.2.3"}, Drive: "crash", RequestID: "REQ-1"})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()

	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), childEnv+"="+dir)
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	writing := false
	for sc.Scan() {
		if sc.Text() == "WRITING" {
			writing = true
			break
		}
		if strings.HasPrefix(sc.Text(), "ERROR") {
			break
		}
	}
	cmd.Process.Kill() // SIGKILL mid-burn: no deferred code runs
	cmd.Wait()
	if !writing {
		t.Fatal("child never started writing")
	}

	q = mustQueue(t, dir)
	j, _ := q.Get(job.ID)
	if j.State != burnqueue.Burning || len(j.Discs) != 1 || j.Discs[0].State != burnqueue.Burning {
		t.Fatalf("after the kill the store should show the disc burning: %+v", j)
	}
	rec, err := q.Recover()
	if err != nil || len(rec) != 1 {
		t.Fatalf("Recover: %v, %d jobs", err, len(rec))
	}
	j, _ = q.Get(job.ID)
	if j.State != burnqueue.Queued || j.Held || j.Discs[0].State != burnqueue.Spoiled || !strings.Contains(j.LastError, "spoiled") {
		t.Fatalf("after Recover: %+v", j)
	}
	// Retried on a new disc (the fake in this process starts blank).
	fake := drivetest.NewFake("crash", drivetest.NoFault)
	w := &burnqueue.Worker{Queue: q, Plan: planOf(tree), Open: fakeOpener(map[string]*drivetest.Fake{"crash": fake})}
	j, ran, err := w.RunNext(context.Background(), "crash")
	if !ran || err != nil {
		t.Fatalf("retry after crash: %v", err)
	}
	if j.State != burnqueue.Done || len(j.Discs) != 2 || j.Discs[0].State != burnqueue.Spoiled || !j.Discs[1].Verified() || j.Attempts != 2 || j.RequestID != "REQ-1" {
		t.Fatalf("after retry: %+v", j)
	}
}

func mustQueue(t *testing.T, dir string) *burnqueue.Queue {
	t.Helper()
	q, err := burnqueue.New(storetest.MustOpen(t, dir))
	if err != nil {
		t.Fatal(err)
	}
	return q
}

func TestAcksKeptWithTheJob(t *testing.T) {
	q, _ := newQueue(t)
	j, err := q.Enqueue(burnqueue.Job{StudyUIDs: []string{"1.2.3"}, Drive: "iso:/tmp/x.iso", Acks: []string{"no-report"}, AckedBy: "auto-burn"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := q.Get(j.ID)
	if err != nil || len(got.Acks) != 1 || got.Acks[0] != "no-report" || got.AckedBy != "auto-burn" {
		t.Fatalf("read back %+v, %v", got, err)
	}
}
