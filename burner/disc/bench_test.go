package disc

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"discdesk/burner/drive"
)

// BenchmarkPlanBuild plans and materialises a 16-slice MR disc with web
// pages (headers, DICOMDIR, JPEGs, SHA-256 of every file).
func BenchmarkPlanBuild(b *testing.B) {
	in := Input{Files: files(b, "mr_series/dcm4che_mr16"), Facility: testFacility, ReportText: "ok"}
	work := b.TempDir()
	b.ReportAllocs()
	for b.Loop() {
		p, err := NewPlan(context.Background(), in, Options{NoViewer: true, Now: fixedNow, WorkDir: work})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := p.Build(context.Background(), nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDiscCT500 authors a 500-slice CT disc with the browser viewer
// as `discdesk disc --iso` does (plan, Build, ISO through burner/drive,
// read-back verify) and reports each phase, for profiling the authoring
// time (packaging/bench/disc_vs_reference.sh compares it with xorriso).
//
//	go test ./burner/disc -run XXX -bench DiscCT500 -benchtime 3x -cpuprofile cpu.out
//
// Its sub-benchmarks: "no cache" (no frame cache, as a plan without a data
// folder), "cold" (an empty frame cache, as the first disc of a study the
// desk did not prepare: every frame packed and stored), "prepared" (the
// frames in the cache, as PrepareViewer or the study's first disc left
// them).
func BenchmarkDiscCT500(b *testing.B) {
	in := ctSeries(b, 500)
	warm, err := OpenFrameCache(b.TempDir(), 0)
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		cache func() *FrameCache
	}{
		{"no cache", func() *FrameCache { return nil }},
		{"cold", func() *FrameCache {
			c, err := OpenFrameCache(b.TempDir(), 0)
			if err != nil {
				b.Fatal(err)
			}
			return c
		}},
		{"prepared", func() *FrameCache { return warm }},
	} {
		b.Run(c.name, func(b *testing.B) { benchDisc(b, in, c.cache) })
	}
}

func benchDisc(b *testing.B, in []string, cache func() *FrameCache) {
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		work, out := b.TempDir(), filepath.Join(b.TempDir(), "disc.iso")
		fc := cache()
		b.StartTimer()
		t0 := time.Now()
		p, err := NewPlan(ctx, Input{Files: in, Facility: testFacility}, Options{ViewerDir: b.TempDir(), WorkDir: work, Now: fixedNow, Media: DVD, FrameCache: fc})
		if err != nil {
			b.Fatal(err)
		}
		for _, w := range p.Unacknowledged() {
			p.Acknowledge(w.Code, "bench")
		}
		t1 := time.Now()
		trees, err := p.Build(ctx, nil)
		if err != nil {
			b.Fatal(err)
		}
		t2 := time.Now()
		dr, err := drive.Open("iso:"+out, drive.Options{Media: drive.KindDVD})
		if err != nil {
			b.Fatal(err)
		}
		if err := dr.Burn(ctx, trees[0], nil); err != nil {
			b.Fatal(err)
		}
		t3 := time.Now()
		if _, err := dr.Verify(ctx, trees[0], nil); err != nil {
			b.Fatal(err)
		}
		t4 := time.Now()
		b.Logf("plan %v, build %v (browser viewer %d MB), ISO %v, verify %v", t1.Sub(t0).Round(time.Millisecond), t2.Sub(t1).Round(time.Millisecond), p.WebViewer().Bytes>>20, t3.Sub(t2).Round(time.Millisecond), t4.Sub(t3).Round(time.Millisecond))
	}
}
