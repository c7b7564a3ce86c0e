package dicomweb

import (
	"context"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"discdesk/app/pacs"
)

// TestCAFile: an https node is trusted through its CA file and refused
// without it; a Bearer token goes in the Authorization header.
func TestCAFile(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer tok" {
			http.Error(w, "who are you", http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/dicom+json")
		w.Write([]byte(`[{"0020000D":{"vr":"UI","Value":["1.2.3"]}}]`))
	}))
	defer srv.Close()
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := NewClient(srv.URL, "", "", "tok", ca)
	if err != nil {
		t.Fatal(err)
	}
	if st, err := c.FindStudies(context.Background(), pacs.StudyFilter{PatientID: "1"}); err != nil || len(st) != 1 || st[0].StudyInstanceUID != "1.2.3" {
		t.Errorf("with the CA file: %v %+v", err, st)
	}
	c, _ = NewClient(srv.URL, "", "", "tok", "")
	if _, err := c.FindStudies(context.Background(), pacs.StudyFilter{PatientID: "1"}); err == nil {
		t.Error("an unknown CA was trusted")
	}
	if _, err := NewClient(srv.URL, "", "", "tok", filepath.Join(t.TempDir(), "none.pem")); err == nil {
		t.Error("a missing CA file was accepted")
	}
}
