package handoff

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
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
// request states and indexes. The first problem in log order is returned,
// wrapping ErrChainBroken, ErrBadRecord or ErrViewMismatch and naming the
// event.
func (s *Store) Verify() (VerifyReport, error) {
	if s.remote != nil {
		return s.remote.Verify()
	}
	var rep VerifyReport
	err := s.db.View(func(tx *bolt.Tx) error {
		b, err := open(tx)
		if err != nil {
			return err
		}
		lg, err := replayLog(b.events)
		if err != nil {
			return err
		}
		n, prev := lg.n, lg.prev
		if hh := b.head.Get(headHash); n > 0 && !bytes.Equal(hh, prev) || n == 0 && hh != nil {
			return fmt.Errorf("handoff: verify: head hash %x is not the last record's %x (events deleted at the end): %w", hh, prev, ErrChainBroken)
		}
		if hl := b.head.Get(headLast); !bytes.Equal(hl, lg.lastKey) {
			return fmt.Errorf("handoff: verify: head names another last event: %w", ErrChainBroken)
		}
		if hc := b.head.Get(headCount); n > 0 && (len(hc) != 8 || binary.BigEndian.Uint64(hc) != uint64(n)) {
			return fmt.Errorf("handoff: verify: head counts %x events, log has %d: %w", hc, n, ErrChainBroken)
		}
		rep.Events, rep.Requests, rep.Head = n, len(lg.state), hex.EncodeToString(prev)
		return checkViews(b, lg.state)
	})
	return rep, err
}

// A replayedLog is the outcome of replayLog.
type replayedLog struct {
	n       int                 // events
	prev    []byte              // hash of the last record (zeros when empty)
	lastKey []byte              // key of the last record
	state   map[string]*Request // request ID -> state after all its events
}

// verifyBatch is a run of consecutive records on its way through replayLog.
type verifyBatch struct {
	first int         // log position (0-based) of recs[0]
	recs  [][2][]byte // key, record (bbolt memory: valid inside the transaction)
	evs   []Event
	bad   int   // index of the first record that failed, or len(recs)
	err   error // its error
	done  chan struct{}
}

const verifyBatchLen = 512

// check verifies each record's hash against its bytes and decodes it,
// stopping at the first failure.
func (vb *verifyBatch) check() {
	vb.evs = vb.evs[:len(vb.recs)]
	vb.bad, vb.err = len(vb.recs), nil
	for i, kr := range vb.recs {
		k := kr[0]
		prev, hash, body, _ := splitRecord(kr[1]) // split once already
		if h := chainHash(prev, k, body); !bytes.Equal(h[:], hash) {
			vb.bad, vb.err = i, fmt.Errorf("handoff: verify event %d (%s): hash does not match its content (edited event): %w", vb.first+i+1, recordName(k), ErrChainBroken)
			return
		}
		vb.evs[i] = Event{}
		if err := decodeEvent(k, body, &vb.evs[i]); err != nil {
			vb.bad, vb.err = i, fmt.Errorf("handoff: verify event %d: %w", vb.first+i+1, err)
			return
		}
	}
}

// recordName is the event ID of key k for messages (hex if not a UUID).
func recordName(k []byte) string {
	if len(k) == 16 {
		id, _ := keyID(k)
		return id
	}
	return fmt.Sprintf("%x", k)
}

// replayLog checks the chain of events and replays it. Three stages overlap:
// this goroutine's cursor walk checks each record's link to the one before;
// workers on all cores check each record's hash and decode its JSON, a batch
// at a time; the replay applies the decoded events in log order. Problems are
// reported in log order: everything about record i comes before record i+1.
func replayLog(events *bolt.Bucket) (replayedLog, error) {
	workers := runtime.GOMAXPROCS(0)
	nbatch := 2*workers + 2
	free := make(chan *verifyBatch, nbatch)
	for range nbatch {
		free <- &verifyBatch{recs: make([][2][]byte, 0, verifyBatchLen), evs: make([]Event, verifyBatchLen)}
	}
	// Every batch is in one place at a time, so sends on jobs and order never block.
	jobs := make(chan *verifyBatch, nbatch)
	order := make(chan *verifyBatch, nbatch)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for vb := range jobs {
				vb.check()
				close(vb.done)
			}
		})
	}

	lg := replayedLog{prev: make([]byte, hashLen), state: map[string]*Request{}}
	var replayErr error
	replayed := make(chan struct{})
	go func() {
		defer close(replayed)
		for vb := range order {
			<-vb.done
			for i := 0; replayErr == nil && i < vb.bad; i++ {
				ev := &vb.evs[i]
				after, err := apply(lg.state[ev.Request], ev)
				if err != nil {
					replayErr = fmt.Errorf("handoff: verify event %d (%s): replay: %v: %w", vb.first+i+1, ev.ID, err, ErrViewMismatch)
					break
				}
				lg.state[ev.Request] = after
			}
			if replayErr == nil && vb.err != nil {
				replayErr = vb.err
			}
			if replayErr != nil {
				select {
				case <-stop:
				default:
					close(stop)
				}
			}
			clear(vb.evs)
			vb.recs = vb.recs[:0]
			free <- vb
		}
	}()

	var walkErr error
	var vb *verifyBatch
	send := func() {
		vb.done = make(chan struct{})
		jobs <- vb
		order <- vb
		vb = nil
	}
	c := events.Cursor()
walk:
	for k, rec := c.First(); k != nil; k, rec = c.Next() {
		if vb == nil {
			select {
			case vb = <-free:
				vb.first = lg.n
			case <-stop:
				break walk
			}
		}
		lg.n++
		rp, rh, _, err := splitRecord(rec)
		if err != nil {
			walkErr = fmt.Errorf("handoff: verify event %d (%s): %w", lg.n, recordName(k), err)
			break
		}
		if !bytes.Equal(rp, lg.prev) {
			walkErr = fmt.Errorf("handoff: verify event %d (%s): previous hash does not match the record before (deleted or inserted event): %w", lg.n, recordName(k), ErrChainBroken)
			break
		}
		lg.prev, lg.lastKey = rh, k
		vb.recs = append(vb.recs, [2][]byte{k, rec})
		if len(vb.recs) == verifyBatchLen {
			send()
		}
	}
	if vb != nil && len(vb.recs) > 0 {
		send()
	} else if vb != nil {
		free <- vb
	}
	close(jobs)
	close(order)
	wg.Wait()
	<-replayed
	if replayErr != nil {
		return lg, replayErr // an earlier record than any walk error
	}
	return lg, walkErr
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
	var pk []byte
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
		pk = append(append(append(pk[:0], r.Patient.Key()...), 0), k...)
		if b.patient.Get(pk) == nil {
			return mismatch("request %s missing from its patient's history", id)
		}
	}
	// Marshal the replayed states (as json.Marshal would) on all cores; the
	// stored bytes are only read.
	workers := runtime.GOMAXPROCS(0)
	bad := make([]string, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			var want []byte
			for i := w; i < len(pairs); i += workers {
				var err error
				want, err = marshalRequest(want, pairs[i].r)
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
	if n := b.patient.Stats().KeyN; n != len(state) {
		return mismatch("per-patient index holds %d entries, want %d", n, len(state))
	}
	return nil
}
