package facility

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	bolt "go.etcd.io/bbolt"

	"discdesk/app/burnqueue"
	"discdesk/app/handoff"
)

// ErrClaimed means another desk holds the job's claim (its lease has not
// expired) or the job is finished.
var ErrClaimed = errors.New("another desk holds this burn job")

// Claimer claims particular jobs: the one a desk is about to burn, or the
// first waiting one it can burn. PG, Bolt and Outbox offer it.
type Claimer interface {
	// ClaimID claims job id for desk: a queued job, one whose lease
	// expired (Lapsed set), or one desk itself held or failed. ErrClaimed
	// when another desk holds it or it is finished; handoff.ErrNotFound
	// when the facility does not know it.
	ClaimID(ctx context.Context, id, desk string, now time.Time, lease time.Duration) (Claim, error)
	// ClaimFirst claims the oldest waiting job accept takes; ErrNoJob when
	// none.
	ClaimFirst(ctx context.Context, desk string, now time.Time, lease time.Duration, accept func(JobRecord) bool) (Claim, error)
	// CancelJob cancels a job no other desk holds (queued, or desk's own
	// claim); ErrClaimed otherwise.
	CancelJob(ctx context.Context, id, desk string) error
}

var (
	_ Claimer = (*PG)(nil)
	_ Claimer = (*Bolt)(nil)
	_ Claimer = (*Outbox)(nil)
)

// claimable decides a ClaimID: the claim, or why not.
func claimable(j *JobRecord, desk string, now time.Time, lease time.Duration) (*Lapse, error) {
	var lapsed *Lapse
	again := false
	switch {
	case j.State == JobQueued:
	case j.State == JobClaimed && j.Desk == desk:
		again = true // taken from the facility (Pull), now burned: one attempt
	case j.State == JobFailed && j.Desk == desk:
	case j.State == JobClaimed && j.LeaseUntil.Before(now):
		lapsed = &Lapse{Desk: j.Desk, Disc: j.Disc}
	default:
		return nil, fmt.Errorf("facility: job %s is %s (desk %s): %w", j.ID, j.State, j.Desk, ErrClaimed)
	}
	j.State, j.Desk, j.LeaseUntil = JobClaimed, desk, now.Add(lease).UTC().Truncate(time.Microsecond)
	if !again {
		j.Attempts++
		j.Disc = ""
	}
	return lapsed, nil
}

// ClaimID implements Claimer.
func (p *PG) ClaimID(ctx context.Context, id, desk string, now time.Time, lease time.Duration) (Claim, error) {
	var c Claim
	err := pgx.BeginTxFunc(ctx, p.pool, pgx.TxOptions{}, func(tx pgx.Tx) error {
		j, err := scanJob(tx.QueryRow(ctx, `SELECT `+jobCols+` FROM jobs WHERE id = $1 FOR UPDATE`, id))
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("facility: job %s: %w", id, handoff.ErrNotFound)
		}
		if err != nil {
			return err
		}
		if c.Lapsed, err = claimable(&j, desk, now, lease); err != nil {
			return err
		}
		c.Job = j
		var disc any
		if j.Disc != "" {
			disc = j.Disc
		}
		_, err = tx.Exec(ctx, `UPDATE jobs SET state = 'claimed', desk = $2, lease_until = $3, disc = $5, attempts = $4 WHERE id = $1`,
			j.ID, desk, j.LeaseUntil, j.Attempts, disc)
		return err
	})
	if err != nil {
		return Claim{}, wrapPG("claim", err)
	}
	return c, nil
}

// ClaimFirst implements Claimer: the oldest waiting jobs are locked a few
// at a time (SKIP LOCKED: another desk's pick is passed over).
func (p *PG) ClaimFirst(ctx context.Context, desk string, now time.Time, lease time.Duration, accept func(JobRecord) bool) (Claim, error) {
	var c Claim
	err := pgx.BeginTxFunc(ctx, p.pool, pgx.TxOptions{}, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+jobCols+` FROM jobs
			WHERE state = 'queued' OR (state = 'claimed' AND lease_until < $1)
			ORDER BY created, id LIMIT 64 FOR UPDATE SKIP LOCKED`, now)
		if err != nil {
			return err
		}
		jobs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (JobRecord, error) { return scanJob(r) })
		if err != nil {
			return err
		}
		for _, j := range jobs {
			if !accept(j) {
				continue
			}
			if c.Lapsed, err = claimable(&j, desk, now, lease); err != nil {
				continue
			}
			c.Job = j
			_, err = tx.Exec(ctx, `UPDATE jobs SET state = 'claimed', desk = $2, lease_until = $3, disc = NULL, attempts = $4 WHERE id = $1`,
				j.ID, desk, j.LeaseUntil, j.Attempts)
			return err
		}
		return ErrNoJob
	})
	if err != nil {
		return Claim{}, wrapPG("claim", err)
	}
	return c, nil
}

// CancelJob implements Claimer.
func (p *PG) CancelJob(ctx context.Context, id, desk string) error {
	tag, err := p.pool.Exec(ctx, `UPDATE jobs SET state = 'cancelled', lease_until = NULL
		WHERE id = $1 AND (state = 'queued' OR (state IN ('claimed', 'failed') AND desk = $2))`, id, desk)
	if err != nil {
		return wrapPG("cancel job", err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("facility: cancel job %s: %w", id, ErrClaimed)
	}
	return nil
}

// CancelJob implements Claimer.
func (b *Bolt) CancelJob(_ context.Context, id, desk string) error {
	return b.db.Update(func(tx *bolt.Tx) error {
		j, err := b.getJob(tx, id)
		if err != nil {
			return err
		}
		if !(j.State == JobQueued || (j.State == JobClaimed || j.State == JobFailed) && j.Desk == desk) {
			return fmt.Errorf("facility: cancel job %s: %w", id, ErrClaimed)
		}
		j.State, j.LeaseUntil = JobCancelled, time.Time{}
		return putJob(tx, j)
	})
}

// ClaimID implements Claimer.
func (b *Bolt) ClaimID(_ context.Context, id, desk string, now time.Time, lease time.Duration) (Claim, error) {
	var c Claim
	err := b.db.Update(func(tx *bolt.Tx) error {
		j, err := b.getJob(tx, id)
		if err != nil {
			return err
		}
		if c.Lapsed, err = claimable(&j, desk, now, lease); err != nil {
			return err
		}
		c.Job = j
		return putJob(tx, j)
	})
	return c, err
}

// ClaimFirst implements Claimer.
func (b *Bolt) ClaimFirst(_ context.Context, desk string, now time.Time, lease time.Duration, accept func(JobRecord) bool) (Claim, error) {
	var c Claim
	err := b.db.Update(func(tx *bolt.Tx) error {
		waiting, err := waitingJobs(tx, now)
		if err != nil {
			return err
		}
		sort.Slice(waiting, func(i, k int) bool {
			if !waiting[i].Created.Equal(waiting[k].Created) {
				return waiting[i].Created.Before(waiting[k].Created)
			}
			return waiting[i].ID < waiting[k].ID
		})
		for _, j := range waiting {
			if !accept(j) {
				continue
			}
			if c.Lapsed, err = claimable(&j, desk, now, lease); err != nil {
				continue
			}
			c.Job = j
			return putJob(tx, j)
		}
		return ErrNoJob
	})
	return c, err
}

func (o *Outbox) claimer() (Claimer, error) {
	c, ok := o.Backend.(Claimer)
	if !ok {
		return nil, fmt.Errorf("facility: the %s backend's claims: %w", o.Backend.Kind(), ErrNotSupported)
	}
	return c, nil
}

// ClaimID implements Claimer (it needs the database).
func (o *Outbox) ClaimID(ctx context.Context, id, desk string, now time.Time, lease time.Duration) (Claim, error) {
	c, err := o.claimer()
	if err != nil {
		return Claim{}, err
	}
	return c.ClaimID(ctx, id, desk, now, lease)
}

// CancelJob implements Claimer (it needs the database).
func (o *Outbox) CancelJob(ctx context.Context, id, desk string) error {
	c, err := o.claimer()
	if err != nil {
		return err
	}
	return c.CancelJob(ctx, id, desk)
}

// ClaimFirst implements Claimer (it needs the database).
func (o *Outbox) ClaimFirst(ctx context.Context, desk string, now time.Time, lease time.Duration, accept func(JobRecord) bool) (Claim, error) {
	c, err := o.claimer()
	if err != nil {
		return Claim{}, err
	}
	return c.ClaimFirst(ctx, desk, now, lease, accept)
}

// BurnJobs is the burn queue's view of the facility's jobs (burnqueue.Bind)
// for desk: lease is how long a claim lasts without renewal; local, given
// a job another desk queued, returns it as a job of this desk (its Drive
// one of this desk's targets) or false when this desk cannot burn it (it
// does not hold the studies).
func BurnJobs(b Backend, desk string, lease time.Duration, local func(burnqueue.Job) (burnqueue.Job, bool)) burnqueue.Facility {
	return &burnJobs{b: b, desk: desk, lease: lease, local: local}
}

type burnJobs struct {
	b     Backend
	desk  string
	lease time.Duration
	local func(burnqueue.Job) (burnqueue.Job, bool)
}

func (f *burnJobs) ctx() (context.Context, context.CancelFunc) { return bounded(15 * time.Second) }

func (f *burnJobs) Publish(j burnqueue.Job) error {
	raw, err := json.Marshal(j)
	if err != nil {
		return err
	}
	ctx, cancel := f.ctx()
	defer cancel()
	_, err = f.b.Enqueue(ctx, JobRecord{ID: j.ID.String(), Request: j.RequestID, Payload: raw, Created: j.Created})
	if errors.Is(err, ErrDuplicate) {
		return nil
	}
	return err
}

func lapseText(l *Lapse) string {
	if l == nil {
		return ""
	}
	return l.Message()
}

func (f *burnJobs) Take(j burnqueue.Job) (string, error) {
	c, ok := f.b.(Claimer)
	if !ok {
		return "", ErrNotSupported
	}
	ctx, cancel := f.ctx()
	defer cancel()
	cl, err := c.ClaimID(ctx, j.ID.String(), f.desk, time.Now(), f.lease)
	if errors.Is(err, handoff.ErrNotFound) {
		if err := f.Publish(j); err != nil {
			return "", err
		}
		cl, err = c.ClaimID(ctx, j.ID.String(), f.desk, time.Now(), f.lease)
	}
	if errors.Is(err, ErrClaimed) {
		return "", fmt.Errorf("%w: %w", burnqueue.ErrTaken, err)
	}
	if err != nil {
		return "", err
	}
	return lapseText(cl.Lapsed), nil
}

func (f *burnJobs) Renew(j burnqueue.Job) error {
	ctx, cancel := f.ctx()
	defer cancel()
	return f.b.Renew(ctx, j.ID.String(), f.desk, time.Now(), f.lease)
}

func (f *burnJobs) Writing(j burnqueue.Job, disc uuid.UUID) error {
	ctx, cancel := f.ctx()
	defer cancel()
	return f.b.Writing(ctx, j.ID.String(), f.desk, disc.String())
}

func (f *burnJobs) Finish(j burnqueue.Job, st burnqueue.State) error {
	state := JobQueued
	switch st {
	case burnqueue.Done:
		state = JobDone
	case burnqueue.Failed:
		state = JobFailed
	}
	ctx, cancel := f.ctx()
	defer cancel()
	return f.b.Finish(ctx, j.ID.String(), f.desk, state)
}

func (f *burnJobs) Cancel(j burnqueue.Job) error {
	c, ok := f.b.(Claimer)
	if !ok {
		return ErrNotSupported
	}
	ctx, cancel := f.ctx()
	defer cancel()
	return c.CancelJob(ctx, j.ID.String(), f.desk)
}

func (f *burnJobs) Pull(known func(uuid.UUID) bool) (burnqueue.Job, string, bool, error) {
	c, ok := f.b.(Claimer)
	if !ok || f.local == nil {
		return burnqueue.Job{}, "", false, nil
	}
	var out burnqueue.Job
	ctx, cancel := f.ctx()
	defer cancel()
	cl, err := c.ClaimFirst(ctx, f.desk, time.Now(), f.lease, func(r JobRecord) bool {
		var j burnqueue.Job
		if json.Unmarshal(r.Payload, &j) != nil || known(j.ID) {
			return false
		}
		mine, ok := f.local(j)
		if ok {
			out = mine
		}
		return ok
	})
	if errors.Is(err, ErrNoJob) {
		return burnqueue.Job{}, "", false, nil
	}
	if err != nil {
		return burnqueue.Job{}, "", false, err
	}
	return out, lapseText(cl.Lapsed), true, nil
}
