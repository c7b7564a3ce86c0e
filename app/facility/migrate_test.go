package facility_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"discdesk/app/facility"
	"discdesk/app/facility/facilitytest"
	"discdesk/app/staff"
	"discdesk/app/store/storetest"

	bolt "go.etcd.io/bbolt"
)

// deskStore is a desk's bbolt store with n requests, each burned.
func deskStore(t *testing.T, n, base int) (*bolt.DB, *facility.Bolt) {
	db := storetest.MustOpen(t, t.TempDir())
	b, err := facility.OpenBolt(db)
	if err != nil {
		t.Fatal(err)
	}
	addRequests(t, b, n, base)
	return db, b
}

func addRequests(t *testing.T, b facility.Backend, n, base int) {
	t.Helper()
	for i := range n {
		_, r, err := b.Append(ctx, facilitytest.Requested(base+i, time.Now().Add(time.Duration(i)*time.Hour)))
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := b.Append(ctx, facilitytest.Burned(r.ID)); err != nil {
			t.Fatal(err)
		}
	}
}

func TestMigrateIdempotentResumableMerged(t *testing.T) {
	srv := sharedServer(t)
	f := newFacilityDB(t, srv)
	db, desk := deskStore(t, 10, 0)
	if err := desk.PutMember(ctx, staff.Member{ID: "sup-1", Name: "Sue Visor", Role: staff.Supervisor, Active: true, PIN: staff.PINHash{Salt: []byte("s"), Key: []byte("k")}}); err != nil {
		t.Fatal(err)
	}
	if _, err := desk.SaveSettings(ctx, json.RawMessage(`{"facility":{"name":"North Desk"}}`), 0); err != nil {
		t.Fatal(err)
	}

	// Interrupted after the first batch of 6 ...
	cctx, cancel := context.WithCancel(ctx)
	_, err := facility.Migrate(cctx, db, f.admin, facility.MigrateOptions{Name: "north", Batch: 6, Progress: func(copied, total int64) {
		if copied == 6 {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted migrate: %v, want context.Canceled", err)
	}
	// ... resumed: the other 14 events, nothing twice.
	rep, err := facility.Migrate(ctx, db, f.admin, facility.MigrateOptions{Name: "north", Batch: 6})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Copied != 14 || rep.Events != 20 || rep.Segment != 1 || rep.Staff != 1 || rep.Settings != "copied" || rep.Verified.Events != 20 || rep.Verified.Requests != 10 {
		t.Fatalf("resumed migrate = %+v", rep)
	}
	// Idempotent.
	rep, err = facility.Migrate(ctx, db, f.admin, facility.MigrateOptions{Name: "north"})
	if err != nil || rep.Copied != 0 || rep.Events != 20 || rep.Staff != 0 {
		t.Fatalf("second migrate = %+v, %v", rep, err)
	}
	// The desk recorded more before it moved: its segment continues.
	addRequests(t, desk, 2, 50)
	rep, err = facility.Migrate(ctx, db, f.admin, facility.MigrateOptions{Name: "north"})
	if err != nil || rep.Copied != 4 || rep.Events != 24 {
		t.Fatalf("migrate after more desk events = %+v, %v", rep, err)
	}
	// A second desk's store is merged in as its own chain.
	db2, _ := deskStore(t, 3, 100)
	rep, err = facility.Migrate(ctx, db2, f.admin, facility.MigrateOptions{Name: "south"})
	if err != nil || rep.Segment != 2 || rep.Events != 6 || rep.Settings != "none" || rep.Verified.Events != 30 || rep.Verified.Requests != 15 {
		t.Fatalf("merge of a second desk = %+v, %v", rep, err)
	}
	// A desk now works on the migrated requests through the facility database.
	pg := f.open(t)
	open, err := pg.OpenRequests(ctx, time.Now(), false)
	if err != nil || len(open) != 15 {
		t.Fatalf("open requests after migration: %d, %v", len(open), err)
	}
	d := open[0].Discs[0].UUID
	if _, r, err := pg.Append(ctx, facilitytest.HandedOver(d)); err != nil || r.ID != open[0].ID {
		t.Fatalf("handover of a migrated disc: %v", err)
	}
	vr, err := pg.Verify(ctx)
	if err != nil || vr.Events != 31 {
		t.Fatalf("Verify = %+v, %v", vr, err)
	}
	m, err := pg.Member(ctx, "sup-1")
	if err != nil || string(m.PIN.Key) != "k" {
		t.Fatalf("migrated member = %+v, %v", m, err)
	}
	doc, _, err := pg.LoadSettings(ctx)
	if err != nil || string(doc) != `{"facility":{"name":"North Desk"}}` {
		t.Fatalf("migrated settings = %s, %v", doc, err)
	}
}
