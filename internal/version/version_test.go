package version

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"discdesk/internal/corpus"
)

// Version must be FyneApp.toml's: the installers and the discs say the same.
func TestVersionMatchesFyneApp(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(corpus.RepoRoot(), "FyneApp.toml"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?ms)^\[Details\].*?^\s*Version\s*=\s*"([^"]*)"`).FindSubmatch(b)
	if m == nil {
		t.Fatal("FyneApp.toml has no [Details] Version")
	}
	if string(m[1]) != Version {
		t.Fatalf("version.Version = %q, FyneApp.toml says %q: change both together", Version, m[1])
	}
}
