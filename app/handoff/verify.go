package handoff

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"runtime"
	"sync"

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
		// Hash links are checked in order here; JSON decoding, the costly
		// part, runs on all cores in batches; replay is in order again.
		var batch [][2][]byte
		flush := func() error {
			evs, err := decodeParallel(batch, n-len(batch))
			if err != nil {
				return err
			}
			for i := range evs {
				ev := &evs[i]
				after, err := apply(state[ev.Request], ev)
				if err != nil {
					return fmt.Errorf("handoff: verify event %d (%s): replay: %v: %w", n-len(batch)+i+1, ev.ID, err, ErrViewMismatch)
				}
				state[ev.Request] = after
			}
			batch = batch[:0]
			return nil
		}
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
			prev, lastKey = rh, k
			batch = append(batch, [2][]byte{k, rec})
			if len(batch) == verifyBatch {
				if err := flush(); err != nil {
					return err
				}
			}
		}
		if err := flush(); err != nil {
			return err
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
	type pair struct {
		id     string
		r      *Request
		stored []byte
	}
	pairs := make([]pair, 0, len(state))
	due, tell := 0, 0
	for id, r := range state {
		k, _ := idKey("request", id)
		pairs = append(pairs, pair{id, r, b.requests.Get(k)})
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
	// Marshal the replayed states on all cores; the stored bytes are only read.
	workers := runtime.GOMAXPROCS(0)
	bad := make([]string, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(pairs); i += workers {
				want, err := json.Marshal(pairs[i].r)
				if err != nil || !bytes.Equal(pairs[i].stored, want) {
					bad[w] = pairs[i].id
					return
				}
			}
		})
	}
	wg.Wait()
	for _, id := range bad {
		if id != "" {
			return mismatch("request %s differs from its events", id)
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

const verifyBatch = 4096

// decodeParallel decodes records (key, record) whose hashes were checked,
// on all cores; first is the log position of the first, for messages.
func decodeParallel(recs [][2][]byte, first int) ([]Event, error) {
	out := make([]Event, len(recs))
	workers := min(runtime.GOMAXPROCS(0), 1+len(recs)/256)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(recs); i += workers {
				ev, err := decodeBody(recs[i][0], recs[i][1])
				if err != nil {
					errs[w] = fmt.Errorf("handoff: verify event %d: %w", first+i+1, err)
					return
				}
				out[i] = ev
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}
