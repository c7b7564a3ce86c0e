package handoff

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"discdesk/app/store/storetest"
)

// fakeClock is a settable clock for tests.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

var t0 = time.Date(2025, 3, 10, 14, 30, 0, 0, time.UTC)

func newTestStore(t testing.TB, opts ...Option) (*Store, *fakeClock) {
	t.Helper()
	clk := &fakeClock{t: t0}
	db := storetest.MustOpen(t, t.TempDir())
	cfg := DefaultConfig()
	cfg.Location = time.UTC
	s, err := Open(db, append([]Option{WithClock(clk.Now), WithConfig(cfg)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return s, clk
}

var desk = Actor{Staff: "m.rivera", Workstation: "FRONT-1"}

const studyA = "1.2.840.113619.2.55.3.604688119.969.1268071029.320"

func pickupInput() RequestInput {
	return RequestInput{
		Patient:   Patient{Name: "Doe, Jane", BirthDate: "1961-07-04", ID: "MRN0042"},
		Requester: Requester{Kind: RequesterPatient},
		Identity:  IdentityCheck{Method: "driver licence", CheckedBy: "m.rivera"},
		Studies:   Studies{UIDs: []string{studyA}},
		Format:    FormatCD,
		Delivery:  DeliveryPickup,
	}
}

func mailInput() RequestInput {
	in := pickupInput()
	in.Requester = Requester{Kind: RequesterPhysician, Name: "Dr. Amal Haddad", Organization: "Lakeside Oncology"}
	in.Identity = IdentityCheck{Method: "call-back to office number on file", CheckedBy: "m.rivera"}
	in.Delivery = DeliveryPhysician
	in.Urgency = UrgencyExpedited
	in.Address = &Address{Name: "Lakeside Oncology", Street: "1200 Shore Dr", Suite: "Suite 300", City: "Madison", Region: "wi", PostalCode: "53703"}
	return in
}

func burn(n, m int) Burn {
	return Burn{DiscUUID: uuid.NewString(), N: n, M: m, ManifestHash: fmt.Sprintf("%064x", n), Verified: true, Studies: []string{studyA}, Instances: 12}
}

func mustRequest(t testing.TB, s *Store, in RequestInput) Request {
	t.Helper()
	r, err := s.NewRequest(in, desk)
	if err != nil {
		t.Fatalf("NewRequest: %v", err)
	}
	return r
}

func mustVerify(t testing.TB, s *Store) VerifyReport {
	t.Helper()
	rep, err := s.Verify()
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	return rep
}
