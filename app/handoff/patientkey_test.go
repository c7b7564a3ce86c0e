package handoff

import (
	"errors"
	"testing"

	bolt "go.etcd.io/bbolt"

	"discdesk/app/store/storetest"
)

// Patient ID is case-sensitive (LO) and means nothing without its
// issuer: "ab123" and "AB123" are two patients, and so is one ID under
// two issuers. Each has a history of their own, and Verify compares the
// index with the log.
func TestPatientHistoryMatchesTheIDExactly(t *testing.T) {
	s, _ := newTestStore(t)
	mk := func(id, issuer string) Request {
		in := pickupInput()
		in.Patient.ID, in.Patient.Issuer = id, issuer
		return mustRequest(t, s, in)
	}
	lower, upper := mk("ab123", ""), mk("AB123", "")
	hosp, clinic := mk("AB123", "HOSP"), mk("AB123", "CLINIC")
	for _, c := range []struct {
		p    Patient
		want string
	}{
		{Patient{ID: "ab123"}, lower.ID},
		{Patient{ID: " AB123 "}, upper.ID},
		{Patient{ID: "AB123", Issuer: "HOSP"}, hosp.ID},
		{Patient{ID: "AB123", Issuer: "CLINIC"}, clinic.ID},
	} {
		got, err := s.PatientHistory(c.p.Key())
		if err != nil || len(got) != 1 || got[0].ID != c.want {
			t.Errorf("history of %q/%q: %d requests %v, want only %s", c.p.ID, c.p.Issuer, len(got), err, c.want)
		}
	}
	if r, _ := s.Request(hosp.ID); r.Patient.Issuer != "HOSP" {
		t.Errorf("issuer not kept: %+v", r.Patient)
	}
	if _, err := s.NewRequest(func() RequestInput { in := pickupInput(); in.Patient.ID, in.Patient.Issuer = "", "HOSP"; return in }(), desk); !errors.Is(err, ErrInvalidValue) {
		t.Errorf("an issuer without an ID: %v", err)
	}
	mustVerify(t, s)
}

// A store written when the index folded the ID's case is rebuilt when it
// is opened, so it keeps verifying and its two patients part; before the
// rebuild, Verify catches the old index.
func TestOldPatientIndexIsRebuiltOnOpen(t *testing.T) {
	db := storetest.MustOpen(t, t.TempDir())
	clk := &fakeClock{t: t0}
	s, err := Open(db, WithClock(clk.Now))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, pid := range []string{"ab123", "AB123"} {
		in := pickupInput()
		in.Patient.ID = pid
		ids = append(ids, mustRequest(t, s, in).ID)
	}
	// As version 1 wrote it: one folded key for both, no views version.
	err = db.Update(func(tx *bolt.Tx) error {
		root := tx.Bucket(rootBucket)
		if err := root.Delete(viewsKey); err != nil {
			return err
		}
		if err := root.DeleteBucket(patientBucket); err != nil {
			return err
		}
		idx, err := root.CreateBucket(patientBucket)
		if err != nil {
			return err
		}
		for _, id := range ids {
			k, _ := idKey("request", id)
			if err := idx.Put(append([]byte("id:AB123\x00"), k...), nil); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := s.PatientHistory(Patient{ID: "AB123"}.Key()); len(got) != 2 {
		t.Fatalf("old index: %d requests under the folded key", len(got))
	}
	if _, err := s.Verify(); !errors.Is(err, ErrViewMismatch) {
		t.Fatalf("Verify of the old index: %v", err)
	}
	s, err = Open(db, WithClock(clk.Now))
	if err != nil {
		t.Fatal(err)
	}
	mustVerify(t, s)
	for i, pid := range []string{"ab123", "AB123"} {
		got, err := s.PatientHistory(Patient{ID: pid}.Key())
		if err != nil || len(got) != 1 || got[0].ID != ids[i] {
			t.Errorf("history of %s after the rebuild: %d %v", pid, len(got), err)
		}
	}
	// Opened again, nothing is rebuilt or written.
	var before, after bolt.TxStats
	before = db.Stats().TxStats
	if _, err := Open(db, WithClock(clk.Now)); err != nil {
		t.Fatal(err)
	}
	after = db.Stats().TxStats
	if after.GetWrite() != before.GetWrite() {
		t.Errorf("a current store was written on open (%d writes)", after.GetWrite()-before.GetWrite())
	}
}

// A store whose indexes a newer build wrote is not opened (its rules are
// unknown here), and nothing is written to it.
func TestNewerViewsAreRefused(t *testing.T) {
	db := storetest.MustOpen(t, t.TempDir())
	if _, err := Open(db); err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(tx *bolt.Tx) error { return tx.Bucket(rootBucket).Put(viewsKey, []byte{viewsVersion + 1}) }); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(db); !errors.Is(err, ErrBadRecord) {
		t.Errorf("Open of newer views: %v", err)
	}
}
