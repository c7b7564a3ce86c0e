package handoff

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/google/uuid"
	bolt "go.etcd.io/bbolt"
)

// Bucket layout below the top-level "handoff" bucket.
var (
	rootBucket     = []byte("handoff")
	eventsBucket   = []byte("events")     // event UUIDv7 (16) -> record
	requestsBucket = []byte("requests")   // request UUID (16) -> Request JSON
	dueBucket      = []byte("due")        // due unix seconds (8, big-endian) + request UUID (16) -> nil; open requests only
	tellBucket     = []byte("tell")       // request UUID -> nil; "tell the patient"
	byReqBucket    = []byte("by-request") // request UUID + event UUID -> nil
	byDiscBucket   = []byte("by-disc")    // disc UUID + event UUID -> nil
	discsBucket    = []byte("discs")      // disc UUID -> request UUID
	patientBucket  = []byte("by-patient") // patient key + 0 + request UUID -> nil
	headBucket     = []byte("head")       // "hash" -> last hash, "last" -> last key, "count" -> uint64

	headHash  = []byte("hash")
	headLast  = []byte("last")
	headCount = []byte("count")

	// viewsKey (in the root bucket) holds the version of the derived
	// indexes' rules (viewsVersion, one byte); a store without it was
	// written before version 2.
	viewsKey = []byte("views")

	allBuckets = [][]byte{eventsBucket, requestsBucket, dueBucket, tellBucket, byReqBucket, byDiscBucket, discsBucket, patientBucket, headBucket}
)

// viewsVersion is the version of the rules the derived indexes are kept
// by. Open rebuilds an index from the stored request states when a store
// was written under an older version, so Verify's comparison holds:
//
//	1  the per-patient index folded the Patient ID's case
//	2  Patient.Key matches the ID exactly, with its issuer
const viewsVersion = 2

// Store is the handoff log and request views inside the desk's store. It is
// safe for concurrent use (bbolt serializes writers).
type Store struct {
	db      *bolt.DB
	cfgMu   sync.RWMutex // guards cfg, which SetConfig replaces while the desk runs
	cfg     Config
	now     func() time.Time
	studies StudyValidator
	auditor Auditor
	remote  Remote // the facility's log, when the desk is one of several (WithRemote, Bind)
}

// An Auditor builds the DICOM audit message kept with a handoff event (see
// package handoff/audit). It gets the request and disc as they stand after
// the event and returns the XML.
type Auditor func(r *Request, d *Disc, ev *Event) ([]byte, error)

// An Option configures a Store.
type Option func(*Store)

// WithConfig sets due-date targets and fee policy (default DefaultConfig()).
func WithConfig(c Config) Option { return func(s *Store) { s.cfg = c } }

// WithClock replaces time.Now (tests, benchmarks).
func WithClock(now func() time.Time) Option { return func(s *Store) { s.now = now } }

// WithStudyValidator makes NewRequest check every Study Instance UID.
func WithStudyValidator(v StudyValidator) Option { return func(s *Store) { s.studies = v } }

// WithAuditor makes every handoff (handed over, mailed) carry an audit message.
func WithAuditor(a Auditor) Option { return func(s *Store) { s.auditor = a } }

// Open creates the handoff buckets if needed and returns the Store. When db
// is bound to a facility log (Bind) or WithRemote is given, the Store keeps
// its log there and db holds no handoff events.
func Open(db *bolt.DB, opts ...Option) (*Store, error) {
	s := &Store{db: db, cfg: DefaultConfig(), now: time.Now}
	if r, ok := BoundRemote(db); ok {
		s.remote = r
	}
	for _, o := range opts {
		o(s)
	}
	if s.cfg.Fees.Caps != nil {
		if err := s.cfg.Fees.Caps.Check(); err != nil {
			return nil, fmt.Errorf("handoff: fee caps: %w", err)
		}
	}
	if s.remote != nil {
		s.facilityStudies()
		return s, nil
	}
	// A View first: opening an existing store then costs no write (and no fsync).
	current := func(tx *bolt.Tx) error {
		if _, err := open(tx); err != nil {
			return err
		}
		if v := tx.Bucket(rootBucket).Get(viewsKey); len(v) != 1 || v[0] != viewsVersion {
			return errOldViews
		}
		return nil
	}
	if db.View(current) == nil || db.IsReadOnly() {
		return s, nil // a read-only store is compared as it is
	}
	err := db.Update(func(tx *bolt.Tx) error {
		if current(tx) == nil {
			return nil // another Open was first
		}
		root, err := tx.CreateBucketIfNotExists(rootBucket)
		if err != nil {
			return err
		}
		v := 1 // no version: written before there was one
		if raw := root.Get(viewsKey); len(raw) == 1 {
			v = int(raw[0])
		}
		if v > viewsVersion {
			return fmt.Errorf("views of version %d, this build knows %d: %w", v, viewsVersion, ErrBadRecord)
		}
		fresh := root.Bucket(eventsBucket) == nil || root.Bucket(eventsBucket).Stats().KeyN == 0
		for _, name := range allBuckets {
			if _, err := root.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		if !fresh && v < 2 { // Patient.Key changed in version 2
			if err := rebuildPatients(root); err != nil {
				return fmt.Errorf("rebuild the per-patient index: %w", err)
			}
		}
		return root.Put(viewsKey, []byte{viewsVersion})
	})
	if err != nil {
		return nil, fmt.Errorf("handoff: open: %w", err)
	}
	return s, nil
}

var errOldViews = errors.New("handoff: views of an older version")

// rebuildPatients rewrites the per-patient index from the stored request
// states under the current Patient.Key (the states are what Verify
// compares with the log, so an index rebuilt from them is compared too).
func rebuildPatients(root *bolt.Bucket) error {
	if err := root.DeleteBucket(patientBucket); err != nil {
		return err
	}
	idx, err := root.CreateBucket(patientBucket)
	if err != nil {
		return err
	}
	return root.Bucket(requestsBucket).ForEach(func(k, v []byte) error {
		var r Request
		if err := json.Unmarshal(v, &r); err != nil {
			return fmt.Errorf("request %x: %v: %w", k, err, ErrBadRecord)
		}
		pk := append([]byte(r.Patient.Key()), 0)
		return idx.Put(append(pk, k...), nil)
	})
}

// Config returns the store's configuration.
func (s *Store) Config() Config {
	s.cfgMu.RLock()
	defer s.cfgMu.RUnlock()
	return s.cfg
}

// SetConfig replaces the configuration (fees, deadlines, the time zone)
// for every request recorded from now on: settings saved at the desk apply
// without a restart. Requests already recorded keep their fee and due date.
func (s *Store) SetConfig(c Config) error {
	if c.Fees.Caps != nil {
		if err := c.Fees.Caps.Check(); err != nil {
			return fmt.Errorf("handoff: set config: %w", err)
		}
	}
	s.cfgMu.Lock()
	s.cfg = c
	s.cfgMu.Unlock()
	return nil
}

type buckets struct {
	events, requests, due, tell, byReq, byDisc, discs, patient, head *bolt.Bucket
}

func open(tx *bolt.Tx) (*buckets, error) {
	root := tx.Bucket(rootBucket)
	if root == nil {
		return nil, ErrNoStore
	}
	b := &buckets{
		events: root.Bucket(eventsBucket), requests: root.Bucket(requestsBucket), due: root.Bucket(dueBucket),
		tell: root.Bucket(tellBucket), byReq: root.Bucket(byReqBucket), byDisc: root.Bucket(byDiscBucket),
		discs: root.Bucket(discsBucket), patient: root.Bucket(patientBucket), head: root.Bucket(headBucket),
	}
	if b.events == nil || b.requests == nil || b.due == nil || b.tell == nil || b.byReq == nil || b.byDisc == nil || b.discs == nil || b.patient == nil || b.head == nil {
		return nil, ErrNoStore
	}
	return b, nil
}

// idKey parses a UUID string into its 16-byte key.
func idKey(field, id string) ([]byte, error) {
	u, err := uuid.Parse(id)
	if err != nil {
		return nil, fieldErr(field, ErrNotFound, "%q is not a UUID", id)
	}
	return u[:], nil
}

func keyID(k []byte) (string, error) {
	u, err := uuid.FromBytes(k)
	if err != nil {
		return "", err
	}
	return u.String(), nil
}

func dueKey(due time.Time, id []byte) []byte {
	k := make([]byte, 8, 24)
	binary.BigEndian.PutUint64(k, uint64(due.Unix()))
	return append(k, id...)
}

// nextKey returns a new UUIDv7 strictly after last, so key order is log
// order even if the wall clock stepped back between two processes.
func nextKey(last []byte) ([]byte, error) {
	u, err := uuid.NewV7()
	if err != nil {
		return nil, fmt.Errorf("handoff: new event id: %w", err)
	}
	k := u[:]
	if len(last) == 16 && bytes.Compare(k, last) <= 0 {
		k = append([]byte(nil), last...)
		// Increment the 62 random bits (bytes 8..15, below the variant bits).
		for i := 15; i >= 8; i-- {
			if i == 8 {
				if k[8]&0x3f == 0x3f {
					return nil, fmt.Errorf("handoff: event id space exhausted after %x: %w", last, ErrWrongState)
				}
				k[8]++
				break
			}
			k[i]++
			if k[i] != 0 {
				break
			}
		}
	}
	return k, nil
}

// append chains ev onto the log and updates every view, inside tx. It sets
// ev.ID, ev.Prev and ev.Hash. r is the request after the event (nil for a
// request unknown before a "requested" event is applied) and is stored.
func (s *Store) append(b *buckets, ev *Event, before, after *Request) error {
	prev := b.head.Get(headHash)
	if prev == nil {
		prev = make([]byte, hashLen)
	}
	key, err := nextKey(b.head.Get(headLast))
	if err != nil {
		return err
	}
	ev.ID, _ = keyID(key)
	if ev.Kind == EventRequested || ev.Kind == EventOutsideReceived {
		ev.Request = ev.ID
		after.ID = ev.ID
	}
	rec, h, err := encodeRecord(prev, key, ev)
	if err != nil {
		return err
	}
	b.events.FillPercent = 0.95
	if err := b.events.Put(key, rec); err != nil {
		return err
	}
	var cnt [8]byte
	if c := b.head.Get(headCount); len(c) == 8 {
		binary.BigEndian.PutUint64(cnt[:], binary.BigEndian.Uint64(c)+1)
	} else {
		binary.BigEndian.PutUint64(cnt[:], 1)
	}
	for k, v := range map[string][]byte{string(headHash): h[:], string(headLast): key, string(headCount): cnt[:]} {
		if err := b.head.Put([]byte(k), v); err != nil {
			return err
		}
	}
	ev.Prev, ev.Hash = fmt.Sprintf("%x", prev), fmt.Sprintf("%x", h)
	reqKey, err := idKey("request", ev.Request)
	if err != nil {
		return err
	}
	if err := b.byReq.Put(append(append([]byte(nil), reqKey...), key...), nil); err != nil {
		return err
	}
	if ev.Disc != "" {
		dk, err := idKey("disc", ev.Disc)
		if err != nil {
			return err
		}
		if err := b.byDisc.Put(append(append([]byte(nil), dk...), key...), nil); err != nil {
			return err
		}
		if ev.Kind == EventBurned {
			if err := b.discs.Put(dk, reqKey); err != nil {
				return err
			}
		}
	}
	return putViews(b, reqKey, before, after)
}

// putViews stores the request's state and moves its index entries.
func putViews(b *buckets, reqKey []byte, before, after *Request) error {
	if before == nil {
		pk := append([]byte(after.Patient.Key()), 0)
		if err := b.patient.Put(append(pk, reqKey...), nil); err != nil {
			return err
		}
	}
	if before != nil && before.Open() {
		if err := b.due.Delete(dueKey(before.Due, reqKey)); err != nil {
			return err
		}
	}
	if after.Open() {
		if err := b.due.Put(dueKey(after.Due, reqKey), nil); err != nil {
			return err
		}
	}
	if after.ToTell() {
		if err := b.tell.Put(reqKey, nil); err != nil {
			return err
		}
	} else if err := b.tell.Delete(reqKey); err != nil {
		return err
	}
	buf, err := json.Marshal(after)
	if err != nil {
		return fmt.Errorf("handoff: encode request: %w", err)
	}
	return b.requests.Put(reqKey, buf)
}

func getRequest(b *buckets, reqKey []byte) (*Request, error) {
	v := b.requests.Get(reqKey)
	if v == nil {
		id, _ := keyID(reqKey)
		return nil, fmt.Errorf("handoff: request %s: %w", id, ErrNotFound)
	}
	var r Request
	if err := json.Unmarshal(v, &r); err != nil {
		return nil, fmt.Errorf("handoff: decode request: %v: %w", err, ErrBadRecord)
	}
	return &r, nil
}

func clone(r *Request) *Request {
	c := *r
	c.Discs = append([]Disc(nil), r.Discs...)
	return &c
}
