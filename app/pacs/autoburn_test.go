package pacs

import (
	"context"
	"errors"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"
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
	complete := make(chan string, 4)
	ab := &AutoBurn{
		Next: FileSink{Dir: t.TempDir()}, BurnAE: burnAE, Quiet: time.Hour,
		Count: func(_ context.Context, uid string) (int, error) {
			asked.Add(1)
			if uid != studyUID {
				return 0, errors.New("unknown study")
			}
			return len(files), nil
		},
		OnComplete: func(uid string) { complete <- uid },
	}
	_, n := startServerSink(t, Config{AETitles: []string{ourAE, burnAE}, Callers: []Caller{{AETitle: callerAE}}, SpoolDir: t.TempDir()}, ab)
	storescuTo(t, n, ourAE, files) // not for burning
	if w := ab.Watching(); len(w) != 0 {
		t.Fatalf("watching %v after a send to the plain AE title", w)
	}
	storescuTo(t, n, burnAE, files[:len(files)-1])
	select {
	case uid := <-complete:
		t.Fatalf("study %s reported complete one instance early", uid)
	default:
	}
	if w := ab.Watching(); w[studyUID] != len(files)-1 {
		t.Fatalf("watching %v", w)
	}
	storescuTo(t, n, burnAE, files[len(files)-1:])
	select {
	case uid := <-complete:
		if uid != studyUID {
			t.Fatalf("completed %s, want %s", uid, studyUID)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("study not reported complete")
	}
	if asked.Load() != 1 {
		t.Errorf("asked the PACS %d times, want once", asked.Load())
	}
	select {
	case uid := <-complete:
		t.Fatalf("%s reported twice", uid)
	case <-time.After(50 * time.Millisecond):
	}
}

func TestAutoBurnFallsBackToQuietTime(t *testing.T) {
	files := mrStudy(t)[:3]
	complete := make(chan time.Time, 2)
	ab := &AutoBurn{
		Next: FileSink{Dir: t.TempDir()}, Quiet: 150 * time.Millisecond,
		Rule:       func(o *ReceivedObject) bool { return o.CallingAE == callerAE },
		Count:      func(context.Context, string) (int, error) { return 0, ErrNoCount },
		OnComplete: func(string) { complete <- time.Now() },
	}
	_, n := startServerSink(t, Config{AETitles: []string{ourAE}, Callers: []Caller{{AETitle: callerAE}}, SpoolDir: t.TempDir()}, ab)
	sent := time.Now()
	storescuTo(t, n, ourAE, files)
	select {
	case at := <-complete:
		if at.Sub(sent) < 150*time.Millisecond {
			t.Errorf("completed %v after sending, before the quiet time", at.Sub(sent))
		}
	case <-time.After(10 * time.Second):
		t.Fatal("quiet time never completed the study")
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
