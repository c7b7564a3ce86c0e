package burnqueue

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/google/uuid"
	bolt "go.etcd.io/bbolt"
)

// ErrTaken means another desk of the facility holds the burn job (or
// finished it): this desk does not burn it.
var ErrTaken = errors.New("another desk holds this burn job")

// A Facility shares burn jobs between the desks of a facility (package
// app/facility's claims with leases): a job is claimed, not copied, so it
// is burned once however many desks are idle.
type Facility interface {
	// Publish offers a job queued at this desk to the facility.
	Publish(j Job) error
	// Take claims j for this desk before it is burned (publishing it
	// first when the facility does not know it). ErrTaken when another
	// desk holds it; lapsed, when not empty, says a claim of another desk
	// expired while it was writing (that disc is spoiled).
	Take(j Job) (lapsed string, err error)
	// Renew extends this desk's claim while it burns.
	Renew(j Job) error
	// Writing records the disc this desk is writing under its claim.
	Writing(j Job, disc uuid.UUID) error
	// Finish ends this desk's claim: Done, Failed, or Queued (held: another
	// desk may take it).
	Finish(j Job, st State) error
	// Cancel takes a job this desk cancelled out of the facility's queue
	// (unless another desk holds it).
	Cancel(j Job) error
	// Pull claims a job another desk queued that this desk can burn, as a
	// job of this desk's queue (Drive set to one of this desk's targets);
	// ok false when there is none. Jobs known reports as in this desk's
	// queue already are left alone.
	Pull(known func(uuid.UUID) bool) (j Job, lapsed string, ok bool, err error)
}

// RenewEvery is how often a desk renews its claim while it burns.
var RenewEvery = 20 * time.Second

// PullEvery is how often an idle worker asks the facility for a job.
var PullEvery = 10 * time.Second

var bound sync.Map // *bolt.DB -> Facility

// Bind makes every Queue opened on db from now on share its jobs through
// f. The returned func undoes it.
func Bind(db *bolt.DB, f Facility) (unbind func()) {
	bound.Store(db, f)
	return func() { bound.CompareAndDelete(db, f) }
}

func (q *Queue) facility() Facility {
	if v, ok := bound.Load(q.db); ok {
		return v.(Facility)
	}
	return nil
}

// take claims job in the facility, when the desk is one of several. A
// facility that does not answer does not stop the desk's own jobs.
func (q *Queue) take(j Job) (lapsed string, err error) {
	f := q.facility()
	if f == nil {
		return "", nil
	}
	lapsed, err = f.Take(j)
	if err != nil && !errors.Is(err, ErrTaken) {
		return "", nil // unreachable: burn what this desk queued
	}
	return lapsed, err
}

// taken holds a job another desk claimed, saying so.
func (q *Queue) taken(id uuid.UUID, cause error) {
	q.update(id, func(j *Job) error {
		j.State, j.Held = Queued, true
		j.LastError = fmt.Sprintf("Another desk is burning this job or has burned it (%v); it is not burned here.", cause)
		return nil
	})
}

// adopt puts a job pulled from the facility into this desk's queue.
func (q *Queue) adopt(j Job) error {
	now := time.Now().UTC()
	j.State, j.Held, j.Updated = Queued, false, now
	if j.Created.IsZero() {
		j.Created = now
	}
	err := q.db.Update(func(tx *bolt.Tx) error {
		if old, err := getJob(tx, j.ID); err == nil {
			old.State, old.Held, old.Updated = Queued, false, now
			old.Drive, old.Media = j.Drive, j.Media
			if j.LastError != "" {
				old.LastError = j.LastError
			}
			return putJob(tx, old)
		}
		return putJob(tx, &j)
	})
	if err == nil {
		q.signal()
	}
	return err
}

// pull asks the facility for a job other desks queued; it reports whether
// one was adopted.
func (q *Queue) pull() bool {
	f := q.facility()
	if f == nil {
		return false
	}
	j, lapsed, ok, err := f.Pull(func(id uuid.UUID) bool { _, err := q.Get(id); return err == nil })
	if err != nil || !ok {
		return false
	}
	if lapsed != "" {
		j.LastError = lapsed
	}
	return q.adopt(j) == nil
}

// renewing renews the job's claim until stop is called.
func (q *Queue) renewing(j Job) (stop func()) {
	f := q.facility()
	if f == nil {
		return func() {}
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(RenewEvery)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				f.Renew(j)
			}
		}
	}()
	return func() { cancel(); <-done }
}

// finish ends the claim with the job's outcome.
func (q *Queue) finish(j Job) {
	f := q.facility()
	if f == nil {
		return
	}
	switch {
	case j.State == Done:
		f.Finish(j, Done)
	case j.State == Failed:
		f.Finish(j, Failed)
	default:
		f.Finish(j, Queued)
	}
}

func (q *Queue) writing(j Job, disc uuid.UUID) {
	if f := q.facility(); f != nil {
		f.Writing(j, disc)
	}
}

func (q *Queue) cancelled(j Job) {
	if f := q.facility(); f != nil {
		f.Cancel(j)
	}
}

func (q *Queue) publish(j Job) {
	if f := q.facility(); f != nil {
		f.Publish(j)
	}
}
