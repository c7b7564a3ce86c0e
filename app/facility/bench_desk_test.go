package facility_test

import (
	"path/filepath"
	"testing"
	"time"

	"discdesk/app/facility"
	"discdesk/app/facility/facilitytest"
	"discdesk/app/handoff"
	"discdesk/app/store/storetest"
)

// BenchmarkDeskRecordRequest: what staff wait for at the desk when they
// record a request (handoff.Store.NewRequest: validation, fee, the
// append), on the desk's own bbolt file and on the facility database
// through the outbox, as a desk bound with --db runs it. Target:
// PostgreSQL at most 2x bbolt.
func BenchmarkDeskRecordRequest(b *testing.B) {
	by := handoff.Actor{Staff: facilitytest.Desk.Staff, Workstation: facilitytest.Desk.Workstation}
	run := func(b *testing.B, s *handoff.Store) {
		i := 0
		for b.Loop() {
			i++
			in := *facilitytest.Requested(i, time.Now().Add(time.Hour)).Input
			if _, err := s.NewRequest(in, by); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("bbolt", func(b *testing.B) {
		s, err := handoff.Open(storetest.MustOpen(b, b.TempDir()))
		if err != nil {
			b.Fatal(err)
		}
		run(b, s)
	})
	b.Run("postgresql", func(b *testing.B) {
		if benchSrv == nil {
			benchSrv = sharedServer(b)
		}
		box, err := facility.OpenOutbox(newFacilityDB(b, benchSrv).open(b), filepath.Join(b.TempDir(), "outbox.db"))
		if err != nil {
			b.Fatal(err)
		}
		r, err := facility.Remote(box, 0)
		if err != nil {
			b.Fatal(err)
		}
		s, err := handoff.Open(storetest.MustOpen(b, b.TempDir()), handoff.WithRemote(r))
		if err != nil {
			b.Fatal(err)
		}
		run(b, s)
	})
}
