package facility_test

import (
	"errors"
	"path/filepath"
	"testing"
	"time"

	"discdesk/app/facility"
	"discdesk/app/facility/facilitytest"
	"discdesk/app/handoff"
	"discdesk/internal/pgtest"
)

// TestServerStopsMidDay: the server stops while the desk works; the desk
// says so at once, keeps what staff record, and replays it when the server
// is back, so the chain verifies with every event once.
func TestServerStopsMidDay(t *testing.T) {
	srv := pgtest.Start(t)
	f := newFacilityDB(t, srv)
	pg, err := facility.OpenPG(ctx, f.desk)
	if err != nil {
		t.Fatal(err)
	}
	ob, err := facility.OpenOutbox(pg, filepath.Join(t.TempDir(), "outbox.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer ob.Close()
	_, morning, err := ob.Append(ctx, facilitytest.Requested(1, time.Now().Add(time.Hour)))
	if err != nil {
		t.Fatal(err)
	}
	job, err := ob.Enqueue(ctx, facility.JobRecord{Request: morning.ID})
	if err != nil {
		t.Fatal(err)
	}
	claim, err := ob.Claim(ctx, f.deskID, time.Now(), time.Hour)
	if err != nil || claim.Job.ID != job.ID {
		t.Fatalf("claim: %+v, %v", claim.Job.ID, err)
	}

	srv.Stop()
	t0 := time.Now()
	err = ob.Health(ctx)
	if !errors.Is(err, facility.ErrUnreachable) {
		t.Fatalf("Health with the server stopped: %v, want ErrUnreachable", err)
	}
	if d := time.Since(t0); d > 2*time.Second {
		t.Fatalf("the desk took %v to notice", d)
	}
	if st := ob.State(); st.Reachable || st.Problem == "" {
		t.Fatalf("State = %+v, want unreachable", st)
	}
	// The claimed job is burned on; the burn, a new request and the finish are kept.
	burn, _, err := ob.Append(ctx, facilitytest.Burned(morning.ID))
	if !errors.Is(err, facility.ErrQueued) || !errors.Is(err, facility.ErrUnreachable) || burn.ID == "" {
		t.Fatalf("burn while down: %+v, %v; want ErrQueued", burn.ID, err)
	}
	if err := ob.Finish(ctx, job.ID, f.deskID, facility.JobDone); !errors.Is(err, facility.ErrQueued) {
		t.Fatalf("finish while down: %v, want ErrQueued", err)
	}
	_, offline, err := ob.Append(ctx, facilitytest.Requested(2, time.Now().Add(2*time.Hour)))
	if !errors.Is(err, facility.ErrQueued) || offline.ID == "" || offline.Status != handoff.StatusOpen {
		t.Fatalf("request while down: %+v, %v", offline, err)
	}
	hand, _, err := ob.Append(ctx, facilitytest.HandedOver(burn.Disc))
	if !errors.Is(err, facility.ErrQueued) {
		t.Fatalf("handover while down: %v", err)
	}
	if st := ob.State(); st.Pending != 4 {
		t.Fatalf("pending = %d, want 4", st.Pending)
	}
	if _, err := ob.OpenRequests(ctx, time.Now(), false); !errors.Is(err, facility.ErrUnreachable) {
		t.Fatalf("read while down: %v, want ErrUnreachable", err)
	}

	srv.StartAgain(t)
	if err := ob.Health(ctx); err != nil {
		t.Fatalf("Health after restart: %v", err)
	}
	rep, err := ob.Flush(ctx)
	if err != nil || rep.Sent != 4 || len(rep.Rejected) != 0 {
		t.Fatalf("Flush = %+v, %v; want 4 sent", rep, err)
	}
	if st := ob.State(); !st.Reachable || st.Pending != 0 {
		t.Fatalf("State after flush = %+v", st)
	}
	got, err := ob.Request(ctx, offline.ID)
	if err != nil || got.ID != offline.ID {
		t.Fatalf("the request taken offline under its own ID: %+v, %v", got.ID, err)
	}
	r, err := ob.Request(ctx, morning.ID)
	if err != nil || r.Status != handoff.StatusDelivered || r.Discs[0].UUID != burn.Disc {
		t.Fatalf("morning request after replay: %s, %v", r.Status, err)
	}
	j, err := ob.Job(ctx, job.ID)
	if err != nil || j.State != facility.JobDone {
		t.Fatalf("job after replay: %+v, %v", j.State, err)
	}
	vr, err := ob.Verify(ctx)
	if err != nil || vr.Events != 4 || vr.Requests != 2 {
		t.Fatalf("Verify = %+v, %v", vr, err)
	}
	var last handoff.Event
	ob.Events(ctx, func(ev handoff.Event) error { last = ev; return nil })
	if last.ID != hand.ID || last.Hash != vr.Head {
		t.Fatalf("last event %s (%s), want the offline handover %s heading the chain %s", last.ID, last.Hash, hand.ID, vr.Head)
	}
	// A second flush sends nothing; a replayed duplicate is not logged twice.
	if rep, err := ob.Flush(ctx); err != nil || rep.Sent != 0 {
		t.Fatalf("second Flush = %+v, %v", rep, err)
	}
}
