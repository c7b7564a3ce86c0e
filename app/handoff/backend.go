package handoff

import (
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// These two helpers let another storage backend (the facility database,
// package app/facility) keep the same log: the same record bytes and hash
// chain, and the same workflow rules, as this package's bbolt store.

// EncodeRecord returns the stored record of ev under key (the event's
// 16-byte UUID), chained to prev (the previous record's hash, or 32 zero
// bytes for the first), and the record's own hash. DecodeRecord reads it.
func EncodeRecord(prev, key []byte, ev *Event) ([]byte, [32]byte, error) {
	return encodeRecord(prev, key, ev)
}

// Apply returns the state of a request after ev; r is the state before (nil
// for a "requested" or "outside-received" event). It is the rule writes and
// Verify use.
func Apply(r *Request, ev *Event) (*Request, error) { return apply(r, ev) }

// Append records ev as the caller built it (kind, time, staff, workstation
// and the kind's fields set; ID, Prev and Hash are set here) after the
// workflow rule accepts it, and returns it with the request as it stands
// after. An event of an existing request names it by Request or, when that
// is empty, by Disc. A "requested" or "outside-received" event opens a
// record whose ID is the event's.
func (s *Store) Append(ev Event) (Event, Request, error) {
	if ev.ID != "" {
		return Event{}, Request{}, fmt.Errorf("handoff: append: the desk store assigns event IDs: %w", ErrWrongState)
	}
	if s.remote != nil {
		r, err := s.remoteAppend(&ev, nil)
		if err != nil {
			return Event{}, Request{}, err
		}
		return ev, r, nil
	}
	var out Request
	err := s.db.Update(func(tx *bolt.Tx) error {
		b, err := open(tx)
		if err != nil {
			return err
		}
		if ev.Kind == EventRequested || ev.Kind == EventOutsideReceived {
			r, err := s.writeRequest(b, &ev)
			if err == nil {
				out = *r
			}
			return err
		}
		return s.writeEvent(b, &ev, func(_ *Event, r *Request) error { out = *r; return nil })
	})
	if err != nil {
		return Event{}, Request{}, fmt.Errorf("handoff: record %s: %w", ev.Kind, err)
	}
	return ev, out, nil
}

// MarshalRequest returns json.Marshal(r) appended to buf[:0], without
// reflection (the bytes a request view is stored and compared as).
func MarshalRequest(buf []byte, r *Request) ([]byte, error) { return marshalRequest(buf, r) }
