package pacs

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"discdesk/app/pacs/pacstest"
	"discdesk/internal/corpus"
)

// startOrthanc runs Orthanc knowing dests for C-MOVE and loads files into
// it with our C-STORE SCU.
func startOrthanc(t *testing.T, files []string, dests ...Node) Node {
	t.Helper()
	var peers []pacstest.Peer
	for _, d := range dests {
		peers = append(peers, pacstest.Peer{AETitle: d.AETitle, Host: d.Host, Port: d.Port})
	}
	o := pacstest.Orthanc(t, "ORTHANC", peers)
	node := Node{AETitle: o.AETitle, Host: o.Host, Port: o.Port}
	res, err := (&Client{AETitle: ourAE}).Store(context.Background(), node, files)
	if err != nil {
		t.Fatalf("load Orthanc: %v", err)
	}
	for _, r := range res {
		if r.Err != nil || r.Status != 0 {
			t.Fatalf("load Orthanc: %s: %04X %v", r.Path, r.Status, r.Err)
		}
	}
	return node
}

// refusingSink stores into a FileSink but answers one instance with err.
type refusingSink struct {
	FileSink
	refuse string
	err    error
}

func (s refusingSink) Store(ctx context.Context, obj *ReceivedObject) error {
	if obj.SOPInstanceUID == s.refuse {
		return s.err
	}
	return s.FileSink.Store(ctx, obj)
}

// TestRetrieveFromOrthancWithAFailedInstance (issues 16.2, 16.1): one
// instance of the study is refused as a conflict. Orthanc puts Failed SOP
// Instance UID List in the C-GET-RSP command set; the retrieve must read
// it, name the instance, keep the counts and bring every other instance,
// by C-GET and by C-MOVE; an instance already held counts as completed.
func TestRetrieveFromOrthancWithAFailedInstance(t *testing.T) {
	files := mrStudy(t)
	studyUID, _ := studyOf(t, files)
	bad, _, _ := storeMeta(files[3])
	held, _, _ := storeMeta(files[5])
	dir := t.TempDir()
	store := FileSink{Dir: filepath.Join(dir, "store")}
	sink := refusingSink{FileSink: store, refuse: bad.SOPInstanceUID, err: ErrConflict}
	heldSink := SinkFunc(func(ctx context.Context, obj *ReceivedObject) error {
		if obj.SOPInstanceUID == held.SOPInstanceUID {
			return ErrAlreadyHeld
		}
		return sink.Store(ctx, obj)
	})
	_, us := startServerSink(t, Config{AETitles: []string{ourAE}, Callers: []Caller{{AETitle: "ORTHANC"}}, SpoolDir: filepath.Join(dir, "spool")}, heldSink)
	node := startOrthanc(t, files, us)
	c := &Client{AETitle: ourAE, SpoolDir: filepath.Join(dir, "getspool")}
	ctx := context.Background()

	check := func(op string, res RetrieveResult, err error) {
		t.Helper()
		if !errors.Is(err, ErrStatus) {
			t.Errorf("%s: error %v, want the sub-operation warning", op, err)
		}
		if res.Completed != len(files)-1 || res.Failed != 1 || !slices.Equal(res.FailedInstances, []string{bad.SOPInstanceUID}) {
			t.Errorf("%s: %+v, want %d completed, 1 failed naming %s", op, res, len(files)-1, bad.SOPInstanceUID)
		}
		if got := countFiles(t, store.Dir); got != len(files)-2 {
			t.Errorf("%s: %d files stored, want %d (all but the refused and the held one)", op, got, len(files)-2)
		}
		os.RemoveAll(store.Dir)
	}
	res, err := c.GetStudy(ctx, node, StudyRoot, "", studyUID, heldSink)
	check("C-GET", res, err)
	res, err = c.MoveStudy(ctx, node, StudyRoot, "", studyUID, ourAE)
	check("C-MOVE", res, err)
}

// TestGetJPEG2000StudyFromOrthanc (issue 16.3): Orthanc holds JPEG 2000
// studies it cannot transcode (MR and CT lossless, US lossy); C-GET
// proposes JPEG 2000 and each instance arrives and is stored as sent.
func TestGetJPEG2000StudyFromOrthanc(t *testing.T) {
	files := []string{
		corpus.Path(t, "transfer_syntax", "mr_small_j2k_lossless.dcm"),
		corpus.Path(t, "generated", "ct_slice_variants", "ct_gdcm_j2k.dcm"),
		corpus.Path(t, "transfer_syntax", "us1_j2k_lossy.dcm"),
	}
	node := startOrthanc(t, files, Node{AETitle: ourAE, Host: "127.0.0.1", Port: 104}) // known, so Orthanc answers its C-FIND and C-GET
	dir := t.TempDir()
	sink := FileSink{Dir: filepath.Join(dir, "store")}
	c := &Client{AETitle: ourAE, SpoolDir: filepath.Join(dir, "spool")}
	for _, f := range files {
		m, _, _ := storeMeta(f)
		studyUID := studyUIDOf(t, f, m)
		res, err := c.GetStudy(context.Background(), node, StudyRoot, "", studyUID, sink)
		if err != nil || res.Completed != 1 {
			t.Fatalf("get %s: %v %+v", filepath.Base(f), err, res)
		}
		got := sink.Path(studyUID, m.SOPInstanceUID)
		gm, _, err := ReadMetaFile(got)
		if err != nil || gm.TransferSyntaxUID != m.TransferSyntaxUID {
			t.Fatalf("%s: stored %+v (%v), want transfer syntax %s", filepath.Base(f), gm, err, m.TransferSyntaxUID)
		}
		if !bytes.Equal(dataSetOf(t, got), dataSetOf(t, f)) {
			if a, b := pacstest.DumpDataSet(t, f), pacstest.DumpDataSet(t, got); a != b {
				t.Errorf("%s: data set differs:\n%s", filepath.Base(f), pacstest.FirstDiff(a, b))
			}
		}
	}
}
