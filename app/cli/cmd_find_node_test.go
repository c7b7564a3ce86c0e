package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"discdesk/app/pacs"
	"discdesk/app/pacs/pacstest"
	"discdesk/app/settings"
	"discdesk/app/store"
	"discdesk/internal/corpus"
)

// TestFindRetrieveByNodeName (issue 16.7): `find` and `retrieve` given the
// name of a configured DICOMweb node use QIDO-RS and WADO-RS against
// Orthanc's DICOMweb plugin, the password read from the node's secret file;
// a DIMSE node's name does C-FIND; an unknown name lists the configured ones.
func TestFindRetrieveByNodeName(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(corpus.Dir(t), "mr_series", "dcm4che_mr16", "*.dcm"))
	const study = "1.113654.3.13.1026"
	o := pacstest.Orthanc(t, "ORTHANC", []pacstest.Peer{{AETitle: "DISCDESK", Host: "127.0.0.1", Port: 104}})
	if res, err := (&pacs.Client{AETitle: "DISCDESK"}).Store(context.Background(), pacs.Node{AETitle: o.AETitle, Host: o.Host, Port: o.Port}, files); err != nil || res[0].Status != 0 {
		t.Fatalf("load Orthanc: %v", err)
	}
	data := t.TempDir()
	secret := filepath.Join(t.TempDir(), "orthanc.secret")
	if err := os.WriteFile(secret, []byte(o.Password+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(data)
	if err != nil {
		t.Fatal(err)
	}
	st, err := settings.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	cur, _ := st.Get()
	cur.Nodes = []settings.Node{{Name: "web", URL: o.DICOMwebURL, User: o.Username, SecretFile: secret},
		{Name: "dimse", AETitle: o.AETitle, Host: o.Host, Port: o.Port}}
	if _, err := st.SaveAs("test", cur); err != nil {
		t.Fatal(err)
	}
	db.Close()

	for _, node := range []string{"web", "dimse"} {
		code, out, errs := runCLI(data, "find", "--name", "DOE^J*", node)
		if code != 0 || !strings.Contains(out, study) || !strings.Contains(out, "DOE^J1") {
			t.Errorf("find by node name %s: exit %d\n%s\n%s", node, code, out, errs)
		}
	}
	code, out, errs := runCLI(data, "find", "--series", "--study", study, "web")
	if code != 0 || !strings.Contains(out, "MR") {
		t.Errorf("find --series by node name: exit %d\n%s\n%s", code, out, errs)
	}
	code, out, errs = runCLI(data, "retrieve", "web", study)
	if code != 0 || !strings.Contains(out, "retrieved 16 instances, 0 failed") {
		t.Fatalf("retrieve by node name: exit %d\n%s\n%s", code, out, errs)
	}
	code, _, errs = runCLI(data, "find", "nosuch")
	if code != 2 || !strings.Contains(errs, "configured: web, dimse") {
		t.Errorf("unknown node name: exit %d %s", code, errs)
	}
	// A secret file others can read is refused, naming the file.
	if err := os.Chmod(secret, 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errs = runCLI(data, "find", "--name", "DOE*", "web")
	if code == 0 || !strings.Contains(errs, secret) || !strings.Contains(errs, "chmod 600") {
		t.Errorf("readable secret file: exit %d %s", code, errs)
	}
}
