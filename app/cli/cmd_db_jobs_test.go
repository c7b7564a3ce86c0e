package cli

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"discdesk/app/burnqueue"
	"discdesk/app/facility"
	"discdesk/app/handoff"
	"discdesk/app/station/stationtest"
	"discdesk/burner/disc"
)

// A job queued at the front desk is claimed, not copied: the idle desk in
// the records office (which holds the study too) takes it from the
// facility and burns it on its own target; the front desk, coming to the
// job after, finds it taken and holds it, so one disc is burned and logged.
func TestBurnJobIsBurnedOnceAcrossDesks(t *testing.T) {
	old := burnqueue.PullEvery
	burnqueue.PullEvery = 50 * time.Millisecond
	defer func() { burnqueue.PullEvery = old }()
	srv, admin := newFacility(t)
	front, study := newDesk(t, srv, admin, "FRONT-DESK")
	back, _ := newDesk(t, srv, admin, "HIM-OFFICE")
	defer front.close()
	defer back.close()

	stA := front.station(t)
	r, err := stA.Record(stationtest.Pickup(study), handoff.Actor{Staff: "Ann", Workstation: "FRONT-DESK"})
	if err != nil {
		t.Fatal(err)
	}
	job, err := stA.Queue.Enqueue(burnqueue.Job{RequestID: r.ID, StudyUIDs: []string{study.UID}, Drive: "iso:" + filepath.Join(t.TempDir(), "front.iso"),
		Copies: 1, Acks: []string{string(disc.WarnNoReport)}, AckedBy: "Ann"})
	if err != nil {
		t.Fatal(err)
	}

	stB := back.station(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- stB.Worker(nil, nil).Run(ctx) }()
	deadline := time.Now().Add(60 * time.Second)
	for {
		j, err := stB.Queue.Get(job.ID)
		if err == nil && j.State == burnqueue.Done {
			if len(j.Discs) != 1 || !strings.Contains(j.Drive, back.data) {
				t.Fatalf("the records office burned %+v", j)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the idle desk did not take the job: %+v %v", j, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	<-done

	_, ran, err := stA.Worker(nil, nil).RunJob(context.Background(), job.ID)
	got, gerr := stA.Queue.Get(job.ID)
	if ran || err != nil || gerr != nil || !got.Held || !strings.Contains(got.LastError, "Another desk") || len(got.Discs) != 0 {
		t.Fatalf("the front desk ran a job another desk burned: ran %v err %v job %+v", ran, err, got)
	}
	evs, err := stA.Log.Events(r.ID, "")
	burned := 0
	for _, ev := range evs {
		if ev.Kind == handoff.EventBurned {
			burned++
		}
	}
	if err != nil || burned != 1 {
		t.Fatalf("the facility log has %d burned events for the request (%v), want 1", burned, err)
	}
	pg, err := facility.OpenPG(context.Background(), facility.Config{URL: admin})
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	fj, err := pg.Job(context.Background(), job.ID.String())
	if err != nil || fj.State != facility.JobDone || fj.Desk != "HIM-OFFICE" || fj.Attempts != 1 {
		t.Fatalf("facility job %+v %v", fj, err)
	}
}
