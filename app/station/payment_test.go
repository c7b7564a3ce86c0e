package station_test

import (
	"errors"
	"strings"
	"testing"

	"discdesk/app/handoff"
	"discdesk/app/staff"
	"discdesk/app/station"
	"discdesk/app/station/stationtest"
)

const ws = "desk-1"

var (
	clerk      = staff.Member{ID: "c", Name: "Ann", Role: staff.FrontDesk, Active: true}
	supervisor = staff.Member{ID: "s", Name: "Sam", Role: staff.Supervisor, Active: true}
)

// The station records a payment and a waiver through the log; its
// refusals are the lifecycle's (IsRefusal), and Verify replays them. Any
// member records a payment; only a supervisor waives.
func TestRecordPaymentThroughTheStation(t *testing.T) {
	st, study := newStation(t)
	r, err := st.Record(stationtest.Pickup(study), handoff.Actor{Staff: clerk.Name, Workstation: ws})
	if err != nil {
		t.Fatal(err)
	}
	due := r.Balance()
	if due <= 0 {
		t.Fatalf("balance %s of a new request", due)
	}
	if _, err := st.RecordPayment(r.ID, handoff.Payment{Cents: due + 1, Method: handoff.PayCash}, clerk, ws); !errors.Is(err, handoff.ErrOverpaid) || !station.IsRefusal(err) {
		t.Errorf("more than due: %v", err)
	}
	if _, err := st.RecordPayment(r.ID, handoff.Payment{Waived: true}, supervisor, ws); !station.IsRefusal(err) {
		t.Errorf("a waiver without a reason: %v", err)
	}
	ev, err := st.RecordPayment(r.ID, handoff.Payment{Cents: 100, Method: handoff.PayCash}, clerk, ws)
	if err != nil || ev.Detail() != "paid $1.00 cash" || ev.Staff != "Ann" || ev.Workstation != ws {
		t.Fatalf("payment: %q %v", ev.Detail(), err)
	}
	for _, m := range []staff.Member{clerk, {Name: "Tom", Role: staff.Technologist}} {
		_, err := st.RecordPayment(r.ID, handoff.Payment{Waived: true, Reason: "financial hardship"}, m, ws)
		if !errors.Is(err, staff.ErrNotAllowed) || !station.IsRefusal(err) || !strings.Contains(err.Error(), m.Role.Label()+" may not waive or refund a fee (a supervisor may)") {
			t.Errorf("%s waives: %v", m.Role, err)
		}
	}
	if _, err := st.RecordPayment(r.ID, handoff.Payment{Waived: true, Reason: "financial hardship"}, supervisor, ws); err != nil {
		t.Fatal(err)
	}
	got, err := st.Log.Request(r.ID)
	if err != nil || got.Balance() != 0 || got.Paid() != 100 || len(got.Payments) != 2 || got.Payments[1].Staff != "Sam" {
		t.Fatalf("after a payment and a waiver: %+v %v", got.Payments, err)
	}
	if _, err := st.RecordPayment(r.ID, handoff.Payment{Cents: 1, Method: handoff.PayCard}, clerk, ws); !errors.Is(err, handoff.ErrFeeWaived) || !station.IsRefusal(err) {
		t.Errorf("after a waiver: %v", err)
	}
	if _, err := st.Log.Verify(); err != nil {
		t.Fatal(err)
	}
}

// A cancelled request that was paid is refunded through the station, by a
// supervisor only, never beyond what was paid; Verify replays it.
func TestRefundACancelledRequest(t *testing.T) {
	st, study := newStation(t)
	by := handoff.Actor{Staff: clerk.Name, Workstation: ws}
	r, err := st.Record(stationtest.Pickup(study), by)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.RecordPayment(r.ID, handoff.Payment{Cents: r.Balance(), Method: handoff.PayCash}, clerk, ws); err != nil {
		t.Fatal(err)
	}
	back := handoff.Payment{Cents: r.Fee.Total, Method: handoff.PayCash, Reason: "request withdrawn"}
	if _, err := st.RecordRefund(r.ID, back, supervisor, ws); !errors.Is(err, handoff.ErrNothingToRefund) || !station.IsRefusal(err) {
		t.Errorf("refund before the cancellation: %v", err)
	}
	if _, err := st.Cancel(r.ID, "withdrawn", by); err != nil {
		t.Fatal(err)
	}
	if _, err := st.RecordRefund(r.ID, back, clerk, ws); !errors.Is(err, staff.ErrNotAllowed) || !station.IsRefusal(err) {
		t.Errorf("the front desk refunds: %v", err)
	}
	over := back
	over.Cents++
	if _, err := st.RecordRefund(r.ID, over, supervisor, ws); !errors.Is(err, handoff.ErrOverRefund) || !station.IsRefusal(err) {
		t.Errorf("more than paid: %v", err)
	}
	ev, err := st.RecordRefund(r.ID, back, supervisor, ws)
	if err != nil || ev.Kind != handoff.EventRefunded || ev.Staff != "Sam" {
		t.Fatalf("refund: %+v %v", ev, err)
	}
	got, _ := st.Log.Request(r.ID)
	if got.Paid() != 0 || got.Refunded() != r.Fee.Total || got.Refundable() != 0 {
		t.Errorf("after the refund: paid %s refunded %s refundable %s", got.Paid(), got.Refunded(), got.Refundable())
	}
	if _, err := st.Log.Verify(); err != nil {
		t.Fatal(err)
	}
}
