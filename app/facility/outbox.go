package facility

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/google/uuid"
	bolt "go.etcd.io/bbolt"

	"discdesk/app/handoff"
)

// ErrQueued means the facility database did not answer and what staff
// recorded is kept at this desk, to be sent when it answers again. Errors
// wrapping it also wrap ErrUnreachable.
var ErrQueued = errors.New("kept at this desk until the facility database answers again")

var (
	outboxEvents   = []byte("outbox.events")   // sequence (8) -> Event JSON, ID preset
	outboxFinish   = []byte("outbox.finish")   // sequence (8) -> finishEntry JSON
	outboxRejected = []byte("outbox.rejected") // sequence (8) -> Rejected JSON
)

type finishEntry struct {
	Job   string   `json:"job"`
	Desk  string   `json:"desk"`
	State JobState `json:"state"`
}

// A Rejected entry is one the database refused on replay (another desk
// changed the request meanwhile); it stays in the outbox file for staff.
type Rejected struct {
	Event  *handoff.Event `json:"event,omitempty"`
	Finish *finishEntry   `json:"finish,omitempty"`
	Reason string         `json:"reason"`
}

// State is the desk's view of its database.
type State struct {
	Reachable bool      `json:"reachable"`
	Since     time.Time `json:"since"`   // when it last changed
	Pending   int       `json:"pending"` // entries waiting in the outbox
	Problem   string    `json:"problem,omitempty"`
}

// FlushReport says what a Flush sent.
type FlushReport struct {
	Sent     int        `json:"sent"`
	Rejected []Rejected `json:"rejected,omitempty"`
}

// Outbox is a Backend that keeps working when the facility database does
// not answer: log appends and job finishes go to a local file, in order,
// and are replayed with their IDs (so a request taken offline keeps its ID
// and the chain stays one verifiable chain). Reads and claims still need
// the database and fail wrapping ErrUnreachable.
type Outbox struct {
	Backend
	file *bolt.DB
	mu   sync.Mutex
	st   State
}

// OpenOutbox wraps b with the outbox file at path (created 0600).
func OpenOutbox(b Backend, path string) (*Outbox, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 300 * time.Millisecond})
	if err != nil {
		return nil, fmt.Errorf("facility: outbox %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, n := range [][]byte{outboxEvents, outboxFinish, outboxRejected} {
			if _, err := tx.CreateBucketIfNotExists(n); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, err
	}
	o := &Outbox{Backend: b, file: db, st: State{Reachable: true, Since: time.Now().UTC()}}
	o.st.Pending = o.pending()
	return o, nil
}

// Close closes the outbox file and the backend.
func (o *Outbox) Close() error {
	err := o.file.Close()
	if e := o.Backend.Close(); err == nil {
		err = e
	}
	return err
}

// State returns the desk's current view of its database.
func (o *Outbox) State() State {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.st
}

func (o *Outbox) pending() int {
	n := 0
	o.file.View(func(tx *bolt.Tx) error {
		n = tx.Bucket(outboxEvents).Stats().KeyN + tx.Bucket(outboxFinish).Stats().KeyN
		return nil
	})
	return n
}

// note records the outcome of talking to the database (o.mu held).
func (o *Outbox) note(err error) {
	up := err == nil || !errors.Is(err, ErrUnreachable)
	if up != o.st.Reachable {
		o.st.Reachable, o.st.Since = up, time.Now().UTC()
	}
	o.st.Problem = ""
	if !up {
		o.st.Problem = err.Error()
	}
	o.st.Pending = o.pending()
}

// Health implements Backend and updates State.
func (o *Outbox) Health(ctx context.Context) error {
	err := o.Backend.Health(ctx)
	o.mu.Lock()
	o.note(err)
	o.mu.Unlock()
	return err
}

// Append implements Log. When the database does not answer (or entries
// are still waiting), ev is kept with a preset ID and returned with an
// error wrapping ErrQueued and ErrUnreachable; for a new request the
// returned request is its state as it will be recorded.
func (o *Outbox) Append(ctx context.Context, ev handoff.Event) (handoff.Event, handoff.Request, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.st.Pending > 0 {
		o.flush(ctx)
	}
	if o.st.Pending == 0 {
		e, r, err := o.Backend.Append(ctx, ev)
		o.note(err)
		if err == nil || !errors.Is(err, ErrUnreachable) {
			return e, r, err
		}
	}
	normalize(&ev)
	if ev.ID == "" {
		u, err := uuid.NewV7()
		if err != nil {
			return handoff.Event{}, handoff.Request{}, err
		}
		ev.ID = u.String()
	}
	var prov handoff.Request
	if opens(ev.Kind) {
		ev.Request = ev.ID
		r, err := handoff.Apply(nil, &ev)
		if err != nil {
			return handoff.Event{}, handoff.Request{}, err
		}
		prov = *r
	}
	if err := o.keep(outboxEvents, ev); err != nil {
		return handoff.Event{}, handoff.Request{}, err
	}
	o.st.Pending = o.pending()
	return ev, prov, fmt.Errorf("facility: record %s: %w: %w", ev.Kind, ErrQueued, ErrUnreachable)
}

func (o *Outbox) keep(bucket []byte, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return o.file.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucket)
		seq, err := b.NextSequence()
		if err != nil {
			return err
		}
		var k [8]byte
		binary.BigEndian.PutUint64(k[:], seq)
		return b.Put(k[:], raw)
	})
}

// Finish implements Jobs: a desk that burned a job while the database was
// away keeps the finish and sends it later, so the job is not burned again
// elsewhere (unless its lease lapsed first; Flush reports that).
func (o *Outbox) Finish(ctx context.Context, id, desk string, state JobState) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	err := o.Backend.Finish(ctx, id, desk, state)
	o.note(err)
	if err == nil || !errors.Is(err, ErrUnreachable) {
		return err
	}
	if err := o.keep(outboxFinish, finishEntry{Job: id, Desk: desk, State: state}); err != nil {
		return err
	}
	o.st.Pending = o.pending()
	return fmt.Errorf("facility: finish job %s: %w: %w", id, ErrQueued, ErrUnreachable)
}

// Flush sends what waits in the outbox, oldest first: events, then job
// finishes. It stops at the first entry the database does not answer for.
func (o *Outbox) Flush(ctx context.Context) (FlushReport, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.flush(ctx)
}

func (o *Outbox) flush(ctx context.Context) (FlushReport, error) {
	var rep FlushReport
	for _, bucket := range [][]byte{outboxEvents, outboxFinish} {
		for {
			var k, raw []byte
			o.file.View(func(tx *bolt.Tx) error {
				kk, v := tx.Bucket(bucket).Cursor().First()
				k, raw = append([]byte(nil), kk...), append([]byte(nil), v...)
				return nil
			})
			if len(k) == 0 {
				break
			}
			var err error
			var rej Rejected
			if string(bucket) == string(outboxEvents) {
				var ev handoff.Event
				if err = json.Unmarshal(raw, &ev); err == nil {
					_, _, err = o.Backend.Append(ctx, ev)
					if errors.Is(err, ErrDuplicate) {
						err = nil // sent before a crash, removed now
					}
					rej.Event = &ev
				}
			} else {
				var fe finishEntry
				if err = json.Unmarshal(raw, &fe); err == nil {
					err = o.Backend.Finish(ctx, fe.Job, fe.Desk, fe.State)
					rej.Finish = &fe
				}
			}
			if err != nil && errors.Is(err, ErrUnreachable) {
				o.note(err)
				return rep, err
			}
			derr := o.file.Update(func(tx *bolt.Tx) error {
				if err != nil {
					rej.Reason = err.Error()
					rb, _ := json.Marshal(rej)
					r := tx.Bucket(outboxRejected)
					seq, _ := r.NextSequence()
					var rk [8]byte
					binary.BigEndian.PutUint64(rk[:], seq)
					if e := r.Put(rk[:], rb); e != nil {
						return e
					}
				}
				return tx.Bucket(bucket).Delete(k)
			})
			if derr != nil {
				return rep, derr
			}
			if err != nil {
				rep.Rejected = append(rep.Rejected, rej)
			} else {
				rep.Sent++
			}
		}
	}
	o.note(nil)
	return rep, nil
}

// Run checks the database every interval until ctx ends, and flushes the
// outbox whenever it answers; changed is called (if not nil) when the
// desk's State changes reachability.
func (o *Outbox) Run(ctx context.Context, every time.Duration, changed func(State)) {
	t := time.NewTicker(every)
	defer t.Stop()
	last := o.State().Reachable
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if o.Health(ctx) == nil && o.State().Pending > 0 {
			o.Flush(ctx)
		}
		if st := o.State(); st.Reachable != last && changed != nil {
			last = st.Reachable
			changed(st)
		}
	}
}
