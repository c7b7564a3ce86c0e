package offers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"
	bolt "go.etcd.io/bbolt"

	"discdesk/app/handoff"
	"discdesk/app/library"
	appstaff "discdesk/app/staff"
	"discdesk/viewer/dcm"
)

// Buckets owned by the package, below the top-level "offers" bucket.
var (
	rootBucket    = []byte("offers")
	actionsBucket = []byte("actions") // action UUIDv7 -> Action JSON; append-only
	flagsBucket   = []byte("flags")   // study UID -> action UUID of the flag; the open flags
)

// Errors of the desk list.
var (
	// ErrNoStore means the offers buckets are missing (not opened through Open).
	ErrNoStore = errors.New("offers buckets missing")
	// ErrMissing means a required field (staff, workstation, key, reason) is empty.
	ErrMissing = errors.New("required")
)

// ActionKind is what staff did.
type ActionKind string

// The actions recorded.
const (
	ActionOffered  ActionKind = "offered"  // "offer a disc": the patient was offered a copy
	ActionDeclined ActionKind = "declined" // the patient declined
	ActionFlagged  ActionKind = "flagged"  // a study flagged for discharge by staff
)

// An Action is one recorded staff action. Actions are never changed or
// deleted; a later action supersedes an earlier one for the same key.
type Action struct {
	ID          string     `json:"id"`
	Time        time.Time  `json:"time"`
	Kind        ActionKind `json:"kind"`
	Key         string     `json:"key"`             // the candidate's key (flagged: "study:UID")
	Study       string     `json:"study,omitempty"` // flagged: the study
	Note        string     `json:"note,omitempty"`  // declined: the reason; offered: what was offered
	Request     string     `json:"request,omitempty"`
	Staff       string     `json:"staff"`
	Workstation string     `json:"workstation"`
}

// Status is where a candidate stands.
type Status string

// Statuses.
const (
	StatusPending  Status = "pending"
	StatusOffered  Status = "offered"
	StatusDeclined Status = "declined"
)

// A Candidate is one patient the desk should offer a copy to today.
type Candidate struct {
	Key       string                 `json:"key"`
	Patient   handoff.Patient        `json:"patient"`
	Reasons   []string               `json:"reasons"` // "completed today", "discharge list 14:30", "flagged by ...", "rule ..."
	Studies   []library.Study        `json:"studies,omitempty"`
	Discharge time.Time              `json:"discharge,omitzero"`
	Notes     string                 `json:"notes,omitempty"`
	Status    Status                 `json:"status"`
	Last      *Action                `json:"last,omitempty"`
	Prepared  []handoff.RequestInput `json:"prepared,omitempty"` // from the ordering notes: for staff to confirm
}

// Config is the discharge feed and the day's rules.
type Config struct {
	// Quiet is the quiet time after which a study counts as complete
	// (library.Complete); default 10 minutes.
	Quiet time.Duration `json:"quiet"`
	// Rules mark studies of the last RuleDays days as discharges.
	Rules    []Rule `json:"rules,omitempty"`
	RuleDays int    `json:"rule_days,omitempty"` // default 2
	// CSVDir is the folder the hospital drops discharge lists into (*.csv).
	CSVDir string `json:"csv_dir,omitempty"`
	// Location is the desk's time zone for "today" (nil = time.Local).
	Location *time.Location `json:"-"`
}

// Desk is the proactive offer list of one data folder.
type Desk struct {
	db  *bolt.DB
	lib *library.Library
	cfg Config
	now func() time.Time
}

// Open creates the offers buckets if needed.
func Open(db *bolt.DB, lib *library.Library, cfg Config, now func() time.Time) (*Desk, error) {
	if now == nil {
		now = time.Now
	}
	if cfg.Quiet <= 0 {
		cfg.Quiet = 10 * time.Minute
	}
	if cfg.RuleDays <= 0 {
		cfg.RuleDays = 2
	}
	if cfg.Location == nil {
		cfg.Location = time.Local
	}
	err := db.Update(func(tx *bolt.Tx) error {
		root, err := tx.CreateBucketIfNotExists(rootBucket)
		if err != nil {
			return err
		}
		for _, b := range [][]byte{actionsBucket, flagsBucket} {
			if _, err := root.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("offers: create buckets: %w", err)
	}
	return &Desk{db: db, lib: lib, cfg: cfg, now: now}, nil
}

func buckets(tx *bolt.Tx) (actions, flags *bolt.Bucket, err error) {
	root := tx.Bucket(rootBucket)
	if root == nil {
		return nil, nil, ErrNoStore
	}
	actions, flags = root.Bucket(actionsBucket), root.Bucket(flagsBucket)
	if actions == nil || flags == nil {
		return nil, nil, ErrNoStore
	}
	return actions, flags, nil
}

// record appends a, setting ID and Time; for an offer or a decline the
// flags of the candidate's studies are closed in the same transaction.
func (d *Desk) record(a Action, by handoff.Actor, studies []string) (Action, error) {
	a.Staff, a.Workstation = strings.TrimSpace(by.Staff), strings.TrimSpace(by.Workstation)
	a.Key, a.Note = strings.TrimSpace(a.Key), strings.TrimSpace(a.Note)
	switch {
	case a.Staff == "":
		return Action{}, fmt.Errorf("offers: %s: staff: %w", a.Kind, ErrMissing)
	case a.Workstation == "":
		return Action{}, fmt.Errorf("offers: %s: workstation: %w", a.Kind, ErrMissing)
	case a.Key == "":
		return Action{}, fmt.Errorf("offers: %s: key: %w", a.Kind, ErrMissing)
	case a.Kind == ActionDeclined && a.Note == "":
		return Action{}, fmt.Errorf("offers: declined: reason: %w", ErrMissing)
	}
	id, err := uuid.NewV7()
	if err != nil {
		return Action{}, fmt.Errorf("offers: new action id: %w", err)
	}
	a.ID, a.Time = id.String(), d.now().UTC().Truncate(time.Millisecond)
	err = d.db.Update(func(tx *bolt.Tx) error {
		actions, flags, err := buckets(tx)
		if err != nil {
			return err
		}
		// Keys must grow: a clock that stepped back gets the next key.
		k := id[:]
		if last, _ := actions.Cursor().Last(); last != nil && string(k) <= string(last) {
			n := append([]byte(nil), last...)
			for i := len(n) - 1; i >= 8; i-- {
				n[i]++
				if n[i] != 0 {
					break
				}
			}
			k = n
			u, _ := uuid.FromBytes(k)
			a.ID = u.String()
		}
		raw, err := json.Marshal(a)
		if err != nil {
			return err
		}
		if err := actions.Put(k, raw); err != nil {
			return err
		}
		if a.Kind == ActionFlagged {
			return flags.Put([]byte(a.Study), k)
		}
		for _, s := range studies {
			if err := flags.Delete([]byte(s)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return Action{}, fmt.Errorf("offers: record %s: %w", a.Kind, err)
	}
	return a, nil
}

// Flag marks a study as a discharge to offer a copy for.
func (d *Desk) Flag(studyUID, note string, by handoff.Actor) (Action, error) {
	if _, err := d.lib.Study(studyUID); err != nil {
		return Action{}, fmt.Errorf("offers: flag: %w", err)
	}
	return d.record(Action{Kind: ActionFlagged, Key: "study:" + studyUID, Study: studyUID, Note: note}, by, nil)
}

// Offer records that the candidate was offered a copy ("offer a disc");
// request is the handoff request saved from it, when there is one.
func (d *Desk) Offer(c Candidate, note, request string, by handoff.Actor) (Action, error) {
	return d.record(Action{Kind: ActionOffered, Key: c.Key, Note: note, Request: request}, by, studyUIDs(c.Studies))
}

// Decline records that the candidate declined, with the reason.
func (d *Desk) Decline(c Candidate, reason string, by handoff.Actor) (Action, error) {
	return d.record(Action{Kind: ActionDeclined, Key: c.Key, Note: reason}, by, studyUIDs(c.Studies))
}

// Actions returns the recorded actions, oldest first; key "" gives all.
func (d *Desk) Actions(key string) ([]Action, error) {
	var out []Action
	err := d.db.View(func(tx *bolt.Tx) error {
		actions, _, err := buckets(tx)
		if err != nil {
			return err
		}
		return actions.ForEach(func(k, v []byte) error {
			var a Action
			if err := json.Unmarshal(v, &a); err != nil {
				return fmt.Errorf("offers: action %x: %w", k, err)
			}
			if key == "" || a.Key == key {
				out = append(out, a)
			}
			return nil
		})
	})
	return out, err
}

func studyUIDs(s []library.Study) []string {
	out := make([]string, len(s))
	for i, st := range s {
		out[i] = st.UID
	}
	return out
}

// A Problem is a feed input that could not be used (a bad CSV line, an
// unreadable file); the list is still shown.
type Problem struct {
	Source string `json:"source"`
	Reason string `json:"reason"`
}

// List returns today's candidates (pending first, then by discharge time and
// name) and the feed's problems.
func (d *Desk) List(ctx context.Context) ([]Candidate, []Problem, error) {
	now := d.now().In(d.cfg.Location)
	today := now.Format("20060102")
	dayKey := now.Format(time.DateOnly)
	all, err := d.lib.Search(library.Query{})
	if err != nil {
		return nil, nil, err
	}
	byPatient := map[string]*Candidate{}
	var order []string
	var probs []Problem
	get := func(p handoff.Patient) *Candidate {
		k := "day:" + dayKey + "/" + p.Key() // the exact Patient ID, else name and birth date
		c := byPatient[k]
		if c == nil {
			c = &Candidate{Key: k, Patient: p, Status: StatusPending}
			byPatient[k] = c
			order = append(order, k)
		}
		return c
	}
	addStudy := func(c *Candidate, st library.Study, reason string) {
		for _, s := range c.Studies {
			if s.UID == st.UID {
				c.Reasons = appendOnce(c.Reasons, reason)
				return
			}
		}
		c.Studies = append(c.Studies, st)
		c.Reasons = appendOnce(c.Reasons, reason)
	}
	byUID := map[string]library.Study{}
	for _, st := range all {
		byUID[st.UID] = st
	}
	// 1. Studies completed today.
	for _, st := range all {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		recvToday := st.LastReceived.In(d.cfg.Location).Format("20060102") == today
		if st.Date != today && !recvToday {
			continue
		}
		ok, err := d.lib.Complete(st.UID, d.cfg.Quiet)
		if err != nil || !ok {
			continue
		}
		addStudy(get(appstaff.RequestPatient(st)), st, "completed today")
	}
	// 2. Flagged studies.
	flagged, err := d.openFlags()
	if err != nil {
		return nil, nil, err
	}
	for _, a := range flagged {
		st, ok := byUID[a.Study]
		if !ok {
			continue
		}
		addStudy(get(appstaff.RequestPatient(st)), st, "flagged for discharge by "+a.Staff)
	}
	// 3. Attribute rules over recent studies.
	if len(d.cfg.Rules) > 0 {
		from := now.AddDate(0, 0, -d.cfg.RuleDays).Format("20060102")
		for _, st := range all {
			recv := st.LastReceived.In(d.cfg.Location).Format("20060102")
			if st.Date < from && recv < from {
				continue
			}
			ds, err := d.firstHeader(st.UID)
			if err != nil {
				probs = append(probs, Problem{Source: "rule", Reason: fmt.Sprintf("study %s: %v", st.UID, err)})
				continue
			}
			for _, r := range d.cfg.Rules {
				if r.Match(ds) {
					addStudy(get(appstaff.RequestPatient(st)), st, "rule "+r.String())
					break
				}
			}
		}
	}
	// 4. The hospital's discharge lists.
	if d.cfg.CSVDir != "" {
		entries, ps := d.readDischarges()
		probs = append(probs, ps...)
		for _, e := range entries {
			if e.Time.In(d.cfg.Location).Format("20060102") != today {
				continue
			}
			p := handoff.Patient{Name: dcm.PersonName(e.Name), BirthDate: e.BirthDate, ID: e.PatientID}
			var matched []library.Study
			if e.PatientID != "" {
				// The one rule for "this patient's studies" (app/staff.PatientStudies):
				// the exact Patient ID under one issuer, whose name and birth
				// date agree with the list's. "abc123" is not "ABC123".
				sts, _, err := appstaff.PatientStudies(d.lib, handoff.Request{RequestInput: handoff.RequestInput{Patient: handoff.Patient{ID: e.PatientID, Name: e.Name, BirthDate: e.BirthDate}}})
				if err != nil {
					probs = append(probs, Problem{Source: "discharge list", Reason: fmt.Sprintf("line %d: no studies offered: %v", e.Line, err)})
				}
				matched = sts
			}
			if len(matched) > 0 {
				p = appstaff.RequestPatient(matched[0])
			}
			c := get(p)
			c.Reasons = appendOnce(c.Reasons, "discharge list "+e.Time.In(d.cfg.Location).Format("15:04"))
			if c.Discharge.IsZero() || e.Time.Before(c.Discharge) {
				c.Discharge = e.Time
			}
			if e.Notes != "" && !strings.Contains(c.Notes, e.Notes) {
				c.Notes = strings.TrimSpace(c.Notes + "\n" + e.Notes)
			}
			for _, st := range recentStudies(matched, now, 30) {
				addStudy(c, st, "discharge list "+e.Time.In(d.cfg.Location).Format("15:04"))
			}
		}
	}
	last, err := d.lastActions()
	if err != nil {
		return nil, nil, err
	}
	out := make([]Candidate, 0, len(order))
	for _, k := range order {
		c := byPatient[k]
		if a, ok := last[c.Key]; ok {
			a := a
			c.Last = &a
			c.Status = Status(a.Kind)
		}
		ordering := ""
		for _, st := range c.Studies {
			if st.ReferringPhysician != "" {
				ordering = st.ReferringPhysician
				break
			}
		}
		for _, it := range ParseNotes(c.Notes) {
			c.Prepared = append(c.Prepared, Prepare(it, c.Patient, studyUIDs(c.Studies), ordering))
		}
		out = append(out, *c)
	}
	rank := map[Status]int{StatusPending: 0, StatusOffered: 1, StatusDeclined: 2}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if rank[a.Status] != rank[b.Status] {
			return rank[a.Status] < rank[b.Status]
		}
		if !a.Discharge.Equal(b.Discharge) {
			if a.Discharge.IsZero() || b.Discharge.IsZero() {
				return !a.Discharge.IsZero()
			}
			return a.Discharge.Before(b.Discharge)
		}
		return a.Patient.Name < b.Patient.Name
	})
	return out, probs, nil
}

// Find returns today's candidate with key, or the one whose Patient ID is
// exactly key, or the only one whose name matches key.
func (d *Desk) Find(ctx context.Context, key string) (Candidate, error) {
	list, _, err := d.List(ctx)
	if err != nil {
		return Candidate{}, err
	}
	var hits []Candidate
	for _, c := range list {
		if c.Key == key {
			return c, nil
		}
		if strings.TrimSpace(c.Patient.ID) == strings.TrimSpace(key) {
			return c, nil // the exact Patient ID: one patient
		}
		if strings.EqualFold(c.Patient.Name, key) {
			hits = append(hits, c)
		}
	}
	if len(hits) == 1 {
		return hits[0], nil
	}
	return Candidate{}, fmt.Errorf("offers: %q matches %d of today's candidates", key, len(hits))
}

func (d *Desk) openFlags() ([]Action, error) {
	var out []Action
	err := d.db.View(func(tx *bolt.Tx) error {
		actions, flags, err := buckets(tx)
		if err != nil {
			return err
		}
		return flags.ForEach(func(_, id []byte) error {
			var a Action
			if raw := actions.Get(id); raw != nil && json.Unmarshal(raw, &a) == nil {
				out = append(out, a)
			}
			return nil
		})
	})
	return out, err
}

// lastActions returns the latest offered/declined action per key.
func (d *Desk) lastActions() (map[string]Action, error) {
	all, err := d.Actions("")
	if err != nil {
		return nil, err
	}
	out := map[string]Action{}
	for _, a := range all {
		if a.Kind == ActionOffered || a.Kind == ActionDeclined {
			out[a.Key] = a
		}
	}
	return out, nil
}

// firstHeader parses the header of a study's first object (pixel data not read).
func (d *Desk) firstHeader(uid string) (*dcm.DataSet, error) {
	sd, err := d.lib.Study(uid)
	if err != nil {
		return nil, err
	}
	for _, s := range sd.Series {
		if len(s.Instances) == 0 {
			continue
		}
		f, err := dcm.ParseFile(d.lib.FilePath(s.Instances[0]), dcm.StopAt(dcm.PixelData))
		if err != nil {
			return nil, err
		}
		return f.DataSet, nil
	}
	return nil, fmt.Errorf("no objects")
}

func (d *Desk) readDischarges() ([]Discharge, []Problem) {
	files, err := filepath.Glob(filepath.Join(d.cfg.CSVDir, "*.[cC][sS][vV]"))
	if err != nil {
		return nil, []Problem{{Source: d.cfg.CSVDir, Reason: err.Error()}}
	}
	sort.Strings(files)
	var out []Discharge
	var probs []Problem
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			probs = append(probs, Problem{Source: filepath.Base(name), Reason: err.Error()})
			continue
		}
		entries, lp, err := ParseDischargeCSV(f, d.cfg.Location)
		f.Close()
		if err != nil {
			probs = append(probs, Problem{Source: filepath.Base(name), Reason: err.Error()})
			continue
		}
		for _, p := range lp {
			probs = append(probs, Problem{Source: filepath.Base(name), Reason: p.String()})
		}
		out = append(out, entries...)
	}
	return out, probs
}

func recentStudies(s []library.Study, now time.Time, days int) []library.Study {
	from := now.AddDate(0, 0, -days).Format("20060102")
	var out []library.Study
	for _, st := range s {
		if st.Date >= from || st.LastReceived.After(now.AddDate(0, 0, -days)) {
			out = append(out, st)
		}
	}
	return out
}

func appendOnce(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}
