package facility_test

import (
	"context"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"discdesk/app/facility"
	"discdesk/app/facility/facilitytest"
	"discdesk/app/handoff"
	"discdesk/app/store"
	"discdesk/app/store/storetest"
	"discdesk/internal/pgtest"
)

// Both sides of every figure come from one run: `go test -run '^$' -bench .
// ./app/facility` (packaging/install-deps.sh installs PostgreSQL).

type appender interface {
	Append(context.Context, handoff.Event) (handoff.Event, handoff.Request, error)
}

// fillLog records events the way a year at a desk does (the shape of
// package handoff's own fixture): every 17th request cancelled, the rest
// burned and handed over, except every 4th of the last weeks', still open
// and partly overdue. It returns the clock at the end.
func fillLog(tb testing.TB, a appender, events int) time.Time {
	tb.Helper()
	t := time.Date(2024, 1, 2, 8, 0, 0, 0, time.UTC)
	n := 0
	add := func(ev handoff.Event) handoff.Event {
		t = t.Add(time.Minute)
		ev.Time = t
		e, _, err := a.Append(ctx, ev)
		if err != nil {
			tb.Fatal(err)
		}
		n++
		return e
	}
	for i := 1; n < events; i++ {
		r := add(facilitytest.Requested(i, t.Add(3*24*time.Hour)))
		if n > events*93/100 && i%4 == 0 || n == events {
			continue
		}
		if i%17 == 0 {
			ev := handoff.Event{Kind: handoff.EventCancelled, Request: r.ID, Staff: "b", Workstation: "w", Text: "withdrawn"}
			add(ev)
			continue
		}
		b := add(facilitytest.Burned(r.ID))
		if n < events {
			add(facilitytest.HandedOver(b.Disc))
		}
	}
	return t
}

var (
	benchSrv  *pgtest.Server
	benchLog  *facility.PG
	benchNow  time.Time
	benchBolt *facility.Bolt
	boltNow   time.Time
	boltDir   string
)

const benchEvents = 100_000

// pgLog is a facility database holding a 100,000-event log, built once.
func pgLog(b *testing.B) (*facility.PG, time.Time) {
	if benchLog == nil {
		benchSrv = sharedServer(b)
		f := newFacilityDB(b, benchSrv)
		bulk := facility.NewBulk()
		benchNow = fillLog(b, bulk, benchEvents)
		p, err := facility.OpenPG(ctx, f.desk)
		if err != nil {
			b.Fatal(err)
		}
		if err := bulk.Write(ctx, p); err != nil {
			b.Fatal(err)
		}
		benchLog = p
	}
	return benchLog, benchNow
}

// boltLog is a desk store holding the same shape of 100,000-event log.
func boltLog(b *testing.B) (*facility.Bolt, time.Time) {
	if benchBolt == nil {
		dir, err := os.MkdirTemp("", "facility-bench-")
		if err != nil {
			b.Fatal(err)
		}
		boltDir = dir
		db, err := store.Open(dir)
		if err != nil {
			b.Fatal(err)
		}
		db.NoSync = true
		bo, err := facility.OpenBolt(db)
		if err != nil {
			b.Fatal(err)
		}
		boltNow = fillLog(b, bo, benchEvents)
		db.NoSync = false
		benchBolt = bo
	}
	return benchBolt, boltNow
}

// BenchmarkOpenAndOverdue: the open list and the overdue list (what the
// desk shows on start) with 100,000 events in the log. Target < 100 ms.
func BenchmarkOpenAndOverdue(b *testing.B) {
	b.Run("postgresql", func(b *testing.B) {
		p, now := pgLog(b)
		benchOpen(b, p, now)
	})
	b.Run("bbolt", func(b *testing.B) {
		bo, now := boltLog(b)
		benchOpen(b, bo, now)
	})
}

func reportCPU(b *testing.B, start time.Duration, n int) {
	b.ReportMetric(float64((cpuTime()-start).Microseconds())/1000/float64(n), "cpu-ms/op")
}

func benchOpen(b *testing.B, l facility.Log, now time.Time) {
	var open, over, n int
	c0 := cpuTime()
	defer func() { reportCPU(b, c0, n) }()
	for b.Loop() {
		n++
		o, err := l.OpenRequests(ctx, now, false)
		if err != nil {
			b.Fatal(err)
		}
		ov, err := l.OpenRequests(ctx, now, true)
		if err != nil {
			b.Fatal(err)
		}
		open, over = len(o), len(ov)
	}
	if over == 0 || over == open {
		b.Fatalf("fixture: %d open, %d overdue", open, over)
	}
	b.ReportMetric(float64(open), "open")
	b.ReportMetric(float64(over), "overdue")
}

// BenchmarkOpenAndOverdue100kRequests: the same two lists with 100,000
// requests in the facility database (every 100th open; the request views
// only, which is all these lists read).
func BenchmarkOpenAndOverdue100kRequests(b *testing.B) {
	if benchSrv == nil {
		benchSrv = sharedServer(b)
	}
	f := newFacilityDB(b, benchSrv)
	bulk := facility.NewBulk()
	t := time.Date(2024, 1, 2, 8, 0, 0, 0, time.UTC)
	for i := range 100_000 {
		t = t.Add(5 * time.Minute)
		ev := facilitytest.Requested(i, t.Add(10*24*time.Hour))
		ev.Time = t
		e, _, err := bulk.Append(ctx, ev)
		if err != nil {
			b.Fatal(err)
		}
		if i%100 != 0 {
			if _, _, err := bulk.Append(ctx, handoff.Event{Time: t, Kind: handoff.EventCancelled, Request: e.ID, Staff: "b", Workstation: "w", Text: "withdrawn"}); err != nil {
				b.Fatal(err)
			}
		}
	}
	p := f.open(b)
	if err := bulk.Write(ctx, p); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	benchOpen(b, p, t)
}

// BenchmarkVerify: log verify of 100,000 events. Target < 2 s.
func BenchmarkVerify(b *testing.B) {
	b.Run("postgresql", func(b *testing.B) {
		p, _ := pgLog(b)
		benchVerify(b, p)
	})
	b.Run("bbolt", func(b *testing.B) {
		bo, _ := boltLog(b)
		benchVerify(b, bo)
	})
}

func benchVerify(b *testing.B, l facility.Log) {
	n := 0
	c0 := cpuTime()
	defer func() { reportCPU(b, c0, n) }()
	for b.Loop() {
		n++
		rep, err := l.Verify(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if rep.Events != benchEvents {
			b.Fatalf("%d events", rep.Events)
		}
	}
}

// BenchmarkRecordRequest: one desk records one request, committed to disk
// (fsync) on both backends. Target: PostgreSQL at most 2x bbolt.
func BenchmarkRecordRequest(b *testing.B) {
	run := func(b *testing.B, a appender) {
		i := 0
		for b.Loop() {
			i++
			if _, _, err := a.Append(ctx, facilitytest.Requested(i, time.Now().Add(time.Hour))); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("bbolt", func(b *testing.B) {
		bo, err := facility.OpenBolt(storetest.MustOpen(b, b.TempDir()))
		if err != nil {
			b.Fatal(err)
		}
		run(b, bo)
	})
	b.Run("postgresql", func(b *testing.B) {
		if benchSrv == nil {
			pgLog(b)
		}
		run(b, newFacilityDB(b, benchSrv).open(b))
	})
}

// BenchmarkTenDesks: ten processes record request, burn and handover
// concurrently for $FACILITY_BENCH_SECONDS (default 10; the figure
// is 60); every event must be in one chain once. Target p99 < 50 ms.
func BenchmarkTenDesks(b *testing.B) {
	secs := 10
	if s, err := strconv.Atoi(os.Getenv("FACILITY_BENCH_SECONDS")); err == nil && s > 0 {
		secs = s
	}
	if benchSrv == nil {
		benchSrv = sharedServer(b)
	}
	for b.Loop() {
		f := newFacilityDB(b, benchSrv)
		lat := runAppenders(b, f, 10, 0, secs)
		p := f.open(b)
		rep, err := p.Verify(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if rep.Events != len(lat) {
			b.Fatalf("%d events recorded by the desks, %d in the log", len(lat), rep.Events)
		}
		slices.Sort(lat)
		q := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000 }
		b.ReportMetric(q(0.50), "p50-ms")
		b.ReportMetric(q(0.99), "p99-ms")
		b.ReportMetric(float64(len(lat))/float64(secs), "events/s")
		b.ReportMetric(float64(len(lat)), "events")
	}
}
