package handoff

import (
	"errors"
	"fmt"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
)

// ErrPending means the event was not recorded in the facility's log yet: the
// log did not answer and the event is kept at this desk, to be sent (with
// its ID) when it answers again. The Store's actions do not return it (the
// action is kept); the Remote's owner reports the outage.
var ErrPending = errors.New("kept at this desk until the facility database answers again")

// A Remote is a handoff log kept outside the desk's store: the facility
// database several desks share (package app/facility implements it). A
// Store opened over a Remote keeps its workflow checks, fee and due-date
// rules, auditor and configuration, and sends every write and every view
// to the Remote; the Remote applies the same workflow rule (Apply) to the
// request as it stands in its own transaction.
type Remote interface {
	// Append records ev (its ID unset) after the workflow rule accepts it
	// and returns it with ID, Prev and Hash set and the request after it.
	// An event of an existing request names it by Request or, when that is
	// empty, by Disc. hook, when not nil, is called with the event and the
	// request after it before the event is recorded; it may set fields
	// (the audit message) or refuse. When the log did not answer and the
	// event was kept to send later, the error wraps ErrPending (the
	// returned request is then the state as it will be recorded, when
	// known).
	Append(ev Event, hook func(ev *Event, after *Request) error) (Event, Request, error)
	Request(id string) (Request, error)
	DiscRequest(discUUID string) (Request, error)
	Event(id string) (Event, error)
	// Events returns the events of a request (or of a disc), oldest first.
	Events(requestID, discUUID string) ([]Event, error)
	ForEachEvent(fn func(Event) error) error
	OpenRequests(now time.Time, overdueOnly bool) ([]Request, error)
	ToTell() ([]Request, error)
	PatientHistory(key string) ([]Request, error)
	Search(query string) ([]Request, error)
	// Head is the chain's head hash (hex) and event count.
	Head() (hash string, events int, err error)
	// RecordHash is the hash (hex) of the chain's record number n (from 1).
	RecordHash(n int) (string, error)
	Verify() (VerifyReport, error)
}

// A HoldingRemote also knows which studies the facility's desks hold: a
// request may name a study this desk's library lacks when another desk
// holds it (that desk burns it).
type HoldingRemote interface {
	Remote
	// Held reports whether some desk of the facility holds the study.
	Held(studyUID string) (bool, error)
}

// facilityStudies widens the Store's study check to the facility's
// holdings, when its Remote knows them.
func (s *Store) facilityStudies() {
	hr, ok := s.remote.(HoldingRemote)
	if !ok || s.studies == nil {
		return
	}
	local := s.studies
	s.studies = func(uid string) error {
		err := local(uid)
		if err == nil {
			return nil
		}
		if held, herr := hr.Held(uid); herr == nil && held {
			return nil
		}
		return err
	}
}

// WithRemote makes the Store keep its log in r instead of the desk's
// store (the bbolt file then holds no handoff events); WithRemote(nil)
// keeps it in the desk's store even when db is bound (Bind).
func WithRemote(r Remote) Option { return func(s *Store) { s.remote = r } }

// bound holds the Remote each desk store is bound to (Bind).
var bound sync.Map // *bolt.DB -> Remote

// Bind makes every Store opened on db from now on (Open, by any package)
// keep its log in r: the desk's data folder is then one desk of a facility.
// The returned func undoes it (call it before closing db).
func Bind(db *bolt.DB, r Remote) (unbind func()) {
	bound.Store(db, r)
	return func() { bound.CompareAndDelete(db, r) }
}

// BoundRemote returns the Remote db is bound to, if any.
func BoundRemote(db *bolt.DB) (Remote, bool) {
	v, ok := bound.Load(db)
	if !ok {
		return nil, false
	}
	return v.(Remote), true
}

// Remote returns the Store's remote log (nil: the desk's own store).
func (s *Store) Remote() Remote { return s.remote }

// remoteAppend records ev in the remote log; an event kept for later
// (ErrPending) counts as recorded.
func (s *Store) remoteAppend(ev *Event, hook func(ev *Event, after *Request) error) (Request, error) {
	out, r, err := s.remote.Append(*ev, hook)
	if err != nil && !errors.Is(err, ErrPending) {
		return Request{}, fmt.Errorf("handoff: record %s: %w", ev.Kind, err)
	}
	*ev = out
	return r, nil
}

// verifyAgainstRemote is VerifyAgainst's check of the checkpoint's record
// on a remote log.
func (s *Store) verifyAgainstRemote(c Checkpoint) (string, int, error) {
	_, n, err := s.remote.Head()
	if err != nil {
		return "", 0, err
	}
	if c.Events == 0 {
		return fmt.Sprintf("%x", make([]byte, hashLen)), n, nil
	}
	if n < c.Events {
		return "", n, nil
	}
	h, err := s.remote.RecordHash(c.Events)
	return h, n, err
}
