package dicomweb

import (
	"context"
	"testing"

	"discdesk/app/pacs"
	"discdesk/app/pacs/pacstest"
)

// orthancWith starts an Orthanc of the test's own and stores files in it
// over C-STORE.
func orthancWith(t *testing.T, files []string) pacstest.OrthancServer {
	t.Helper()
	o := pacstest.Orthanc(t, "ORTHANC", nil)
	if res, err := (&pacs.Client{AETitle: "DISCDESK"}).Store(context.Background(), pacs.Node{AETitle: o.AETitle, Host: o.Host, Port: o.Port}, files); err != nil || res[0].Status != 0 {
		t.Fatalf("load Orthanc: %v", err)
	}
	return o
}
