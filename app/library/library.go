package library

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Buckets owned by the library.
var (
	bucketInstances = []byte("library.instances") // SOP Instance UID -> Instance
	bucketStudies   = []byte("library.studies")   // Study UID -> Study
	bucketSeries    = []byte("library.series")    // study UID \x00 series UID -> Series
	bucketMembers   = []byte("library.members")   // study \x00 series \x00 SOP instance -> nil
	bucketPending   = []byte("library.pending")   // batch id -> JSON list of library-relative paths
)

// Errors of the library.
var (
	// ErrNoStudy means no study with that Study Instance UID is indexed.
	ErrNoStudy = errors.New("no such study in the library")
)

// Library is the study library of one data folder.
type Library struct {
	db   *bolt.DB
	root string // the managed library folder
	now  func() time.Time

	mu     sync.Mutex
	search *searchIndex // built on first search, kept current by imports

	dirs map[string]bool // object folders known to exist (under mu)

	rx *receiving // objects taken by Receive, waiting to be indexed
}

// Open opens the library in dataDir (its files under dataDir/library) using
// the desk's store, and finishes or undoes any import a crash interrupted.
func Open(db *bolt.DB, dataDir string) (*Library, error) {
	l := &Library{db: db, root: filepath.Join(dataDir, "library"), now: time.Now, dirs: map[string]bool{}}
	l.rx = &receiving{pending: map[string]*rxItem{}, wake: make(chan struct{}, 1), hurry: make(chan struct{}, 1)}
	l.rx.idle = sync.NewCond(&l.rx.mu)
	for _, d := range []string{l.incoming(), l.receivedDir()} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, fmt.Errorf("library: create folder: %w", err)
		}
	}
	err := db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketInstances, bucketStudies, bucketSeries, bucketMembers, bucketPending} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("library: create buckets: %w", err)
	}
	if err := l.recover(); err != nil {
		return nil, err
	}
	if err := l.recoverReceived(); err != nil {
		return nil, err
	}
	return l, nil
}

// Root is the managed library folder.
func (l *Library) Root() string { return l.root }

func (l *Library) incoming() string { return filepath.Join(l.root, "incoming") }

// recover removes what an interrupted import left: temporary files, and
// journalled files that never got indexed.
func (l *Library) recover() error {
	ents, _ := os.ReadDir(l.incoming())
	for _, e := range ents {
		os.RemoveAll(filepath.Join(l.incoming(), e.Name()))
	}
	return l.db.Update(func(tx *bolt.Tx) error {
		pend := tx.Bucket(bucketPending)
		inst := tx.Bucket(bucketInstances)
		var keys [][]byte
		err := pend.ForEach(func(k, v []byte) error {
			var entries []pendingFile
			if err := json.Unmarshal(v, &entries); err != nil {
				return fmt.Errorf("library: recover: bad journal entry: %w", err)
			}
			for _, p := range entries {
				raw := inst.Get([]byte(p.SOP))
				var in Instance
				if raw != nil && json.Unmarshal(raw, &in) == nil && in.Path == p.Path {
					continue // indexed: keep
				}
				os.Remove(filepath.Join(l.root, filepath.FromSlash(p.Path)))
			}
			keys = append(keys, append([]byte(nil), k...))
			return nil
		})
		if err != nil {
			return err
		}
		for _, k := range keys {
			if err := pend.Delete(k); err != nil {
				return err
			}
		}
		return nil
	})
}

type pendingFile struct {
	SOP  string `json:"sop"`
	Path string `json:"path"`
}

// Study returns one study with its series and instances. Files indexed in
// place that vanished or changed are listed in Problems.
func (l *Library) Study(uid string) (*StudyDetail, error) {
	l.settle()
	var d StudyDetail
	err := l.db.View(func(tx *bolt.Tx) error {
		raw := tx.Bucket(bucketStudies).Get([]byte(uid))
		if raw == nil {
			return fmt.Errorf("%w: %s", ErrNoStudy, uid)
		}
		if err := json.Unmarshal(raw, &d.Study); err != nil {
			return err
		}
		prefix := []byte(uid + "\x00")
		sc := tx.Bucket(bucketSeries).Cursor()
		for k, v := sc.Seek(prefix); k != nil && hasPrefix(k, prefix); k, v = sc.Next() {
			var s SeriesDetail
			if err := json.Unmarshal(v, &s.Series); err != nil {
				return err
			}
			d.Series = append(d.Series, s)
		}
		inst := tx.Bucket(bucketInstances)
		for i := range d.Series {
			sp := []byte(uid + "\x00" + d.Series[i].UID + "\x00")
			mc := tx.Bucket(bucketMembers).Cursor()
			for k, _ := mc.Seek(sp); k != nil && hasPrefix(k, sp); k, _ = mc.Next() {
				raw := inst.Get(k[len(sp):])
				if raw == nil {
					continue
				}
				var in Instance
				if err := json.Unmarshal(raw, &in); err != nil {
					return err
				}
				d.Series[i].Instances = append(d.Series[i].Instances, in)
			}
			sort.SliceStable(d.Series[i].Instances, func(a, b int) bool {
				return d.Series[i].Instances[a].Number < d.Series[i].Instances[b].Number
			})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.SliceStable(d.Series, func(a, b int) bool { return d.Series[a].Number < d.Series[b].Number })
	d.Problems = l.check(&d)
	return &d, nil
}

// FilePath is the absolute path of an instance's file.
func (l *Library) FilePath(in Instance) string {
	if in.InPlace {
		return in.Path
	}
	if p := l.receivingPath(in.SOPInstanceUID); p != "" {
		return p // received, indexed, being moved into objects/
	}
	return filepath.Join(l.root, filepath.FromSlash(in.Path))
}

// check reports files that vanished or changed since they were indexed.
func (l *Library) check(d *StudyDetail) []string {
	var probs []string
	for _, s := range d.Series {
		for _, in := range s.Instances {
			p := l.FilePath(in)
			fi, err := os.Stat(p)
			switch {
			case err != nil:
				probs = append(probs, fmt.Sprintf("%s: file is missing (SOP Instance %s)", p, in.SOPInstanceUID))
			case fi.Size() != in.Size || !fi.ModTime().Equal(in.ModTime):
				probs = append(probs, fmt.Sprintf("%s: file changed since it was indexed (size %d -> %d); re-import it", p, in.Size, fi.Size()))
			}
		}
	}
	return probs
}

// Files returns the absolute paths of every instance of a study, refusing
// when any of them vanished or changed (a disc is never burned from stale
// files).
func (l *Library) Files(uid string) ([]string, error) {
	d, err := l.Study(uid)
	if err != nil {
		return nil, err
	}
	if len(d.Problems) > 0 {
		return nil, fmt.Errorf("library: study %s has %d changed or missing files, e.g. %s", uid, len(d.Problems), d.Problems[0])
	}
	var out []string
	for _, s := range d.Series {
		for _, in := range s.Instances {
			out = append(out, l.FilePath(in))
		}
	}
	return out, nil
}

// Complete reports whether a study is complete: its sender's expected
// instance count is reached, or no object arrived for quiet.
func (l *Library) Complete(uid string, quiet time.Duration) (bool, error) {
	l.settle()
	var s Study
	err := l.db.View(func(tx *bolt.Tx) error {
		raw := tx.Bucket(bucketStudies).Get([]byte(uid))
		if raw == nil {
			return fmt.Errorf("%w: %s", ErrNoStudy, uid)
		}
		return json.Unmarshal(raw, &s)
	})
	if err != nil {
		return false, err
	}
	return s.complete(l.now(), quiet), nil
}

func (s *Study) complete(now time.Time, quiet time.Duration) bool {
	if s.ExpectedInstances > 0 && s.InstanceCount >= s.ExpectedInstances {
		return true
	}
	return now.Sub(s.LastReceived) >= quiet
}

func hasPrefix(k, p []byte) bool { return len(k) >= len(p) && string(k[:len(p)]) == string(p) }
