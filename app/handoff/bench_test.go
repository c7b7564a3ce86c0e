package handoff

import (
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	bolt "go.etcd.io/bbolt"

	"discdesk/app/store"
)

const benchEvents = 100_000

var (
	fixtureOnce sync.Once
	fixtureDir  string
	fixtureNow  time.Time
	fixtureErr  error
)

// fixture builds, once per test binary, a store with 100,000 log events: a
// year of requests, most delivered, some received and told, some cancelled,
// and a tail of open ones of which several hundred are overdue.
func fixture(b *testing.B) (string, time.Time) {
	fixtureOnce.Do(func() {
		fixtureDir, fixtureErr = os.MkdirTemp("", "handoff-bench-")
		if fixtureErr != nil {
			return
		}
		fixtureNow, fixtureErr = buildFixture(fixtureDir)
	})
	if fixtureErr != nil {
		b.Fatal(fixtureErr)
	}
	return fixtureDir, fixtureNow
}

func TestMain(m *testing.M) {
	code := m.Run()
	if fixtureDir != "" {
		os.RemoveAll(fixtureDir)
	}
	os.Exit(code)
}

func buildFixture(dir string) (time.Time, error) {
	db, err := store.Open(dir)
	if err != nil {
		return time.Time{}, err
	}
	defer db.Close()
	db.NoSync = true
	clk := &fakeClock{t: time.Date(2024, 1, 2, 8, 0, 0, 0, time.UTC)}
	s, err := Open(db, WithClock(clk.Now))
	if err != nil {
		return time.Time{}, err
	}
	events, i := 0, 0
	for events < benchEvents {
		err := db.Update(func(tx *bolt.Tx) error {
			bk, err := open(tx)
			if err != nil {
				return err
			}
			for j := 0; j < 2000 && events < benchEvents; j++ {
				i++
				clk.Add(17 * time.Minute)
				in := pickupInput()
				if i%3 == 0 {
					in = mailInput()
				}
				in.Patient.ID = fmt.Sprintf("MRN%06d", i%9000)
				now := s.clock()
				in, due, err := s.cfg.validate(in, now, nil)
				if err != nil {
					return err
				}
				fee, _ := s.cfg.Fees.Quote("", in.Format, in.Delivery, in.Costs)
				r, err := s.writeRequest(bk, &Event{Time: now, Kind: EventRequested, Staff: desk.Staff, Workstation: desk.Workstation, Input: &in, Due: due, Fee: &fee})
				if err != nil {
					return err
				}
				events++
				add := func(ev *Event) error {
					ev.Time, ev.Staff, ev.Workstation = s.clock(), desk.Staff, desk.Workstation
					events++
					return s.writeEvent(bk, ev, nil)
				}
				// The last ~45 days: every fourth request is still open, so
				// a few hundred are overdue; older ones all progressed.
				if events > benchEvents*93/100 && i%4 == 0 {
					continue
				}
				if i%17 == 0 {
					if err := add(&Event{Kind: EventCancelled, Request: r.ID, Text: "withdrawn"}); err != nil {
						return err
					}
					continue
				}
				bu := burn(1, 1)
				bu.DiscUUID = uuid.NewString()
				if err := add(&Event{Kind: EventBurned, Request: r.ID, Disc: bu.DiscUUID, Burn: &bu}); err != nil {
					return err
				}
				h := &Handover{To: "Jane Doe", IdentityCheck: "driver licence"}
				kind := EventHandedOver
				if in.Delivery != DeliveryPickup {
					h, kind = &Handover{To: "Lakeside", Carrier: "UPS", Tracking: "1Z999"}, EventMailed
				}
				if err := add(&Event{Kind: kind, Disc: bu.DiscUUID, Handover: h}); err != nil {
					return err
				}
				if kind == EventMailed {
					if err := add(&Event{Kind: EventReceived, Disc: bu.DiscUUID, Text: "front desk"}); err != nil {
						return err
					}
					if err := add(&Event{Kind: EventPatientTold, Request: r.ID, Text: "phone"}); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			return time.Time{}, err
		}
	}
	return clk.Now(), db.Sync()
}

// BenchmarkOpenAndListOverdue: open the store (as a CLI command does) and list
// the overdue requests, with 100,000 events in the log. Target: < 100 ms.
func BenchmarkOpenAndListOverdue(b *testing.B) {
	dir, now := fixture(b)
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		db, err := store.Open(dir)
		if err != nil {
			b.Fatal(err)
		}
		s, err := Open(db)
		if err != nil {
			b.Fatal(err)
		}
		over, err := s.OpenRequests(now, true)
		if err != nil {
			b.Fatal(err)
		}
		n = len(over)
		db.Close()
	}
	if n == 0 {
		b.Fatal("no overdue requests in the fixture")
	}
	b.ReportMetric(float64(n), "overdue")
}

// BenchmarkVerify: walk and replay the whole log of 100,000 events. Target: < 2 s.
func BenchmarkVerify(b *testing.B) {
	dir, _ := fixture(b)
	db, err := store.Open(dir)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	s, err := Open(db)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		rep, err := s.Verify()
		if err != nil {
			b.Fatal(err)
		}
		if rep.Events != benchEvents {
			b.Fatalf("%d events", rep.Events)
		}
	}
}

// BenchmarkNewRequest: one request written and fsynced (the desk's pace).
func BenchmarkNewRequest(b *testing.B) {
	s, _ := newTestStore(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.NewRequest(pickupInput(), desk); err != nil {
			b.Fatal(err)
		}
	}
}
