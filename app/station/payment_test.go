package station_test

import (
	"errors"
	"testing"

	"discdesk/app/handoff"
	"discdesk/app/station"
	"discdesk/app/station/stationtest"
)

// The station records a payment and a waiver through the log; its
// refusals are the lifecycle's (IsRefusal), and Verify replays them.
func TestRecordPaymentThroughTheStation(t *testing.T) {
	st, study := newStation(t)
	by := handoff.Actor{Staff: "Ann", Workstation: "desk-1"}
	r, err := st.Record(stationtest.Pickup(study), by)
	if err != nil {
		t.Fatal(err)
	}
	due := r.Balance()
	if due <= 0 {
		t.Fatalf("balance %s of a new request", due)
	}
	if _, err := st.RecordPayment(r.ID, handoff.Payment{Cents: due + 1, Method: handoff.PayCash}, by); !errors.Is(err, handoff.ErrOverpaid) || !station.IsRefusal(err) {
		t.Errorf("more than due: %v", err)
	}
	if _, err := st.RecordPayment(r.ID, handoff.Payment{Waived: true}, by); !station.IsRefusal(err) {
		t.Errorf("a waiver without a reason: %v", err)
	}
	ev, err := st.RecordPayment(r.ID, handoff.Payment{Cents: 100, Method: handoff.PayCash}, by)
	if err != nil || ev.Detail() != "paid $1.00 cash" {
		t.Fatalf("payment: %q %v", ev.Detail(), err)
	}
	if _, err := st.RecordPayment(r.ID, handoff.Payment{Waived: true, Reason: "financial hardship"}, by); err != nil {
		t.Fatal(err)
	}
	got, err := st.Log.Request(r.ID)
	if err != nil || got.Balance() != 0 || got.Paid() != 100 || len(got.Payments) != 2 || got.Payments[1].Staff != "Ann" {
		t.Fatalf("after a payment and a waiver: %+v %v", got.Payments, err)
	}
	if _, err := st.RecordPayment(r.ID, handoff.Payment{Cents: 1, Method: handoff.PayCard}, by); !errors.Is(err, handoff.ErrFeeWaived) || !station.IsRefusal(err) {
		t.Errorf("after a waiver: %v", err)
	}
	if _, err := st.Log.Verify(); err != nil {
		t.Fatal(err)
	}
}
