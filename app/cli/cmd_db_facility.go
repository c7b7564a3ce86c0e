package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"discdesk/app/burnqueue"
	"discdesk/app/facility"
	"discdesk/app/library"
	"discdesk/app/settings"
	"discdesk/app/station"
)

// FacilityFile is the data folder's setting naming the facility database
// (written by `discdesk db use`): the connection string without a
// password, the password file and the CA file.
const FacilityFile = "facility.json"

// facilityOutboxFile keeps what staff record while the database is away.
const facilityOutboxFile = "facility-outbox.db"

// FacilitySetting is the content of FacilityFile.
type FacilitySetting struct {
	URL          string `json:"url"`
	PasswordFile string `json:"password_file,omitempty"`
	CAFile       string `json:"ca_file,omitempty"`
}

// facilityFlags declares the global flags that select the facility database.
func facilityFlags(fs *flag.FlagSet, env *Env) {
	fs.StringVar(&env.DBFlag, "db", "", "the facility database shared by every desk: a postgres:// URL or libpq string without a password (default $DISCDESK_DB, else the data folder's "+FacilityFile+"; none: this desk's own store)")
	fs.StringVar(&env.DBPasswordFile, "db-password-file", "", "file holding the facility database password (mode 600; default $DISCDESK_DB_PASSWORD_FILE, else $"+facility.PasswordEnv+")")
	fs.StringVar(&env.DBCAFile, "db-ca-file", "", "PEM file of the CA that signed the database server's certificate (default $DISCDESK_DB_CA_FILE)")
}

// FacilityConfig returns the facility database this desk uses: --db, else
// $DISCDESK_DB, else the data folder's facility.json; ok false when none
// (the desk keeps everything in its own store).
func (e *Env) FacilityConfig() (c facility.Config, ok bool, err error) {
	c = facility.Config{URL: e.DBFlag, PasswordFile: e.DBPasswordFile, CAFile: e.DBCAFile}
	if c.URL == "" {
		c.URL = os.Getenv("DISCDESK_DB")
	}
	if c.PasswordFile == "" {
		c.PasswordFile = os.Getenv("DISCDESK_DB_PASSWORD_FILE")
	}
	if c.CAFile == "" {
		c.CAFile = os.Getenv("DISCDESK_DB_CA_FILE")
	}
	if c.URL == "" {
		dir, err := e.DataDir()
		if err != nil {
			return c, false, err
		}
		raw, err := os.ReadFile(filepath.Join(dir, FacilityFile))
		if errors.Is(err, os.ErrNotExist) {
			return c, false, nil
		}
		if err != nil {
			return c, false, fmt.Errorf("facility setting: %w", err)
		}
		var fs FacilitySetting
		if err := json.Unmarshal(raw, &fs); err != nil {
			return c, false, fmt.Errorf("facility setting %s: %v", filepath.Join(dir, FacilityFile), err)
		}
		c.URL = fs.URL
		if c.PasswordFile == "" {
			c.PasswordFile = fs.PasswordFile
		}
		if c.CAFile == "" {
			c.CAFile = fs.CAFile
		}
	}
	if strings.TrimSpace(c.URL) == "" {
		return c, false, nil
	}
	if host, err := os.Hostname(); err == nil {
		c.Desk = host
	}
	return c, true, nil
}

// deskFacility is the facility a data folder's desk is one of.
type deskFacility struct {
	cfg    facility.Config
	box    *facility.Outbox
	unbind func()
	shared *settings.Shared
	desk   string
}

// facilityTimeout bounds each call to the facility database.
const facilityTimeout = 15 * time.Second

// burnLease is how long a desk's claim of a burn job lasts unrenewed: a
// desk that stops answering loses it after this, and the job is burned
// again elsewhere (the disc it was writing reported spoiled).
const burnLease = 2 * time.Minute

// adoptJob makes a job another desk queued a job of this desk: it must
// hold every study, and the job goes to this desk's default target.
func (e *Env) adoptJob(st *settings.Store, dir string) func(burnqueue.Job) (burnqueue.Job, bool) {
	return func(j burnqueue.Job) (burnqueue.Job, bool) {
		if j.Files != "" || len(j.StudyUIDs) == 0 {
			return j, false // a folder on another desk's disk
		}
		lib, err := e.Library()
		if err != nil {
			return j, false
		}
		for _, uid := range j.StudyUIDs {
			if _, err := lib.Study(uid); err != nil {
				return j, false
			}
		}
		cur, err := st.Get()
		if err != nil {
			return j, false
		}
		t, err := station.TargetJob(cur, dir, "DISC"+strings.ToUpper(strings.ReplaceAll(j.ID.String(), "-", "")[:8]))
		if err != nil {
			return j, false
		}
		j.Drive, j.Media = t.Drive, t.Media
		return j, true
	}
}

// openFacility, when a facility database is configured, binds db to it:
// the handoff log, staff and shared settings live there; an outbox in the
// data folder keeps what staff record while it does not answer.
func (e *Env) openFacility(db *bolt.DB, dir string) error {
	c, ok, err := e.FacilityConfig()
	if err != nil || !ok {
		return err
	}
	ctx := context.Background()
	// The desk's name in the facility (claims, holdings): its workstation.
	st, err := settings.Open(db)
	if err != nil {
		return err
	}
	if cur, err := st.Get(); err == nil && strings.TrimSpace(cur.Workstation) != "" {
		c.Desk = strings.TrimSpace(cur.Workstation)
	}
	pg, err := facility.OpenPG(ctx, c)
	if pg == nil {
		return err
	}
	down := err != nil && errors.Is(err, facility.ErrUnreachable)
	if err != nil && !down {
		pg.Close()
		return err
	}
	box, err := facility.OpenOutbox(pg, filepath.Join(dir, facilityOutboxFile))
	if err != nil {
		pg.Close()
		return err
	}
	unbind, err := facility.Bind(db, box, facilityTimeout)
	if err != nil {
		box.Close()
		return err
	}
	unbindJobs := burnqueue.Bind(db, facility.BurnJobs(box, c.Desk, burnLease, e.adoptJob(st, dir)))
	unbindAll := unbind
	unbind = func() { unbindJobs(); unbindAll() }
	f := &deskFacility{cfg: c, box: box, unbind: unbind, desk: c.Desk, shared: facility.SharedSettings(st, box, facilityTimeout)}
	e.fac = f
	if down {
		box.Health(ctx)
		e.errorf("the facility database (%s) is unreachable: %v; what is recorded now is kept at this desk and sent when it answers", c.Redacted(), err)
		return nil
	}
	if box.State().Pending > 0 {
		rep, err := box.Flush(ctx)
		e.noteFlush(rep, err)
	}
	if err := f.shared.Sync(); err != nil {
		e.errorf("%v", err)
	}
	return nil
}

func (e *Env) noteFlush(rep facility.FlushReport, err error) {
	if rep.Sent > 0 {
		e.errorf("sent %d action(s) kept at this desk to the facility database", rep.Sent)
	}
	for _, r := range rep.Rejected {
		e.errorf("the facility database refused a kept action: %s", r.Reason)
	}
	if err != nil {
		e.errorf("the facility database is still unreachable: %v", err)
	}
}

// Facility returns the facility backend this desk is bound to (nil: the
// desk's own store). Its outbox reports the database's state.
func (e *Env) Facility() (*facility.Outbox, error) {
	if _, err := e.DB(); err != nil {
		return nil, err
	}
	if e.fac == nil {
		return nil, nil
	}
	return e.fac.box, nil
}

// SyncFacility sends this desk's changed shared settings, takes the
// facility's, sends kept actions and records which studies the desk's
// library holds. The desk calls it now and then; Close calls it.
func (e *Env) SyncFacility(ctx context.Context) error {
	f := e.fac
	if f == nil {
		return nil
	}
	if err := f.box.Health(ctx); err != nil {
		return err
	}
	if f.box.State().Pending > 0 {
		rep, err := f.box.Flush(ctx)
		e.noteFlush(rep, err)
	}
	errs := []error{f.shared.Sync()}
	if e.lib != nil {
		errs = append(errs, holdStudies(ctx, f.box, f.desk, e.lib))
	}
	return errors.Join(errs...)
}

// holdStudies records in the facility that this desk's library holds its
// studies, so a request taken elsewhere can be burned here.
func holdStudies(ctx context.Context, b facility.Backend, desk string, lib *library.Library) error {
	studies, err := lib.Search(library.Query{})
	if err != nil {
		return err
	}
	uids := make([]string, len(studies))
	for i, s := range studies {
		uids[i] = s.UID
	}
	return facility.HoldAll(ctx, b, desk, uids)
}

// closeFacility syncs (when the database answers), reports what is still
// kept, and unbinds the store.
func (e *Env) closeFacility() {
	f := e.fac
	if f == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), facilityTimeout)
	defer cancel()
	if err := e.SyncFacility(ctx); err != nil && !errors.Is(err, facility.ErrUnreachable) {
		e.errorf("facility: %v", err)
	}
	if n := f.box.State().Pending; n > 0 {
		e.errorf("%d action(s) are kept at this desk until the facility database answers again", n)
	}
	f.unbind()
	f.box.Close()
	e.fac = nil
}
