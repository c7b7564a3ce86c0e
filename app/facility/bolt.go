package facility

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"

	"discdesk/app/handoff"
	"discdesk/app/staff"
)

// Buckets the bbolt backend reads or owns. The log and the request views
// are package handoff's (through its Store); staff members and settings are
// the staff and settings packages' buckets, read and written in their
// formats; the burn-job claims and the settings version are this package's.
var (
	boltJobs       = []byte("facility.jobs")     // job ID (text) -> JobRecord JSON
	boltHoldings   = []byte("facility.holdings") // study UID + 0 + desk -> nil
	boltMeta       = []byte("facility.meta")     // "settings-version" -> uint64
	boltStaff      = []byte("staff.members")     // member ID -> staff.Member JSON (package staff's)
	boltSettings   = []byte("settings")          // "current" -> settings JSON (package settings')
	boltSettingKey = []byte("current")
	boltVersionKey = []byte("settings-version")
)

// Bolt is the desk's own store behind the contract: the default, needing no
// server.
type Bolt struct {
	db  *bolt.DB
	log *handoff.Store
}

var _ Backend = (*Bolt)(nil)

// OpenBolt adapts an open desk store; opts configure its handoff store.
func OpenBolt(db *bolt.DB, opts ...handoff.Option) (*Bolt, error) {
	// The desk's own log, even when db is bound to the facility (migrate).
	log, err := handoff.Open(db, append(opts, handoff.WithRemote(nil))...)
	if err != nil {
		return nil, err
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{boltJobs, boltMeta, boltStaff, boltSettings, boltHoldings} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("facility: create buckets: %w", err)
	}
	return &Bolt{db: db, log: log}, nil
}

// Handoff is the adapted handoff store.
func (b *Bolt) Handoff() *handoff.Store { return b.log }

// Kind implements Backend.
func (b *Bolt) Kind() string { return "bbolt" }

// Close implements Backend; the caller closes the bbolt file it opened.
func (b *Bolt) Close() error { return nil }

// Health implements Backend: a local file always answers.
func (b *Bolt) Health(context.Context) error { return nil }

// Append implements Log.
func (b *Bolt) Append(_ context.Context, ev handoff.Event) (handoff.Event, handoff.Request, error) {
	if ev.ID != "" {
		// The desk store assigns ordered IDs itself; a preset one is only
		// accepted as a replay of an event it already holds.
		if _, err := b.log.Event(ev.ID); err == nil {
			return handoff.Event{}, handoff.Request{}, fmt.Errorf("facility: event %s: %w", ev.ID, ErrDuplicate)
		}
		ev.ID = ""
	}
	normalize(&ev)
	return b.log.Append(ev)
}

// Head implements Log.
func (b *Bolt) Head(context.Context) (Head, error) {
	h := Head{Hash: hex.EncodeToString(make([]byte, 32))}
	err := b.db.View(func(tx *bolt.Tx) error {
		// package handoff's head bucket: "hash" -> last hash, "count" -> uint64.
		root := tx.Bucket([]byte("handoff"))
		if root == nil {
			return nil
		}
		hb := root.Bucket([]byte("head"))
		if hb == nil {
			return nil
		}
		if v := hb.Get([]byte("hash")); len(v) == 32 {
			h.Hash = hex.EncodeToString(v)
		}
		if v := hb.Get([]byte("count")); len(v) == 8 {
			h.Count = int64(binary.BigEndian.Uint64(v))
		}
		return nil
	})
	return h, err
}

// Request implements Log.
func (b *Bolt) Request(_ context.Context, id string) (handoff.Request, error) {
	return b.log.Request(id)
}

// OpenRequests implements Log.
func (b *Bolt) OpenRequests(_ context.Context, now time.Time, overdueOnly bool) ([]handoff.Request, error) {
	return b.log.OpenRequests(now, overdueOnly)
}

// Events implements Log.
func (b *Bolt) Events(_ context.Context, fn func(handoff.Event) error) error {
	return b.log.ForEachEvent(fn)
}

// Verify implements Log.
func (b *Bolt) Verify(context.Context) (handoff.VerifyReport, error) { return b.log.Verify() }

// rawEvents calls fn with package handoff's stored records in log order
// (key, record), as Migrate copies them.
func rawBoltEvents(db *bolt.DB, skip int64, fn func(key, rec []byte) error) error {
	return db.View(func(tx *bolt.Tx) error {
		root := tx.Bucket([]byte("handoff"))
		if root == nil {
			return nil
		}
		evs := root.Bucket([]byte("events"))
		if evs == nil {
			return nil
		}
		c := evs.Cursor()
		var i int64
		for k, v := c.First(); k != nil; k, v = c.Next() {
			i++
			if i <= skip {
				continue
			}
			if err := fn(k, v); err != nil {
				return err
			}
		}
		return nil
	})
}

// --- burn jobs ---

func (b *Bolt) getJob(tx *bolt.Tx, id string) (JobRecord, error) {
	raw := tx.Bucket(boltJobs).Get([]byte(id))
	if raw == nil {
		return JobRecord{}, fmt.Errorf("facility: job %s: %w", id, handoff.ErrNotFound)
	}
	var j JobRecord
	err := json.Unmarshal(raw, &j)
	return j, err
}

func putJob(tx *bolt.Tx, j JobRecord) error {
	raw, err := json.Marshal(j)
	if err != nil {
		return err
	}
	return tx.Bucket(boltJobs).Put([]byte(j.ID), raw)
}

// Enqueue implements Jobs.
func (b *Bolt) Enqueue(_ context.Context, j JobRecord) (JobRecord, error) {
	j, err := newJob(j)
	if err != nil {
		return JobRecord{}, err
	}
	err = b.db.Update(func(tx *bolt.Tx) error {
		if tx.Bucket(boltJobs).Get([]byte(j.ID)) != nil {
			return fmt.Errorf("facility: job %s exists: %w", j.ID, ErrDuplicate)
		}
		return putJob(tx, j)
	})
	return j, err
}

// Job implements Jobs.
func (b *Bolt) Job(_ context.Context, id string) (JobRecord, error) {
	var j JobRecord
	err := b.db.View(func(tx *bolt.Tx) error {
		var err error
		j, err = b.getJob(tx, id)
		return err
	})
	return j, err
}

// Claim implements Jobs (bbolt's single writer makes it exclusive).
func (b *Bolt) Claim(_ context.Context, desk string, now time.Time, lease time.Duration) (Claim, error) {
	var c Claim
	err := b.db.Update(func(tx *bolt.Tx) error {
		waiting, err := waitingJobs(tx, now)
		if err != nil {
			return err
		}
		if len(waiting) == 0 {
			return ErrNoJob
		}
		sort.Slice(waiting, func(i, k int) bool {
			if !waiting[i].Created.Equal(waiting[k].Created) {
				return waiting[i].Created.Before(waiting[k].Created)
			}
			return waiting[i].ID < waiting[k].ID
		})
		j := waiting[0]
		if j.State == JobClaimed {
			c.Lapsed = &Lapse{Desk: j.Desk, Disc: j.Disc}
		}
		j.State, j.Desk, j.LeaseUntil, j.Disc = JobClaimed, desk, now.Add(lease).UTC().Truncate(time.Microsecond), ""
		j.Attempts++
		c.Job = j
		return putJob(tx, j)
	})
	if err != nil {
		return Claim{}, err
	}
	return c, nil
}

// held runs fn on desk's claimed job id and stores the result.
func (b *Bolt) held(id, desk, op string, fn func(j *JobRecord)) error {
	return b.db.Update(func(tx *bolt.Tx) error {
		j, err := b.getJob(tx, id)
		if err != nil {
			return err
		}
		if j.State != JobClaimed || j.Desk != desk {
			return fmt.Errorf("facility: %s job %s: %w", op, id, ErrLeaseLost)
		}
		fn(&j)
		return putJob(tx, j)
	})
}

// Renew implements Jobs.
func (b *Bolt) Renew(_ context.Context, id, desk string, now time.Time, lease time.Duration) error {
	return b.held(id, desk, "renew", func(j *JobRecord) { j.LeaseUntil = now.Add(lease).UTC().Truncate(time.Microsecond) })
}

// Writing implements Jobs.
func (b *Bolt) Writing(_ context.Context, id, desk, disc string) error {
	return b.held(id, desk, "writing", func(j *JobRecord) { j.Disc = disc })
}

// Finish implements Jobs.
func (b *Bolt) Finish(_ context.Context, id, desk string, state JobState) error {
	if err := finishable(state); err != nil {
		return err
	}
	return b.held(id, desk, "finish", func(j *JobRecord) {
		j.State, j.LeaseUntil = state, time.Time{}
		if state == JobQueued {
			j.Desk, j.Disc = "", ""
		}
	})
}

// --- staff ---

// Members implements Staff.
func (b *Bolt) Members(context.Context) ([]staff.Member, error) {
	var out []staff.Member
	err := b.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(boltStaff).ForEach(func(_, v []byte) error {
			var m staff.Member
			if err := json.Unmarshal(v, &m); err != nil {
				return err
			}
			out = append(out, m)
			return nil
		})
	})
	return out, err
}

// Member implements Staff.
func (b *Bolt) Member(_ context.Context, id string) (staff.Member, error) {
	var m staff.Member
	err := b.db.View(func(tx *bolt.Tx) error {
		raw := tx.Bucket(boltStaff).Get([]byte(id))
		if raw == nil {
			return fmt.Errorf("facility: staff member %s: %w", id, staff.ErrNoMember)
		}
		return json.Unmarshal(raw, &m)
	})
	return m, err
}

// PutMember implements Staff.
func (b *Bolt) PutMember(_ context.Context, m staff.Member) error {
	if m.ID == "" {
		return errors.New("facility: a staff member needs an ID")
	}
	raw, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return b.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(boltStaff).Put([]byte(m.ID), raw) })
}

// --- settings ---

// LoadSettings implements Settings.
func (b *Bolt) LoadSettings(context.Context) (json.RawMessage, int64, error) {
	var doc []byte
	var v int64
	err := b.db.View(func(tx *bolt.Tx) error {
		if raw := tx.Bucket(boltSettings).Get(boltSettingKey); raw != nil {
			doc = bytes.Clone(raw)
			v = 1
		}
		if raw := tx.Bucket(boltMeta).Get(boltVersionKey); len(raw) == 8 {
			v = int64(binary.BigEndian.Uint64(raw))
		}
		return nil
	})
	return doc, v, err
}

// SaveSettings implements Settings.
func (b *Bolt) SaveSettings(_ context.Context, doc json.RawMessage, ifVersion int64) (int64, error) {
	if !json.Valid(doc) {
		return 0, errors.New("facility: settings are not JSON")
	}
	var next int64
	err := b.db.Update(func(tx *bolt.Tx) error {
		var v int64
		if tx.Bucket(boltSettings).Get(boltSettingKey) != nil {
			v = 1
		}
		if raw := tx.Bucket(boltMeta).Get(boltVersionKey); len(raw) == 8 {
			v = int64(binary.BigEndian.Uint64(raw))
		}
		if v != ifVersion {
			return fmt.Errorf("facility: save settings: %w", ErrConflict)
		}
		next = v + 1
		var buf [8]byte
		binary.BigEndian.PutUint64(buf[:], uint64(next))
		if err := tx.Bucket(boltMeta).Put(boltVersionKey, buf[:]); err != nil {
			return err
		}
		return tx.Bucket(boltSettings).Put(boltSettingKey, bytes.Clone(doc))
	})
	return next, err
}

// --- holdings ---

func holdingKey(desk, study string) []byte { return []byte(study + "\x00" + desk) }

// Hold implements Holdings.
func (b *Bolt) Hold(_ context.Context, desk, studyUID string) error {
	return b.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(boltHoldings).Put(holdingKey(desk, studyUID), nil) })
}

// Release implements Holdings.
func (b *Bolt) Release(_ context.Context, desk, studyUID string) error {
	return b.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(boltHoldings).Delete(holdingKey(desk, studyUID)) })
}

// Holders implements Holdings.
func (b *Bolt) Holders(_ context.Context, studyUID string) ([]string, error) {
	var out []string
	prefix := []byte(studyUID + "\x00")
	err := b.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(boltHoldings).Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			out = append(out, string(k[len(prefix):]))
		}
		return nil
	})
	return out, err
}

// waitingJobs are the jobs a desk may claim now: queued, or claimed under a
// lease that has lapsed.
func waitingJobs(tx *bolt.Tx, now time.Time) ([]JobRecord, error) {
	var waiting []JobRecord
	err := tx.Bucket(boltJobs).ForEach(func(_, v []byte) error {
		var j JobRecord
		if err := json.Unmarshal(v, &j); err != nil {
			return err
		}
		if j.State == JobQueued || j.State == JobClaimed && j.LeaseUntil.Before(now) {
			waiting = append(waiting, j)
		}
		return nil
	})
	return waiting, err
}
