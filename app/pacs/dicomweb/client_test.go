package dicomweb

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"discdesk/app/pacs"
	"discdesk/internal/corpus"
)

// fakeServer answers QIDO-RS and WADO-RS for one study of the given files,
// requiring the given Authorization header.
func fakeServer(t *testing.T, auth string, studyUID string, files []string) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != auth {
			http.Error(w, "who are you", http.StatusUnauthorized)
			return
		}
		switch r.URL.Path {
		case "/dicom-web/studies":
			if r.URL.Query().Get("PatientID") == "NOBODY" {
				w.WriteHeader(http.StatusNoContent)
				return
			}
			w.Header().Set("Content-Type", "application/dicom+json")
			fmt.Fprintf(w, `[{"0020000D":{"vr":"UI","Value":[%q]},"00100010":{"vr":"PN","Value":[{"Alphabetic":"Doe^Jane"}]},"00201208":{"vr":"IS","Value":[%d]}}]`, studyUID, len(files))
		case "/dicom-web/studies/" + studyUID:
			var body bytes.Buffer
			mw := multipart.NewWriter(&body)
			for _, f := range files {
				b, err := os.ReadFile(f)
				if err != nil {
					t.Error(err)
				}
				pw, _ := mw.CreatePart(textproto.MIMEHeader{"Content-Type": {"application/dicom"}})
				pw.Write(b)
			}
			mw.Close()
			w.Header().Set("Content-Type", `multipart/related; type="application/dicom"; boundary=`+mw.Boundary())
			w.Write(body.Bytes())
		default:
			http.NotFound(w, r)
		}
	}))
}

func TestQIDOAndWADOAgainstFakeServer(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(corpus.Dir(t), "mr_series", "dcm4che_mr16", "*.dcm"))
	files = files[:4]
	const study = "1.113654.3.13.1026"
	for _, tc := range []struct {
		name   string
		client Client
		auth   string
	}{
		{"basic", Client{Username: "desk", Password: "s3cret"}, "Basic ZGVzazpzM2NyZXQ="},
		{"bearer", Client{Token: "tok123"}, "Bearer tok123"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := fakeServer(t, tc.auth, study, files)
			defer srv.Close()
			c := tc.client
			c.BaseURL = srv.URL + "/dicom-web/"
			ctx := context.Background()
			res, err := c.SearchStudies(ctx, url.Values{"PatientID": {"X"}})
			if err != nil || len(res) != 1 || res[0].String(TagStudyInstanceUID) != study || res[0].String(TagPatientName) != "Doe^Jane" || res[0].String(TagNumberOfInstances) != "4" {
				t.Fatalf("search: %v %+v", err, res)
			}
			if res, err := c.SearchStudies(ctx, url.Values{"PatientID": {"NOBODY"}}); err != nil || len(res) != 0 {
				t.Fatalf("empty search: %v %v", err, res)
			}
			dir := t.TempDir()
			paths, err := c.RetrieveStudyTo(ctx, study, dir)
			if err != nil || len(paths) != len(files) {
				t.Fatalf("retrieve: %v, %d files", err, len(paths))
			}
			for _, f := range files {
				m, _, _ := pacs.ReadMetaFile(f)
				want, _ := os.ReadFile(f)
				got, err := os.ReadFile(filepath.Join(dir, m.SOPInstanceUID+".dcm"))
				if err != nil || !bytes.Equal(got, want) {
					t.Errorf("%s: retrieved copy differs (%v)", f, err)
				}
			}
			wrong := c
			wrong.Token, wrong.Username = "nope", ""
			if _, err := wrong.SearchStudies(ctx, nil); !errors.Is(err, ErrHTTP) {
				t.Fatalf("wrong credentials: %v", err)
			}
		})
	}
}
