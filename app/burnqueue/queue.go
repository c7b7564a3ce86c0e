package burnqueue

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/google/uuid"
	bolt "go.etcd.io/bbolt"

	"discdesk/burner"
	"discdesk/burner/drive"
)

// Errors of the queue.
var (
	// ErrNotFound means no job or disc has that id.
	ErrNotFound = errors.New("burnqueue: not found")
	// ErrBadJob means a job to enqueue lacks a target, studies or copies.
	ErrBadJob = errors.New("burnqueue: job incomplete")
	// ErrNotRetryable means Retry was asked of a job that is done or running.
	ErrNotRetryable = errors.New("burnqueue: job cannot be retried now")
	// ErrRunning means Cancel was asked of a job that is writing a disc.
	ErrRunning = errors.New("burnqueue: job is writing a disc now")
)

var (
	jobsBucket      = []byte("burnqueue.jobs")
	manifestsBucket = []byte("burnqueue.manifests")
)

// State is the state of a job or a disc.
type State string

// States.
const (
	Queued    State = "queued"
	Burning   State = "burning"
	Verifying State = "verifying"
	Done      State = "done"
	Failed    State = "failed"  // the job cannot be planned; staff must act, then Retry
	Spoiled   State = "spoiled" // a disc written but not verified: never hand it out
	Cancelled State = "cancelled"
)

// A Job is one request to write studies to discs.
type Job struct {
	ID        uuid.UUID `json:"id"`
	RequestID string    `json:"request_id,omitempty"` // the handoff request, when there is one
	StudyUIDs []string  `json:"study_uids,omitempty"`
	Files     string    `json:"files,omitempty"`     // a folder to write as is (discdesk burn --files)
	VolumeID  string    `json:"volume_id,omitempty"` // for Files jobs
	Report    string    `json:"report,omitempty"`    // report file to add to the studies (PDF or text)
	// Acks are plan warnings (burner/disc warning codes such as
	// "no-report") that whoever queued the job accepted, kept with the job
	// so a planner applies them after a restart too; AckedBy names them.
	Acks    []string `json:"acks,omitempty"`
	AckedBy string   `json:"acked_by,omitempty"`
	// Plan holds the plan options the job was queued with (app/station
	// owns their format), so the burn plans the disc staff were shown.
	Plan      json.RawMessage `json:"plan,omitempty"`
	Drive     string          `json:"drive"`           // target spec (drive.Open)
	Media     string          `json:"media,omitempty"` // cd, dvd, bd or ""
	Copies    int             `json:"copies"`
	State     State           `json:"state"`
	Held      bool            `json:"held,omitempty"` // waiting for staff (LastError says what to do)
	Attempts  int             `json:"attempts"`
	LastError string          `json:"last_error,omitempty"` // plain message for staff
	Discs     []Disc          `json:"discs,omitempty"`
	Created   time.Time       `json:"created"`
	Updated   time.Time       `json:"updated"`
}

// A Disc is one written disc (or image, folder) of a job.
type Disc struct {
	UUID     uuid.UUID      `json:"uuid"`
	Index    int            `json:"index"` // disc n ...
	Of       int            `json:"of"`    // ... of m
	Copy     int            `json:"copy"`  // 1-based
	Target   string         `json:"target"`
	State    State          `json:"state"`
	Error    string         `json:"error,omitempty"`
	Reports  []drive.Report `json:"reports,omitempty"` // the first from the burn, then re-verifications
	Started  time.Time      `json:"started"`
	Finished time.Time      `json:"finished,omitempty"`
}

// Verified reports whether the disc's latest read-back matched its manifest.
func (d Disc) Verified() bool {
	return d.State == Done && len(d.Reports) > 0 && d.Reports[len(d.Reports)-1].OK
}

// A Manifest is what was written on one disc: enough to verify it again.
type Manifest struct {
	Disc     uuid.UUID      `json:"disc"`
	Job      uuid.UUID      `json:"job"`
	VolumeID string         `json:"volume_id"`
	Files    []ManifestFile `json:"files"`
	Created  time.Time      `json:"created"`
}

// A ManifestFile is one file of a Manifest.
type ManifestFile struct {
	Path   string `json:"path"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// Tree returns the manifest as a contents-free tree for drive.Verify.
func (m *Manifest) Tree() *burner.Tree {
	t := &burner.Tree{VolumeID: m.VolumeID}
	for _, f := range m.Files {
		t.Files = append(t.Files, burner.File{Path: f.Path, Size: f.Size, SHA256: f.SHA256})
	}
	return t
}

func manifestOf(disc, job uuid.UUID, tree *burner.Tree) *Manifest {
	m := &Manifest{Disc: disc, Job: job, VolumeID: tree.VolumeID, Created: time.Now().UTC()}
	for _, f := range tree.Files {
		m.Files = append(m.Files, ManifestFile{Path: f.Path, Size: f.Size, SHA256: f.SHA256})
	}
	sort.Slice(m.Files, func(i, j int) bool { return m.Files[i].Path < m.Files[j].Path })
	return m
}

// Queue is the persistent burn queue in the desk's store.
type Queue struct {
	db      *bolt.DB
	changed chan struct{} // signalled when a job becomes runnable
}

// New opens the queue in db, creating its buckets.
func New(db *bolt.DB) (*Queue, error) {
	err := db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{jobsBucket, manifestsBucket} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("burnqueue: create buckets: %w", err)
	}
	return &Queue{db: db, changed: make(chan struct{}, 1)}, nil
}

func (q *Queue) signal() {
	select {
	case q.changed <- struct{}{}:
	default:
	}
}

// Changed is signalled (coalesced) when a job is enqueued or retried.
func (q *Queue) Changed() <-chan struct{} { return q.changed }

// Enqueue adds a job and returns it with its id and state.
func (q *Queue) Enqueue(j Job) (Job, error) {
	if j.Drive == "" || (len(j.StudyUIDs) == 0 && j.Files == "") {
		return Job{}, fmt.Errorf("burnqueue: enqueue: a drive and studies (or a folder) are needed: %w", ErrBadJob)
	}
	if j.Copies == 0 {
		j.Copies = 1
	}
	if j.Copies < 1 || j.Copies > 99 {
		return Job{}, fmt.Errorf("burnqueue: enqueue: %d copies: %w", j.Copies, ErrBadJob)
	}
	id, err := uuid.NewV7()
	if err != nil {
		return Job{}, fmt.Errorf("burnqueue: enqueue: %w", err)
	}
	now := time.Now().UTC()
	j.ID, j.State, j.Held, j.Attempts, j.LastError, j.Discs, j.Created, j.Updated = id, Queued, false, 0, "", nil, now, now
	err = q.db.Update(func(tx *bolt.Tx) error { return putJob(tx, &j) })
	if err != nil {
		return Job{}, fmt.Errorf("burnqueue: enqueue: %w", err)
	}
	q.publish(j)
	q.signal()
	return j, nil
}

func putJob(tx *bolt.Tx, j *Job) error {
	b, err := json.Marshal(j)
	if err != nil {
		return err
	}
	return tx.Bucket(jobsBucket).Put(j.ID[:], b)
}

func getJob(tx *bolt.Tx, id uuid.UUID) (*Job, error) {
	raw := tx.Bucket(jobsBucket).Get(id[:])
	if raw == nil {
		return nil, fmt.Errorf("burnqueue: job %s: %w", id, ErrNotFound)
	}
	var j Job
	if err := json.Unmarshal(raw, &j); err != nil { // Unmarshal copies: nothing of raw escapes
		return nil, fmt.Errorf("burnqueue: job %s: decode: %w", id, err)
	}
	return &j, nil
}

// Get returns a job.
func (q *Queue) Get(id uuid.UUID) (Job, error) {
	var j *Job
	err := q.db.View(func(tx *bolt.Tx) (err error) {
		j, err = getJob(tx, id)
		return err
	})
	if err != nil {
		return Job{}, err
	}
	return *j, nil
}

// List returns every job, oldest first.
func (q *Queue) List() ([]Job, error) {
	var out []Job
	err := q.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(jobsBucket).ForEach(func(k, v []byte) error {
			var j Job
			if err := json.Unmarshal(v, &j); err != nil {
				return fmt.Errorf("burnqueue: job %x: decode: %w", k, err)
			}
			out = append(out, j)
			return nil
		})
	})
	return out, err
}

// update applies fn to a stored job inside one transaction.
func (q *Queue) update(id uuid.UUID, fn func(j *Job) error) (Job, error) {
	var out Job
	err := q.db.Update(func(tx *bolt.Tx) error {
		j, err := getJob(tx, id)
		if err != nil {
			return err
		}
		if err := fn(j); err != nil {
			return err
		}
		j.Updated = time.Now().UTC()
		out = *j
		return putJob(tx, j)
	})
	return out, err
}

// Retry releases a held or failed job so a worker runs it again (after
// staff inserted a new disc, freed the drive, ...).
func (q *Queue) Retry(id uuid.UUID) (Job, error) {
	j, err := q.update(id, func(j *Job) error {
		if !(j.State == Queued || j.State == Failed) {
			return fmt.Errorf("burnqueue: retry job %s in state %s: %w", id, j.State, ErrNotRetryable)
		}
		j.State, j.Held = Queued, false
		return nil
	})
	if err == nil {
		q.signal()
	}
	return j, err
}

// Cancel takes a job that is not writing a disc out of the queue for good.
func (q *Queue) Cancel(id uuid.UUID) (Job, error) {
	j, err := q.update(id, func(j *Job) error {
		switch j.State {
		case Burning, Verifying:
			return fmt.Errorf("burnqueue: cancel job %s: %w", id, ErrRunning)
		case Done, Cancelled:
			return nil
		}
		j.State, j.Held = Cancelled, false
		return nil
	})
	if err == nil && j.State == Cancelled {
		q.cancelled(j) // no other desk takes it from the facility
	}
	return j, err
}

// FindDisc returns the job that wrote the disc and the disc.
func (q *Queue) FindDisc(disc uuid.UUID) (Job, Disc, error) {
	jobs, err := q.List()
	if err != nil {
		return Job{}, Disc{}, err
	}
	for _, j := range jobs {
		for _, d := range j.Discs {
			if d.UUID == disc {
				return j, d, nil
			}
		}
	}
	return Job{}, Disc{}, fmt.Errorf("burnqueue: disc %s: %w", disc, ErrNotFound)
}

// Recover runs at startup, before any worker: every disc left burning or
// verifying by a crash is recorded as spoiled and its job queued again to be
// written on a new disc. It returns the jobs it changed.
func (q *Queue) Recover() ([]Job, error) {
	var changed []Job
	err := q.db.Update(func(tx *bolt.Tx) error {
		var jobs []*Job
		err := tx.Bucket(jobsBucket).ForEach(func(k, v []byte) error {
			var j Job
			if err := json.Unmarshal(v, &j); err != nil {
				return fmt.Errorf("burnqueue: job %x: decode: %w", k, err)
			}
			if j.State == Burning || j.State == Verifying {
				jobs = append(jobs, &j)
			}
			return nil
		})
		if err != nil {
			return err
		}
		now := time.Now().UTC()
		for _, j := range jobs {
			spoiled := 0
			for i := range j.Discs {
				if d := &j.Discs[i]; d.State == Burning || d.State == Verifying {
					d.State, d.Finished = Spoiled, now
					d.Error = "DiscDesk stopped while this disc was being written or checked: it is spoiled."
					spoiled++
				}
			}
			j.State, j.Updated = Queued, now
			if spoiled > 0 {
				j.LastError = fmt.Sprintf("DiscDesk stopped while writing a disc in %s: that disc is spoiled, do not hand it out. The job will be written on a new blank disc.", j.Drive)
			}
			if err := putJob(tx, j); err != nil {
				return err
			}
			changed = append(changed, *j)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("burnqueue: recover: %w", err)
	}
	if len(changed) > 0 {
		q.signal()
	}
	return changed, nil
}

// claim takes the oldest runnable job for the drive (or the job id, when
// not Nil) and marks it burning. On a desk of a facility the job is first
// claimed there (outside the store's write lock); one another desk holds
// is held here, saying so, and the next is tried.
func (q *Queue) claim(spec string, id uuid.UUID) (Job, bool, error) {
	for {
		var cand Job
		found := false
		err := q.db.View(func(tx *bolt.Tx) error {
			c := tx.Bucket(jobsBucket).Cursor()
			for k, v := c.First(); k != nil; k, v = c.Next() {
				var j Job
				if err := json.Unmarshal(v, &j); err != nil {
					return fmt.Errorf("burnqueue: job %x: decode: %w", k, err)
				}
				if j.Drive != spec || j.State != Queued || j.Held || (id != uuid.Nil && j.ID != id) {
					continue
				}
				cand, found = j, true
				return nil
			}
			return nil
		})
		if err != nil || !found {
			return Job{}, false, err
		}
		lapsed, err := q.take(cand)
		if errors.Is(err, ErrTaken) {
			q.taken(cand.ID, err)
			continue
		}
		var out Job
		ok := false
		err = q.db.Update(func(tx *bolt.Tx) error {
			j, err := getJob(tx, cand.ID)
			if err != nil {
				return err
			}
			if j.Drive != spec || j.State != Queued || j.Held {
				return nil // changed meanwhile: look again
			}
			j.State, j.Attempts, j.Updated = Burning, j.Attempts+1, time.Now().UTC()
			if lapsed != "" {
				j.LastError = lapsed
			}
			out, ok = *j, true
			return putJob(tx, j)
		})
		if err != nil || ok {
			return out, ok, err
		}
	}
}

// Drives lists the targets that have runnable jobs.
func (q *Queue) runnableDrives() ([]string, error) {
	jobs, err := q.List()
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []string
	for _, j := range jobs {
		if j.State == Queued && !j.Held && !seen[j.Drive] {
			seen[j.Drive] = true
			out = append(out, j.Drive)
		}
	}
	return out, nil
}

// putManifest stores the manifest of a verified disc.
func (q *Queue) putManifest(m *Manifest) error {
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return q.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(manifestsBucket).Put(m.Disc[:], b)
	})
}

// Manifest returns what was written on a disc.
func (q *Queue) Manifest(disc uuid.UUID) (*Manifest, error) {
	var m Manifest
	err := q.db.View(func(tx *bolt.Tx) error {
		raw := tx.Bucket(manifestsBucket).Get(disc[:])
		if raw == nil {
			return fmt.Errorf("burnqueue: manifest of disc %s: %w", disc, ErrNotFound)
		}
		return json.Unmarshal(raw, &m)
	})
	if err != nil {
		return nil, err
	}
	return &m, nil
}

// AddReport records a later verification of a disc (discdesk verify).
func (q *Queue) AddReport(disc uuid.UUID, rep drive.Report) error {
	m, err := q.Manifest(disc)
	if err != nil {
		return err
	}
	_, err = q.update(m.Job, func(j *Job) error {
		for i := range j.Discs {
			if j.Discs[i].UUID == disc {
				j.Discs[i].Reports = append(j.Discs[i].Reports, rep)
				return nil
			}
		}
		return fmt.Errorf("burnqueue: disc %s not in job %s: %w", disc, m.Job, ErrNotFound)
	})
	return err
}
