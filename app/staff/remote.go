package staff

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sync"

	bolt "go.etcd.io/bbolt"
)

// A Remote keeps the members every desk of a facility shares (the facility
// database, package app/facility). A Store on a bound desk store reads the
// members from it before each operation and writes each changed member
// back after; the desk's own bucket is the copy it works on while the
// Remote does not answer (sign-in keeps working), and members changed then
// are sent when it answers again.
type Remote interface {
	Members() ([]Member, error)
	PutMember(m Member) error
}

var bucketUnsent = []byte("staff.unsent") // member ID -> nil: changed while the Remote was away

var bound sync.Map // *bolt.DB -> Remote

// Bind makes every Store opened on db from now on keep its members in r.
// The returned func undoes it.
func Bind(db *bolt.DB, r Remote) (unbind func()) {
	bound.Store(db, r)
	return func() { bound.CompareAndDelete(db, r) }
}

// pull sends members changed while the Remote was away, then replaces the
// desk's copy with the Remote's members. When the Remote does not answer,
// the desk's copy stands.
func (s *Store) pull() {
	if s.remote == nil {
		return
	}
	s.sendUnsent()
	ms, err := s.remote.Members()
	if err != nil {
		return
	}
	s.db.Update(func(tx *bolt.Tx) error {
		if u := tx.Bucket(bucketUnsent); u != nil && u.Stats().KeyN > 0 {
			return nil // still unsent: the desk's copy is newer
		}
		b := tx.Bucket(bucketStaff)
		keep := map[string]bool{}
		for _, m := range ms {
			keep[m.ID] = true
			if err := put(tx, m); err != nil {
				return err
			}
		}
		var drop [][]byte
		b.ForEach(func(k, _ []byte) error {
			if !keep[string(k)] {
				drop = append(drop, bytes.Clone(k))
			}
			return nil
		})
		for _, k := range drop {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		return nil
	})
}

// write runs fn in a write transaction on the desk's copy (pulled first)
// and sends each member fn changed to the Remote.
func (s *Store) write(fn func(tx *bolt.Tx) error) error {
	if s.remote == nil {
		return s.db.Update(fn)
	}
	s.pull()
	var changed []Member
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketStaff)
		before := map[string][]byte{}
		b.ForEach(func(k, v []byte) error { before[string(k)] = bytes.Clone(v); return nil })
		if err := fn(tx); err != nil {
			return err
		}
		return b.ForEach(func(k, v []byte) error {
			if !bytes.Equal(before[string(k)], v) {
				var m Member
				if err := json.Unmarshal(v, &m); err != nil {
					return fmt.Errorf("member %s: %w", k, err)
				}
				changed = append(changed, m)
			}
			return nil
		})
	})
	if err != nil {
		return err
	}
	for _, m := range changed {
		if s.remote.PutMember(m) != nil {
			s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketUnsent).Put([]byte(m.ID), nil) })
		}
	}
	return nil
}

// sendUnsent sends the members changed while the Remote was away.
func (s *Store) sendUnsent() {
	var ids []string
	s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketUnsent).ForEach(func(k, _ []byte) error { ids = append(ids, string(k)); return nil })
	})
	for _, id := range ids {
		var m Member
		var err error
		s.db.View(func(tx *bolt.Tx) error { m, err = get(tx, id); return nil })
		if err == nil {
			if s.remote.PutMember(m) != nil {
				return
			}
		}
		s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketUnsent).Delete([]byte(id)) })
	}
}
