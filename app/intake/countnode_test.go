package intake_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"discdesk/app/intake"
	"discdesk/app/settings"
)

// A DICOMweb node named as the count node is asked over QIDO-RS; it is no
// DICOM sender, so it adds no caller (an empty AE title) to the receiver.
func TestDICOMwebCountNode(t *testing.T) {
	const uid = "1.2.826.0.1.3680043.10.54.77"
	asked := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/dicom-web/studies" || r.URL.Query().Get("StudyInstanceUID") != uid {
			http.NotFound(w, r)
			return
		}
		asked++
		w.Header().Set("Content-Type", "application/dicom+json")
		w.Write([]byte(`[{"0020000D":{"vr":"UI","Value":["` + uid + `"]},"00201208":{"vr":"IS","Value":[20]}}]`))
	}))
	defer srv.Close()
	s := settings.Default()
	s.Receive.Enabled = true
	s.Nodes = []settings.Node{{Name: "ct", AETitle: "CT1", Host: "ct1", Port: 104}, {Name: "archive", URL: srv.URL + "/dicom-web"}}
	s.Receive.CountNode = "archive"
	opt, err := intake.FromSettings(s, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if len(opt.Server.Callers) != 1 || opt.Server.Callers[0].AETitle != "CT1" || len(opt.Nodes) != 1 {
		t.Errorf("callers %+v, nodes %+v: the DICOMweb node is no sender", opt.Server.Callers, opt.Nodes)
	}
	if opt.Count == nil || opt.CountNode != nil {
		t.Fatalf("count node: Count set %v, CountNode %+v", opt.Count != nil, opt.CountNode)
	}
	n, err := opt.Count(context.Background(), uid)
	if err != nil || n != 20 || asked != 1 {
		t.Errorf("count %d, %v (asked %d times)", n, err, asked)
	}
}
