package staff

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"discdesk/app/handoff"
	"discdesk/app/library"
)

// RequestCode is the short code printed on the patient's receipt for a
// request: the last eight hex digits of the request's UUID, upper case, in
// two groups ("3FA9-C2E1"). UUIDv7 keeps 62 random bits at its end, so
// codes of requests made the same second still differ; the kiosk also asks
// for the birth date, and locks after repeated misses.
func RequestCode(requestID string) string {
	hex := strings.ToUpper(strings.ReplaceAll(requestID, "-", ""))
	if len(hex) < 8 {
		return hex
	}
	hex = hex[len(hex)-8:]
	return hex[:4] + "-" + hex[4:]
}

// NormalizeCode turns what a patient typed ("3fa9 c2e1", "3FA9-C2E1") into
// the eight hex digits of a code, or "" when it is not one.
func NormalizeCode(s string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		switch {
		case r >= '0' && r <= '9', r >= 'A' && r <= 'F':
			b.WriteRune(r)
		case r == ' ' || r == '-':
		default:
			return ""
		}
	}
	if b.Len() != 8 {
		return ""
	}
	return b.String()
}

// KioskAccess is what a patient signed in at the kiosk may see: one
// request's studies and nothing else.
type KioskAccess struct {
	Request handoff.Request
	Studies []string // Study Instance UIDs
}

// Allows reports whether the access covers the study.
func (a *KioskAccess) Allows(studyUID string) bool {
	if a == nil {
		return false
	}
	for _, u := range a.Studies {
		if u == studyUID {
			return true
		}
	}
	return false
}

// Gate is the kiosk's sign-in: a request code and the patient's birth date.
// Five misses in a row lock the gate for two minutes (for everyone at that
// kiosk), so codes cannot be guessed at the screen.
type Gate struct {
	requests *handoff.Store
	lib      *library.Library
	now      func() time.Time

	mu          sync.Mutex
	misses      int
	lockedUntil time.Time
	MaxMisses   int
	LockFor     time.Duration
}

// NewGate returns a kiosk gate over the handoff store and the library
// (used to resolve requests given as a date range); now may be nil.
func NewGate(requests *handoff.Store, lib *library.Library, now func() time.Time) *Gate {
	if now == nil {
		now = time.Now
	}
	return &Gate{requests: requests, lib: lib, now: now, MaxMisses: 5, LockFor: 2 * time.Minute}
}

// Open checks a code and a birth date (YYYY-MM-DD). It returns the access
// to that request's studies, or ErrNoRequest (a counted miss), or ErrLocked.
// A cancelled request opens nothing.
func (g *Gate) Open(code, birthDate string) (*KioskAccess, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := g.now()
	if now.Before(g.lockedUntil) {
		return nil, ErrLocked
	}
	acc, err := g.find(NormalizeCode(code), strings.TrimSpace(birthDate))
	if err != nil {
		g.misses++
		if g.misses >= g.MaxMisses {
			g.misses, g.lockedUntil = 0, now.Add(g.LockFor)
			return nil, ErrLocked
		}
		return nil, err
	}
	g.misses = 0
	return acc, nil
}

func (g *Gate) find(code, birth string) (*KioskAccess, error) {
	if code == "" || birth == "" {
		return nil, ErrNoRequest
	}
	if _, err := time.Parse(time.DateOnly, birth); err != nil {
		return nil, ErrNoRequest
	}
	cands, err := g.requests.Search(strings.ToLower(code))
	if err != nil {
		return nil, fmt.Errorf("staff: kiosk lookup: %w", err)
	}
	var hit *handoff.Request
	for i := range cands {
		r := &cands[i]
		if strings.ReplaceAll(RequestCode(r.ID), "-", "") != code || r.Patient.BirthDate != birth || r.Status == handoff.StatusCancelled {
			continue
		}
		if hit != nil {
			return nil, ErrNoRequest // two requests share code and birth date: refuse rather than guess
		}
		hit = r
	}
	if hit == nil {
		return nil, ErrNoRequest
	}
	acc := &KioskAccess{Request: *hit, Studies: append([]string(nil), hit.Studies.UIDs...)}
	if len(acc.Studies) == 0 && g.lib != nil && hit.Patient.ID != "" {
		sts, err := g.lib.Search(library.Query{PatientID: hit.Patient.ID,
			From: strings.ReplaceAll(hit.Studies.From, "-", ""), To: strings.ReplaceAll(hit.Studies.To, "-", "")})
		if err != nil {
			return nil, fmt.Errorf("staff: kiosk studies: %w", err)
		}
		for _, st := range sts {
			acc.Studies = append(acc.Studies, st.UID)
		}
	}
	return acc, nil
}
