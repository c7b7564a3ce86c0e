package pacs

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"discdesk/app/pacs/pacstest"
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

// startDcmqrscp runs dcmqrscp with the files and move destinations.
func startDcmqrscp(t testing.TB, files []string, dests map[string]Node) Node {
	t.Helper()
	var peers []pacstest.Peer
	for _, d := range dests {
		peers = append(peers, pacstest.Peer{AETitle: d.AETitle, Host: d.Host, Port: d.Port})
	}
	p := pacstest.Dcmqrscp(t, pacsAE, files, peers)
	return Node{AETitle: p.AETitle, Host: p.Host, Port: p.Port}
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
