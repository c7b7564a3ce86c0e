package settings

import (
	"errors"
	"sync"
	"testing"

	"discdesk/app/staff"
	"discdesk/app/store/storetest"
)

// memShared is a facility's settings document in memory.
type memShared struct {
	mu      sync.Mutex
	doc     []byte
	version int64
	down    bool
}

var errDown = errors.New("unreachable")

func (m *memShared) LoadShared() ([]byte, int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.down {
		return nil, 0, errDown
	}
	return append([]byte(nil), m.doc...), m.version, nil
}

func (m *memShared) SaveShared(doc []byte, ifVersion int64) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.down {
		return 0, errDown
	}
	if ifVersion != m.version {
		return 0, errors.New("conflict")
	}
	m.doc, m.version = append([]byte(nil), doc...), m.version+1
	return m.version, nil
}

// The first desk seeds the facility's settings; the second takes them
// over its own, keeping its desk-only settings; a change saved at either
// reaches the other at its next Sync; two changes at once: the second
// desk is told and gets the first's.
func TestSharedSettingsBetweenDesks(t *testing.T) {
	fac := &memShared{}
	a, err := Open(storetest.MustOpen(t, t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	b, err := Open(storetest.MustOpen(t, t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	sup := staff.Member{Name: "Sue", Role: staff.Supervisor}
	cur, _ := a.Get()
	cur.Facility.Name, cur.Fees.Flat = "Lakeside Imaging", 1500
	if _, err := a.Save(sup, cur); err != nil {
		t.Fatal(err)
	}
	curB, _ := b.Get()
	curB.LocalAE = "HIMDESK"
	if _, err := b.Save(sup, curB); err != nil {
		t.Fatal(err)
	}
	sa, sb := NewShared(a, fac), NewShared(b, fac)
	if err := sa.Sync(); err != nil || fac.version != 1 {
		t.Fatalf("seed: %v, version %d", err, fac.version)
	}
	if err := sb.Sync(); err != nil {
		t.Fatal(err)
	}
	got, _ := b.Get()
	if got.Facility.Name != "Lakeside Imaging" || got.Fees.Flat != 1500 || got.LocalAE != "HIMDESK" {
		t.Fatalf("second desk after Sync: facility %q, fee %d, AE %q", got.Facility.Name, got.Fees.Flat, got.LocalAE)
	}

	got.Fees.Flat = 1234
	if _, err := b.Save(sup, got); err != nil {
		t.Fatal(err)
	}
	if err := sb.Sync(); err != nil || fac.version != 2 {
		t.Fatalf("send: %v, version %d", err, fac.version)
	}
	if err := sa.Sync(); err != nil {
		t.Fatal(err)
	}
	if ga, _ := a.Get(); ga.Fees.Flat != 1234 {
		t.Fatalf("first desk's fee after Sync: %d", ga.Fees.Flat)
	}

	// The database away: the desk keeps its copy, and sends later.
	fac.down = true
	ga, _ := a.Get()
	ga.Fees.Flat = 3000
	a.Save(sup, ga)
	if err := sa.Sync(); err == nil {
		t.Fatal("Sync with the database away said nothing")
	}
	fac.down = false

	// Both changed at once: the first to send wins.
	gb, _ := b.Get()
	gb.Fees.Flat = 2000
	b.Save(sup, gb)
	if err := sb.Sync(); err != nil {
		t.Fatal(err)
	}
	if err := sa.Sync(); !errors.Is(err, ErrSharedConflict) {
		t.Fatalf("conflicting change: %v", err)
	}
	if ga, _ := a.Get(); ga.Fees.Flat != 2000 {
		t.Fatalf("after the conflict the first desk has fee %d, want the facility's 2000", ga.Fees.Flat)
	}
}
