package retrieve_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"discdesk/app/library"
	"discdesk/app/pacs"
	"discdesk/app/pacs/dicomweb"
	"discdesk/app/pacs/pacstest"
	"discdesk/app/retrieve"
	"discdesk/app/settings"
	"discdesk/app/store/storetest"
	"discdesk/internal/corpus"
)

const mrStudy = "1.113654.3.13.1026" // the dcm4che_mr16 series' study (patient DOE^J1)

// mrFiles is the 16-instance MR study and its SOP Instance UIDs.
func mrFiles(t *testing.T) ([]string, []string) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(corpus.Dir(t), "mr_series", "dcm4che_mr16", "*.dcm"))
	if err != nil || len(files) != 16 {
		t.Fatalf("mr series: %d files, %v", len(files), err)
	}
	var uids []string
	for _, f := range files {
		m, _, err := pacs.ReadMetaFile(f)
		if err != nil {
			t.Fatal(err)
		}
		uids = append(uids, m.SOPInstanceUID)
	}
	sort.Strings(uids)
	return files, uids
}

// newLibrary opens an empty library in a data folder of the test's.
func newLibrary(t *testing.T) (*library.Library, string) {
	t.Helper()
	dir := t.TempDir()
	lib, err := library.Open(storetest.MustOpen(t, dir), dir)
	if err != nil {
		t.Fatal(err)
	}
	return lib, dir
}

// held lists the SOP Instance UIDs the library holds of study, checking
// every file's content against its index.
func held(t *testing.T, lib *library.Library, study string) []string {
	t.Helper()
	d, err := lib.Study(study)
	if errors.Is(err, library.ErrNoStudy) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Problems) > 0 {
		t.Errorf("library problems: %v", d.Problems)
	}
	if err := lib.CheckStudy(context.Background(), study); err != nil {
		t.Errorf("library content: %v", err)
	}
	var out []string
	for _, se := range d.Series {
		for _, in := range se.Instances {
			out = append(out, in.SOPInstanceUID)
		}
	}
	sort.Strings(out)
	return out
}

// progress records the Progress calls of a retrieve.
type progress struct {
	mu    sync.Mutex
	calls [][2]int
}

func (p *progress) hook(done, total int) {
	p.mu.Lock()
	p.calls = append(p.calls, [2]int{done, total})
	p.mu.Unlock()
}

// check asserts the calls start at 0 and count up one by one to want of
// want.
func (p *progress) check(t *testing.T, want int) {
	t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.calls) != want+1 {
		t.Fatalf("progress: %d calls, want %d: %v", len(p.calls), want+1, p.calls)
	}
	for i, c := range p.calls {
		if c[0] != i || c[1] != want {
			t.Fatalf("progress call %d = %v, want [%d %d] (all: %v)", i, c, i, want, p.calls)
		}
	}
}

// spoolLeft lists what is left in a spool folder.
func spoolLeft(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		out = append(out, e.Name())
	}
	return out
}

func dimseNode(p pacstest.Peer) *retrieve.Node {
	n := pacs.Node{AETitle: p.AETitle, Host: p.Host, Port: p.Port}
	return &retrieve.Node{Remote: dicomweb.Remote{Name: "qr", DIMSE: n}, SCU: &pacs.Client{AETitle: "DISCDESK"}}
}

// Against dcmqrscp: the study is found by name, modality and date range
// and not by a wrong one; C-MOVE to our temporary SCP files all 16
// instances with their UIDs, reporting progress one by one; a second move
// and a C-GET find them all already held.
func TestFindAndRetrieveFromDcmqrscp(t *testing.T) {
	files, uids := mrFiles(t)
	port := pacstest.FreePort(t)
	qr := pacstest.Dcmqrscp(t, "QRSCP", files, []pacstest.Peer{{AETitle: "DISCDESK", Host: "127.0.0.1", Port: port}})
	node := dimseNode(qr)
	ctx := context.Background()

	all, err := node.Find(ctx, retrieve.Filter{PatientName: "DOE^J*"})
	if err != nil || len(all) != 1 || all[0].StudyInstanceUID != mrStudy || all[0].PatientID == "" {
		t.Fatalf("find by name: %+v %v", all, err)
	}
	date := all[0].StudyDate
	if len(date) != 8 {
		t.Fatalf("study date %q", date)
	}
	inRange, err := retrieve.DateRange(date, date)
	if err != nil {
		t.Fatal(err)
	}
	after, _ := retrieve.DateRange(fmt.Sprint(date[:4]+"1231"), "")
	for _, c := range []struct {
		f    retrieve.Filter
		want int
	}{
		{retrieve.Filter{Modality: "MR", StudyDate: inRange}, 1},
		{retrieve.Filter{Modality: "mr", PatientID: all[0].PatientID}, 1},
		{retrieve.Filter{Modality: "CT"}, 0},
		{retrieve.Filter{StudyDate: after}, 0},
		{retrieve.Filter{AccessionNumber: "NOTHING-LIKE-THIS"}, 0},
	} {
		got, err := node.Find(ctx, c.f)
		if err != nil || len(got) != c.want {
			t.Errorf("find %+v: %d studies, want %d (%v)", c.f, len(got), c.want, err)
		}
	}

	lib, dir := newLibrary(t)
	into := retrieve.Library(lib, dir)
	var p progress
	// dcmqrscp sends no Number of Study Related Instances: the caller's count.
	res, err := node.Retrieve(ctx, mrStudy, into, retrieve.Options{Host: "127.0.0.1", Port: port, Expected: 16, Progress: p.hook})
	if err != nil || res.Stored != 16 || res.Held != 0 || res.Failed != 0 {
		t.Fatalf("first retrieve: %+v %v", res, err)
	}
	p.check(t, 16)
	if got := held(t, lib, mrStudy); !slices.Equal(got, uids) {
		t.Fatalf("library holds %v, want %v", got, uids)
	}
	if !strings.Contains(res.Summary(), "16 instances from PACS node qr") || !strings.Contains(res.Summary(), "16 new, 0 already held") {
		t.Errorf("summary %q", res.Summary())
	}
	for _, method := range []string{"move", "get"} {
		res, err = node.Retrieve(ctx, mrStudy, into, retrieve.Options{Method: method, Host: "127.0.0.1", Port: port})
		if err != nil || res.Stored != 0 || res.Held != 16 {
			t.Errorf("second retrieve (%s): %+v %v", method, res, err)
		}
	}
	if got := held(t, lib, mrStudy); !slices.Equal(got, uids) {
		t.Errorf("library after the second retrieves: %d instances", len(got))
	}
	if left := spoolLeft(t, into.SpoolDir); len(left) > 0 {
		t.Errorf("spool left: %v", left)
	}
}

// Cancelling a C-MOVE part-way stops it with context.Canceled: nothing is
// filed after the cancel, what was stored is whole and indexed, nothing is left in the spool, the
// temporary SCP's port is free again, and a second retrieve brings the
// rest, counting the first ones as held.
func TestCancelLeavesNoPartialGarbage(t *testing.T) {
	files, uids := mrFiles(t)
	port := pacstest.FreePort(t)
	qr := pacstest.Dcmqrscp(t, "QRSCP", files, []pacstest.Peer{{AETitle: "DISCDESK", Host: "127.0.0.1", Port: port}})
	node := dimseNode(qr)
	lib, dir := newLibrary(t)
	into := retrieve.Library(lib, dir)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	res, err := node.Retrieve(ctx, mrStudy, into, retrieve.Options{Host: "127.0.0.1", Port: port, Expected: 16, Progress: func(done, _ int) {
		if done == 3 {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "PACS node qr") {
		t.Fatalf("cancelled retrieve: %+v %v", res, err)
	}
	got := held(t, lib, mrStudy)
	if len(got) != 3 || res.Stored != 3 {
		t.Fatalf("after the cancel the library holds %d instances, the result says %d stored", len(got), res.Stored)
	}
	if left := spoolLeft(t, into.SpoolDir); len(left) > 0 {
		t.Errorf("spool left after the cancel: %v", left)
	}
	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		t.Fatalf("the temporary SCP still holds its port: %v", err)
	}
	ln.Close()

	res, err = node.Retrieve(context.Background(), mrStudy, into, retrieve.Options{Host: "127.0.0.1", Port: port})
	if err != nil || res.Held != len(got) || res.Stored != 16-len(got) {
		t.Fatalf("retrieve after the cancel: %+v %v (had %d)", res, err, len(got))
	}
	if got := held(t, lib, mrStudy); !slices.Equal(got, uids) {
		t.Errorf("library after the second retrieve: %d instances", len(got))
	}
}

// Against Orthanc, configured in the settings: its DICOMweb side (QIDO-RS,
// WADO-RS, the password in a secret file) and its DIMSE side (C-MOVE to
// our temporary SCP) find the study and retrieve it; a retrieve of a
// study already held says so; a WADO-RS retrieve cancelled part-way
// leaves only whole instances and an empty spool.
func TestFindAndRetrieveFromOrthanc(t *testing.T) {
	files, uids := mrFiles(t)
	port := pacstest.FreePort(t)
	o := pacstest.Orthanc(t, "ORTHANC", []pacstest.Peer{{AETitle: "DISCDESK", Host: "127.0.0.1", Port: port}})
	if res, err := (&pacs.Client{AETitle: "DISCDESK"}).Store(context.Background(), pacs.Node{AETitle: o.AETitle, Host: o.Host, Port: o.Port}, files); err != nil || res[0].Status != 0 {
		t.Fatalf("load Orthanc: %v", err)
	}
	secret := filepath.Join(t.TempDir(), "orthanc.secret")
	if err := os.WriteFile(secret, []byte(o.Password+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s := settings.Default()
	s.Nodes = []settings.Node{{Name: "web", URL: o.DICOMwebURL, User: o.Username, SecretFile: secret},
		{Name: "dimse", AETitle: o.AETitle, Host: o.Host, Port: o.Port}}
	ctx := context.Background()
	for _, name := range []string{"web", "dimse"} {
		t.Run(name, func(t *testing.T) {
			node, err := retrieve.Configured(s, name, func(string) string { return "" })
			if err != nil {
				t.Fatal(err)
			}
			found, err := node.Find(ctx, retrieve.Filter{PatientName: "DOE^*", Modality: "MR"})
			if err != nil || len(found) != 1 || found[0].StudyInstanceUID != mrStudy || found[0].Instances != 16 {
				t.Fatalf("find: %+v %v", found, err)
			}
			lib, dir := newLibrary(t)
			into := retrieve.Library(lib, dir)
			var p progress
			res, err := node.Retrieve(ctx, mrStudy, into, retrieve.Options{Host: "127.0.0.1", Port: port, Progress: p.hook})
			if err != nil || res.Stored != 16 || res.Held != 0 || res.Failed != 0 {
				t.Fatalf("retrieve: %+v %v", res, err)
			}
			p.check(t, 16) // the expected count asked of the node
			if got := held(t, lib, mrStudy); !slices.Equal(got, uids) {
				t.Fatalf("library holds %v, want %v", got, uids)
			}
			res, err = node.Retrieve(ctx, mrStudy, into, retrieve.Options{Host: "127.0.0.1", Port: port})
			if err != nil || res.Stored != 0 || res.Held != 16 || !strings.Contains(res.Summary(), "16 already held") {
				t.Fatalf("second retrieve: %+v %v", res, err)
			}
		})
	}

	// A called AE title Orthanc does not answer to, a wrong password:
	// refused, in words saying what to check.
	wrong := s
	wrong.Nodes = []settings.Node{{Name: "wrong ae", AETitle: "NOTORTHANC", Host: o.Host, Port: o.Port}, {Name: "wrong password", URL: o.DICOMwebURL, User: o.Username}}
	for _, name := range []string{"wrong ae", "wrong password"} {
		node, err := retrieve.Configured(wrong, name, func(string) string { return "not-the-password" })
		if err != nil {
			t.Fatal(err)
		}
		if _, err := node.Find(ctx, retrieve.Filter{PatientName: "DOE^*"}); !errors.Is(err, retrieve.ErrRefused) || !strings.Contains(err.Error(), "PACS node "+name) {
			t.Errorf("%s: %v", name, err)
		}
	}

	node, err := retrieve.Configured(s, "web", nil)
	if err != nil {
		t.Fatal(err)
	}
	lib, dir := newLibrary(t)
	into := retrieve.Library(lib, dir)
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	_, err = node.Retrieve(cctx, mrStudy, into, retrieve.Options{Expected: 16, Progress: func(done, _ int) {
		if done == 5 {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "PACS node web") {
		t.Fatalf("cancelled WADO-RS retrieve: %v", err)
	}
	if got := held(t, lib, mrStudy); len(got) != 5 {
		t.Errorf("after the cancel the library holds %d instances", len(got))
	}
	if left := spoolLeft(t, into.SpoolDir); len(left) > 0 {
		t.Errorf("spool left after the cancel: %v", left)
	}
}

// A node that does not answer gives errors naming it; the settings'
// node list is checked before anything is dialled.
func TestNodeErrorsNameTheNode(t *testing.T) {
	dead := pacstest.FreePort(t) // reserved, nothing listens
	s := settings.Default()
	if _, err := retrieve.Configured(s, "pacs", nil); !errors.Is(err, retrieve.ErrNoNodes) {
		t.Errorf("no nodes: %v", err)
	}
	s.Nodes = []settings.Node{{Name: "main pacs", AETitle: "MAIN", Host: "127.0.0.1", Port: dead},
		{Name: "cloud", URL: fmt.Sprintf("http://127.0.0.1:%d/dicom-web/", dead)}}
	if _, err := retrieve.Configured(s, "other", nil); !errors.Is(err, retrieve.ErrNoNode) || !strings.Contains(err.Error(), "configured: main pacs, cloud") {
		t.Errorf("unknown node: %v", err)
	}
	lib, dir := newLibrary(t)
	for _, name := range []string{"main pacs", "cloud"} {
		node, err := retrieve.Configured(s, name, func(string) string { return "" })
		if err != nil {
			t.Fatal(err)
		}
		if _, err := node.Find(context.Background(), retrieve.Filter{PatientID: "X"}); !errors.Is(err, retrieve.ErrUnreachable) || !strings.Contains(err.Error(), "PACS node "+name) {
			t.Errorf("find on the unreachable %s: %v", name, err)
		}
		_, err = node.Retrieve(context.Background(), mrStudy, retrieve.Library(lib, dir), retrieve.Options{Host: "127.0.0.1", Port: pacstest.FreePort(t)})
		if !errors.Is(err, retrieve.ErrUnreachable) || !strings.Contains(err.Error(), "PACS node "+name) || !strings.Contains(err.Error(), "does not answer") {
			t.Errorf("retrieve from the unreachable %s: %v", name, err)
		}
	}
	if _, err := retrieve.DateRange("20260301", "20260201"); !errors.Is(err, retrieve.ErrBadFilter) {
		t.Errorf("backwards range: %v", err)
	}
	if _, err := retrieve.DateRange("2026-03-01", ""); !errors.Is(err, retrieve.ErrBadFilter) {
		t.Errorf("bad date: %v", err)
	}
	if err := (retrieve.Filter{PatientName: "*", Modality: "CT"}).Check(); !errors.Is(err, retrieve.ErrBadFilter) {
		t.Errorf("a search for everything: %v", err)
	}
	if err := (retrieve.Filter{StudyDate: "20260201-"}).Check(); err != nil {
		t.Errorf("a search by date: %v", err)
	}
	if r, _ := retrieve.DateRange("", "20260201"); r != "-20260201" {
		t.Errorf("open range %q", r)
	}
}

// The package runs headless: nothing it imports is Fyne.
func TestNoFyne(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "discdesk/app/retrieve").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range strings.Fields(string(out)) {
		if strings.HasPrefix(p, "fyne.io/") {
			t.Errorf("app/retrieve imports %s", p)
		}
	}
}

// A PACS that does not know the desk as a move destination answers the
// C-MOVE with A801: the error says what to add on the PACS.
func TestMoveDestinationUnknown(t *testing.T) {
	files, _ := mrFiles(t)
	qr := pacstest.Dcmqrscp(t, "QRSCP", files, nil)
	lib, dir := newLibrary(t)
	_, err := dimseNode(qr).Retrieve(context.Background(), mrStudy, retrieve.Library(lib, dir), retrieve.Options{Host: "127.0.0.1", Port: pacstest.FreePort(t)})
	if !errors.Is(err, retrieve.ErrUnknownDestination) || !strings.Contains(err.Error(), "AE title DISCDESK") {
		t.Errorf("move to an unknown destination: %v", err)
	}
}

// With the desk's own receiver running (here a Storage SCP filing into
// the library, as intake's does), the C-MOVE names it: stored and held
// are counted from the library before and after, progress from the PACS's
// pending responses.
func TestMoveToRunningReceiver(t *testing.T) {
	files, uids := mrFiles(t)
	port := pacstest.FreePort(t)
	qr := pacstest.Dcmqrscp(t, "QRSCP", files, []pacstest.Peer{{AETitle: "DESKRX", Host: "127.0.0.1", Port: port}})
	lib, dir := newLibrary(t)
	into := retrieve.Library(lib, dir)
	srv, err := pacs.NewServer(pacs.Config{AETitles: []string{"DESKRX"}, Callers: []pacs.Caller{{AETitle: "QRSCP"}}, SpoolDir: into.SpoolDir}, into.Sink)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := srv.Listen(fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })

	node := dimseNode(qr)
	var p progress
	res, err := node.Retrieve(context.Background(), mrStudy, into, retrieve.Options{MoveTo: "DESKRX", Expected: 16, Progress: p.hook})
	if err != nil || res.Stored != 16 || res.Held != 0 {
		t.Fatalf("move to the running receiver: %+v %v", res, err)
	}
	// Progress follows the PACS's pending responses: from 0 of 16, up
	// through the sub-operations, to 16 of 16.
	p.mu.Lock()
	calls := p.calls
	p.mu.Unlock()
	if len(calls) < 10 || calls[0] != [2]int{0, 16} || calls[len(calls)-1] != [2]int{16, 16} {
		t.Errorf("progress through the receiver: %v", calls)
	}
	for i := 1; i < len(calls); i++ {
		if calls[i][0] < calls[i-1][0] || calls[i][1] != 16 {
			t.Errorf("progress through the receiver goes back or changes its total: %v", calls)
			break
		}
	}
	if got := held(t, lib, mrStudy); !slices.Equal(got, uids) {
		t.Fatalf("library holds %d instances", len(got))
	}
	res, err = node.Retrieve(context.Background(), mrStudy, into, retrieve.Options{MoveTo: "DESKRX"})
	if err != nil || res.Stored != 0 || res.Held != 16 {
		t.Errorf("second move to the running receiver: %+v %v", res, err)
	}
}
