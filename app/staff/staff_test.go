package staff

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"discdesk/app/library"

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

// kioskLib is a library with Jane's two studies and Rick's one, and the
// handoff store beside it.
func kioskLib(t *testing.T) (*handoff.Store, *library.Library, pat, pat) {
	dir := t.TempDir()
	db := storetest.MustOpen(t, dir)
	lib, err := library.Open(db, dir)
	if err != nil {
		t.Fatal(err)
	}
	hs, err := handoff.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(dir, "in")
	os.MkdirAll(src, 0o700)
	jane := pat{"J1", "", "Doe^Jane", "19700102"}
	rick := pat{"R1", "", "Roe^Rick", "19800506"}
	writeCT(t, src, jane, "1.2.3.1", "1.2.3.1.1", "1.2.3.1.1.1", "20250101")
	writeCT(t, src, jane, "1.2.3.2", "1.2.3.2.1", "1.2.3.2.1.1", "20250102")
	writeCT(t, src, rick, "1.2.3.9", "1.2.3.9.1", "1.2.3.9.1.1", "20250103")
	if _, err := lib.Import(context.Background(), []string{src}, library.Options{}); err != nil {
		t.Fatal(err)
	}
	return hs, lib, jane, rick
}

func kioskRequest(t *testing.T, hs *handoff.Store, p pat, uids ...string) handoff.Request {
	t.Helper()
	r, err := hs.NewRequest(handoff.RequestInput{
		Patient:   handoff.Patient{Name: p.display(), BirthDate: p.iso(), ID: p.ID},
		Requester: handoff.Requester{Kind: handoff.RequesterPatient},
		Identity:  handoff.IdentityCheck{Method: "licence", CheckedBy: "t"},
		Studies:   handoff.Studies{UIDs: uids}, Format: handoff.FormatCD, Delivery: handoff.DeliveryPickup,
	}, handoff.Actor{Staff: "t", Workstation: "w"})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestKioskGate(t *testing.T) {
	hs, lib, jane, rick := kioskLib(t)
	a := kioskRequest(t, hs, jane, "1.2.3.1", "1.2.3.2")
	b := kioskRequest(t, hs, rick, "1.2.3.9")
	c := &clock{time.Now()}
	g := NewGate(hs, lib, c.now)
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
	// A request naming a study of someone else goes to staff.
	mixed := kioskRequest(t, hs, jane, "1.2.3.1", "1.2.3.9")
	if _, err := g.Open(RequestCode(mixed.ID), "1970-01-02"); !errors.Is(err, ErrAskStaff) {
		t.Errorf("a request naming Rick's study for Jane: %v, want ErrAskStaff", err)
	}
}

// 15.11: a correct sign-in with the attacker's own code does not reset the
// kiosk's misses, locks escalate, and one code's misses lock that code.
func TestKioskLockoutCannotBeResetAndEscalates(t *testing.T) {
	hs, lib, jane, rick := kioskLib(t)
	own := kioskRequest(t, hs, rick, "1.2.3.9")
	victim := kioskRequest(t, hs, jane, "1.2.3.1")
	c := &clock{time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)}
	g := NewGate(hs, lib, c.now)
	guesses, locks := 0, 0
	var locked []time.Duration
	start := c.t
	// The attacker alternates four guesses with a correct sign-in of their
	// own request, for a simulated day.
	for c.t.Before(start.Add(24*time.Hour)) && guesses < 3200 {
		_, err := g.Open(fmt.Sprintf("%08X", guesses*7919), "1970-01-02")
		switch {
		case errors.Is(err, ErrLocked):
			locks++
			until := g.kiosk.until
			locked = append(locked, until.Sub(c.t))
			c.t = until
			continue
		case errors.Is(err, ErrNoRequest):
			guesses++
		default:
			t.Fatalf("guess: %v", err)
		}
		if guesses%4 == 0 {
			if _, err := g.Open(RequestCode(own.ID), rick.iso()); err != nil && !errors.Is(err, ErrLocked) {
				t.Fatalf("own sign-in: %v", err)
			}
		}
		c.t = c.t.Add(time.Second)
	}
	t.Logf("in a day: %d guesses, %d locks: %v", guesses, locks, locked)
	if guesses > 100 {
		t.Errorf("%d wrong guesses in a day despite correct sign-ins between them, want at most 100", guesses)
	}
	for i := 1; i < len(locked) && locked[i-1] < g.MaxLock; i++ {
		if locked[i] < 2*locked[i-1]-time.Second {
			t.Errorf("lock %d lasts %v after %v: not escalating", i, locked[i], locked[i-1])
		}
	}
	// One code's wrong birth dates lock that code, not the kiosk, and the
	// right birth date then waits too.
	g2 := NewGate(hs, lib, c.now)
	for range 3 {
		g2.Open(RequestCode(victim.ID), "1999-01-01")
	}
	if _, err := g2.Open(RequestCode(victim.ID), jane.iso()); !errors.Is(err, ErrLocked) {
		t.Errorf("the code after three wrong birth dates: %v, want ErrLocked", err)
	}
	if _, err := g2.Open(RequestCode(own.ID), rick.iso()); err != nil {
		t.Errorf("another code while one is locked: %v", err)
	}
}

// 15.11: the staff PIN lock escalates: five tries lock for five minutes,
// the next five for ten, and a 4-digit PIN cannot be walked in a week.
func TestStaffLockoutEscalates(t *testing.T) {
	c := &clock{time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)}
	s, err := Open(storetest.MustOpen(t, t.TempDir()), fast, WithClock(c.now))
	if err != nil {
		t.Fatal(err)
	}
	m, err := s.EnsureDemo()
	if err != nil {
		t.Fatal(err)
	}
	tries := 0
	var locks []time.Duration
	end := c.t.Add(7 * 24 * time.Hour)
	for c.t.Before(end) {
		_, err := s.SignIn(m.ID, fmt.Sprintf("%04d", 5000+tries))
		tries++
		if errors.Is(err, ErrLocked) {
			all, _ := s.List()
			d := all[0].LockedUntil.Sub(c.t)
			locks = append(locks, d)
			c.t = all[0].LockedUntil
		}
	}
	t.Logf("a week: %d wrong PINs, locks %v", tries, locks)
	if len(locks) < 2 || locks[0] != 5*time.Minute || locks[1] != 10*time.Minute {
		t.Errorf("locks %v, want 5m then 10m", locks)
	}
	if tries >= 5000 {
		t.Errorf("%d PINs tried in a week: half the 4-digit space", tries)
	}
	// The member's own right PIN (after the lock) clears the count, not the doubling.
	if _, err := s.SignIn(m.ID, DemoPIN); err != nil {
		t.Fatal(err)
	}
	for range 5 {
		s.SignIn(m.ID, "0000")
	}
	all, _ := s.List()
	if d := all[0].LockedUntil.Sub(c.t); d <= locks[len(locks)-1] && d < MaxStaffLock {
		t.Errorf("lock after a right PIN lasts %v, the last one %v", d, locks[len(locks)-1])
	}
}

// 15.11: the kiosk's staff exit takes a typed name, counts misses against
// the kiosk, and cannot lock a member out of the desk.
func TestKioskExitCannotLockStaffOut(t *testing.T) {
	c := &clock{time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)}
	s, err := Open(storetest.MustOpen(t, t.TempDir()), fast, WithClock(c.now))
	if err != nil {
		t.Fatal(err)
	}
	sup, _ := s.EnsureDemo()
	ana, err := s.Add(sup, "Ana Tech", Technologist, "2468")
	if err != nil {
		t.Fatal(err)
	}
	e := NewExit(s, c.now)
	for _, name := range []string{DemoName, "Ana Tech", "Nobody"} {
		for range 5 {
			e.SignIn(name, "0000")
		}
	}
	if _, err := e.SignIn("Ana Tech", "2468"); !errors.Is(err, ErrLocked) {
		t.Errorf("the kiosk exit after 15 wrong tries: %v, want ErrLocked", err)
	}
	for _, m := range []struct{ id, pin string }{{sup.ID, DemoPIN}, {ana.ID, "2468"}} {
		if _, err := s.SignIn(m.id, m.pin); err != nil {
			t.Errorf("member %s at the desk after the kiosk's wrong tries: %v", m.id, err)
		}
	}
	c.t = c.t.Add(25 * time.Hour)
	if got, err := e.SignIn("  ana   TECH ", "2468"); err != nil || got.ID != ana.ID || len(got.PIN.Key) != 0 {
		t.Errorf("typed name and PIN: %+v %v", got, err)
	}
	if _, err := e.SignIn("Nobody", "2468"); !errors.Is(err, ErrWrongPIN) {
		t.Errorf("unknown name: %v, want ErrWrongPIN (like a wrong PIN)", err)
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

// Waiving a fee or refunding money is a supervisor's: the front desk and
// technologists may record payments, not waive them. Stored members get
// the rule at once: a role's actions are not stored.
func TestOnlySupervisorsWaive(t *testing.T) {
	for _, c := range []struct {
		r    Role
		want bool
	}{{FrontDesk, false}, {Technologist, false}, {Supervisor, true}, {Role("admin"), false}} {
		if got := c.r.Can(ActionWaive); got != c.want {
			t.Errorf("%s may waive: %v, want %v", c.r, got, c.want)
		}
	}
}

// The command line signs a member in by name and PIN: case and spacing
// aside, only an active member, a wrong PIN counted as at the desk.
func TestSignInByName(t *testing.T) {
	s := open(t, &clock{t: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)})
	sup, pin, _, err := s.EnsureSupervisor()
	if err != nil {
		t.Fatal(err)
	}
	ann, err := s.Add(sup, "Ann  Lee", FrontDesk, "4321")
	if err != nil {
		t.Fatal(err)
	}
	if m, err := s.SignInName(" supervisor ", pin); err != nil || m.ID != sup.ID || m.Role != Supervisor {
		t.Fatalf("supervisor by name: %+v %v", m, err)
	}
	if m, err := s.SignInName("ann lee", "4321"); err != nil || m.ID != ann.ID {
		t.Fatalf("Ann by name: %+v %v", m, err)
	}
	if _, err := s.SignInName("Ann Lee", "0000"); !errors.Is(err, ErrWrongPIN) {
		t.Errorf("wrong PIN: %v", err)
	}
	if _, err := s.SignInName("Bob", "4321"); !errors.Is(err, ErrNoMember) {
		t.Errorf("no such member: %v", err)
	}
	if _, err := s.Update(sup, ann.ID, ann.Name, ann.Role, false); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SignInName("Ann Lee", "4321"); !errors.Is(err, ErrNoMember) {
		t.Errorf("inactive member: %v", err)
	}
}
