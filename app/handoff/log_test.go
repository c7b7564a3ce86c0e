package handoff

import (
	"bytes"
	"encoding/csv"
	"errors"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func TestPickupWorkflow(t *testing.T) {
	s, clk := newTestStore(t)
	r := mustRequest(t, s, pickupInput())
	if r.Status != StatusOpen || r.Fee.Total != 650 {
		t.Fatalf("new request %+v", r)
	}
	clk.Add(time.Hour)
	bad := burn(1, 1)
	bad.Verified, bad.VerifyDetail = false, "DICOM/IM000003: checksum"
	if _, err := s.RecordBurn(r.ID, bad, desk); err != nil {
		t.Fatal(err)
	}
	if _, err := s.HandOver(bad.DiscUUID, false, Handover{To: "Jane Doe", IdentityCheck: "driver licence"}, desk); !errors.Is(err, ErrWrongState) {
		t.Fatalf("handover of a failed disc: %v", err)
	}
	if _, err := s.RecordBurn(r.ID, bad, desk); !errors.Is(err, ErrDiscExists) {
		t.Fatalf("same disc twice: %v", err)
	}
	good := burn(1, 1)
	if _, err := s.RecordBurn(r.ID, good, desk); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Request(r.ID)
	if got.Status != StatusBurned || !got.ToTell() {
		t.Fatalf("after burn: %s, to tell %v", got.Status, got.ToTell())
	}
	tell, _ := s.ToTell()
	if len(tell) != 1 || tell[0].ID != r.ID {
		t.Fatalf("ready for pickup not in tell list: %v", tell)
	}
	if _, err := s.HandOver(good.DiscUUID, false, Handover{To: "Jane Doe"}, desk); !errors.Is(err, ErrMissing) {
		t.Fatalf("pickup without identity check: %v", err)
	}
	ev, err := s.HandOver(good.DiscUUID, false, Handover{To: "Jane Doe", IdentityCheck: "driver licence"}, desk)
	if err != nil {
		t.Fatal(err)
	}
	if ev.Kind != EventHandedOver || ev.Request != r.ID || ev.Staff != "m.rivera" || ev.Workstation != "FRONT-1" || !ev.Time.Equal(t0.Add(time.Hour)) {
		t.Fatalf("handover event %+v", ev)
	}
	if _, err := s.HandOver(good.DiscUUID, false, Handover{To: "Jane Doe", IdentityCheck: "x"}, desk); !errors.Is(err, ErrWrongState) {
		t.Fatalf("second handover: %v", err)
	}
	got, _ = s.Request(r.ID)
	if got.Status != StatusDelivered || got.Open() || got.ToTell() {
		t.Fatalf("after handover: %+v", got)
	}
	open, _ := s.OpenRequests(t0, false)
	if len(open) != 0 {
		t.Fatalf("delivered request still open: %v", open)
	}
	evs, _ := s.Events(r.ID, "")
	kinds := []EventKind{}
	for _, e := range evs {
		kinds = append(kinds, e.Kind)
	}
	if want := []EventKind{EventRequested, EventBurned, EventBurned, EventHandedOver}; !equalKinds(kinds, want) {
		t.Fatalf("events %v, want %v", kinds, want)
	}
	discEvs, _ := s.Events("", good.DiscUUID)
	if len(discEvs) != 2 || discEvs[0].Burn.ManifestHash != good.ManifestHash {
		t.Fatalf("disc events %+v", discEvs)
	}
	rep := mustVerify(t, s)
	if rep.Events != 4 || rep.Requests != 1 || len(rep.Head) != 64 {
		t.Fatalf("verify report %+v", rep)
	}
}

func equalKinds(a, b []EventKind) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestMailWorkflowTellPatientCancelCorrect(t *testing.T) {
	s, clk := newTestStore(t)
	r := mustRequest(t, s, mailInput())
	fee, err := s.QuoteFee(r.ID, FeeActual, Costs{LabourMinutes: 5}, desk)
	if err != nil || fee.Total != 5*40+75+85+170 {
		t.Fatalf("quote %+v %v", fee, err)
	}
	d := burn(1, 1)
	if _, err := s.RecordBurn(r.ID, d, desk); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Request(r.ID); got.ToTell() {
		t.Fatal("mailed request should not be in the tell list before receipt")
	}
	if _, err := s.HandOver(d.DiscUUID, true, Handover{To: "Lakeside Oncology"}, desk); !errors.Is(err, ErrMissing) {
		t.Fatalf("mail without carrier: %v", err)
	}
	if _, err := s.ConfirmReceipt(d.DiscUUID, "front desk, Lakeside", desk); !errors.Is(err, ErrWrongState) {
		t.Fatalf("receipt before mailing: %v", err)
	}
	if _, err := s.HandOver(d.DiscUUID, true, Handover{To: "Lakeside Oncology", Carrier: "UPS", Tracking: "1Z999AA10123456784"}, desk); err != nil {
		t.Fatal(err)
	}
	clk.Add(26 * time.Hour)
	if _, err := s.ConfirmReceipt(d.DiscUUID, "K. Olsen, Lakeside front desk", desk); err != nil {
		t.Fatal(err)
	}
	tell, _ := s.ToTell()
	if len(tell) != 1 || tell[0].Status != StatusReceived {
		t.Fatalf("arrived request not in tell list: %+v", tell)
	}
	if _, err := s.TellPatient(r.ID, "phone", desk); err != nil {
		t.Fatal(err)
	}
	if tell, _ := s.ToTell(); len(tell) != 0 {
		t.Fatalf("told patient still listed: %v", tell)
	}
	got, _ := s.Request(r.ID)
	if got.Fee.Total != fee.Total || got.Discs[0].Tracking != "1Z999AA10123456784" {
		t.Fatalf("request state %+v", got)
	}

	r2 := mustRequest(t, s, pickupInput())
	if _, err := s.Cancel(r2.ID, "", desk); !errors.Is(err, ErrMissing) {
		t.Fatalf("cancel without reason: %v", err)
	}
	cev, err := s.Cancel(r2.ID, "patient withdrew the request", desk)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.RecordBurn(r2.ID, burn(1, 1), desk); !errors.Is(err, ErrClosed) {
		t.Fatalf("burn after cancel: %v", err)
	}
	if _, err := s.Correct(cev.ID, "reason was: patient obtained copy elsewhere", desk); err != nil {
		t.Fatalf("correction after cancel: %v", err)
	}
	if _, err := s.Correct("0190c0de-0000-7000-8000-000000000000", "x", desk); !errors.Is(err, ErrNotFound) {
		t.Fatalf("correction of unknown event: %v", err)
	}
	if _, err := s.RecordBurn("0190c0de-0000-7000-8000-000000000000", burn(1, 1), desk); !errors.Is(err, ErrNotFound) {
		t.Fatalf("burn for unknown request: %v", err)
	}
	mustVerify(t, s)

	hist, _ := s.PatientHistory(pickupInput().Patient.Key())
	if len(hist) != 2 || hist[0].ID != r.ID || hist[1].Status != StatusCancelled {
		t.Fatalf("patient history %+v", hist)
	}
	found, _ := s.Search("lakeside 1z999")
	if len(found) != 1 || found[0].ID != r.ID {
		t.Fatalf("search: %+v", found)
	}
	if found, _ := s.Search("nobody"); len(found) != 0 {
		t.Fatalf("search nobody: %v", found)
	}

	var buf bytes.Buffer
	if err := s.ExportCSV(&buf); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	n, _ := s.Count()
	if len(rows) != n+1 || strings.Join(rows[0], ",") != strings.Join(CSVHeader, ",") {
		t.Fatalf("csv has %d rows for %d events; header %v", len(rows), n, rows[0])
	}
	var mailed []string
	for _, row := range rows {
		if row[2] == string(EventMailed) {
			mailed = row
		}
	}
	if mailed == nil || mailed[7] != "Doe, Jane" || !strings.Contains(mailed[9], "UPS tracking 1Z999AA10123456784") || len(mailed[10]) != 64 {
		t.Fatalf("mailed row %q", mailed)
	}
}

func TestOpenRequestsOverdueFirst(t *testing.T) {
	s, clk := newTestStore(t)
	routine := mustRequest(t, s, pickupInput()) // due t0+30d
	clk.Add(time.Hour)
	in := pickupInput()
	in.Urgency = UrgencySameDay
	sameDay := mustRequest(t, s, in) // due end of t0's day
	in.Urgency = UrgencyExpedited
	exp := mustRequest(t, s, in) // due t0+1h+48h
	now := t0.Add(60 * time.Hour)
	open, err := s.OpenRequests(now, false)
	if err != nil {
		t.Fatal(err)
	}
	ids := []string{}
	for _, r := range open {
		ids = append(ids, r.ID)
	}
	if want := []string{sameDay.ID, exp.ID, routine.ID}; strings.Join(ids, " ") != strings.Join(want, " ") {
		t.Fatalf("open order %v, want %v", ids, want)
	}
	over, _ := s.OpenRequests(now, true)
	if len(over) != 2 || !over[0].Overdue(now) || !over[1].Overdue(now) {
		t.Fatalf("overdue %+v", over)
	}
}

// tamper runs fn on the raw handoff buckets, as someone editing the file would.
func tamper(t *testing.T, s *Store, fn func(b *buckets) error) {
	t.Helper()
	if err := s.db.Update(func(tx *bolt.Tx) error {
		b, err := open(tx)
		if err != nil {
			return err
		}
		return fn(b)
	}); err != nil {
		t.Fatal(err)
	}
}

func nthKey(b *buckets, n int) []byte {
	c := b.events.Cursor()
	k, _ := c.First()
	for i := 0; i < n; i++ {
		k, _ = c.Next()
	}
	return append([]byte(nil), k...)
}

func TestVerifyDetectsTampering(t *testing.T) {
	cases := []struct {
		name string
		fn   func(b *buckets) error
		want error
	}{
		{"edit body", func(b *buckets) error {
			k := nthKey(b, 2)
			rec := append([]byte(nil), b.events.Get(k)...)
			i := bytes.Index(rec, []byte("m.rivera"))
			rec[i] = 'x'
			return b.events.Put(k, rec)
		}, ErrChainBroken},
		{"edit body and its own hash", func(b *buckets) error {
			k := nthKey(b, 1)
			prev, _, body, _ := splitRecord(b.events.Get(k))
			body = bytes.Replace(body, []byte(`"verified":true`), []byte(`"verified":false`), 1)
			h := chainHash(prev, k, body)
			rec := append(append(append([]byte{recordVersion}, prev...), h[:]...), body...)
			return b.events.Put(k, rec)
		}, ErrChainBroken},
		{"delete middle", func(b *buckets) error { return b.events.Delete(nthKey(b, 1)) }, ErrChainBroken},
		{"delete last", func(b *buckets) error { return b.events.Delete(nthKey(b, 3)) }, ErrChainBroken},
		{"edit request view", func(b *buckets) error {
			return b.requests.ForEach(func(k, v []byte) error {
				return b.requests.Put(k, bytes.Replace(v, []byte("Doe, Jane"), []byte("Roe, Jane"), 1))
			})
		}, ErrViewMismatch},
		{"drop due index", func(b *buckets) error {
			k, _ := b.due.Cursor().First()
			return b.due.Delete(append([]byte(nil), k...))
		}, ErrViewMismatch},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := newTestStore(t)
			r := mustRequest(t, s, pickupInput())
			d := burn(1, 1)
			if _, err := s.RecordBurn(r.ID, d, desk); err != nil {
				t.Fatal(err)
			}
			mustRequest(t, s, mailInput())
			if _, err := s.TellPatient(r.ID, "phone: disc ready", desk); err != nil {
				t.Fatal(err)
			}
			mustVerify(t, s)
			tamper(t, s, tc.fn)
			if _, err := s.Verify(); !errors.Is(err, tc.want) {
				t.Fatalf("Verify after %s: %v, want %v", tc.name, err, tc.want)
			}
		})
	}
}

func TestNextKeyIsMonotonicWhenClockStepsBack(t *testing.T) {
	last := []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x70, 0, 0x80, 0, 0, 0, 0, 0, 0, 0xff}
	k, err := nextKey(last)
	if err != nil || bytes.Compare(k, last) <= 0 || k[8] != 0x80 || k[15] != 0 || k[14] != 1 {
		t.Fatalf("nextKey = %x, %v", k, err)
	}
}
