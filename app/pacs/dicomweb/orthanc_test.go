package dicomweb

import (
	"bytes"
	"context"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"discdesk/app/pacs"
	"discdesk/app/pacs/pacstest"
	"discdesk/internal/corpus"
)

// TestAgainstOrthanc loads a study into Orthanc with our C-STORE SCU, then
// finds it with C-FIND (including Number of Study Related Instances, which
// auto-burn relies on), moves it to our Storage SCP with C-MOVE, and
// searches and retrieves it over DICOMweb with Basic authentication.
func TestAgainstOrthanc(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(corpus.Dir(t), "mr_series", "dcm4che_mr16", "*.dcm"))
	const study = "1.113654.3.13.1026"
	ctx := context.Background()

	dir := t.TempDir()
	sink := pacs.FileSink{Dir: filepath.Join(dir, "moved")}
	srv, err := pacs.NewServer(pacs.Config{AETitles: []string{"DISCDESK"}, Callers: []pacs.Caller{{AETitle: "ORTHANC"}}, SpoolDir: filepath.Join(dir, "spool")}, sink)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := srv.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	defer srv.Close()
	ourPort := ln.Addr().(*net.TCPAddr).Port

	o := pacstest.Orthanc(t, "ORTHANC", []pacstest.Peer{{AETitle: "DISCDESK", Host: "127.0.0.1", Port: ourPort}})
	node := pacs.Node{AETitle: o.AETitle, Host: o.Host, Port: o.Port}
	c := &pacs.Client{AETitle: "DISCDESK"}
	if err := c.Echo(ctx, node); err != nil {
		t.Fatalf("echo Orthanc: %v", err)
	}
	res, err := c.Store(ctx, node, files)
	if err != nil {
		t.Fatalf("store to Orthanc: %v", err)
	}
	for _, r := range res {
		if r.Err != nil || r.Status != 0 {
			t.Fatalf("store %s: %04X %v", r.Path, r.Status, r.Err)
		}
	}

	n, err := c.StudyInstanceCount(ctx, node, study)
	if err != nil || n != len(files) {
		t.Fatalf("Number of Study Related Instances: %d, %v; want %d", n, err, len(files))
	}
	for _, model := range []pacs.Model{pacs.StudyRoot, pacs.PatientRoot} {
		studies, err := c.FindStudies(ctx, node, model, pacs.StudyFilter{PatientID: "*"})
		if err != nil || len(studies) != 1 || studies[0].StudyInstanceUID != study {
			t.Fatalf("find studies (model %d): %v %+v", model, err, studies)
		}
	}
	series, err := c.FindSeries(ctx, node, pacs.StudyRoot, "", study)
	if err != nil || len(series) != 1 || series[0].Instances != len(files) {
		t.Fatalf("find series: %v %+v", err, series)
	}

	mv, err := c.MoveStudy(ctx, node, pacs.StudyRoot, "", study, "DISCDESK")
	if err != nil || mv.Completed != len(files) {
		t.Fatalf("move from Orthanc: %v %+v", err, mv)
	}
	for _, f := range files {
		m, off, _ := pacs.ReadMetaFile(f)
		want, _ := os.ReadFile(f)
		got, err := os.ReadFile(sink.Path(study, m.SOPInstanceUID))
		if err != nil {
			t.Fatalf("moved %s: %v", f, err)
		}
		_, goff, _ := pacs.ReadMetaFile(sink.Path(study, m.SOPInstanceUID))
		sameOrEquivalent(t, f, sink.Path(study, m.SOPInstanceUID), got[goff:], want[off:])
	}

	web := &Client{BaseURL: o.DICOMwebURL, Username: o.Username, Password: o.Password}
	found, err := web.SearchStudies(ctx, url.Values{"StudyInstanceUID": {study}, "includefield": {"00201208"}})
	if err != nil || len(found) != 1 || found[0].String(TagNumberOfInstances) != strconv.Itoa(len(files)) {
		t.Fatalf("QIDO-RS: %v %+v", err, found)
	}
	paths, err := web.RetrieveStudyTo(ctx, study, filepath.Join(dir, "wado"))
	if err != nil || len(paths) != len(files) {
		t.Fatalf("WADO-RS: %v, %d files", err, len(paths))
	}
	for _, f := range files {
		m, off, _ := pacs.ReadMetaFile(f)
		want, _ := os.ReadFile(f)
		p := filepath.Join(dir, "wado", m.SOPInstanceUID+".dcm")
		got, err := os.ReadFile(p)
		_, goff, _ := pacs.ReadMetaFile(p)
		if err != nil {
			t.Fatalf("%s: WADO-RS copy missing: %v", f, err)
		}
		sameOrEquivalent(t, f, p, got[goff:], want[off:])
	}
	if _, err := (&Client{BaseURL: o.DICOMwebURL, Username: "desk", Password: "wrong"}).SearchStudies(ctx, nil); err == nil {
		t.Error("wrong password accepted")
	}
}

// sameOrEquivalent accepts byte-identical data sets, or ones that Orthanc's
// dcmtk re-encoded without changing any value (same normalized dcmdump).
func sameOrEquivalent(t *testing.T, sent, got string, gotDS, sentDS []byte) {
	t.Helper()
	if bytes.Equal(gotDS, sentDS) {
		return
	}
	if a, b := pacstest.DumpDataSet(t, sent), pacstest.DumpDataSet(t, got); a != b {
		t.Errorf("%s: data set differs:\n%s", sent, pacstest.FirstDiff(a, b))
	}
}
