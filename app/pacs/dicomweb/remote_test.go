package dicomweb

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"discdesk/app/pacs"
	"discdesk/app/settings"
	"discdesk/internal/corpus"
)

// TestRemoteCountAgainstOrthanc (issue 16.5, 16.7): a configured DICOMweb
// node answers auto-burn's instance count over QIDO-RS, as a DIMSE node
// does over C-FIND; a study it does not hold is pacs.ErrNoCount.
func TestRemoteCountAgainstOrthanc(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(corpus.Dir(t), "mr_series", "dcm4che_mr16", "*.dcm"))
	const study = "1.113654.3.13.1026"
	ctx := context.Background()
	o := orthancWith(t, files)
	secret := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(secret, []byte(o.Password+"\r\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s := settings.Settings{Nodes: []settings.Node{{Name: "web", URL: o.DICOMwebURL, User: o.Username, SecretFile: secret}}}
	r, err := Named(s, "web", nil)
	if err != nil || !r.IsWeb() {
		t.Fatalf("resolve: %v %+v", err, r)
	}
	count := r.Counter("DISCDESK")
	if n, err := count(ctx, study); err != nil || n != len(files) {
		t.Errorf("count: %d %v, want %d", n, err, len(files))
	}
	if _, err := count(ctx, "1.2.3.4"); !errors.Is(err, pacs.ErrNoCount) {
		t.Errorf("count of an absent study: %v", err)
	}
	if _, err := Named(s, "other", nil); !errors.Is(err, ErrNoNode) {
		t.Errorf("unknown node: %v", err)
	}
	// Without a secret file the password comes from the environment.
	s.Nodes[0].SecretFile = ""
	r, _ = Named(s, "web", func(k string) string {
		if k == EnvPassword {
			return "wrong"
		}
		return ""
	})
	if _, err := r.Counter("DISCDESK")(ctx, study); !errors.Is(err, ErrHTTP) {
		t.Errorf("wrong password from the environment: %v", err)
	}
}
