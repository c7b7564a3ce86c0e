package handoff

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
)

// A $6.50 fee paid in part, the rest waived: every refusal names its
// field or rule, the request keeps each payment with its time and staff,
// the CSV says what happened, and Verify replays it.
func TestRecordPaymentRulesAndBalance(t *testing.T) {
	s, clk := newTestStore(t)
	r := mustRequest(t, s, pickupInput())
	if r.Fee.Total != 650 || r.Balance() != 650 || r.Paid() != 0 || r.Waiver() != nil {
		t.Fatalf("new request: fee %s balance %s", r.Fee.Total, r.Balance())
	}
	for _, c := range []struct {
		p     Payment
		field string
		want  error
	}{
		{Payment{Method: PayCash}, "amount", ErrInvalidValue},
		{Payment{Cents: -100, Method: PayCash}, "amount", ErrInvalidValue},
		{Payment{Cents: 650}, "method", ErrMissing},
		{Payment{Cents: 650, Method: "bitcoin"}, "method", ErrInvalidValue},
		{Payment{Cents: 650, Method: PayCash, Reason: "why"}, "reason", ErrInvalidValue},
		{Payment{Cents: 650, Method: PayCard, Reference: "4111 1111 1111 1111"}, "reference", ErrInvalidValue},
		{Payment{Waived: true}, "reason", ErrMissing},
		{Payment{Waived: true, Reason: "  "}, "reason", ErrMissing},
		{Payment{Waived: true, Reason: "hardship", Cents: 650}, "amount", ErrInvalidValue},
		{Payment{Waived: true, Reason: "hardship", Method: PayCash}, "method", ErrInvalidValue},
		{Payment{Cents: 650, Method: PayCash, Staff: "x"}, "payment", ErrInvalidValue},
	} {
		_, err := s.RecordPayment(r.ID, c.p, desk)
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Field != c.field || !errors.Is(err, c.want) {
			t.Errorf("%+v: %v, want %s %v", c.p, err, c.field, c.want)
		}
	}
	if _, err := s.RecordPayment(r.ID, Payment{Cents: 651, Method: PayCash}, desk); !errors.Is(err, ErrOverpaid) || !errors.Is(err, ErrWrongState) ||
		!strings.Contains(err.Error(), "$6.51 with $6.50 due: more than the balance due") {
		t.Errorf("more than the fee: %v", err)
	}
	if _, err := s.RecordPayment(r.ID, Payment{Cents: 300, Method: PayCash}, Actor{Staff: "", Workstation: "FRONT-1"}); err == nil {
		t.Error("a payment without staff")
	}
	if n, _ := s.Count(); n != 1 {
		t.Fatalf("%d events after refusals", n)
	}

	clk.Add(time.Hour)
	ev, err := s.RecordPayment(r.ID, Payment{Cents: 300, Method: " Money  Order ", Reference: " MO 55 "}, desk)
	if err != nil {
		t.Fatal(err)
	}
	if ev.Kind != EventPaid || ev.Payment.Method != PayMoneyOrder || ev.Payment.Reference != "MO 55" || ev.Text != "paid $3.00 money order (ref MO 55)" {
		t.Errorf("event %+v %+v", ev, ev.Payment)
	}
	got, _ := s.Request(r.ID)
	if got.Paid() != 300 || got.Balance() != 350 || len(got.Payments) != 1 || !got.Payments[0].Time.Equal(t0.Add(time.Hour)) || got.Payments[0].Staff != desk.Staff {
		t.Fatalf("after $3.00: paid %s balance %s %+v", got.Paid(), got.Balance(), got.Payments)
	}
	if _, err := s.RecordPayment(r.ID, Payment{Cents: 351, Method: PayCard}, desk); !errors.Is(err, ErrOverpaid) {
		t.Errorf("$3.51 of $3.50 due: %v", err)
	}
	// A refund needs money owed back: the fee is not lowered, nor the
	// request cancelled.
	if _, err := s.RecordRefund(r.ID, Payment{Cents: 100, Method: PayCash, Reason: "goodwill"}, desk); !errors.Is(err, ErrNothingToRefund) {
		t.Errorf("refund of an open request paid below its fee: %v", err)
	}
	clk.Add(time.Hour)
	if _, err := s.RecordPayment(r.ID, Payment{Waived: true, Reason: "financial hardship"}, Actor{Staff: "s.lee", Workstation: "FRONT-2"}); err != nil {
		t.Fatal(err)
	}
	got, _ = s.Request(r.ID)
	if w := got.Waiver(); got.Balance() != 0 || got.Paid() != 300 || w == nil || w.Staff != "s.lee" || w.Reason != "financial hardship" {
		t.Fatalf("after the waiver: balance %s %+v", got.Balance(), got.Payments)
	}
	for _, p := range []Payment{{Cents: 100, Method: PayCash}, {Waived: true, Reason: "again"}} {
		if _, err := s.RecordPayment(r.ID, p, desk); !errors.Is(err, ErrFeeWaived) || !strings.Contains(err.Error(), "by s.lee (financial hardship)") {
			t.Errorf("%+v after a waiver: %v", p, err)
		}
	}
	mustVerify(t, s)

	var buf bytes.Buffer
	if err := s.ExportCSV(&buf); err != nil {
		t.Fatal(err)
	}
	rows, _ := csv.NewReader(&buf).ReadAll()
	var details []string
	for _, row := range rows[1:] {
		if row[2] == string(EventPaid) {
			details = append(details, row[9])
		}
	}
	if want := []string{"paid $3.00 money order (ref MO 55)", "waived: financial hardship"}; !reflect.DeepEqual(details, want) {
		t.Errorf("CSV details %q, want %q", details, want)
	}

	// The request replayed from its events through Apply is the stored one.
	checkReplay(t, s, r.ID)
}

// checkReplay replays the request's events through Apply and compares the
// result with the stored request.
func checkReplay(t *testing.T, s *Store, id string) {
	t.Helper()
	evs, err := s.Events(id, "")
	if err != nil {
		t.Fatal(err)
	}
	var st *Request
	for i := range evs {
		if st, err = Apply(st, &evs[i]); err != nil {
			t.Fatal(err)
		}
	}
	want, err := s.Request(id)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(*st, want) {
		t.Errorf("replayed %s", cmp.Diff(want, *st))
	}
}

// Paid in full, nothing is left to pay or waive; a cancelled request and
// an outside disc's record take no payment.
func TestRecordPaymentRefusedWhenNothingIsDue(t *testing.T) {
	s, _ := newTestStore(t)
	r := mustRequest(t, s, pickupInput())
	if _, err := s.RecordPayment(r.ID, Payment{Cents: 650, Method: PayCard, Reference: "slip 0042"}, desk); err != nil {
		t.Fatal(err)
	}
	for _, p := range []Payment{{Cents: 1, Method: PayCash}, {Waived: true, Reason: "goodwill"}} {
		if _, err := s.RecordPayment(r.ID, p, desk); !errors.Is(err, ErrNothingDue) {
			t.Errorf("%+v when paid: %v", p, err)
		}
	}
	c := mustRequest(t, s, pickupInput())
	if _, err := s.Cancel(c.ID, "duplicate", desk); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RecordPayment(c.ID, Payment{Cents: 650, Method: PayCash}, desk); !errors.Is(err, ErrClosed) {
		t.Errorf("payment of a cancelled request: %v", err)
	}
	out, err := s.RecordOutsideDisc(Patient{Name: "Doe, Jane"}, Intake{Sender: "St Elsewhere", Studies: []string{studyA}, Instances: 3, Receipt: "Imported 3 of 3 images."}, desk)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.RecordPayment(out.ID, Payment{Waived: true, Reason: "no fee"}, desk); !errors.Is(err, ErrWrongState) || !strings.Contains(err.Error(), "outside disc") {
		t.Errorf("payment on an outside disc's record: %v", err)
	}
	if _, err := s.RecordPayment(uuid.NewString(), Payment{Cents: 650, Method: PayCash}, desk); !errors.Is(err, ErrNotFound) {
		t.Errorf("payment of no request: %v", err)
	}
	mustVerify(t, s)
}

// The rule is Apply's, not only RecordPayment's: an event appended as
// another backend builds it is held to it too.
func TestApplyHoldsAppendedPaymentsToTheRule(t *testing.T) {
	s, _ := newTestStore(t)
	r := mustRequest(t, s, pickupInput())
	base := Event{Kind: EventPaid, Request: r.ID, Time: t0, Staff: desk.Staff, Workstation: desk.Workstation}
	for _, c := range []struct {
		p    *Payment
		want error
	}{
		{nil, ErrWrongState},
		{&Payment{Waived: true, Reason: "x", Cents: 5}, ErrInvalidValue},
		{&Payment{Waived: true}, ErrMissing},
		{&Payment{Cents: 0, Method: PayCash}, ErrInvalidValue},
		{&Payment{Cents: 700, Method: PayCash}, ErrOverpaid},
		{&Payment{Cents: 100, Method: PayCash, Time: t0}, ErrInvalidValue},
	} {
		ev := base
		ev.Payment = c.p
		if _, _, err := s.Append(ev); !errors.Is(err, c.want) {
			t.Errorf("%+v: %v, want %v", c.p, err, c.want)
		}
	}
	ev := base
	ev.Payment = &Payment{Cents: 650, Method: PayCheck, Reference: "1001"}
	if _, after, err := s.Append(ev); err != nil || after.Balance() != 0 {
		t.Fatalf("append: %v balance %s", err, after.Balance())
	}
	mustVerify(t, s)
}

// paymentRecords are stored records of a payment and a waiver.
func paymentRecords(t testing.TB) [][2][]byte {
	s, _ := newTestStore(t)
	r := mustRequest(t, s, pickupInput())
	if _, err := s.RecordPayment(r.ID, Payment{Cents: 150, Method: PayCheck, Reference: "chk <1001> & \"co\""}, desk); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RecordPayment(r.ID, Payment{Waived: true, Reason: "Zoë's hardship\u2028form"}, desk); err != nil {
		t.Fatal(err)
	}
	var out [][2][]byte
	s.ForEachEvent(func(ev Event) error {
		if ev.Kind != EventPaid {
			return nil
		}
		u := uuid.MustParse(ev.ID)
		rec, _, err := encodeRecord(make([]byte, hashLen), u[:], &ev)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, [2][]byte{u[:], rec})
		return nil
	})
	if len(out) != 2 {
		t.Fatalf("%d payment records", len(out))
	}
	return out
}

// A payment event's record decodes by the fast reader (no fallback) to
// what json.Unmarshal gets and re-encodes to the same bytes; the request
// view with payments is json.Marshal's bytes.
func TestPaymentRecordRoundTrip(t *testing.T) {
	for _, kr := range paymentRecords(t) {
		ev, err := DecodeRecord(kr[0], kr[1])
		if err != nil {
			t.Fatal(err)
		}
		if again, _, _ := encodeRecord(make([]byte, hashLen), kr[0], &ev); !bytes.Equal(again, kr[1]) {
			t.Fatalf("%s: re-encoded record differs", ev.Text)
		}
		_, _, body, _ := splitRecord(kr[1])
		var fast, slow Event
		if !readEventJSON(body, &fast) {
			t.Fatalf("fast reader refused %s", body)
		}
		if err := json.Unmarshal(body, &slow); err != nil || !reflect.DeepEqual(fast, slow) {
			t.Fatalf("%s: %v %s", body, err, cmp.Diff(slow, fast))
		}
	}
	r := Request{ID: "r", Payments: []Payment{{Cents: 150, Method: PayCheck, Reference: "<1>", Time: t0, Staff: "a"}, {Waived: true, Reason: "b", Time: t0}, {}}}
	want, _ := json.Marshal(&r)
	got, err := marshalRequest(nil, &r)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("view\n%s\nwant\n%s", got, want)
	}
}

// FuzzPaymentEventJSON: decodeEventJSON agrees with json.Unmarshal on
// payment events and their near misses.
func FuzzPaymentEventJSON(f *testing.F) {
	for _, kr := range paymentRecords(f) {
		_, _, body, _ := splitRecord(kr[1])
		f.Add(append([]byte(nil), body...))
	}
	for _, s := range []string{
		`{"kind":"fee-paid","payment":null}`,
		`{"kind":"fee-paid","payment":{}}`,
		`{"payment":{"cents":650,"cents":1}}`,
		`{"payment":{"cents":6.5}}`,
		`{"payment":{"waived":1}}`,
		`{"payment":{"waived":true,"reason":"x","time":"2026-11-02T15:00:00Z","staff":"s"}}`,
		`{"payment":{"Method":"cash"}}`,
		`{"payment":{"method":"\u0063ash"}}`,
		`{"payment":[]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var got, want Event
		gerr := decodeEventJSON(data, &got)
		werr := json.Unmarshal(data, &want)
		if (gerr == nil) != (werr == nil) {
			t.Fatalf("decodeEventJSON error %v, json.Unmarshal %v", gerr, werr)
		}
		if gerr == nil && !reflect.DeepEqual(got, want) {
			t.Fatalf("%q\n%s", data, cmp.Diff(want, got))
		}
	})
}

func TestPaymentString(t *testing.T) {
	for p, want := range map[Payment]string{
		{Cents: 650, Method: PayCash}:                    "paid $6.50 cash",
		{Cents: 1005, Method: PayCheck, Reference: "12"}: "paid $10.05 check (ref 12)",
		{Waived: true, Reason: "financial hardship"}:     "waived: financial hardship",
	} {
		if got := p.String(); got != want {
			t.Errorf("%q, want %q", got, want)
		}
	}
	for s, want := range map[string]bool{"4111111111111111": true, "4111-1111-1111-1111": true, "slip 0042": false, "123456789012": false, "MO 1234567 890123": true} {
		if cardNumber(s) != want {
			t.Errorf("cardNumber(%q) = %v", s, !want)
		}
	}
}

// The flat fee is named for what it is: any medium, not "an electronic copy".
func TestFlatFeeLineNamesTheRule(t *testing.T) {
	f, err := DefaultFeePolicy().Quote(FeeFlat, FormatCD, DeliveryPickup, Costs{})
	if err != nil {
		t.Fatal(err)
	}
	if got := f.Items[0].Desc; got != "Flat fee (HIPAA flat-fee option), any medium" {
		t.Errorf("flat fee line %q", got)
	}
}

func TestParseDollars(t *testing.T) {
	for s, want := range map[string]Cents{"6.50": 650, "$6.5": 650, " 6 ": 600, "1,200.00": 120000, ".25": 25, "0.01": 1} {
		if got, err := ParseDollars(s); err != nil || got != want {
			t.Errorf("%q: %v %v, want %v", s, got, err, want)
		}
	}
	for _, s := range []string{"", "$", "6.", "6.505", "-1", "1e3", "6,50.0.0", "9999999999"} {
		if got, err := ParseDollars(s); err == nil {
			t.Errorf("%q read as %v", s, got)
		}
	}
}

// A refund is its own event: on a cancelled request up to what was paid,
// on one whose fee was quoted again lower up to the difference; never
// more, never without a reason or how the money went back. The request's
// balance and paid amount show it, the log and the CSV name it, and
// Verify replays it.
func TestRecordRefundRules(t *testing.T) {
	s, clk := newTestStore(t)
	r := mustRequest(t, s, pickupInput())
	if _, err := s.RecordRefund(r.ID, Payment{Cents: 100, Method: PayCash, Reason: "x"}, desk); !errors.Is(err, ErrNothingToRefund) || !strings.Contains(err.Error(), "nothing was paid") {
		t.Errorf("refund of nothing paid: %v", err)
	}
	if _, err := s.RecordPayment(r.ID, Payment{Cents: 650, Method: PayCard, Reference: "slip 7"}, desk); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RecordRefund(r.ID, Payment{Cents: 650, Method: PayCash, Reason: "changed mind"}, desk); !errors.Is(err, ErrNothingToRefund) || !strings.Contains(err.Error(), "only a cancelled request") {
		t.Errorf("refund of an open request paid in full: %v", err)
	}
	clk.Add(time.Hour)
	if _, err := s.Cancel(r.ID, "patient withdrew the request", desk); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		p    Payment
		want error
	}{
		{Payment{Cents: 650, Method: PayCash}, ErrMissing},                             // no reason
		{Payment{Cents: 650, Reason: "withdrawn"}, ErrMissing},                         // no method
		{Payment{Cents: 0, Method: PayCash, Reason: "withdrawn"}, ErrInvalidValue},     // no amount
		{Payment{Cents: 651, Method: PayCash, Reason: "withdrawn"}, ErrOverRefund},     // more than paid
		{Payment{Waived: true, Method: PayCash, Reason: "withdrawn"}, ErrInvalidValue}, // a waiver
	} {
		if _, err := s.RecordRefund(r.ID, c.p, desk); !errors.Is(err, c.want) {
			t.Errorf("refund %+v: %v, want %v", c.p, err, c.want)
		}
	}
	clk.Add(time.Hour)
	ev, err := s.RecordRefund(r.ID, Payment{Cents: 400, Method: PayCard, Reference: "slip 9", Reason: " patient  withdrew "}, desk)
	if err != nil {
		t.Fatal(err)
	}
	if ev.Kind != EventRefunded || ev.Text != "refunded $4.00 card (ref slip 9): patient withdrew" || ev.Detail() != ev.Text {
		t.Errorf("refund event %s %q %q", ev.Kind, ev.Text, ev.Detail())
	}
	got, _ := s.Request(r.ID)
	if got.Paid() != 250 || got.Refunded() != 400 || got.Refundable() != 250 || got.Status != StatusCancelled || got.Balance() != 0 {
		t.Errorf("after $4.00 back: paid %s refunded %s refundable %s %s", got.Paid(), got.Refunded(), got.Refundable(), got.Status)
	}
	if _, err := s.RecordRefund(r.ID, Payment{Cents: 251, Method: PayCash, Reason: "rest"}, desk); !errors.Is(err, ErrOverRefund) {
		t.Errorf("refund beyond the rest: %v", err)
	}
	if _, err := s.RecordRefund(r.ID, Payment{Cents: 250, Method: PayCash, Reason: "rest"}, desk); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RecordRefund(r.ID, Payment{Cents: 1, Method: PayCash, Reason: "again"}, desk); !errors.Is(err, ErrNothingToRefund) {
		t.Errorf("refund after all was given back: %v", err)
	}
	if _, err := s.RecordPayment(r.ID, Payment{Cents: 1, Method: PayCash}, desk); !errors.Is(err, ErrClosed) {
		t.Errorf("a payment on the cancelled request: %v", err)
	}

	// A fee quoted again below what was paid stands; the difference is
	// owed back, and nothing is due.
	q := mustRequest(t, s, pickupInput())
	if _, err := s.RecordPayment(q.ID, Payment{Cents: 650, Method: PayCash}, desk); err != nil {
		t.Fatal(err)
	}
	if _, err := s.QuoteFee(q.ID, FeeActual, Costs{}, desk); err != nil {
		t.Fatalf("quote of $0.75 after $6.50 paid: %v", err)
	}
	got, _ = s.Request(q.ID)
	if got.Fee.Total != 75 || got.Balance() != 0 || got.Refundable() != 575 {
		t.Fatalf("lowered fee: total %s balance %s refundable %s", got.Fee.Total, got.Balance(), got.Refundable())
	}
	if _, err := s.RecordPayment(q.ID, Payment{Cents: 1, Method: PayCash}, desk); !errors.Is(err, ErrNothingDue) {
		t.Errorf("payment with money owed back: %v", err)
	}
	if _, err := s.RecordRefund(q.ID, Payment{Cents: 576, Method: PayCash, Reason: "fee lowered"}, desk); !errors.Is(err, ErrOverRefund) {
		t.Errorf("refund beyond the difference: %v", err)
	}
	if _, err := s.RecordRefund(q.ID, Payment{Cents: 575, Method: PayCash, Reason: "fee lowered"}, desk); err != nil {
		t.Fatal(err)
	}
	got, _ = s.Request(q.ID)
	if got.Paid() != 75 || got.Balance() != 0 || got.Refundable() != 0 {
		t.Errorf("after the difference: paid %s balance %s refundable %s", got.Paid(), got.Balance(), got.Refundable())
	}
	out, err := s.RecordOutsideDisc(Patient{Name: "Doe, Jane"}, Intake{Sender: "St Elsewhere", Studies: []string{studyA}, Instances: 3, Receipt: "Imported."}, desk)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.RecordRefund(out.ID, Payment{Cents: 1, Method: PayCash, Reason: "x"}, desk); !errors.Is(err, ErrWrongState) || !strings.Contains(err.Error(), "outside disc") {
		t.Errorf("refund on an outside disc's record: %v", err)
	}
	mustVerify(t, s)

	checkReplay(t, s, r.ID)
	checkReplay(t, s, q.ID)
}

// A refund appended as another backend builds it (Append) is held to
// Apply's rule: a refund in a "fee-paid" event, or beyond what was paid,
// is refused.
func TestRefundRuleIsApplys(t *testing.T) {
	s, _ := newTestStore(t)
	r := mustRequest(t, s, pickupInput())
	if _, err := s.RecordPayment(r.ID, Payment{Cents: 650, Method: PayCash}, desk); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Cancel(r.ID, "duplicate", desk); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		kind EventKind
		p    *Payment
		want error
	}{
		{EventPaid, &Payment{Refund: true, Cents: 650, Method: PayCash, Reason: "x"}, ErrClosed},
		{EventRefunded, &Payment{Cents: 650, Method: PayCash, Reason: "x"}, ErrWrongState},
		{EventRefunded, nil, ErrWrongState},
		{EventRefunded, &Payment{Refund: true, Cents: 700, Method: PayCash, Reason: "x"}, ErrOverRefund},
		{EventRefunded, &Payment{Refund: true, Cents: 650, Method: PayCash}, ErrMissing},
	} {
		_, _, err := s.Append(Event{Time: t0, Kind: c.kind, Request: r.ID, Staff: desk.Staff, Workstation: desk.Workstation, Payment: c.p})
		if !errors.Is(err, c.want) {
			t.Errorf("%s %+v: %v, want %v", c.kind, c.p, err, c.want)
		}
	}
	if _, _, err := s.Append(Event{Time: t0, Kind: EventRefunded, Request: r.ID, Staff: desk.Staff, Workstation: desk.Workstation,
		Payment: &Payment{Refund: true, Cents: 650, Method: PayCash, Reason: "duplicate request"}}); err != nil {
		t.Fatal(err)
	}
	mustVerify(t, s)
}
