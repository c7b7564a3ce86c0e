package staff

import (
	"errors"
	"sort"
	"sync"
	"testing"
	"time"

	"discdesk/app/store/storetest"
)

// memRemote is a facility's staff in memory.
type memRemote struct {
	mu   sync.Mutex
	m    map[string]Member
	down bool
}

func (r *memRemote) Members() ([]Member, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.down {
		return nil, errors.New("unreachable")
	}
	var out []Member
	for _, m := range r.m {
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

func (r *memRemote) PutMember(m Member) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.down {
		return errors.New("unreachable")
	}
	r.m[m.ID] = m
	return nil
}

// Two desks bound to one facility's staff: the supervisor made at the
// first signs in at the second; a member added at the second is listed at
// the first; with the facility away the desk's copy signs in, and a PIN
// changed then reaches the facility when it answers.
func TestStaffSharedBetweenDesks(t *testing.T) {
	fac := &memRemote{m: map[string]Member{}}
	c := &clock{time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)}
	openBound := func() *Store {
		db := storetest.MustOpen(t, t.TempDir())
		t.Cleanup(Bind(db, fac))
		s, err := Open(db, fast, WithClock(c.now))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	a, b := openBound(), openBound()
	sup, pin, created, err := a.EnsureSupervisor()
	if err != nil || !created {
		t.Fatal(err)
	}
	if _, _, created, _ := b.EnsureSupervisor(); created {
		t.Fatal("the second desk made a supervisor of its own")
	}
	if _, err := b.SignIn(sup.ID, pin); err != nil {
		t.Fatalf("the first desk's supervisor at the second desk: %v", err)
	}
	clerk, err := b.Add(sup, "Ann Clerk", FrontDesk, "4321")
	if err != nil {
		t.Fatal(err)
	}
	if all, err := a.List(); err != nil || len(all) != 2 {
		t.Fatalf("the first desk lists %d members (%v), want 2", len(all), err)
	}

	fac.down = true
	if _, err := a.SignIn(clerk.ID, "4321"); err != nil {
		t.Fatalf("sign-in with the facility away: %v", err)
	}
	if err := a.SetPIN(sup, clerk.ID, "9876"); err != nil {
		t.Fatal(err)
	}
	fac.down = false
	if _, err := b.SignIn(clerk.ID, "9876"); err == nil {
		t.Fatal("the second desk knew a PIN the first could not send yet")
	}
	a.List() // the first desk sends what it kept
	if _, err := b.SignIn(clerk.ID, "9876"); err != nil {
		t.Fatalf("the PIN changed while the facility was away, at the second desk: %v", err)
	}
}
