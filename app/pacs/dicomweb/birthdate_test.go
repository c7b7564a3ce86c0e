package dicomweb

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"discdesk/app/pacs"
	"discdesk/app/pacs/pacstest"
	"discdesk/internal/corpus"
)

// A study's answer carries the patient's birth date, over C-FIND and over
// QIDO-RS: staff match a PACS's patient on name and birth date.
func TestFindStudiesReturnsBirthDate(t *testing.T) {
	src := filepath.Join(corpus.Dir(t), "mr_series", "dcm4che_mr16")
	files, _ := filepath.Glob(filepath.Join(src, "*.dcm"))
	if len(files) == 0 {
		t.Fatal("no MR files")
	}
	b, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(t.TempDir(), "born.dcm")
	if err := os.WriteFile(f, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("dcmodify", "-nb", "-i", "(0010,0030)=19700315", f).CombinedOutput(); err != nil {
		t.Fatalf("dcmodify: %v: %s", err, out)
	}
	// DISCDESK is a modality of this Orthanc (it answers C-FIND only to those).
	o := pacstest.Orthanc(t, "ORTHANC", []pacstest.Peer{{AETitle: "DISCDESK", Host: "127.0.0.1", Port: pacstest.FreePort(t)}})
	ctx := context.Background()
	node := pacs.Node{AETitle: o.AETitle, Host: o.Host, Port: o.Port}
	if res, err := (&pacs.Client{AETitle: "DISCDESK"}).Store(ctx, node, []string{f}); err != nil || res[0].Status != 0 {
		t.Fatalf("load Orthanc: %v", err)
	}
	studies, err := (&pacs.Client{AETitle: "DISCDESK"}).FindStudies(ctx, node, pacs.StudyRoot, pacs.StudyFilter{PatientID: "*"})
	if err != nil || len(studies) != 1 || studies[0].PatientBirthDate != "19700315" {
		t.Fatalf("C-FIND: %+v %v, want born 19700315", studies, err)
	}
	c, err := NewClient(o.DICOMwebURL, o.Username, o.Password, "", "")
	if err != nil {
		t.Fatal(err)
	}
	web, err := c.FindStudies(ctx, pacs.StudyFilter{})
	if err != nil || len(web) != 1 || web[0].PatientBirthDate != "19700315" {
		t.Fatalf("QIDO-RS: %+v %v, want born 19700315", web, err)
	}
}
