package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"discdesk/app/pacs"
	"discdesk/app/pacs/pacstest"
	"discdesk/internal/corpus"
)

const mrStudyUID = "1.113654.3.13.1026" // the dcm4che_mr16 series' study

func mrFiles(t *testing.T) []string {
	files, err := filepath.Glob(filepath.Join(corpus.Dir(t), "mr_series", "dcm4che_mr16", "*.dcm"))
	if err != nil || len(files) < 10 {
		t.Fatalf("mr series: %v", err)
	}
	return files
}

func TestFindCommandAgainstDcmqrscp(t *testing.T) {
	pacs := pacstest.Dcmqrscp(t, "QRSCP", mrFiles(t), nil)
	node := fmt.Sprintf("QRSCP@127.0.0.1:%d", pacs.Port)
	var so, se bytes.Buffer
	if code := Run(context.Background(), []string{"find", "--json", "--study", mrStudyUID, node}, &so, &se); code != 0 {
		t.Fatalf("find: exit %d: %s", code, se.String())
	}
	var studies []struct{ StudyInstanceUID, PatientID string }
	if err := json.Unmarshal(so.Bytes(), &studies); err != nil || len(studies) != 1 || studies[0].StudyInstanceUID != mrStudyUID {
		t.Fatalf("find output %s (%v)", so.String(), err)
	}
	so.Reset()
	if code := Run(context.Background(), []string{"find", "--accession", "NOTHING-LIKE-THIS", node}, &so, &se); code != 0 || strings.Count(so.String(), "\n") != 1 {
		t.Fatalf("find with no match: exit %d:\n%s", code, so.String())
	}
	so.Reset()
	if code := Run(context.Background(), []string{"find", "--series", "--study", mrStudyUID, node}, &so, &se); code != 0 || !strings.Contains(so.String(), "MR") {
		t.Fatalf("find --series: exit %d:\n%s%s", code, so.String(), se.String())
	}
}

func TestRetrieveCommandMoveAndGet(t *testing.T) {
	files := mrFiles(t)
	port := pacstest.FreePort(t)
	pacs := pacstest.Dcmqrscp(t, "QRSCP", files, []pacstest.Peer{{AETitle: "DISCDESK", Host: "127.0.0.1", Port: port}})
	node := fmt.Sprintf("QRSCP@127.0.0.1:%d", pacs.Port)
	for _, method := range []string{"move", "get"} {
		out := t.TempDir()
		var so, se bytes.Buffer
		code := Run(context.Background(), []string{"retrieve", "--method", method, "--port", fmt.Sprint(port), "--out", out, node, mrStudyUID}, &so, &se)
		if code != 0 {
			t.Fatalf("retrieve --method %s: exit %d: %s%s", method, code, so.String(), se.String())
		}
		got, _ := filepath.Glob(filepath.Join(out, mrStudyUID, "*.dcm"))
		if len(got) != len(files) || !strings.Contains(so.String(), fmt.Sprintf("retrieved %d instances", len(files))) {
			t.Errorf("retrieve --method %s: %d files, said %q", method, len(got), so.String())
		}
		if st, err := os.Stat(got[0]); err != nil || st.Mode().Perm() != 0o600 {
			t.Errorf("stored file mode: %v %v", st.Mode(), err)
		}
	}
}

// TestFindAndRetrieveFromDICOMwebNode (issue 16.7): find and retrieve
// take a DICOMweb base URL as their node (Orthanc's DICOMweb plugin, Basic
// authentication from the environment), with a wildcard name query.
func TestFindAndRetrieveFromDICOMwebNode(t *testing.T) {
	files := mrFiles(t)
	o := pacstest.Orthanc(t, "ORTHANC", nil)
	var so, se bytes.Buffer
	if res, err := (&pacs.Client{AETitle: "DISCDESK"}).Store(context.Background(), pacs.Node{AETitle: o.AETitle, Host: o.Host, Port: o.Port}, files); err != nil || res[0].Status != 0 {
		t.Fatalf("load Orthanc: %v", err)
	}
	t.Setenv("DISCDESK_DICOMWEB_PASSWORD", o.Password)
	so.Reset()
	if code := Run(context.Background(), []string{"find", "--json", "--user", o.Username, "--name", "DOE^*", o.DICOMwebURL}, &so, &se); code != 0 {
		t.Fatalf("find: exit %d: %s", code, se.String())
	}
	var studies []struct {
		StudyInstanceUID, PatientName string
		Instances                     int
	}
	if err := json.Unmarshal(so.Bytes(), &studies); err != nil || len(studies) != 1 || studies[0].StudyInstanceUID != mrStudyUID || studies[0].Instances != len(files) {
		t.Fatalf("find output %s (%v)", so.String(), err)
	}
	out := t.TempDir()
	so.Reset()
	if code := Run(context.Background(), []string{"retrieve", "--user", o.Username, "--out", out, o.DICOMwebURL, mrStudyUID}, &so, &se); code != 0 {
		t.Fatalf("retrieve: exit %d: %s%s", code, so.String(), se.String())
	}
	got, _ := filepath.Glob(filepath.Join(out, mrStudyUID, "*.dcm"))
	if len(got) != len(files) || !strings.Contains(so.String(), fmt.Sprintf("retrieved %d instances, 0 failed", len(files))) {
		t.Fatalf("retrieved %d files, want %d:\n%s", len(got), len(files), so.String())
	}
	t.Setenv("DISCDESK_DICOMWEB_PASSWORD", "wrong")
	if code := Run(context.Background(), []string{"find", "--user", o.Username, o.DICOMwebURL}, &so, &se); code == 0 {
		t.Error("find with a wrong password succeeded")
	}
}
