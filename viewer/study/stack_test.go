package study_test

import (
	"errors"
	"testing"
	"time"

	"discdesk/viewer/render"
	"discdesk/viewer/study"
	"discdesk/viewer/study/studytest"
)

func openCT(t testing.TB, n int) (*study.Disc, *study.Series) {
	t.Helper()
	dir := studytest.CTSeries(t, t.TempDir(), n)
	d, err := study.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	se := d.Series()
	if len(se) != 1 || len(se[0].Images()) != n {
		t.Fatalf("%d series, want 1 of %d images", len(se), n)
	}
	return d, se[0]
}

func TestStackBudgetEvictsFarthest(t *testing.T) {
	d, se := openCT(t, 20)
	first := se.Images()[0]
	if first.Number != 1 || se.Images()[19].Number != 20 {
		t.Fatalf("instances not in instance order: %d..%d", first.Number, se.Images()[19].Number)
	}
	probe := study.NewStack(d, se.Images(), 0)
	f0, err := probe.Get(0)
	if err != nil {
		t.Fatal(err)
	}
	size := int64(len(f0.Data))
	if probe.Budget() != 20*size {
		t.Errorf("default budget %d, want the series' decoded size %d", probe.Budget(), 20*size)
	}
	s := study.NewStack(d, se.Images(), 5*size)
	s.SetCursor(10)
	loaded := make(chan int, 100)
	s.OnLoad = func(i int) { loaded <- i }
	s.Start()
	defer s.Close()
	got := map[int]bool{}
	timeout := time.After(10 * time.Second)
	for len(got) < 5 {
		select {
		case i := <-loaded:
			got[i] = true
		case <-timeout:
			t.Fatalf("background loader loaded only %v", got)
		}
	}
	for _, i := range []int{8, 9, 10, 11, 12} {
		if !got[i] {
			t.Errorf("frame %d near the cursor not loaded first (loaded %v)", i, got)
		}
	}
	// Move the cursor: the far frames are evicted, the budget holds.
	s.SetCursor(0)
	deadline := time.Now().Add(10 * time.Second)
	for s.Peek(0) == nil || s.Peek(2) == nil {
		if time.Now().After(deadline) {
			t.Fatal("loader did not follow the cursor")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if n, b := s.Cached(); b > 5*size || n > 5 {
		t.Errorf("cache holds %d frames, %d bytes: over the budget of %d", n, b, 5*size)
	}
	if s.Peek(12) != nil {
		t.Error("frame 12, farthest from the cursor, still cached")
	}
	if _, err := s.Get(20); !errors.Is(err, render.ErrNoFrame) {
		t.Errorf("Get(20) = %v, want ErrNoFrame", err)
	}
}

func TestStackMultiFrameLayout(t *testing.T) {
	dir := studytest.MakeDisc(t, t.TempDir(), studytest.Default)
	d, err := study.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	var mf *study.Series
	for _, se := range d.Series() {
		if len(se.Images()) == 1 && se.Modality == "US" {
			mf = se
		}
	}
	if mf == nil {
		t.Fatal("no US series")
	}
	s := study.NewStack(d, mf.Images(), 0)
	// DICOMDIR IMAGE records need not carry Number of Frames: the stack
	// learns it when the file is read.
	if _, err := s.Get(0); err != nil {
		t.Fatal(err)
	}
	if s.Len() != 30 {
		t.Fatalf("Len = %d after reading, want 30 frames", s.Len())
	}
	a, err := s.Get(0)
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.Get(29)
	if err != nil {
		t.Fatal(err)
	}
	if b.Info.Frame != 29 || a.Info.Frame != 0 || string(a.Data) == string(b.Data) {
		t.Errorf("frames 0 and 29: frame numbers %d %d, same data %v", a.Info.Frame, b.Info.Frame, string(a.Data) == string(b.Data))
	}
}
