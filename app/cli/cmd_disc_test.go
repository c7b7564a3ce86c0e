package cli

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"discdesk/internal/corpus"
)

func TestDiscCommand(t *testing.T) {
	data := t.TempDir()
	mr := corpus.Path(t, "mr_series", "dcm4che_mr16")
	out := filepath.Join(t.TempDir(), "disc.iso")
	run := func(args ...string) (int, string, string) {
		var o, e bytes.Buffer
		code := Run(context.Background(), append([]string{"--data", data, "disc"}, args...), &o, &e)
		return code, o.String(), e.String()
	}
	// No report: refused until acknowledged.
	code, _, stderr := run("--out", out, "--iso", "--no-viewer", "--files", mr)
	if code != exitDiscNeedsAck || !strings.Contains(stderr, "no report") {
		t.Fatalf("exit %d, stderr %s", code, stderr)
	}
	code, stdout, stderr := run("--out", out, "--iso", "--no-viewer", "--ack-no-report", "Front Desk", "--files", mr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "1 disc(s)") || !strings.Contains(stdout, "disc 1 of 1") {
		t.Errorf("stdout: %s", stdout)
	}
	if _, err := os.Stat(out + ".sha256"); err != nil {
		t.Error("no manifest beside the ISO")
	}
	tool := filepath.Join(corpus.RepoRoot(), "..", "shared", "tools", "validate-disc")
	if b, err := exec.Command(tool, out).CombinedOutput(); err != nil {
		t.Fatalf("validate-disc: %v\n%s", err, b)
	}
	// A missing Type 1 key: exit 4 naming the file, the attribute and the flag.
	code, _, stderr = run("--out", filepath.Join(t.TempDir(), "d"), "--no-viewer", "--files", corpus.Path(t, "ct_series", "tcia_kits"))
	if code != exitDiscMissingKey || !strings.Contains(stderr, "CT2") || !strings.Contains(stderr, "(0008,0020)") || !strings.Contains(stderr, "--supply StudyDate=") {
		t.Fatalf("exit %d, stderr %s", code, stderr)
	}
	code, _, stderr = run("--out", filepath.Join(t.TempDir(), "d"), "--no-viewer", "--no-web", "--ack-no-report", "x", "--by", "tech",
		"--supply", "StudyDate=20190101", "--supply", "StudyTime=101010", "--supply", "(0020,0010)=7", "--files", corpus.Path(t, "ct_series", "tcia_kits"))
	if code != 0 {
		t.Fatalf("with supplied values: exit %d: %s", code, stderr)
	}
	if code, _, _ := run("--out", "x", "--media", "floppy", "--files", mr); code != 2 {
		t.Errorf("bad media: exit %d", code)
	}
}
