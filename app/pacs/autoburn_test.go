package pacs

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"discdesk/app/pacs/pacstest"
)

const burnAE = "DISCDESK_BURN"

func storescuTo(t *testing.T, n Node, calledAE string, files []string) {
	t.Helper()
	args := append([]string{"-aet", callerAE, "-aec", calledAE, n.Host, portArg(n)}, files...)
	if out, err := tool(t, 30*time.Second, "storescu", args...); err != nil {
		t.Fatalf("storescu: %v\n%s", err, out)
	}
}

func TestAutoBurnCompletesAtThePACSCount(t *testing.T) {
	files := mrStudy(t)
	studyUID, _ := studyOf(t, files)
	var asked atomic.Int32
	complete := make(chan Completion, 4)
	ab := &AutoBurn{
		Next: FileSink{Dir: t.TempDir()}, BurnAE: burnAE, Quiet: time.Hour, Settle: 100 * time.Millisecond,
		Count: func(_ context.Context, uid string) (int, error) {
			asked.Add(1)
			if uid != studyUID {
				return 0, errors.New("unknown study")
			}
			return len(files), nil
		},
		OnComplete: func(c Completion) { complete <- c },
	}
	_, n := startServerSink(t, Config{AETitles: []string{ourAE, burnAE}, Callers: []Caller{{AETitle: callerAE}}, SpoolDir: t.TempDir()}, ab)
	storescuTo(t, n, ourAE, files) // not for burning
	if w := ab.Watching(); len(w) != 0 {
		t.Fatalf("watching %v after a send to the plain AE title", w)
	}
	storescuTo(t, n, burnAE, files[:len(files)-1])
	time.Sleep(300 * time.Millisecond)
	select {
	case c := <-complete:
		t.Fatalf("study %s reported complete one instance early", c.StudyUID)
	default:
	}
	if w := ab.Watching(); w[studyUID] != len(files)-1 {
		t.Fatalf("watching %v", w)
	}
	storescuTo(t, n, burnAE, files[len(files)-1:])
	select {
	case c := <-complete:
		if c.StudyUID != studyUID || c.Instances != len(files) || c.Expected != len(files) || c.Fallback != "" {
			t.Fatalf("completed %+v, want %s with %d instances by count", c, studyUID, len(files))
		}
	case <-time.After(10 * time.Second):
		t.Fatal("study not reported complete")
	}
	if asked.Load() < 2 {
		t.Errorf("asked the PACS %d times, want at the start and again before burning", asked.Load())
	}
	select {
	case c := <-complete:
		t.Fatalf("%s reported twice", c.StudyUID)
	case <-time.After(50 * time.Millisecond):
	}
}

// TestAutoBurnStudyForwardedOneByOneMakesOneDisc (issue 16.5): Orthanc
// receives a study instance by instance, 0.3 s apart, and each instance
// is forwarded to the burn AE title right after; Orthanc's count grows
// with ours all the way. One study must make one disc, at the full count;
// sending the complete study again makes none.
func TestAutoBurnStudyForwardedOneByOneMakesOneDisc(t *testing.T) {
	files := mrStudy(t)
	studyUID, _ := studyOf(t, files)
	pacsNode := startOrthanc(t, nil, Node{AETitle: ourAE, Host: "127.0.0.1", Port: 104})
	client := &Client{AETitle: ourAE}
	complete := make(chan Completion, 8)
	ab := &AutoBurn{
		Next: FileSink{Dir: t.TempDir()}, BurnAE: burnAE, Quiet: time.Minute, Settle: time.Second,
		Count: func(ctx context.Context, uid string) (int, error) {
			return client.StudyInstanceCount(ctx, pacsNode, uid)
		},
		OnComplete: func(c Completion) { complete <- c },
	}
	_, n := startServerSink(t, Config{AETitles: []string{ourAE, burnAE}, Callers: []Caller{{AETitle: callerAE}}, SpoolDir: t.TempDir()}, ab)
	forward := &Client{AETitle: callerAE}
	burn := n
	burn.AETitle = burnAE
	for _, f := range files {
		for _, to := range []Node{pacsNode, burn} {
			res, err := forward.Store(context.Background(), to, []string{f})
			if err != nil || res[0].Err != nil || res[0].Status != 0 {
				t.Fatalf("store %s to %s: %v %+v", filepath.Base(f), to.AETitle, err, res)
			}
		}
		time.Sleep(300 * time.Millisecond)
	}
	select {
	case c := <-complete:
		if c.StudyUID != studyUID || c.Instances != len(files) || c.Fallback != "" {
			t.Fatalf("completed %+v, want all %d instances, by count", c, len(files))
		}
	case <-time.After(20 * time.Second):
		t.Fatal("study not reported complete")
	}
	storescuTo(t, n, burnAE, files) // the complete study once more
	select {
	case c := <-complete:
		t.Fatalf("re-sent study reported again: %+v", c)
	case <-time.After(2 * time.Second):
	}
}

// TestAutoBurnFallbackIsLoggedAndSurfaced: the count node does not answer
// (nothing listens on its port); the quiet time completes the study, and
// the completion and the log say why.
func TestAutoBurnFallbackIsLoggedAndSurfaced(t *testing.T) {
	files := mrStudy(t)[:3]
	dead := Node{AETitle: "PACS", Host: "127.0.0.1", Port: pacstest.FreePort(t)} // nothing listens there
	client := &Client{AETitle: ourAE}
	var logs syncBuffer
	complete := make(chan Completion, 2)
	ab := &AutoBurn{
		Next: FileSink{Dir: t.TempDir()}, Quiet: 300 * time.Millisecond,
		Rule:       func(o *ReceivedObject) bool { return o.CallingAE == callerAE },
		Count:      func(ctx context.Context, uid string) (int, error) { return client.StudyInstanceCount(ctx, dead, uid) },
		Logger:     slog.New(slog.NewTextHandler(&logs, nil)),
		OnComplete: func(c Completion) { complete <- c },
	}
	_, n := startServerSink(t, Config{AETitles: []string{ourAE}, Callers: []Caller{{AETitle: callerAE}}, SpoolDir: t.TempDir()}, ab)
	sent := time.Now()
	storescuTo(t, n, ourAE, files)
	select {
	case c := <-complete:
		if time.Since(sent) < 300*time.Millisecond {
			t.Errorf("completed %v after sending, before the quiet time", time.Since(sent))
		}
		if c.Fallback != "burned after quiet time: the PACS did not answer" || c.Instances != len(files) {
			t.Errorf("completion %+v", c)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("quiet time never completed the study")
	}
	if !strings.Contains(logs.String(), "the PACS did not answer") {
		t.Errorf("fallback not logged:\n%s", logs.String())
	}
}

func TestAutoBurnPassesSinkErrorsOn(t *testing.T) {
	boom := errors.New("disk full")
	ab := &AutoBurn{Next: SinkFunc(func(context.Context, *ReceivedObject) error { return boom }), BurnAE: burnAE}
	err := ab.Store(context.Background(), &ReceivedObject{CalledAE: burnAE, StudyInstanceUID: "1.2", SOPInstanceUID: "1.2.3", path: filepath.Join(t.TempDir(), "x")})
	if !errors.Is(err, boom) || len(ab.Watching()) != 0 {
		t.Fatalf("err %v, watching %v", err, ab.Watching())
	}
}
