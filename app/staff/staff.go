package staff

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"math/big"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	bolt "go.etcd.io/bbolt"
	"golang.org/x/crypto/argon2"
)

var bucketStaff = []byte("staff.members") // member ID -> Member JSON

// Role is what a staff member does at the desk.
type Role string

// The roles.
const (
	FrontDesk    Role = "front-desk"
	Technologist Role = "technologist"
	Supervisor   Role = "supervisor"
)

// Roles lists the roles in the order screens offer them.
var Roles = []Role{FrontDesk, Technologist, Supervisor}

// Label is the role's name for people.
func (r Role) Label() string {
	switch r {
	case FrontDesk:
		return "Front desk"
	case Technologist:
		return "Technologist"
	case Supervisor:
		return "Supervisor"
	}
	return string(r)
}

// ParseRole accepts a role's value or its label.
func ParseRole(s string) (Role, error) {
	for _, r := range Roles {
		if strings.EqualFold(s, string(r)) || strings.EqualFold(s, r.Label()) {
			return r, nil
		}
	}
	return "", fmt.Errorf("%w: %q", ErrBadRole, s)
}

// Action is something a role may or may not do.
type Action string

// The actions the desk checks.
const (
	ActionRequest     Action = "request"      // create requests, plan and queue burns
	ActionHandoff     Action = "handoff"      // record handoffs, receipts, "patient told"
	ActionSettings    Action = "settings"     // change the facility's settings
	ActionManageStaff Action = "manage-staff" // add members, reset PINs, change roles
	ActionKiosk       Action = "kiosk"        // start and leave kiosk mode
	// ActionWaive is waiving a request's fee or refunding money paid: a
	// supervisor's decision. Recording a payment needs no such authority.
	ActionWaive Action = "waive"
)

// Can reports whether the role may do a. What a role may do is this rule,
// not stored with the member, so a new action applies to stored members
// at once and needs no migration.
func (r Role) Can(a Action) bool {
	switch r {
	case Supervisor:
		return true
	case FrontDesk, Technologist:
		return a == ActionRequest || a == ActionHandoff || a == ActionKiosk
	}
	return false
}

// Params are the argon2id cost parameters.
type Params struct {
	Time      uint32
	MemoryKiB uint32
	Threads   uint8
}

// DefaultParams are RFC 9106's second recommended option: t=1, 64 MiB, p=2
// (~150 ms on the desk's two cores).
var DefaultParams = Params{Time: 1, MemoryKiB: 64 * 1024, Threads: 2}

// PINHash is a salted argon2id hash of a PIN with the parameters used.
type PINHash struct {
	Salt   []byte `json:"salt"`
	Key    []byte `json:"key"`
	Params Params `json:"params"`
}

func hashPIN(pin string, p Params) (PINHash, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return PINHash{}, fmt.Errorf("staff: salt: %w", err)
	}
	return PINHash{Salt: salt, Params: p, Key: argon2.IDKey([]byte(pin), salt, p.Time, p.MemoryKiB, p.Threads, 32)}, nil
}

func (h PINHash) matches(pin string) bool {
	if len(h.Salt) == 0 || len(h.Key) == 0 {
		return false
	}
	k := argon2.IDKey([]byte(pin), h.Salt, h.Params.Time, h.Params.MemoryKiB, h.Params.Threads, uint32(len(h.Key)))
	return subtle.ConstantTimeCompare(k, h.Key) == 1
}

// ValidPIN reports whether pin is 4 to 8 ASCII digits.
func ValidPIN(pin string) bool {
	if len(pin) < 4 || len(pin) > 8 {
		return false
	}
	for i := 0; i < len(pin); i++ {
		if pin[i] < '0' || pin[i] > '9' {
			return false
		}
	}
	return true
}

// Member is one staff member. PIN holds only the hash; List and SignIn
// return members with it cleared.
type Member struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Role        Role      `json:"role"`
	Active      bool      `json:"active"`
	Created     time.Time `json:"created"`
	PIN         PINHash   `json:"pin,omitzero"`
	Failures    int       `json:"failures,omitempty"`
	LockedUntil time.Time `json:"locked_until,omitzero"`
	Lockouts    int       `json:"lockouts,omitempty"` // locks in a row: the next lasts twice as long as the last
	LastSignIn  time.Time `json:"last_sign_in,omitzero"`
}

// Locked reports whether the member is locked out at now.
func (m Member) Locked(now time.Time) bool { return now.Before(m.LockedUntil) }

func (m Member) public() Member { m.PIN = PINHash{}; return m }

// Store keeps the staff members in the desk's bbolt store.
type Store struct {
	db          *bolt.DB
	now         func() time.Time
	params      Params
	maxFailures int
	lockFor     time.Duration
	remote      Remote // the facility's members, when bound (Bind)
}

// Option configures a Store.
type Option func(*Store)

// WithClock sets the clock (tests).
func WithClock(now func() time.Time) Option { return func(s *Store) { s.now = now } }

// WithParams sets the argon2id cost of new PINs (tests use a small memory).
func WithParams(p Params) Option { return func(s *Store) { s.params = p } }

// WithLockout sets how many wrong PINs in a row lock a member, and for how
// long the first lock lasts; each further lock lasts twice as long as the one
// before (up to MaxStaffLock) until a day passes without one.
func WithLockout(failures int, d time.Duration) Option {
	return func(s *Store) { s.maxFailures, s.lockFor = failures, d }
}

// Open returns the staff store of db, creating its bucket.
func Open(db *bolt.DB, opts ...Option) (*Store, error) {
	s := &Store{db: db, now: time.Now, params: DefaultParams, maxFailures: 5, lockFor: 5 * time.Minute}
	if r, ok := bound.Load(db); ok {
		s.remote = r.(Remote)
	}
	for _, o := range opts {
		o(s)
	}
	err := db.Update(func(tx *bolt.Tx) error {
		if _, err := tx.CreateBucketIfNotExists(bucketUnsent); err != nil {
			return err
		}
		_, err := tx.CreateBucketIfNotExists(bucketStaff)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("staff: create bucket: %w", err)
	}
	return s, nil
}

// List returns every member (active or not) sorted by name, without PIN hashes.
func (s *Store) List() ([]Member, error) {
	s.pull()
	var out []Member
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketStaff).ForEach(func(k, v []byte) error {
			var m Member
			if err := json.Unmarshal(v, &m); err != nil {
				return fmt.Errorf("member %s: %w", k, err)
			}
			out = append(out, m.public())
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("staff: list: %w", err)
	}
	sort.Slice(out, func(i, j int) bool { return strings.ToLower(out[i].Name) < strings.ToLower(out[j].Name) })
	return out, nil
}

// Active returns the active members sorted by name.
func (s *Store) Active() ([]Member, error) {
	all, err := s.List()
	var out []Member
	for _, m := range all {
		if m.Active {
			out = append(out, m)
		}
	}
	return out, err
}

func get(tx *bolt.Tx, id string) (Member, error) {
	raw := tx.Bucket(bucketStaff).Get([]byte(id))
	if raw == nil {
		return Member{}, fmt.Errorf("%w: %s", ErrNoMember, id)
	}
	var m Member
	if err := json.Unmarshal(raw, &m); err != nil {
		return Member{}, fmt.Errorf("member %s: %w", id, err)
	}
	return m, nil
}

func put(tx *bolt.Tx, m Member) error {
	raw, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return tx.Bucket(bucketStaff).Put([]byte(m.ID), raw)
}

func checkName(name string) (string, error) {
	name = strings.Join(strings.Fields(name), " ")
	if name == "" || utf8.RuneCountInString(name) > 60 {
		return "", ErrBadName
	}
	return name, nil
}

// Add creates a member; by must be a supervisor.
func (s *Store) Add(by Member, name string, role Role, pin string) (Member, error) {
	if !by.Role.Can(ActionManageStaff) {
		return Member{}, fmt.Errorf("staff: add member: %w", ErrNotAllowed)
	}
	return s.add(name, role, pin)
}

func (s *Store) add(name string, role Role, pin string) (Member, error) {
	name, err := checkName(name)
	if err != nil {
		return Member{}, fmt.Errorf("staff: add member: %w", err)
	}
	if _, err := ParseRole(string(role)); err != nil {
		return Member{}, fmt.Errorf("staff: add member: %w", err)
	}
	if !ValidPIN(pin) {
		return Member{}, fmt.Errorf("staff: add member: %w", ErrBadPIN)
	}
	h, err := hashPIN(pin, s.params)
	if err != nil {
		return Member{}, err
	}
	id, err := uuid.NewV7()
	if err != nil {
		return Member{}, fmt.Errorf("staff: add member: %w", err)
	}
	m := Member{ID: id.String(), Name: name, Role: role, Active: true, Created: s.now().UTC(), PIN: h}
	if err := s.write(func(tx *bolt.Tx) error { return put(tx, m) }); err != nil {
		return Member{}, fmt.Errorf("staff: add member: %w", err)
	}
	return m.public(), nil
}

// Update changes a member's name, role and active flag; by must be a
// supervisor, and the desk always keeps one active supervisor.
func (s *Store) Update(by Member, id, name string, role Role, active bool) (Member, error) {
	if !by.Role.Can(ActionManageStaff) {
		return Member{}, fmt.Errorf("staff: update member: %w", ErrNotAllowed)
	}
	name, err := checkName(name)
	if err != nil {
		return Member{}, fmt.Errorf("staff: update member: %w", err)
	}
	if _, err := ParseRole(string(role)); err != nil {
		return Member{}, fmt.Errorf("staff: update member: %w", err)
	}
	var out Member
	err = s.write(func(tx *bolt.Tx) error {
		m, err := get(tx, id)
		if err != nil {
			return err
		}
		m.Name, m.Role, m.Active = name, role, active
		if err := put(tx, m); err != nil {
			return err
		}
		if n, err := supervisors(tx); err != nil || n == 0 {
			if err == nil {
				err = ErrLastSupervisor
			}
			return err
		}
		out = m.public()
		return nil
	})
	if err != nil {
		return Member{}, fmt.Errorf("staff: update member: %w", err)
	}
	return out, nil
}

func supervisors(tx *bolt.Tx) (int, error) {
	n := 0
	err := tx.Bucket(bucketStaff).ForEach(func(k, v []byte) error {
		var m Member
		if err := json.Unmarshal(v, &m); err != nil {
			return err
		}
		if m.Active && m.Role == Supervisor {
			n++
		}
		return nil
	})
	return n, err
}

// SetPIN sets a member's PIN and clears the lockout. A member may change
// their own PIN; a supervisor may set anyone's.
func (s *Store) SetPIN(by Member, id, pin string) error {
	if by.ID != id && !by.Role.Can(ActionManageStaff) {
		return fmt.Errorf("staff: set PIN: %w", ErrNotAllowed)
	}
	if !ValidPIN(pin) {
		return fmt.Errorf("staff: set PIN: %w", ErrBadPIN)
	}
	h, err := hashPIN(pin, s.params)
	if err != nil {
		return err
	}
	err = s.write(func(tx *bolt.Tx) error {
		m, err := get(tx, id)
		if err != nil {
			return err
		}
		m.PIN, m.Failures, m.LockedUntil, m.Lockouts = h, 0, time.Time{}, 0
		return put(tx, m)
	})
	if err != nil {
		return fmt.Errorf("staff: set PIN: %w", err)
	}
	return nil
}

// MaxStaffLock is the longest a member's lock lasts.
const MaxStaffLock = 24 * time.Hour

// lock locks m at now: the first lock for first, each next one twice as
// long as the last, unless a day has passed since the last lock ended.
func (m *Member) lock(now time.Time, first time.Duration) {
	if now.Sub(m.LockedUntil) > 24*time.Hour {
		m.Lockouts = 0
	}
	d := first
	for i := 0; i < m.Lockouts && d < MaxStaffLock; i++ {
		d *= 2
	}
	m.Failures, m.LockedUntil, m.Lockouts = 0, now.Add(min(d, MaxStaffLock)), m.Lockouts+1
}

// SignIn checks a member's PIN. A wrong PIN is counted; after the
// configured number in a row the member is locked (ErrLocked), during
// which even the right PIN is refused: five minutes by default, then ten,
// twenty and so on (see lock). A right PIN clears the count but not the
// doubling, so guessing between the member's own sign-ins stays slow.
func (s *Store) SignIn(id, pin string) (Member, error) {
	var out Member
	var signErr error
	err := s.write(func(tx *bolt.Tx) error {
		m, err := get(tx, id)
		if err != nil {
			return err
		}
		now := s.now().UTC()
		switch {
		case !m.Active:
			signErr = fmt.Errorf("%w: %s is not active", ErrNoMember, m.Name)
			return nil
		case m.Locked(now):
			signErr = ErrLocked
			return nil
		case !m.PIN.matches(pin):
			m.Failures++
			signErr = ErrWrongPIN
			if m.Failures >= s.maxFailures {
				m.lock(now, s.lockFor)
				signErr = ErrLocked
			}
		default:
			m.Failures, m.LastSignIn = 0, now
			out = m.public()
		}
		return put(tx, m)
	})
	if err != nil {
		return Member{}, fmt.Errorf("staff: sign in: %w", err)
	}
	if signErr != nil {
		return Member{}, fmt.Errorf("staff: sign in: %w", signErr)
	}
	return out, nil
}

// SignInName checks the PIN of the one active member with that name (as
// the command line names its staff: case and spacing aside), counting a
// wrong PIN as SignIn does. No such member is ErrNoMember; two active
// members of one name must use SignIn with the ID.
func (s *Store) SignInName(name, pin string) (Member, error) {
	want := strings.ToLower(strings.Join(strings.Fields(name), " "))
	all, err := s.Active()
	if err != nil {
		return Member{}, err
	}
	var found []Member
	for _, m := range all {
		if strings.ToLower(m.Name) == want {
			found = append(found, m)
		}
	}
	switch len(found) {
	case 0:
		return Member{}, fmt.Errorf("staff: sign in: %w: no active member is named %q", ErrNoMember, strings.TrimSpace(name))
	case 1:
		return s.SignIn(found[0].ID, pin)
	}
	return Member{}, fmt.Errorf("staff: sign in: %d active members are named %q: sign in by ID", len(found), strings.TrimSpace(name))
}

// EnsureSupervisor creates the first supervisor when the desk has no staff
// at all, with a random six-digit PIN that is returned once (created true)
// to be shown to the person installing the desk; it is never stored in the
// clear.
func (s *Store) EnsureSupervisor() (m Member, pin string, created bool, err error) {
	all, err := s.List()
	if err != nil || len(all) > 0 {
		return Member{}, "", false, err
	}
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return Member{}, "", false, fmt.Errorf("staff: first PIN: %w", err)
	}
	pin = fmt.Sprintf("%06d", n.Int64())
	m, err = s.add("Supervisor", Supervisor, pin)
	if err != nil {
		return Member{}, "", false, err
	}
	return m, pin, true, nil
}

// DemoName and DemoPIN are the demo library's staff member.
const (
	DemoName = "Demo Staff"
	DemoPIN  = "1234"
)

// EnsureDemo creates the demo staff member (a supervisor with PIN 1234)
// unless a member of that name exists. Only the --demo desk calls it.
func (s *Store) EnsureDemo() (Member, error) {
	all, err := s.List()
	if err != nil {
		return Member{}, err
	}
	for _, m := range all {
		if m.Name == DemoName {
			return m, nil
		}
	}
	return s.add(DemoName, Supervisor, DemoPIN)
}
