package staff

import (
	"errors"
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
// request's studies and nothing else, all of one patient (Identity).
type KioskAccess struct {
	Request  handoff.Request
	Studies  []string // Study Instance UIDs
	Identity Identity // whose they are (PatientStudies)
}

// Instances returns the study's instances whose files name the access's
// patient in their own headers, series by series; a study holding any file
// of someone else (two senders used one Study Instance UID) or one the
// kiosk cannot read is refused whole with ErrAskStaff. A study outside the
// access is ErrNoRequest.
func (a *KioskAccess) Instances(lib *library.Library, uid string) ([]library.SeriesDetail, error) {
	if !a.Allows(uid) {
		return nil, ErrNoRequest
	}
	st, err := lib.Study(uid)
	if err != nil {
		return nil, fmt.Errorf("staff: kiosk study: %w", err)
	}
	if m := a.Identity.Mismatch(IdentityOf(st.Patient)); m != "" {
		return nil, fmt.Errorf("%w: the study's %s differs", ErrAskStaff, m)
	}
	for _, se := range st.Series {
		for _, in := range se.Instances {
			if m := CheckFile(lib.FilePath(in), a.Identity); m != "" {
				return nil, fmt.Errorf("%w: a file of the study: %s differs", ErrAskStaff, m)
			}
		}
	}
	return st.Series, nil
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
// Misses are counted per kiosk (the gate) and per code, and a sign-in that
// succeeds, with any code, resets neither the kiosk's count nor another
// code's: MaxMisses misses at the kiosk lock it for LockFor, CodeMisses
// misses with one code lock that code, and each further lock of the same
// kiosk or code lasts twice as long as the one before, up to MaxLock. The
// kiosk's count forgets misses after an hour without one; the doubling
// starts over after a day without a lock.
type Gate struct {
	requests *handoff.Store
	lib      *library.Library
	now      func() time.Time

	mu    sync.Mutex
	kiosk lockout
	codes map[string]*lockout

	MaxMisses  int           // misses at the kiosk before it locks (5)
	CodeMisses int           // misses with one code before that code locks (3)
	LockFor    time.Duration // the first lock (2 minutes)
	MaxLock    time.Duration // the longest lock (24 hours)
}

// lockout counts misses towards an escalating lock.
type lockout struct {
	misses   int
	locks    int // locks so far: the next lasts LockFor << locks
	until    time.Time
	lastMiss time.Time
	lastLock time.Time
}

func (l *lockout) locked(now time.Time) bool { return now.Before(l.until) }

// miss counts one miss at now and reports whether it locked.
func (l *lockout) miss(now time.Time, max int, first, longest time.Duration) bool {
	if now.Sub(l.lastMiss) > time.Hour {
		l.misses = 0
	}
	if l.locks > 0 && now.Sub(l.lastLock) > 24*time.Hour {
		l.locks = 0
	}
	l.misses++
	l.lastMiss = now
	if l.misses < max {
		return false
	}
	d := first
	for i := 0; i < l.locks && d < longest; i++ {
		d *= 2
	}
	d = min(d, longest)
	l.misses, l.locks, l.until, l.lastLock = 0, l.locks+1, now.Add(d), now
	return true
}

// NewGate returns a kiosk gate over the handoff store and the library
// (which resolves and checks every request's studies); now may be nil.
func NewGate(requests *handoff.Store, lib *library.Library, now func() time.Time) *Gate {
	if now == nil {
		now = time.Now
	}
	return &Gate{requests: requests, lib: lib, now: now, codes: map[string]*lockout{},
		MaxMisses: 5, CodeMisses: 3, LockFor: 2 * time.Minute, MaxLock: 24 * time.Hour}
}

// Open checks a code and a birth date (YYYY-MM-DD). It returns the access
// to that request's studies, or ErrNoRequest (a counted miss), ErrLocked,
// or ErrAskStaff (code and birth date were right but the studies need a
// person to check whose they are; not a miss). A cancelled request opens
// nothing.
func (g *Gate) Open(code, birthDate string) (*KioskAccess, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := g.now()
	code = NormalizeCode(code)
	cl := g.codes[code]
	if g.kiosk.locked(now) {
		return nil, ErrLocked
	}
	if cl != nil && cl.locked(now) {
		g.kiosk.miss(now, g.MaxMisses, g.LockFor, g.MaxLock) // still a try at this kiosk
		return nil, ErrLocked
	}
	acc, err := g.find(code, strings.TrimSpace(birthDate))
	if errors.Is(err, ErrNoRequest) {
		locked := g.kiosk.miss(now, g.MaxMisses, g.LockFor, g.MaxLock)
		if code != "" {
			if cl == nil {
				g.prune(now)
				cl = &lockout{}
				g.codes[code] = cl
			}
			locked = cl.miss(now, g.CodeMisses, g.LockFor, g.MaxLock) || locked
		}
		if locked {
			return nil, ErrLocked
		}
		return nil, err
	}
	if err != nil {
		return nil, err
	}
	if cl != nil && cl.locks == 0 {
		delete(g.codes, code) // the patient's own typos are forgiven once they get in
	} else if cl != nil {
		cl.misses = 0
	}
	return acc, nil
}

// prune forgets codes with no miss or lock for a day, so guessing at
// random codes cannot grow the map without bound.
func (g *Gate) prune(now time.Time) {
	if len(g.codes) < 1024 {
		return
	}
	for c, l := range g.codes {
		if now.Sub(l.lastMiss) > 24*time.Hour && !l.locked(now) {
			delete(g.codes, c)
		}
	}
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
	if g.lib == nil {
		return nil, fmt.Errorf("%w: the kiosk has no library", ErrAskStaff)
	}
	sts, id, err := PatientStudies(g.lib, *hit)
	if err != nil {
		return nil, err
	}
	acc := &KioskAccess{Request: *hit, Identity: id}
	for _, st := range sts {
		acc.Studies = append(acc.Studies, st.UID)
	}
	return acc, nil
}
