package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"discdesk/app/handoff"
)

// 15.12 from the command line: the audit frame of a handover carries the
// log head; `log export` prints the head and keeps a signed checkpoint;
// `log verify --against` holds for it and fails for an edited checkpoint.
func TestLogCheckpointAndAnchoredAudit(t *testing.T) {
	dir := t.TempDir()
	addr, frames := syslogFrames(t)
	os.MkdirAll(dir, 0o700)
	importConfig(t, dir, []byte(fmt.Sprintf(`{"syslog_addr": %q, "audit_source_id": "DISCDESK@TEST"}`, addr)))
	r := mustNewRequest(t, dir)
	disc := recordBurn(t, dir, r.ID)
	code, _, errs := run(t, dir, append([]string{"handoff", disc, "--to", "Jane Doe", "--method", "pickup", "--id-check", "driver licence"}, who...)...)
	if code != 0 {
		t.Fatalf("handoff: %d %s", code, errs)
	}
	_, out, _ := run(t, dir, "log", "verify")
	head := regexp.MustCompile(`head ([0-9a-f]{64})`).FindStringSubmatch(out)
	if head == nil {
		t.Fatalf("log verify: %s", out)
	}
	select {
	case msg := <-frames:
		if want := fmt.Sprintf(`[handoffHead@32473 head="%s" events="3"]`, head[1]); !strings.Contains(msg, want) {
			t.Fatalf("audit frame lacks the log head %s: %.200q", want, msg)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no audit message reached the collector")
	}

	csvPath := filepath.Join(t.TempDir(), "log.csv")
	code, out, errs = run(t, dir, "log", "export", "--csv", csvPath)
	if code != 0 || !strings.Contains(out, "head "+head[1]) || !strings.Contains(out, "3 events") {
		t.Fatalf("log export: %d %q %s", code, out, errs)
	}
	cps, _ := filepath.Glob(filepath.Join(dir, "checkpoints", "*.json"))
	if len(cps) != 1 {
		t.Fatalf("checkpoints kept: %v", cps)
	}
	key := filepath.Join(dir, handoff.KeyFileName)
	if fi, err := os.Stat(key); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("checkpoint key: %v %v", fi, err)
	}
	code, out, errs = run(t, dir, "log", "verify", "--against", cps[0])
	if code != 0 || !strings.Contains(out, "checkpoint of") || !strings.Contains(out, "OK: 3 events") {
		t.Fatalf("log verify --against: %d %s %s", code, out, errs)
	}
	// A checkpoint whose head was changed is refused.
	cp, _ := handoff.ReadCheckpoint(cps[0])
	cp.Head = strings.Repeat("0", 64)
	edited := filepath.Join(t.TempDir(), "edited.json")
	handoff.WriteCheckpoint(edited, cp)
	if code, _, errs := run(t, dir, "log", "verify", "--against", edited); code != 3 || !strings.Contains(errs, "signature") {
		t.Fatalf("edited checkpoint: %d %s", code, errs)
	}
	code, out, _ = run(t, dir, "log", "checkpoint", "--out", filepath.Join(t.TempDir(), "cp.json"))
	if code != 0 || !strings.Contains(out, "head "+head[1]) {
		t.Fatalf("log checkpoint: %d %s", code, out)
	}
}

// 15.13: opening the data folder's store removes what a killed burn left
// in its staging folder (here a README naming the patient).
func TestStartUpRemovesStagingLeftovers(t *testing.T) {
	dir := t.TempDir()
	left := filepath.Join(dir, "staging", "discdesk-stage-4242")
	os.MkdirAll(left, 0o700)
	os.WriteFile(filepath.Join(left, "README.TXT"), []byte("Patient: DOE^JANE"), 0o600)
	code, _, errs := run(t, dir, "log", "verify")
	if code != 0 {
		t.Fatalf("log verify: %d %s", code, errs)
	}
	if _, err := os.Stat(left); !os.IsNotExist(err) {
		t.Fatalf("the staging leftover is still there: %v", err)
	}
	if !strings.Contains(errs, "removed 1 staging folder") {
		t.Errorf("no note of the removal: %q", errs)
	}
}
