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
var ErrQueued = handoff.ErrPending

var (
	outboxEvents   = []byte("outbox.events")   // sequence (8) -> Event JSON, ID preset
	outboxFinish   = []byte("outbox.finish")   // sequence (8) -> finishEntry JSON
	outboxRejected = []byte("outbox.rejected") // sequence (8) -> Rejected JSON
	outboxKnown    = []byte("outbox.known")    // request ID -> Request JSON, as this desk last saw it
)

// knownLimit bounds the requests the outbox file remembers.
const knownLimit = 10000

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

	// The requests last read or written through the outbox, so an action
	// taken while the database is away is checked against the workflow
	// rule and carries its audit message.
	known map[string]handoff.Request // request ID -> state
	discs map[string]string          // disc UUID -> request ID
}

// OpenOutbox wraps b with the outbox file at path (created 0600).
func OpenOutbox(b Backend, path string) (*Outbox, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 300 * time.Millisecond})
	if err != nil {
		return nil, fmt.Errorf("facility: outbox %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, n := range [][]byte{outboxEvents, outboxFinish, outboxRejected, outboxKnown} {
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
	o := &Outbox{Backend: b, file: db, st: State{Reachable: true, Since: time.Now().UTC()},
		known: map[string]handoff.Request{}, discs: map[string]string{}}
	o.st.Pending = o.pending()
	db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(outboxKnown).ForEach(func(_, v []byte) error {
			var r handoff.Request
			if json.Unmarshal(v, &r) == nil {
				o.note1(r)
			}
			return nil
		})
	})
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
	return o.AppendHook(ctx, ev, nil)
}

// AppendHook implements Views as Append does. An event kept while the
// database is away is checked against the workflow rule on the request as
// this desk last saw it, and hook runs on that state; for a request this
// desk has not seen, the event is kept unchecked (hook does not run) and
// the database's rule decides on replay (a refusal is kept as Rejected).
func (o *Outbox) AppendHook(ctx context.Context, ev handoff.Event, hook func(*handoff.Event, *handoff.Request) error) (handoff.Event, handoff.Request, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.st.Pending > 0 {
		o.flush(ctx)
	}
	if o.st.Pending == 0 {
		var e handoff.Event
		var r handoff.Request
		var err error
		if v, ok := o.Backend.(Views); ok {
			e, r, err = v.AppendHook(ctx, ev, hook)
		} else if hook == nil {
			e, r, err = o.Backend.Append(ctx, ev)
		} else {
			err = fmt.Errorf("facility: append with a hook: %w", ErrNotSupported)
		}
		o.note(err)
		if err == nil {
			o.remember(r)
		}
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
	var before *handoff.Request
	if !opens(ev.Kind) {
		id := ev.Request
		if id == "" {
			id = o.discs[ev.Disc]
		}
		if r, ok := o.known[id]; ok {
			before = &r
			ev.Request = id
		}
	} else {
		ev.Request = ev.ID
	}
	if opens(ev.Kind) || before != nil {
		r, err := handoff.Apply(before, &ev)
		if err != nil {
			return handoff.Event{}, handoff.Request{}, err
		}
		if hook != nil {
			if err := hook(&ev, r); err != nil {
				return handoff.Event{}, handoff.Request{}, err
			}
		}
		prov = *r
		o.remember(prov)
	}
	if err := o.keep(outboxEvents, ev); err != nil {
		return handoff.Event{}, handoff.Request{}, err
	}
	o.st.Pending = o.pending()
	return ev, prov, fmt.Errorf("facility: record %s: %w: %w", ev.Kind, ErrQueued, ErrUnreachable)
}

// remember notes a request as this desk last saw it, in memory and in the
// outbox file (so a desk started while the database is away still knows
// it); o.mu held.
func (o *Outbox) remember(r handoff.Request) {
	if r.ID == "" {
		return
	}
	if old, ok := o.known[r.ID]; ok && sameRequest(&old, &r) {
		return
	}
	if len(o.known) >= knownLimit {
		clear(o.known)
		clear(o.discs)
		o.file.Update(func(tx *bolt.Tx) error {
			if err := tx.DeleteBucket(outboxKnown); err != nil {
				return err
			}
			_, err := tx.CreateBucket(outboxKnown)
			return err
		})
	}
	o.note1(r)
	if raw, err := handoff.MarshalRequest(nil, &r); err == nil {
		// A copy, not a record: no fsync (every write to the file is
		// made under o.mu, so the switch holds for this one only).
		o.file.NoSync = true
		o.file.Update(func(tx *bolt.Tx) error { return tx.Bucket(outboxKnown).Put([]byte(r.ID), raw) })
		o.file.NoSync = false
	}
}

func (o *Outbox) note1(r handoff.Request) {
	o.known[r.ID] = r
	for _, d := range r.Discs {
		o.discs[d.UUID] = r.ID
	}
}

func sameRequest(a, b *handoff.Request) bool {
	x, err1 := handoff.MarshalRequest(nil, a)
	y, err2 := handoff.MarshalRequest(nil, b)
	return err1 == nil && err2 == nil && string(x) == string(y)
}

// Request implements Log; while the database is away it answers with the
// request as this desk last saw it, when it did.
func (o *Outbox) Request(ctx context.Context, id string) (handoff.Request, error) {
	r, err := o.Backend.Request(ctx, id)
	o.mu.Lock()
	defer o.mu.Unlock()
	o.note(err)
	if err == nil {
		o.remember(r)
		return r, nil
	}
	if k, ok := o.known[id]; ok && errors.Is(err, ErrUnreachable) {
		return k, nil
	}
	return r, err
}

func (o *Outbox) views() (Views, error) {
	v, ok := o.Backend.(Views)
	if !ok {
		return nil, fmt.Errorf("facility: the %s backend's views: %w", o.Backend.Kind(), ErrNotSupported)
	}
	return v, nil
}

// DiscRequest implements Views, as Request does.
func (o *Outbox) DiscRequest(ctx context.Context, disc string) (handoff.Request, error) {
	v, err := o.views()
	if err != nil {
		return handoff.Request{}, err
	}
	r, err := v.DiscRequest(ctx, disc)
	o.mu.Lock()
	defer o.mu.Unlock()
	o.note(err)
	if err == nil {
		o.remember(r)
		return r, nil
	}
	if k, ok := o.known[o.discs[disc]]; ok && errors.Is(err, ErrUnreachable) {
		return k, nil
	}
	return r, err
}

// Event implements Views.
func (o *Outbox) Event(ctx context.Context, id string) (handoff.Event, error) {
	v, err := o.views()
	if err != nil {
		return handoff.Event{}, err
	}
	return v.Event(ctx, id)
}

// EventsOf implements Views.
func (o *Outbox) EventsOf(ctx context.Context, request, disc string) ([]handoff.Event, error) {
	v, err := o.views()
	if err != nil {
		return nil, err
	}
	return v.EventsOf(ctx, request, disc)
}

// ToTell implements Views.
func (o *Outbox) ToTell(ctx context.Context) ([]handoff.Request, error) {
	v, err := o.views()
	if err != nil {
		return nil, err
	}
	return v.ToTell(ctx)
}

// PatientHistory implements Views.
func (o *Outbox) PatientHistory(ctx context.Context, key string) ([]handoff.Request, error) {
	v, err := o.views()
	if err != nil {
		return nil, err
	}
	return v.PatientHistory(ctx, key)
}

// Search implements Views.
func (o *Outbox) Search(ctx context.Context, q string) ([]handoff.Request, error) {
	v, err := o.views()
	if err != nil {
		return nil, err
	}
	return v.Search(ctx, q)
}

// RecordHash implements Views.
func (o *Outbox) RecordHash(ctx context.Context, n int) (string, error) {
	v, err := o.views()
	if err != nil {
		return "", err
	}
	return v.RecordHash(ctx, n)
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
