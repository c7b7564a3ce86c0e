package intake_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"discdesk/app/burnqueue"
	"discdesk/app/handoff"
	"discdesk/app/intake"
	"discdesk/app/library"
	"discdesk/app/pacs/pacstest"
	"discdesk/app/settings"
	"discdesk/app/station"
	"discdesk/app/store/storetest"
	"discdesk/internal/corpus"
)

// desk is the domain side of a desk on a new store.
type desk struct {
	dir     string
	lib     *library.Library
	handoff *handoff.Store
	queue   *burnqueue.Queue
	set     *settings.Store
	st      *station.Station
	isoDir  string
}

func newDesk(t *testing.T, edit func(s *settings.Settings)) *desk {
	t.Helper()
	d := &desk{dir: t.TempDir(), isoDir: filepath.Join(t.TempDir(), "iso")}
	db := storetest.MustOpen(t, d.dir)
	var err error
	if d.lib, err = library.Open(db, d.dir); err != nil {
		t.Fatal(err)
	}
	// The station opens the log with the settings' rules and the auditor,
	// as the desk and the command line do.
	if d.st, err = station.Open(db, d.dir, d.lib); err != nil {
		t.Fatal(err)
	}
	d.handoff, d.queue, d.set = d.st.Log, d.st.Queue, d.st.Settings
	s, _ := d.set.Get()
	s.Workstation = "front-1"
	s.Targets = []settings.Target{{Name: "ISO files", Kind: settings.TargetISO, Path: d.isoDir}}
	s.Receive.Enabled, s.Receive.Port = true, 0
	if edit != nil {
		edit(&s)
	}
	if _, err := d.set.SaveSystem(s); err != nil {
		t.Fatal(err)
	}
	return d
}

// receiver starts the desk's receiver from its settings on loopback.
func (d *desk) receiver(t *testing.T, queued chan<- intake.Queued) (*intake.Receiver, int) {
	t.Helper()
	s, _ := d.set.Get()
	opt, err := intake.FromSettings(s, d.dir)
	if err != nil {
		t.Fatal(err)
	}
	opt.Listen = "127.0.0.1:0"
	r := &intake.Receiver{Options: opt, Lib: d.lib, Station: d.st,
		Queued:  func(q intake.Queued) { queued <- q },
		Problem: func(uid string, err error) { t.Errorf("study %s not queued: %v", uid, err) }}
	if err := r.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := r.Stop(); err != nil {
			t.Errorf("stop: %v", err)
		}
	})
	return r, r.Addr().(*net.TCPAddr).Port
}

func mrStudy(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(corpus.Dir(t), "mr_series", "dcm4che_mr16", "*.dcm"))
	if err != nil || len(files) < 10 {
		t.Fatalf("mr study: %v (%d files)", err, len(files))
	}
	sort.Strings(files)
	return files
}

func storescu(t *testing.T, port int, calling, called string, files []string) {
	t.Helper()
	args := append([]string{"-aet", calling, "-aec", called, "127.0.0.1", fmt.Sprint(port)}, files...)
	if out, err := pacstest.Tool(t, 30*time.Second, "storescu", args...); err != nil {
		t.Fatalf("storescu: %v\n%s", err, out)
	}
}

// The PACS that sends a study to DISCDESK_BURN is asked (C-FIND) for its
// Number of Study Related Instances: the job is queued when the last
// instance arrives, not after the quiet time (an hour here). Orthanc is the
// PACS (dcmqrscp does not answer that attribute); storescu sends in its
// name.
func TestAutoBurnQueuesAtTheSendersCount(t *testing.T) {
	files := mrStudy(t)
	pacs := pacstest.Orthanc(t, "PACS", []pacstest.Peer{{AETitle: "DISCDESK", Host: "127.0.0.1", Port: 104}})
	storescu(t, pacs.Port, "LOADER", "PACS", files)
	d := newDesk(t, func(s *settings.Settings) {
		s.Nodes = []settings.Node{{Name: "pacs", AETitle: "PACS", Host: "127.0.0.1", Port: pacs.Port}}
		s.Receive.QuietSeconds = 3600
	})
	queued := make(chan intake.Queued, 4)
	r, port := d.receiver(t, queued)
	storescu(t, port, "PACS", "DISCDESK", files[:2]) // our own AE title: stored, not burned
	storescu(t, port, "PACS", "DISCDESK_BURN", files[:len(files)-1])
	select {
	case q := <-queued:
		t.Fatalf("queued %s one instance early", q.Job.ID)
	case <-time.After(300 * time.Millisecond):
	}
	w := r.Watching()
	if len(w) != 1 {
		t.Fatalf("watching %v", w)
	}
	storescu(t, port, "PACS", "DISCDESK_BURN", files[len(files)-1:])
	var q intake.Queued
	select {
	case q = <-queued:
	case <-time.After(15 * time.Second):
		t.Fatal("the study was not queued when its last instance arrived")
	}
	if q.Problem != nil || q.Request == nil {
		t.Fatalf("queued without a request: %v", q.Problem)
	}
	st, err := d.lib.Study(q.StudyUID)
	if err != nil || st.InstanceCount != len(files) {
		t.Fatalf("library has %v, %v; want %d instances", st, err, len(files))
	}
	r0 := q.Request
	if r0.Delivery != handoff.DeliveryPickup || r0.Urgency != handoff.UrgencySameDay || r0.Patient.Name == "" ||
		!strings.Contains(r0.Identity.Method, "PACS") || !strings.Contains(r0.Identity.Method, "DISCDESK_BURN") || r0.Identity.CheckedBy != intake.AutoBurnStaff {
		t.Errorf("request %+v", r0)
	}
	j, err := d.queue.Get(q.Job.ID)
	if err != nil || j.RequestID != r0.ID || len(j.StudyUIDs) != 1 || j.StudyUIDs[0] != q.StudyUID || j.State != burnqueue.Queued {
		t.Fatalf("job %+v, %v", j, err)
	}
	if !strings.HasPrefix(j.Drive, "iso:"+d.isoDir+string(filepath.Separator)) || !strings.HasSuffix(j.Drive, ".iso") {
		t.Errorf("job drive %q, want an ISO in %s", j.Drive, d.isoDir)
	}
	if st.HasReport || len(j.Acks) != 1 || j.Acks[0] != "no-report" || j.AckedBy != intake.AutoBurnStaff {
		t.Errorf("report %v, acks %v by %q", st.HasReport, j.Acks, j.AckedBy)
	}
	jobs, _ := d.queue.List()
	if len(jobs) != 1 {
		t.Errorf("%d jobs, want 1", len(jobs))
	}
}

// Without a count (the sender is not a PACS we can ask) the quiet time
// completes the study; a stranger is refused and a closed receiver frees
// its port.
func TestAutoBurnQuietTimeAndStrangers(t *testing.T) {
	files := mrStudy(t)[:3]
	d := newDesk(t, func(s *settings.Settings) {
		s.Nodes = []settings.Node{{Name: "ct", AETitle: "CT1", Host: "127.0.0.1", Port: 104}}
		s.Receive.QuietSeconds = 1
	})
	queued := make(chan intake.Queued, 4)
	r, port := d.receiver(t, queued)
	args := []string{"-aet", "STRANGER", "-aec", "DISCDESK_BURN", "127.0.0.1", fmt.Sprint(port), files[0]}
	if out, err := pacstest.Tool(t, 20*time.Second, "storescu", args...); err == nil || !strings.Contains(out, "Calling AE Title Not Recognized") {
		t.Errorf("stranger not refused: %v\n%s", err, out)
	}
	sent := time.Now()
	storescu(t, port, "CT1", "DISCDESK_BURN", files)
	select {
	case q := <-queued:
		if since := time.Since(sent); since < time.Second {
			t.Errorf("queued %v after sending, before the quiet time", since)
		}
		if q.Request == nil || !strings.Contains(q.Request.Identity.Method, "CT1") {
			t.Errorf("request %+v (%v)", q.Request, q.Problem)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("the quiet time never completed the study")
	}
	// An instance sent again after its study was queued is stored, makes
	// no second disc and leaves nothing behind in the receiver.
	storescu(t, port, "CT1", "DISCDESK_BURN", files[:1])
	if n := intake.SendersHeld(r); n != 0 {
		t.Errorf("the receiver still holds the sender of %d studies after the late instance", n)
	}
	select {
	case q := <-queued:
		t.Errorf("a late instance queued another disc: %s", q.Job.ID)
	case <-time.After(1500 * time.Millisecond):
	}
	// Stop must close the listener. Checked on this process's own sockets,
	// not by binding the port again: another process may take a released
	// port at any moment (go test runs packages in parallel).
	if !processListensOn(t, port) {
		t.Fatalf("the check sees no listener on port %d before Stop", port)
	}
	if err := r.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := r.Start(context.Background()); !errors.Is(err, intake.ErrStarted) {
		t.Errorf("restart of a used receiver: %v", err)
	}
	if processListensOn(t, port) {
		t.Errorf("port %d still listened on after Stop", port)
	}
}

// While a study sent for auto-burn waits out its quiet time (an hour
// here), its browser viewer frames are packed once the transfer pauses:
// each instance has its entry in the data folder's frame cache, and the
// instances that come after the first pause are packed too.
func TestAutoBurnPreparesDuringTheQuietTime(t *testing.T) {
	files := mrStudy(t)[:4]
	d := newDesk(t, func(s *settings.Settings) {
		s.Nodes = []settings.Node{{Name: "ct", AETitle: "CT1", Host: "127.0.0.1", Port: 104}}
		s.Receive.QuietSeconds = 3600
	})
	s, _ := d.set.Get()
	opt, err := intake.FromSettings(s, d.dir)
	if err != nil {
		t.Fatal(err)
	}
	opt.Listen, opt.Prepare = "127.0.0.1:0", 50*time.Millisecond
	r := &intake.Receiver{Options: opt, Lib: d.lib, Station: d.st,
		Queued:  func(q intake.Queued) { t.Errorf("queued %s before the quiet time", q.Job.ID) },
		Problem: func(uid string, err error) { t.Errorf("study %s: %v", uid, err) }}
	if err := r.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	port := r.Addr().(*net.TCPAddr).Port
	entries := func() int {
		m, err := filepath.Glob(filepath.Join(d.dir, filepath.FromSlash(station.FrameCacheFolder), "v*"))
		if err != nil {
			t.Fatal(err)
		}
		return len(m)
	}
	waitFor := func(n int) {
		t.Helper()
		for deadline := time.Now().Add(20 * time.Second); entries() < n; time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%d frame cache entries after 20 s, want %d", entries(), n)
			}
		}
	}
	storescu(t, port, "CT1", "DISCDESK_BURN", files[:2])
	waitFor(2)
	storescu(t, port, "CT1", "DISCDESK_BURN", files[2:])
	waitFor(len(files))
	if w := r.Watching(); len(w) != 1 {
		t.Fatalf("watching %v: the study should still wait for its quiet time", w)
	}
	// Stop waits for any preparation and ends it.
	if err := r.Stop(); err != nil {
		t.Fatal(err)
	}
	if n := entries(); n != len(files) {
		t.Errorf("%d frame cache entries for %d instances", n, len(files))
	}
}

func TestFromSettingsNeedsSenders(t *testing.T) {
	s := settings.Default()
	s.Receive.Enabled = true
	if _, err := intake.FromSettings(s, t.TempDir()); !errors.Is(err, intake.ErrNoSenders) {
		t.Fatalf("no nodes: %v", err)
	}
	s.Nodes = []settings.Node{{Name: "pacs", AETitle: "PACS", Host: "10.1.2.3", Port: 104}, {Name: "ct", AETitle: "CT1", Host: "ct1", Port: 104}}
	s.Receive.CountNode, s.Receive.Port = "pacs", 4242
	opt, err := intake.FromSettings(s, "/data")
	if err != nil {
		t.Fatal(err)
	}
	if opt.Listen != ":4242" || opt.Server.AETitles[0] != "DISCDESK" || len(opt.Server.Callers) != 2 || opt.Server.Callers[1].Host != "ct1" ||
		opt.CountNode == nil || opt.CountNode.Host != "10.1.2.3" || opt.BurnAE != "DISCDESK_BURN" || opt.Server.SpoolDir != filepath.Join("/data", "pacs-spool") {
		t.Errorf("options %+v", opt)
	}
	s.Receive.TLSCert, s.Receive.TLSKey = filepath.Join(t.TempDir(), "missing.pem"), "k.pem"
	if _, err := intake.FromSettings(s, "/data"); err == nil || !strings.Contains(err.Error(), "missing.pem") {
		t.Errorf("missing certificate: %v", err)
	}
}
