package staff

import (
	"errors"
	"testing"
	"time"

	"discdesk/app/handoff"
	"discdesk/app/store/storetest"
)

var fast = WithParams(Params{Time: 1, MemoryKiB: 256, Threads: 1})

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func open(t *testing.T, c *clock) *Store {
	t.Helper()
	s, err := Open(storetest.MustOpen(t, t.TempDir()), fast, WithClock(c.now), WithLockout(3, time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestFirstSupervisorPINShownOnce(t *testing.T) {
	c := &clock{time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)}
	s := open(t, c)
	m, pin, created, err := s.EnsureSupervisor()
	if err != nil || !created || len(pin) != 6 || m.Role != Supervisor {
		t.Fatalf("EnsureSupervisor = %+v %q %v %v", m, pin, created, err)
	}
	if len(m.PIN.Key) != 0 {
		t.Error("returned member carries the PIN hash")
	}
	if _, pin2, created2, _ := s.EnsureSupervisor(); created2 || pin2 != "" {
		t.Errorf("second EnsureSupervisor created again (pin %q)", pin2)
	}
	if _, err := s.SignIn(m.ID, pin); err != nil {
		t.Fatalf("sign in with the shown PIN: %v", err)
	}
}

func TestLockoutAfterWrongPINs(t *testing.T) {
	c := &clock{time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)}
	s := open(t, c)
	m, err := s.EnsureDemo()
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if _, err := s.SignIn(m.ID, "9999"); !errors.Is(err, ErrWrongPIN) {
			t.Fatalf("try %d: %v, want ErrWrongPIN", i, err)
		}
	}
	if _, err := s.SignIn(m.ID, "9999"); !errors.Is(err, ErrLocked) {
		t.Fatalf("third wrong PIN: %v, want ErrLocked", err)
	}
	if _, err := s.SignIn(m.ID, DemoPIN); !errors.Is(err, ErrLocked) {
		t.Fatalf("right PIN while locked: %v, want ErrLocked", err)
	}
	c.t = c.t.Add(61 * time.Second)
	got, err := s.SignIn(m.ID, DemoPIN)
	if err != nil || got.Name != DemoName || !got.LastSignIn.Equal(c.t) {
		t.Fatalf("after the lockout: %+v %v", got, err)
	}
}

func TestRolesAndStaffManagement(t *testing.T) {
	c := &clock{time.Now()}
	s := open(t, c)
	sup, _, _, _ := s.EnsureSupervisor()
	tech, err := s.Add(sup, "Ana Tech", Technologist, "2468")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Add(tech, "Eve", Supervisor, "1357"); !errors.Is(err, ErrNotAllowed) {
		t.Errorf("technologist added a member: %v", err)
	}
	if err := s.SetPIN(tech, sup.ID, "1111"); !errors.Is(err, ErrNotAllowed) {
		t.Errorf("technologist reset a supervisor's PIN: %v", err)
	}
	if err := s.SetPIN(tech, tech.ID, "8642"); err != nil {
		t.Errorf("own PIN: %v", err)
	}
	if _, err := s.Update(sup, sup.ID, "Supervisor", FrontDesk, true); !errors.Is(err, ErrLastSupervisor) {
		t.Errorf("demoting the last supervisor: %v", err)
	}
	for _, bad := range []string{"12", "123456789", "12a4", ""} {
		if _, err := s.Add(sup, "X", FrontDesk, bad); !errors.Is(err, ErrBadPIN) {
			t.Errorf("PIN %q: %v", bad, err)
		}
	}
	if Technologist.Can(ActionSettings) || FrontDesk.Can(ActionManageStaff) || !Supervisor.Can(ActionSettings) || !Technologist.Can(ActionRequest) {
		t.Error("role permissions wrong")
	}
	if _, err := s.Update(sup, tech.ID, "Ana Tech", Technologist, false); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SignIn(tech.ID, "8642"); !errors.Is(err, ErrNoMember) {
		t.Errorf("inactive member signed in: %v", err)
	}
	act, _ := s.Active()
	if len(act) != 1 || act[0].ID != sup.ID {
		t.Errorf("Active = %+v", act)
	}
}

func TestRequestCode(t *testing.T) {
	id := "0190f3a2-7c1e-7d2b-9a41-5be83fa9c2e1"
	if got := RequestCode(id); got != "3FA9-C2E1" {
		t.Fatalf("RequestCode = %q", got)
	}
	for in, want := range map[string]string{"3fa9 c2e1": "3FA9C2E1", "3FA9-C2E1": "3FA9C2E1", "3FA9C2E": "", "3FA9C2EZ": "", "3FA9;C2E1": ""} {
		if got := NormalizeCode(in); got != want {
			t.Errorf("NormalizeCode(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestKioskGate(t *testing.T) {
	db := storetest.MustOpen(t, t.TempDir())
	hs, err := handoff.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	by := handoff.Actor{Staff: "t", Workstation: "w"}
	mk := func(name, birth string, uids ...string) handoff.Request {
		r, err := hs.NewRequest(handoff.RequestInput{
			Patient:   handoff.Patient{Name: name, BirthDate: birth},
			Requester: handoff.Requester{Kind: handoff.RequesterPatient},
			Identity:  handoff.IdentityCheck{Method: "licence", CheckedBy: "t"},
			Studies:   handoff.Studies{UIDs: uids}, Format: handoff.FormatCD, Delivery: handoff.DeliveryPickup,
		}, by)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	a := mk("Doe, Jane", "1970-01-02", "1.2.3.1", "1.2.3.2")
	b := mk("Roe, Rick", "1980-05-06", "1.2.3.9")
	c := &clock{time.Now()}
	g := NewGate(hs, nil, c.now)
	acc, err := g.Open(RequestCode(a.ID), "1970-01-02")
	if err != nil {
		t.Fatal(err)
	}
	if !acc.Allows("1.2.3.1") || acc.Allows("1.2.3.9") || len(acc.Studies) != 2 {
		t.Errorf("access = %+v", acc.Studies)
	}
	// Another patient's code with the first patient's birth date opens nothing.
	if _, err := g.Open(RequestCode(b.ID), "1970-01-02"); !errors.Is(err, ErrNoRequest) {
		t.Errorf("b's code with a's birth date: %v", err)
	}
	for i := 0; i < 4; i++ {
		g.Open("0000-0000", "1970-01-02")
	}
	if _, err := g.Open(RequestCode(b.ID), "1980-05-06"); !errors.Is(err, ErrLocked) {
		t.Errorf("after five misses: %v, want ErrLocked", err)
	}
	c.t = c.t.Add(3 * time.Minute)
	if acc, err := g.Open(RequestCode(b.ID), "1980-05-06"); err != nil || !acc.Allows("1.2.3.9") || acc.Allows("1.2.3.1") {
		t.Errorf("b after the lock: %+v %v", acc, err)
	}
	var nilAcc *KioskAccess
	if nilAcc.Allows("1.2.3.1") {
		t.Error("nil access allows a study")
	}
}

func BenchmarkSignInDefaultParams(b *testing.B) {
	s, err := Open(storetest.MustOpen(b, b.TempDir()))
	if err != nil {
		b.Fatal(err)
	}
	m, err := s.EnsureDemo()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.SignIn(m.ID, DemoPIN); err != nil {
			b.Fatal(err)
		}
	}
}
