package pacs

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"discdesk/internal/corpus"
)

const pacsAE = "QRSCP"

// mrStudy is the 16-slice MR series used as the PACS's content.
func mrStudy(t testing.TB) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(corpus.Dir(t), "mr_series", "dcm4che_mr16", "*.dcm"))
	if err != nil || len(files) < 10 {
		t.Fatalf("mr study: %v (%d files)", err, len(files))
	}
	sort.Strings(files)
	return files
}

// startDcmqrscp runs dcmqrscp on a free loopback port with an index of files
// and a host table naming the move destinations.
func startDcmqrscp(t testing.TB, files []string, dests map[string]Node) Node {
	t.Helper()
	dir := t.TempDir()
	db := filepath.Join(dir, "db")
	must(t, os.MkdirAll(db, 0o700))
	if out, err := tool(t, 30*time.Second, "dcmqridx", append([]string{db}, files...)...); err != nil {
		t.Fatalf("dcmqridx: %v\n%s", err, out)
	}
	port := freePort(t)
	cfg := fmt.Sprintf("NetworkTCPPort = %d\nMaxPDUSize = 65536\nMaxAssociations = 8\n\nHostTable BEGIN\n", port)
	for name, n := range dests {
		cfg += fmt.Sprintf("%s = (%s, %s, %d)\n", name, n.AETitle, n.Host, n.Port)
	}
	cfg += "HostTable END\n\nVendorTable BEGIN\nVendorTable END\n\nAETable BEGIN\n"
	cfg += fmt.Sprintf("%s %s RW (100, 1024mb) ANY\nAETable END\n", pacsAE, db)
	cfgPath := filepath.Join(dir, "dcmqrscp.cfg")
	must(t, os.WriteFile(cfgPath, []byte(cfg), 0o600))
	cmd := exec.Command("dcmqrscp", "-dhl", "-c", cfgPath) // -s (single process) crashes after one association in 3.6.7
	cmd.Dir = dir
	log, _ := os.Create(filepath.Join(dir, "dcmqrscp.log"))
	cmd.Stdout, cmd.Stderr = log, log
	must(t, cmd.Start())
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		log.Close()
		if t.Failed() {
			b, _ := os.ReadFile(log.Name())
			t.Logf("dcmqrscp log:\n%s", lastLines(string(b), 30))
		}
	})
	n := Node{AETitle: pacsAE, Host: "127.0.0.1", Port: port}
	c := &Client{AETitle: "PROBE"}
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := c.Echo(context.Background(), n)
		if err == nil {
			return n
		}
		if time.Now().After(deadline) {
			t.Fatalf("dcmqrscp not answering: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func studyOf(t testing.TB, files []string) (studyUID, patientID string) {
	t.Helper()
	m, _, _ := ReadMetaFile(files[0])
	studyUID = studyUIDOf(t, files[0], m)
	out, err := tool(t, 10*time.Second, "dcmdump", "-q", "+P", "PatientID", files[0])
	if err != nil {
		t.Fatal(err)
	}
	var v string
	fmt.Sscanf(out[len("(0010,0020) LO ["):], "%s", &v)
	if i := len(v) - 1; i >= 0 && v[i] == ']' {
		v = v[:i]
	}
	for j := 0; j < len(v); j++ {
		if v[j] == ']' {
			v = v[:j]
			break
		}
	}
	return studyUID, v
}

func TestFindAgainstDcmqrscp(t *testing.T) {
	files := mrStudy(t)
	n := startDcmqrscp(t, files, nil)
	studyUID, patientID := studyOf(t, files)
	c := &Client{AETitle: "DISCDESK"}
	ctx := context.Background()
	for _, model := range []Model{StudyRoot, PatientRoot} {
		studies, err := c.FindStudies(ctx, n, model, StudyFilter{PatientID: patientID})
		if err != nil {
			t.Fatalf("find studies (model %d): %v", model, err)
		}
		if len(studies) != 1 || studies[0].StudyInstanceUID != studyUID || studies[0].PatientID != patientID {
			t.Fatalf("model %d: studies %+v, want %s of %s", model, studies, studyUID, patientID)
		}
		series, err := c.FindSeries(ctx, n, model, patientID, studyUID)
		if err != nil {
			t.Fatalf("find series (model %d): %v", model, err)
		}
		if len(series) == 0 || series[0].SeriesInstanceUID == "" || series[0].Modality != "MR" {
			t.Fatalf("model %d: series %+v", model, series)
		}
	}
	none, err := c.FindStudies(ctx, n, StudyRoot, StudyFilter{AccessionNumber: "NO-SUCH-ACCESSION"})
	if err != nil || len(none) != 0 {
		t.Fatalf("find with no match: %v, %d results", err, len(none))
	}
}

func TestMoveFromDcmqrscpToOurSCP(t *testing.T) {
	files := mrStudy(t)
	_, us, sink := startServer(t, Config{Callers: []Caller{{AETitle: pacsAE}}})
	n := startDcmqrscp(t, files, map[string]Node{"discdesk": us})
	studyUID, _ := studyOf(t, files)
	c := &Client{AETitle: ourAE}
	res, err := c.MoveStudy(context.Background(), n, StudyRoot, "", studyUID, ourAE)
	if err != nil {
		t.Fatalf("move: %v (%+v)", err, res)
	}
	if res.Completed != len(files) || res.Failed != 0 {
		t.Errorf("move result %+v, want %d completed", res, len(files))
	}
	checkArrivedDump(t, sink, files)
}

func TestMovescuToOurSCP(t *testing.T) {
	// dcmtk's movescu drives the PACS; our SCP is the destination.
	files := mrStudy(t)
	_, us, sink := startServer(t, Config{Callers: []Caller{{AETitle: pacsAE}}})
	n := startDcmqrscp(t, files, map[string]Node{"discdesk": us})
	studyUID, _ := studyOf(t, files)
	out, err := tool(t, 30*time.Second, "movescu", "-S", "-aet", "MOVER", "-aec", pacsAE, "-aem", ourAE,
		"-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID="+studyUID, n.Host, portArg(n))
	if err != nil {
		t.Fatalf("movescu: %v\n%s", err, out)
	}
	checkArrivedDump(t, sink, files)
}

func TestGetFromDcmqrscp(t *testing.T) {
	files := mrStudy(t)
	n := startDcmqrscp(t, files, nil)
	studyUID, patientID := studyOf(t, files)
	dir := t.TempDir()
	sink := FileSink{Dir: filepath.Join(dir, "store")}
	c := &Client{AETitle: ourAE, SpoolDir: dir}
	res, err := c.GetStudy(context.Background(), n, PatientRoot, patientID, studyUID, sink)
	if err != nil {
		t.Fatalf("get: %v (%+v)", err, res)
	}
	if res.Completed != len(files) {
		t.Errorf("get result %+v, want %d completed", res, len(files))
	}
	checkArrivedDump(t, sink, files)
}
