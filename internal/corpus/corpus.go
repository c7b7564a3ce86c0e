// Package corpus locates the shared DICOM test corpus for tests. The corpus
// is read in place and never copied into the repository.
package corpus

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// Dir returns the corpus folder: $DISCDESK_TESTDATA, else
// ../shared/testdata/dicom beside the repository. When the corpus is missing
// the test fails under CI (CI=true) and is skipped loudly elsewhere.
func Dir(t testing.TB) string {
	t.Helper()
	d, err := find()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("DICOM test corpus missing under CI: %v", err)
		}
		t.Skipf("SKIPPED: DICOM test corpus not found (%v); set DISCDESK_TESTDATA", err)
	}
	return d
}

// Path joins elem onto the corpus folder (see Dir).
func Path(t testing.TB, elem ...string) string {
	t.Helper()
	return filepath.Join(append([]string{Dir(t)}, elem...)...)
}

// RepoRoot returns the repository's root folder.
func RepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Dir(filepath.Dir(filepath.Dir(file)))
}

func find() (string, error) {
	if d := os.Getenv("DISCDESK_TESTDATA"); d != "" {
		if _, err := os.Stat(d); err != nil {
			return "", err
		}
		return d, nil
	}
	d := filepath.Join(RepoRoot(), "..", "shared", "testdata", "dicom")
	if _, err := os.Stat(d); err != nil {
		return "", err
	}
	return filepath.Clean(d), nil
}
