//go:build !discviewer

package codec

import (
	"os"
	"os/exec"
	"testing"
)

// The disc viewer build's own test (discviewer_test.go) runs here too, so
// the ordinary test run checks what the disc viewers say on screen.
func TestDiscViewerBuild(t *testing.T) {
	cmd := exec.Command("go", "test", "-count=1", "-tags", "discviewer", "-run", "TestDiscViewerSaysWhichSyntax", ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go test -tags discviewer: %v\n%s", err, out)
	}
}
