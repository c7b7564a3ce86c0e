package staff

import (
	"strings"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Exit is the kiosk's way out for staff. The dialog at the kiosk lists no
// names: the member types their own name and PIN. Wrong tries are counted
// against the kiosk, not against the member, so nobody at the kiosk can
// lock staff out of the desk by naming them; the kiosk's own lock escalates
// like the gate's (five tries lock it for a minute, then two, four, ...).
// An unknown name and a wrong PIN look the same and take the same time.
type Exit struct {
	staff *Store
	now   func() time.Time

	mu   sync.Mutex
	lock lockout

	MaxMisses int
	LockFor   time.Duration
	MaxLock   time.Duration
}

// NewExit returns the kiosk exit over the staff store; now may be nil.
func NewExit(s *Store, now func() time.Time) *Exit {
	if now == nil {
		now = time.Now
	}
	return &Exit{staff: s, now: now, MaxMisses: 5, LockFor: time.Minute, MaxLock: 24 * time.Hour}
}

// dummy is hashed when no member has the typed name, so the answer takes as
// long as a wrong PIN.
var dummy = PINHash{Salt: make([]byte, 16), Key: make([]byte, 32), Params: DefaultParams}

// SignIn checks a typed name and PIN. The member must be active, allowed
// to leave the kiosk and not locked at the desk. It returns the member, or
// ErrWrongPIN (counted against the kiosk) or ErrLocked (the kiosk's exit).
func (e *Exit) SignIn(name, pin string) (Member, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.now()
	if e.lock.locked(now) {
		return Member{}, ErrLocked
	}
	want := strings.ToLower(strings.Join(strings.Fields(name), " "))
	all, err := e.staff.List()
	if err != nil {
		return Member{}, err
	}
	var found []Member
	err = e.staff.db.View(func(tx *bolt.Tx) error {
		for _, m := range all {
			if m.Active && m.Role.Can(ActionKiosk) && strings.ToLower(m.Name) == want {
				full, err := get(tx, m.ID)
				if err != nil {
					return err
				}
				found = append(found, full)
			}
		}
		return nil
	})
	if err != nil {
		return Member{}, err
	}
	h := dummy
	if len(found) == 1 {
		h = found[0].PIN
	} else {
		h.Params = e.staff.params
	}
	ok := h.matches(pin) && len(found) == 1 && !found[0].Locked(now.UTC())
	if !ok {
		if e.lock.miss(now, e.MaxMisses, e.LockFor, e.MaxLock) {
			return Member{}, ErrLocked
		}
		return Member{}, ErrWrongPIN
	}
	e.lock.misses = 0
	return found[0].public(), nil
}
