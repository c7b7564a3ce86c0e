package handoff

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// A VerifyReport summarizes a successful Verify.
type VerifyReport struct {
	Events   int    `json:"events"`
	Requests int    `json:"requests"`
	Head     string `json:"head"` // hex SHA-256 of the last record: note it elsewhere to anchor the chain
}

// Verify walks the whole log: every record's hash must match its bytes and
// link to the record before it, the head must name the last record and the
// count must match (so a deleted tail is caught). It then replays every
// event through the workflow rules and compares the result with the stored
// request states and indexes. The first problem is returned, wrapping
// ErrChainBroken, ErrBadRecord or ErrViewMismatch and naming the event.
func (s *Store) Verify() (VerifyReport, error) {
	var rep VerifyReport
	err := s.db.View(func(tx *bolt.Tx) error {
		b, err := open(tx)
		if err != nil {
			return err
		}
		prev := make([]byte, hashLen)
		var lastKey []byte
		state := map[string]*Request{}
		n := 0
		c := b.events.Cursor()
		for k, rec := c.First(); k != nil; k, rec = c.Next() {
			n++
			id := fmt.Sprintf("%x", k)
			if len(k) == 16 {
				id, _ = keyID(k)
			}
			rp, rh, body, err := splitRecord(rec)
			if err != nil {
				return fmt.Errorf("handoff: verify event %d (%s): %w", n, id, err)
			}
			if !bytes.Equal(rp, prev) {
				return fmt.Errorf("handoff: verify event %d (%s): previous hash does not match the record before (deleted or inserted event): %w", n, id, ErrChainBroken)
			}
			if h := chainHash(prev, k, body); !bytes.Equal(h[:], rh) {
				return fmt.Errorf("handoff: verify event %d (%s): hash does not match its content (edited event): %w", n, id, ErrChainBroken)
			}
			ev, err := DecodeRecord(k, rec)
			if err != nil {
				return fmt.Errorf("handoff: verify event %d (%s): %w", n, id, err)
			}
			after, err := apply(state[ev.Request], &ev)
			if err != nil {
				return fmt.Errorf("handoff: verify event %d (%s): replay: %v: %w", n, id, err, ErrViewMismatch)
			}
			if ev.Kind == EventRequested {
				after.ID = ev.ID
			}
			state[ev.Request] = after
			prev, lastKey = rh, k
		}
		if hh := b.head.Get(headHash); n > 0 && !bytes.Equal(hh, prev) || n == 0 && hh != nil {
			return fmt.Errorf("handoff: verify: head hash %x is not the last record's %x (events deleted at the end): %w", hh, prev, ErrChainBroken)
		}
		if hl := b.head.Get(headLast); !bytes.Equal(hl, lastKey) {
			return fmt.Errorf("handoff: verify: head names another last event: %w", ErrChainBroken)
		}
		if hc := b.head.Get(headCount); n > 0 && (len(hc) != 8 || binary.BigEndian.Uint64(hc) != uint64(n)) {
			return fmt.Errorf("handoff: verify: head counts %x events, log has %d: %w", hc, n, ErrChainBroken)
		}
		rep.Events, rep.Requests, rep.Head = n, len(state), hex.EncodeToString(prev)
		return checkViews(b, state)
	})
	return rep, err
}

// checkViews compares stored request states and indexes with the replay.
func checkViews(b *buckets, state map[string]*Request) error {
	mismatch := func(format string, args ...any) error {
		return fmt.Errorf("handoff: verify: %s: %w", fmt.Sprintf(format, args...), ErrViewMismatch)
	}
	if n := b.requests.Stats().KeyN; n != len(state) {
		return mismatch("%d stored requests, log has %d", n, len(state))
	}
	due, tell := 0, 0
	for id, r := range state {
		k, _ := idKey("request", id)
		want, err := json.Marshal(r)
		if err != nil {
			return err
		}
		if got := b.requests.Get(k); !bytes.Equal(got, want) {
			return mismatch("request %s differs from its events", id)
		}
		if r.Open() {
			due++
			if b.due.Get(dueKey(r.Due, k)) == nil {
				return mismatch("open request %s missing from the due-date index", id)
			}
		}
		if r.ToTell() {
			tell++
			if b.tell.Get(k) == nil {
				return mismatch("request %s missing from the tell-the-patient list", id)
			}
		}
	}
	if n := b.due.Stats().KeyN; n != due {
		return mismatch("due-date index holds %d entries, %d requests are open", n, due)
	}
	if n := b.tell.Stats().KeyN; n != tell {
		return mismatch("tell-the-patient list holds %d entries, want %d", n, tell)
	}
	return nil
}
