package facility_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"discdesk/app/facility"
	"discdesk/app/handoff"
)

// ClaimID and ClaimFirst on both backends: a job claimed by one desk is
// refused to another until its lease lapses (then the lapse names the
// disc being written), a finished job is refused to all, and ClaimFirst
// passes over jobs the desk cannot burn.
func TestClaimParticularJobs(t *testing.T) {
	srv := sharedServer(t)
	for name, open := range map[string]func(t *testing.T) facility.Backend{
		"bbolt":      openBolt,
		"postgresql": func(t *testing.T) facility.Backend { return newFacilityDB(t, srv).open(t) },
	} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			b := open(t)
			c := b.(facility.Claimer)
			now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
			j1, err := b.Enqueue(ctx, facility.JobRecord{Created: now, Payload: []byte(`{"n":1}`)})
			if err != nil {
				t.Fatal(err)
			}
			j2, err := b.Enqueue(ctx, facility.JobRecord{Created: now.Add(time.Second), Payload: []byte(`{"n":2}`)})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.ClaimID(ctx, "01a23720-0000-7000-8000-000000000000", "A", now, time.Minute); !errors.Is(err, handoff.ErrNotFound) {
				t.Fatalf("claim of an unknown job: %v", err)
			}
			if cl, err := c.ClaimID(ctx, j1.ID, "A", now, time.Minute); err != nil || cl.Lapsed != nil || cl.Job.Attempts != 1 {
				t.Fatalf("claim A: %+v %v", cl, err)
			}
			if err := b.Writing(ctx, j1.ID, "A", "01a23720-0000-7000-8000-0000000000d1"); err != nil {
				t.Fatal(err)
			}
			if _, err := c.ClaimID(ctx, j1.ID, "B", now.Add(30*time.Second), time.Minute); !errors.Is(err, facility.ErrClaimed) {
				t.Fatalf("B claimed A's live claim: %v", err)
			}
			if cl, err := c.ClaimID(ctx, j1.ID, "A", now.Add(time.Second), time.Minute); err != nil || cl.Job.Attempts != 1 {
				t.Fatalf("A takes its own claim again: %+v %v", cl, err)
			}
			cl, err := c.ClaimID(ctx, j1.ID, "B", now.Add(2*time.Minute), time.Minute)
			if err != nil || cl.Lapsed == nil || cl.Lapsed.Desk != "A" || cl.Lapsed.Disc == "" || cl.Job.Attempts != 2 {
				t.Fatalf("B after A's lease lapsed: %+v %v", cl, err)
			}
			if err := b.Finish(ctx, j1.ID, "B", facility.JobDone); err != nil {
				t.Fatal(err)
			}
			if _, err := c.ClaimID(ctx, j1.ID, "A", now.Add(time.Hour), time.Minute); !errors.Is(err, facility.ErrClaimed) {
				t.Fatalf("claim of a done job: %v", err)
			}
			first, err := c.ClaimFirst(ctx, "C", now.Add(time.Hour), time.Minute, func(j facility.JobRecord) bool { return j.ID == j2.ID })
			if err != nil || first.Job.ID != j2.ID {
				t.Fatalf("ClaimFirst: %+v %v", first, err)
			}
			if _, err := c.ClaimFirst(ctx, "C", now.Add(time.Hour), time.Minute, func(facility.JobRecord) bool { return true }); !errors.Is(err, facility.ErrNoJob) {
				t.Fatalf("ClaimFirst with nothing waiting: %v", err)
			}
			if err := c.CancelJob(ctx, j2.ID, "A"); !errors.Is(err, facility.ErrClaimed) {
				t.Fatalf("A cancelled C's claim: %v", err)
			}
			j3, err := b.Enqueue(ctx, facility.JobRecord{Created: now, Payload: []byte(`{"n":3}`)})
			if err != nil {
				t.Fatal(err)
			}
			if err := c.CancelJob(ctx, j3.ID, "A"); err != nil {
				t.Fatal(err)
			}
			if _, err := c.ClaimID(ctx, j3.ID, "B", now, time.Minute); !errors.Is(err, facility.ErrClaimed) {
				t.Fatalf("B claimed a cancelled job: %v", err)
			}
		})
	}
}
