package station_test

import (
	"testing"
	"time"

	"discdesk/app/handoff"
)

// An outside disc's record stands on the tell-the-patient list, and the
// desk may mark it told: ToTell and CanTell are one rule. Once told it
// leaves the list, and the log replays with the list as stored.
func TestOutsideDiscOnTheListCanBeTold(t *testing.T) {
	st, study := newStation(t)
	by := handoff.Actor{Staff: "Ann", Workstation: "desk-1"}
	rec, err := st.Log.RecordOutsideDisc(handoff.Patient{Name: "Doe, Jane", ID: "MRN0042"},
		handoff.Intake{Sender: "St Elsewhere", Studies: []string{study.UID}, Instances: 3, Receipt: "Your images were received."}, by)
	if err != nil {
		t.Fatal(err)
	}
	onList := func() bool {
		list, err := st.Log.ToTell()
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range list {
			if q.ID == rec.ID {
				return true
			}
		}
		return false
	}
	if !onList() || !rec.ToTell() || rec.CanTell() != nil {
		t.Fatalf("outside record: on the list %v, ToTell %v, CanTell %v", onList(), rec.ToTell(), rec.CanTell())
	}
	if _, err := st.Log.Verify(); err != nil {
		t.Fatalf("Verify before: %v", err)
	}
	if _, err := st.TellPatient(rec.ID, "phone", by); err != nil {
		t.Fatalf("TellPatient: %v", err)
	}
	if onList() {
		t.Error("told, still on the list")
	}
	if _, err := st.TellPatient(rec.ID, "phone", by); err == nil {
		t.Error("told twice")
	}
	if _, err := st.Log.Verify(); err != nil {
		t.Fatalf("Verify after: %v", err)
	}
}

// Every state ToTell can see agrees with CanTell.
func TestToTellIsCanTell(t *testing.T) {
	good := handoff.Disc{UUID: "d", Verified: true}
	for _, r := range []handoff.Request{
		{Status: handoff.StatusOpen},
		{Status: handoff.StatusBurned, RequestInput: handoff.RequestInput{Delivery: handoff.DeliveryPickup}, Discs: []handoff.Disc{good}},
		{Status: handoff.StatusBurned, RequestInput: handoff.RequestInput{Delivery: handoff.DeliveryMail}, Discs: []handoff.Disc{good}},
		{Status: handoff.StatusDelivered, RequestInput: handoff.RequestInput{Delivery: handoff.DeliveryPickup}, Discs: []handoff.Disc{good}},
		{Status: handoff.StatusReceived},
		{Status: handoff.StatusReceived, Intake: &handoff.Intake{Sender: "X"}},
		{Status: handoff.StatusReceived, Intake: &handoff.Intake{Sender: "X"}, PatientTold: time.Date(2025, 3, 10, 14, 30, 0, 0, time.UTC)},
		{Status: handoff.StatusCancelled},
	} {
		if r.ToTell() != (r.CanTell() == nil) {
			t.Errorf("%s (outside %v, told %v): ToTell %v, CanTell %v", r.Status, r.Intake != nil, !r.PatientTold.IsZero(), r.ToTell(), r.CanTell())
		}
	}
}
