package study_test

import (
	"runtime"
	"testing"
	"time"

	"discdesk/viewer/study"
)

// A stack that has loaded its whole series holds under 1.5x the series'
// decoded pixel size.
func TestStackMemoryBound(t *testing.T) {
	d, se := openCT(t, 100)
	runtime.GC()
	var m0 runtime.MemStats
	runtime.ReadMemStats(&m0)
	s := study.NewStack(d, se.Images(), 0)
	done := make(chan struct{}, 200)
	s.OnLoad = func(int) { done <- struct{}{} }
	f, err := s.Get(0)
	if err != nil {
		t.Fatal(err)
	}
	s.Start()
	defer s.Close()
	timeout := time.After(20 * time.Second)
	for n := 1; n < 100; n++ {
		select {
		case <-done:
		case <-timeout:
			t.Fatalf("loaded %d of 100 frames", n)
		}
	}
	decoded := int64(len(f.Data)) * 100
	if n, b := s.Cached(); n != 100 || b != decoded {
		t.Fatalf("cache %d frames %d bytes, want all 100 (%d bytes)", n, b, decoded)
	}
	runtime.GC()
	var m1 runtime.MemStats
	runtime.ReadMemStats(&m1)
	grown := int64(m1.HeapAlloc) - int64(m0.HeapAlloc)
	t.Logf("heap grew %.1f MB for %.1f MB of decoded pixels (%.2fx)", float64(grown)/1e6, float64(decoded)/1e6, float64(grown)/float64(decoded))
	if grown > decoded*3/2 {
		t.Errorf("heap grew %d bytes, over 1.5x the decoded %d", grown, decoded)
	}
}
