package facility

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"discdesk/app/handoff"
)

// chainEnd is where one segment's chain stands after a walk.
type chainEnd struct {
	count int64
	hash  []byte
}

// replayed is the outcome of walking and replaying records.
type replayed struct {
	n     int
	ends  map[int]*chainEnd
	state map[string]*handoff.Request
}

type recBatch struct {
	first int
	keys  [][]byte
	recs  [][]byte
	evs   []handoff.Event
	bad   int
	err   error
	done  chan struct{}
}

// replayRecords checks every record's link to the one before in its
// segment (here, in order), its hash and body (on all cores, a batch at a
// time) and replays the events in order. Problems come in log order.
func replayRecords(produce func(emit func(seg int, key, rec []byte) error) error) (replayed, error) {
	out := replayed{ends: map[int]*chainEnd{}, state: map[string]*handoff.Request{}}
	workers := runtime.GOMAXPROCS(0)
	jobs := make(chan *recBatch, 2*workers+2)
	order := make(chan *recBatch, 2*workers+2)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for b := range jobs {
				b.evs = make([]handoff.Event, len(b.recs))
				b.bad = len(b.recs)
				for i := range b.recs {
					ev, err := handoff.DecodeRecord(b.keys[i], b.recs[i])
					if err != nil {
						b.bad, b.err = i, fmt.Errorf("facility: verify event %d (%s): %w", b.first+i+1, uuidText(b.keys[i]), err)
						break
					}
					b.evs[i] = ev
				}
				close(b.done)
			}
		})
	}
	var replayErr error
	replayedDone := make(chan struct{})
	go func() {
		defer close(replayedDone)
		for b := range order {
			<-b.done
			for i := 0; replayErr == nil && i < b.bad; i++ {
				ev := &b.evs[i]
				after, err := handoff.Apply(out.state[ev.Request], ev)
				if err != nil {
					replayErr = fmt.Errorf("facility: verify event %d (%s): replay: %v: %w", b.first+i+1, ev.ID, err, handoff.ErrViewMismatch)
					break
				}
				out.state[ev.Request] = after
			}
			if replayErr == nil && b.err != nil {
				replayErr = b.err
			}
		}
	}()
	const batchLen = 512
	cur := &recBatch{done: make(chan struct{})}
	send := func() {
		jobs <- cur
		order <- cur
		cur = &recBatch{first: out.n, done: make(chan struct{})}
	}
	walkErr := produce(func(seg int, key, rec []byte) error {
		out.n++
		end := out.ends[seg]
		if end == nil {
			end = &chainEnd{hash: make([]byte, 32)}
			out.ends[seg] = end
		}
		if len(rec) < 65 || rec[0] != 1 {
			return fmt.Errorf("facility: verify event %d (%s): record of %d bytes: %w", out.n, uuidText(key), len(rec), handoff.ErrBadRecord)
		}
		if !bytes.Equal(rec[1:33], end.hash) {
			return fmt.Errorf("facility: verify event %d (%s): previous hash does not match the record before (deleted or inserted event): %w", out.n, uuidText(key), handoff.ErrChainBroken)
		}
		end.hash = rec[33:65]
		end.count++
		cur.keys = append(cur.keys, key)
		cur.recs = append(cur.recs, rec)
		if len(cur.recs) == batchLen {
			send()
		}
		return nil
	})
	if len(cur.recs) > 0 {
		send()
	}
	close(jobs)
	close(order)
	wg.Wait()
	<-replayedDone
	if replayErr != nil {
		return out, replayErr
	}
	return out, walkErr
}

func uuidText(k []byte) string {
	if u, err := uuid.FromBytes(k); err == nil {
		return u.String()
	}
	return hex.EncodeToString(k)
}

// Verify implements Log: every segment's chain and head, then the request
// views against the replay.
func (p *PG) Verify(ctx context.Context) (handoff.VerifyReport, error) {
	var rep handoff.VerifyReport
	tx, err := p.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return rep, wrapPG("verify", err)
	}
	defer tx.Rollback(ctx)
	lg, err := replayRecords(func(emit func(int, []byte, []byte) error) error {
		return scanEvents(ctx, tx, emit)
	})
	if err != nil {
		return rep, wrapPG("verify", err)
	}
	rows, err := tx.Query(ctx, `SELECT id, count, hash FROM segments`)
	if err != nil {
		return rep, wrapPG("verify", err)
	}
	var seg int
	var count int64
	var hash []byte
	var segErr error
	seen := 0
	_, err = pgx.ForEachRow(rows, []any{&seg, &count, &hash}, func() error {
		end := lg.ends[seg]
		if end == nil {
			end = &chainEnd{hash: make([]byte, 32)}
		} else {
			seen++
		}
		if segErr == nil && (end.count != count || !bytes.Equal(end.hash, hash)) {
			segErr = fmt.Errorf("facility: verify: chain %d's head says %d events ending %x, the log has %d ending %x (events deleted at the end): %w",
				seg, count, hash, end.count, end.hash, handoff.ErrChainBroken)
		}
		if seg == 0 {
			rep.Head = hex.EncodeToString(end.hash)
		}
		return nil
	})
	if err != nil {
		return rep, wrapPG("verify", err)
	}
	if segErr != nil {
		return rep, segErr
	}
	if seen != len(lg.ends) {
		return rep, fmt.Errorf("facility: verify: events in a chain with no head: %w", handoff.ErrChainBroken)
	}
	rep.Events, rep.Requests = lg.n, len(lg.state)
	if err := p.checkViews(ctx, tx, lg.state); err != nil {
		return rep, err
	}
	return rep, nil
}

type storedView struct {
	id    string
	open  bool
	tell  bool
	due   *time.Time
	state []byte
}

// checkViews compares every stored request row with the replay.
func (p *PG) checkViews(ctx context.Context, tx pgx.Tx, state map[string]*handoff.Request) error {
	mismatch := func(format string, args ...any) error {
		return fmt.Errorf("facility: verify: %s: %w", fmt.Sprintf(format, args...), handoff.ErrViewMismatch)
	}
	rows, err := tx.Query(ctx, `SELECT id, open, tell, due, state FROM requests`)
	if err != nil {
		return wrapPG("verify", err)
	}
	var views []storedView
	var id uuid.UUID
	var v storedView
	_, err = pgx.ForEachRow(rows, []any{&id, &v.open, &v.tell, &v.due, &v.state}, func() error {
		v.id = id.String()
		views = append(views, v)
		v = storedView{}
		return nil
	})
	if err != nil {
		return wrapPG("verify", err)
	}
	if len(views) != len(state) {
		return mismatch("%d stored requests, the log has %d", len(views), len(state))
	}
	workers := runtime.GOMAXPROCS(0)
	bad := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			var want []byte
			for i := w; i < len(views); i += workers {
				sv := &views[i]
				r := state[sv.id]
				if r == nil {
					bad[w] = mismatch("request %s has no events", sv.id)
					return
				}
				var err error
				want, err = handoff.MarshalRequest(want, r)
				if err != nil || !bytes.Equal(want, sv.state) {
					bad[w] = mismatch("request %s differs from its events", sv.id)
					return
				}
				if sv.open != r.Open() || sv.tell != r.ToTell() || r.Open() && (sv.due == nil || !sv.due.Equal(r.Due)) {
					bad[w] = mismatch("request %s: open/due/tell index differs from its events", sv.id)
					return
				}
			}
		})
	}
	wg.Wait()
	for _, err := range bad {
		if err != nil {
			return err
		}
	}
	return nil
}
