package facilitytest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"discdesk/app/facility"
	"discdesk/app/handoff"
	"discdesk/app/staff"
)

// Open returns a new, empty backend for one subtest; the opener closes it
// in t's cleanup.
type Open func(t *testing.T) facility.Backend

// Run runs the conformance suite against the backends open returns.
func Run(t *testing.T, open Open) {
	tests := []struct {
		name string
		fn   func(t *testing.T, b facility.Backend)
	}{
		{"EmptyLog", testEmptyLog},
		{"Lifecycle", testLifecycle},
		{"RuleRefusesAndLogUnchanged", testRuleRefuses},
		{"DuplicateEventID", testDuplicate},
		{"OpenAndOverdue", testOverdue},
		{"ConcurrentAppendsOneChain", testConcurrentAppends},
		{"JobsClaimLeaseLapse", testJobs},
		{"ConcurrentClaimsOneWinner", testConcurrentClaims},
		{"Staff", testStaff},
		{"Settings", testSettings},
		{"Holdings", testHoldings},
		{"Views", testViews},
		{"AppendHook", testAppendHook},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open(t)) })
	}
}

var ctx = context.Background()

func mustAppend(t *testing.T, b facility.Backend, ev handoff.Event) (handoff.Event, handoff.Request) {
	t.Helper()
	e, r, err := b.Append(ctx, ev)
	if err != nil {
		t.Fatalf("Append %s: %v", ev.Kind, err)
	}
	return e, r
}

func mustVerify(t *testing.T, b facility.Backend, events int) handoff.VerifyReport {
	t.Helper()
	rep, err := b.Verify(ctx)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if rep.Events != events {
		t.Fatalf("Verify: %d events, want %d", rep.Events, events)
	}
	return rep
}

func testEmptyLog(t *testing.T, b facility.Backend) {
	h, err := b.Head(ctx)
	if err != nil || h.Count != 0 || len(h.Hash) != 64 {
		t.Fatalf("Head of an empty log = %+v, %v", h, err)
	}
	mustVerify(t, b, 0)
	if err := b.Health(ctx); err != nil {
		t.Fatalf("Health: %v", err)
	}
}

func testLifecycle(t *testing.T, b facility.Backend) {
	req, r := mustAppend(t, b, Requested(1, time.Now().Add(72*time.Hour)))
	if r.ID != req.ID || req.Request != req.ID || r.Status != handoff.StatusOpen {
		t.Fatalf("requested: event %s request %s status %s", req.ID, r.ID, r.Status)
	}
	if req.Prev != "0000000000000000000000000000000000000000000000000000000000000000" || len(req.Hash) != 64 {
		t.Fatalf("first event chain: prev %s hash %s", req.Prev, req.Hash)
	}
	burn, r := mustAppend(t, b, Burned(r.ID))
	if burn.Prev != req.Hash || r.Status != handoff.StatusBurned || len(r.Discs) != 1 {
		t.Fatalf("burned: prev %s (want %s), status %s, %d discs", burn.Prev, req.Hash, r.Status, len(r.Discs))
	}
	hand, r := mustAppend(t, b, HandedOver(burn.Disc))
	if hand.Request != req.ID || r.Status != handoff.StatusDelivered || hand.Prev != burn.Hash {
		t.Fatalf("handed over by disc: request %s status %s", hand.Request, r.Status)
	}
	h, err := b.Head(ctx)
	if err != nil || h.Count != 3 || h.Hash != hand.Hash {
		t.Fatalf("Head = %+v, %v; want 3 ending %s", h, err, hand.Hash)
	}
	got, err := b.Request(ctx, req.ID)
	if err != nil || got.Status != handoff.StatusDelivered || got.Discs[0].HandedOver.IsZero() {
		t.Fatalf("Request = %+v, %v", got.Status, err)
	}
	var kinds []handoff.EventKind
	err = b.Events(ctx, func(ev handoff.Event) error { kinds = append(kinds, ev.Kind); return nil })
	if err != nil || len(kinds) != 3 || kinds[0] != handoff.EventRequested || kinds[2] != handoff.EventHandedOver {
		t.Fatalf("Events = %v, %v", kinds, err)
	}
	rep := mustVerify(t, b, 3)
	if rep.Head != hand.Hash || rep.Requests != 1 {
		t.Fatalf("Verify = %+v, head want %s", rep, hand.Hash)
	}
	if _, err := b.Request(ctx, "0190e0c8-0000-7000-8000-000000000000"); !errors.Is(err, handoff.ErrNotFound) {
		t.Fatalf("unknown request: %v, want ErrNotFound", err)
	}
}

func testRuleRefuses(t *testing.T, b facility.Backend) {
	_, r := mustAppend(t, b, Requested(2, time.Now().Add(time.Hour)))
	before, _ := b.Head(ctx)
	// A handover of a disc never burned: the rule refuses, nothing is logged.
	ev := HandedOver("0190e0c8-0000-7000-8000-0000000000aa")
	ev.Request = r.ID
	if _, _, err := b.Append(ctx, ev); !errors.Is(err, handoff.ErrNotFound) {
		t.Fatalf("handover of an unknown disc: %v, want ErrNotFound", err)
	}
	if _, _, err := b.Append(ctx, Burned("0190e0c8-0000-7000-8000-0000000000bb")); !errors.Is(err, handoff.ErrNotFound) && !errors.Is(err, handoff.ErrWrongState) {
		t.Fatalf("burn for an unknown request: %v", err)
	}
	cancel := handoff.Event{Kind: handoff.EventCancelled, Request: r.ID, Staff: Desk.Staff, Workstation: Desk.Workstation}
	if _, _, err := b.Append(ctx, cancel); !errors.Is(err, handoff.ErrWrongState) {
		t.Fatalf("cancel without a reason: %v, want ErrWrongState", err)
	}
	after, _ := b.Head(ctx)
	if after != before {
		t.Fatalf("refused events changed the head: %+v -> %+v", before, after)
	}
	mustVerify(t, b, 1)
}

func testDuplicate(t *testing.T, b facility.Backend) {
	ev, _ := mustAppend(t, b, Requested(3, time.Now().Add(time.Hour)))
	again := Requested(3, time.Now().Add(time.Hour))
	again.ID = ev.ID
	if _, _, err := b.Append(ctx, again); !errors.Is(err, facility.ErrDuplicate) {
		t.Fatalf("second append of %s: %v, want ErrDuplicate", ev.ID, err)
	}
	mustVerify(t, b, 1)
}

func testOverdue(t *testing.T, b facility.Backend) {
	now := time.Now()
	var ids []string
	for i, d := range []time.Duration{48 * time.Hour, -2 * time.Hour, 24 * time.Hour, -30 * time.Hour} {
		_, r := mustAppend(t, b, Requested(10+i, now.Add(d)))
		ids = append(ids, r.ID)
	}
	// Delivered requests leave the open list.
	burn, _ := mustAppend(t, b, Burned(ids[2]))
	mustAppend(t, b, HandedOver(burn.Disc))
	open, err := b.OpenRequests(ctx, now, false)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{ids[3], ids[1], ids[0]}
	if len(open) != 3 || open[0].ID != want[0] || open[1].ID != want[1] || open[2].ID != want[2] {
		t.Fatalf("open requests by due date: %v, want %v", reqIDs(open), want)
	}
	over, err := b.OpenRequests(ctx, now, true)
	if err != nil || len(over) != 2 || over[0].ID != ids[3] || over[1].ID != ids[1] {
		t.Fatalf("overdue = %v, %v; want %v", reqIDs(over), err, want[:2])
	}
	mustVerify(t, b, 6)
}

func reqIDs(rs []handoff.Request) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.ID)
	}
	return out
}

func testConcurrentAppends(t *testing.T, b facility.Backend) {
	const writers, each = 6, 15
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				ev, r, err := b.Append(ctx, Requested(100+w*each+i, time.Now().Add(time.Hour)))
				if err == nil {
					_, _, err = b.Append(ctx, Burned(r.ID))
				}
				if err != nil || ev.Hash == "" {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("concurrent append: %v", err)
	}
	seen := map[string]bool{}
	prev := "0000000000000000000000000000000000000000000000000000000000000000"
	err := b.Events(ctx, func(ev handoff.Event) error {
		if seen[ev.ID] {
			t.Errorf("event %s twice", ev.ID)
		}
		seen[ev.ID] = true
		if ev.Prev != prev {
			t.Errorf("event %s does not link to the one before", ev.ID)
		}
		prev = ev.Hash
		return nil
	})
	if err != nil || len(seen) != 2*writers*each {
		t.Fatalf("Events: %d, %v; want %d", len(seen), err, 2*writers*each)
	}
	mustVerify(t, b, 2*writers*each)
}

func testJobs(t *testing.T, b facility.Backend) {
	now := time.Now().UTC()
	j1, err := b.Enqueue(ctx, facility.JobRecord{Payload: json.RawMessage(`{"studies":["1.2.3"]}`), Created: now.Add(-time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	j2, err := b.Enqueue(ctx, facility.JobRecord{Created: now})
	if err != nil {
		t.Fatal(err)
	}
	c1, err := b.Claim(ctx, "desk-a", now, time.Minute)
	if err != nil || c1.Job.ID != j1.ID || c1.Lapsed != nil || c1.Job.Attempts != 1 || string(c1.Job.Payload) != `{"studies":["1.2.3"]}` {
		t.Fatalf("first claim = %+v, %v; want the oldest job %s", c1, err, j1.ID)
	}
	c2, err := b.Claim(ctx, "desk-b", now, time.Minute)
	if err != nil || c2.Job.ID != j2.ID {
		t.Fatalf("second claim = %+v, %v; want %s", c2.Job.ID, err, j2.ID)
	}
	if _, err := b.Claim(ctx, "desk-c", now, time.Minute); !errors.Is(err, facility.ErrNoJob) {
		t.Fatalf("claim with every job held: %v, want ErrNoJob", err)
	}
	if err := b.Renew(ctx, j1.ID, "desk-b", now, time.Minute); !errors.Is(err, facility.ErrLeaseLost) {
		t.Fatalf("renew by another desk: %v, want ErrLeaseLost", err)
	}
	if err := b.Writing(ctx, j1.ID, "desk-a", "0190e0c8-0000-7000-8000-0000000000cc"); err != nil {
		t.Fatal(err)
	}
	// desk-b renews; desk-a dies mid-burn and its lease lapses.
	later := now.Add(2 * time.Minute)
	if err := b.Renew(ctx, j2.ID, "desk-b", now.Add(30*time.Second), 5*time.Minute); err != nil {
		t.Fatal(err)
	}
	c3, err := b.Claim(ctx, "desk-c", later, time.Minute)
	if err != nil || c3.Job.ID != j1.ID || c3.Lapsed == nil || c3.Lapsed.Desk != "desk-a" || c3.Lapsed.Disc != "0190e0c8-0000-7000-8000-0000000000cc" || c3.Job.Attempts != 2 {
		t.Fatalf("claim after the lease lapsed = %+v (lapsed %+v), %v", c3.Job, c3.Lapsed, err)
	}
	if err := b.Finish(ctx, j1.ID, "desk-a", facility.JobDone); !errors.Is(err, facility.ErrLeaseLost) {
		t.Fatalf("the dead desk's late finish: %v, want ErrLeaseLost", err)
	}
	if err := b.Finish(ctx, j1.ID, "desk-c", facility.JobDone); err != nil {
		t.Fatal(err)
	}
	if err := b.Finish(ctx, j2.ID, "desk-b", facility.JobQueued); err != nil {
		t.Fatal(err)
	}
	got, err := b.Job(ctx, j1.ID)
	if err != nil || got.State != facility.JobDone || got.Desk != "desk-c" {
		t.Fatalf("Job = %+v, %v", got, err)
	}
	back, err := b.Claim(ctx, "desk-c", later, time.Minute)
	if err != nil || back.Job.ID != j2.ID || back.Lapsed != nil || back.Job.Attempts != 2 {
		t.Fatalf("claim of a job put back = %+v, %v", back, err)
	}
	if _, err := b.Claim(ctx, "desk-a", later, time.Minute); !errors.Is(err, facility.ErrNoJob) {
		t.Fatalf("done job claimed again: %v", err)
	}
}

func testConcurrentClaims(t *testing.T, b facility.Backend) {
	now := time.Now().UTC()
	j, err := b.Enqueue(ctx, facility.JobRecord{})
	if err != nil {
		t.Fatal(err)
	}
	var won atomic.Int32
	var wg sync.WaitGroup
	for d := range 8 {
		wg.Go(func() {
			c, err := b.Claim(ctx, "desk-"+string(rune('a'+d)), now, time.Minute)
			switch {
			case err == nil && c.Job.ID == j.ID:
				won.Add(1)
			case errors.Is(err, facility.ErrNoJob):
			default:
				t.Errorf("claim: %v", err)
			}
		})
	}
	wg.Wait()
	if won.Load() != 1 {
		t.Fatalf("%d desks got the one job, want exactly 1", won.Load())
	}
}

func testStaff(t *testing.T, b facility.Backend) {
	m := staff.Member{ID: "m-2", Name: "Ada Clerk", Role: staff.FrontDesk, Active: true, Created: time.Now().UTC().Truncate(time.Second),
		PIN: staff.PINHash{Salt: []byte("0123456789abcdef"), Key: []byte("key-bytes-of-a-pin-hash-0000000")}}
	if err := b.PutMember(ctx, m); err != nil {
		t.Fatal(err)
	}
	if err := b.PutMember(ctx, staff.Member{ID: "m-1", Name: "Sue Visor", Role: staff.Supervisor, Active: true}); err != nil {
		t.Fatal(err)
	}
	got, err := b.Member(ctx, "m-2")
	if err != nil || got.Name != m.Name || string(got.PIN.Key) != string(m.PIN.Key) || !got.Created.Equal(m.Created) {
		t.Fatalf("Member = %+v, %v", got, err)
	}
	m.Active = false
	if err := b.PutMember(ctx, m); err != nil {
		t.Fatal(err)
	}
	all, err := b.Members(ctx)
	if err != nil || len(all) != 2 || all[0].ID != "m-1" || all[1].Active {
		t.Fatalf("Members = %+v, %v", all, err)
	}
	if _, err := b.Member(ctx, "nobody"); !errors.Is(err, staff.ErrNoMember) {
		t.Fatalf("unknown member: %v, want ErrNoMember", err)
	}
}

func testSettings(t *testing.T, b facility.Backend) {
	doc, v, err := b.LoadSettings(ctx)
	if err != nil || v != 0 || doc != nil {
		t.Fatalf("LoadSettings of a new store = %s, %d, %v", doc, v, err)
	}
	v1, err := b.SaveSettings(ctx, json.RawMessage(`{"facility":{"name":"General"}}`), 0)
	if err != nil || v1 != 1 {
		t.Fatalf("first save = %d, %v", v1, err)
	}
	if _, err := b.SaveSettings(ctx, json.RawMessage(`{"facility":{"name":"Stale"}}`), 0); !errors.Is(err, facility.ErrConflict) {
		t.Fatalf("save from a stale read: %v, want ErrConflict", err)
	}
	v2, err := b.SaveSettings(ctx, json.RawMessage(`{"facility":{"name":"General Hospital"}}`), v1)
	if err != nil || v2 != 2 {
		t.Fatalf("second save = %d, %v", v2, err)
	}
	doc, v, err = b.LoadSettings(ctx)
	if err != nil || v != 2 || string(doc) != `{"facility":{"name":"General Hospital"}}` {
		t.Fatalf("LoadSettings = %s, %d, %v", doc, v, err)
	}
	if _, err := b.SaveSettings(ctx, json.RawMessage(`{not json`), v); err == nil {
		t.Fatal("saving bad JSON succeeded")
	}
}

func testHoldings(t *testing.T, b facility.Backend) {
	const study, other = "1.2.826.0.1.3680043.10.999.1", "1.2.826.0.1.3680043.10.999.11"
	for _, d := range []string{"er-night", "front-desk", "er-night"} {
		if err := b.Hold(ctx, d, study); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Hold(ctx, "him-office", other); err != nil {
		t.Fatal(err)
	}
	got, err := b.Holders(ctx, study)
	if err != nil || len(got) != 2 || got[0] != "er-night" || got[1] != "front-desk" {
		t.Fatalf("Holders = %v, %v; want [er-night front-desk]", got, err)
	}
	if err := b.Release(ctx, "er-night", study); err != nil {
		t.Fatal(err)
	}
	got, err = b.Holders(ctx, study)
	if err != nil || len(got) != 1 || got[0] != "front-desk" {
		t.Fatalf("Holders after release = %v, %v", got, err)
	}
	if got, err := b.Holders(ctx, "1.2.3.4"); err != nil || len(got) != 0 {
		t.Fatalf("Holders of an unknown study = %v, %v", got, err)
	}
}

// testViews: what a desk's handoff store reads (facility.Views) answers
// alike on every backend.
func testViews(t *testing.T, b facility.Backend) {
	v, ok := b.(facility.Views)
	if !ok {
		t.Fatalf("%s backend offers no Views", b.Kind())
	}
	first := Requested(1, time.Now().Add(72*time.Hour))
	first.Time = time.Now().Add(-time.Hour) // Search lists the newest first
	r1ev, r1 := mustAppend(t, b, first)
	_, r2 := mustAppend(t, b, Requested(2, time.Now().Add(96*time.Hour)))
	burn, _ := mustAppend(t, b, Burned(r1.ID))
	mustAppend(t, b, HandedOver(burn.Disc))
	if got, err := v.DiscRequest(ctx, burn.Disc); err != nil || got.ID != r1.ID {
		t.Fatalf("DiscRequest = %s, %v", got.ID, err)
	}
	if _, err := v.DiscRequest(ctx, "0190e0c8-0000-7000-8000-00000000d15c"); !errors.Is(err, handoff.ErrNotFound) {
		t.Fatalf("DiscRequest of an unknown disc: %v", err)
	}
	if ev, err := v.Event(ctx, burn.ID); err != nil || ev.Kind != handoff.EventBurned || ev.Hash != burn.Hash {
		t.Fatalf("Event = %+v, %v", ev.Kind, err)
	}
	if evs, err := v.EventsOf(ctx, r1.ID, ""); err != nil || len(evs) != 3 || evs[0].ID != r1ev.ID {
		t.Fatalf("EventsOf(request) = %d, %v", len(evs), err)
	}
	if evs, err := v.EventsOf(ctx, "", burn.Disc); err != nil || len(evs) != 2 || evs[1].Kind != handoff.EventHandedOver {
		t.Fatalf("EventsOf(disc) = %d, %v", len(evs), err)
	}
	if tell, err := v.ToTell(ctx); err != nil || len(tell) != 0 {
		t.Fatalf("ToTell = %v, %v (a disc handed over at the desk needs no call)", reqIDs(tell), err)
	}
	if hist, err := v.PatientHistory(ctx, r2.Patient.Key()); err != nil || len(hist) != 1 || hist[0].ID != r2.ID {
		t.Fatalf("PatientHistory = %v, %v", reqIDs(hist), err)
	}
	if found, err := v.Search(ctx, "jane2"); err != nil || len(found) != 1 || found[0].ID != r2.ID {
		t.Fatalf("Search = %v, %v", reqIDs(found), err)
	}
	if found, err := v.Search(ctx, "doe"); err != nil || len(found) != 2 || found[0].ID != r2.ID {
		t.Fatalf("Search newest first = %v, %v", reqIDs(found), err)
	}
	if h, err := v.RecordHash(ctx, 3); err != nil || h != burn.Hash {
		t.Fatalf("RecordHash(3) = %s, %v; want %s", h, err, burn.Hash)
	}
}

// testAppendHook: the hook sees the request after the event and what it
// sets is recorded (PostgreSQL; the desk's own file takes hooks through
// package handoff's store itself).
func testAppendHook(t *testing.T, b facility.Backend) {
	v := b.(facility.Views)
	_, r := mustAppend(t, b, Requested(1, time.Now().Add(72*time.Hour)))
	burn, _ := mustAppend(t, b, Burned(r.ID))
	ev, after, err := v.AppendHook(ctx, HandedOver(burn.Disc), func(ev *handoff.Event, r *handoff.Request) error {
		if r.Status != handoff.StatusDelivered {
			return fmt.Errorf("hook sees status %s", r.Status)
		}
		ev.Audit = "<AuditMessage/>"
		return nil
	})
	if errors.Is(err, facility.ErrNotSupported) {
		return
	}
	if err != nil || after.Status != handoff.StatusDelivered {
		t.Fatalf("AppendHook: %v", err)
	}
	got, err := v.Event(ctx, ev.ID)
	if err != nil || got.Audit != "<AuditMessage/>" {
		t.Fatalf("the hook's audit message was not recorded: %q %v", got.Audit, err)
	}
	if _, _, err := v.AppendHook(ctx, HandedOver(burn.Disc), func(*handoff.Event, *handoff.Request) error { return errors.New("refused") }); err == nil {
		t.Fatal("a refusing hook recorded the event")
	}
	mustVerify(t, b, 3)
}
