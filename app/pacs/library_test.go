package pacs_test

import (
	"context"
	"log/slog"
	"net"
	"testing"

	"discdesk/app/intake"
	"discdesk/app/library"
	"discdesk/app/pacs"
	"discdesk/app/pacs/pacstest"
	"discdesk/app/store/storetest"
	"discdesk/internal/corpus"
)

// TestMoveFromOrthancWithAnInstanceAlreadyHeldDecompressed (issue 16.1):
// the library holds a CT slice uncompressed; Orthanc holds the same
// instance JPEG Lossless and sends it so. It is the same instance in
// another syntax: answered success, the C-MOVE completes, the library
// keeps one copy. A real conflict is covered by
// TestRetrieveFromOrthancWithAFailedInstance.
func TestMoveFromOrthancWithAnInstanceAlreadyHeldDecompressed(t *testing.T) {
	held := corpus.Path(t, "generated", "ct_slice_variants", "ct_explicit_le_source.dcm")
	sent := corpus.Path(t, "generated", "ct_slice_variants", "ct_gdcm_jpeg_lossless.dcm")
	dir := t.TempDir()
	db := storetest.MustOpen(t, dir)
	lib, err := library.Open(db, dir)
	if err != nil {
		t.Fatal(err)
	}
	if rep, err := lib.Import(context.Background(), []string{held}, library.Options{}); err != nil || rep.Imported != 1 {
		t.Fatalf("import the held slice: %v %+v", err, rep)
	}
	srv, err := pacs.NewServer(pacs.Config{AETitles: []string{"DISCDESK"}, Callers: []pacs.Caller{{AETitle: "ORTHANC"}}, SpoolDir: intake.SpoolDir(dir),
		Logger: slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))}, intake.LibrarySink{Lib: lib})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := srv.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	defer srv.Close()
	o := pacstest.Orthanc(t, "ORTHANC", []pacstest.Peer{{AETitle: "DISCDESK", Host: "127.0.0.1", Port: ln.Addr().(*net.TCPAddr).Port}})
	node := pacs.Node{AETitle: o.AETitle, Host: o.Host, Port: o.Port}
	c := &pacs.Client{AETitle: "DISCDESK"}
	res, err := c.Store(context.Background(), node, []string{sent})
	if err != nil || res[0].Err != nil || res[0].Status != 0 {
		t.Fatalf("load Orthanc: %v %+v", err, res)
	}
	studies, err := c.FindStudies(context.Background(), node, pacs.StudyRoot, pacs.StudyFilter{PatientID: "*"})
	if err != nil || len(studies) != 1 {
		t.Fatalf("find: %v %+v", err, studies)
	}
	mv, err := c.MoveStudy(context.Background(), node, pacs.StudyRoot, "", studies[0].StudyInstanceUID, "DISCDESK")
	if err != nil || mv.Completed != 1 || mv.Failed != 0 {
		t.Fatalf("move: %v %+v, want 1 completed", err, mv)
	}
	st, err := lib.Study(studies[0].StudyInstanceUID)
	if err != nil {
		t.Fatal(err)
	}
	if st.InstanceCount != 1 {
		t.Errorf("library holds %d instances of the study, want 1", st.InstanceCount)
	}
}

// testWriter sends log lines to the test log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) { w.t.Log(string(p)); return len(p), nil }
