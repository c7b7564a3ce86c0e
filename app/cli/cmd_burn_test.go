package cli

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"discdesk/app/burnqueue"
	"discdesk/app/store"
	"discdesk/burner/disc"
	"discdesk/burner/drive"
	"discdesk/burner/drive/iso9660"
	"discdesk/internal/corpus"
)

// discFolder lays out a small disc folder (level 1 names) from corpus files
// by symlink-free copies in a temp dir (never in the repository).
func discFolder(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "pat_0001")
	src := corpus.Path(t, "generated", "ct_slice_variants", "ct_explicit_le_source.dcm")
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"DICOM/P0000001/S0000001/I0000001", "DICOM/P0000001/S0000001/I0000002", "README.TXT"} {
		full := filepath.Join(dir, filepath.FromSlash(p))
		os.MkdirAll(filepath.Dir(full), 0o700)
		if err := os.WriteFile(full, append(b, p...), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func runCLI(data string, args ...string) (int, string, string) {
	var o, e bytes.Buffer
	code := Run(context.Background(), append([]string{"--data", data}, args...), &o, &e)
	return code, o.String(), e.String()
}

var discLine = regexp.MustCompile(`disc ([0-9a-f-]{36}) \(disc 1 of 1, copy (\d)\) (\S+): verified`)

func TestBurnAndVerifyCommands(t *testing.T) {
	data := t.TempDir()
	folder := discFolder(t)
	out := t.TempDir()
	iso := filepath.Join(out, "disc.iso")
	reportFile := filepath.Join(out, "verify.json")

	code, stdout, stderr := runCLI(data, "burn", "--drive", "iso:"+iso, "--copies", "2", "--files", folder, "--verify-report", reportFile)
	if code != 0 {
		t.Fatalf("burn: exit %d\n%s\n%s", code, stdout, stderr)
	}
	for _, want := range []string{"writing", "verifying", "done: 2 disc(s) verified"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("burn output lacks %q:\n%s", want, stdout)
		}
	}
	discs := discLine.FindAllStringSubmatch(stdout, -1)
	if len(discs) != 2 {
		t.Fatalf("want 2 verified disc lines:\n%s", stdout)
	}
	var reports []drive.Report
	if b, err := os.ReadFile(reportFile); err != nil || json.Unmarshal(b, &reports) != nil || len(reports) != 2 || !reports[0].OK {
		t.Fatalf("verification report file: %v %+v", err, reports)
	}
	// The image carries level 1 names and a File-set ID as volume id, never
	// the folder's name (pat_0001 here: a folder may be named after the
	// patient); the folder has no DICOMDIR, so it is the default one.
	copy1 := strings.TrimPrefix(discs[0][3], "iso:")
	f, _ := os.Open(copy1)
	fi, _ := f.Stat()
	im, err := iso9660.Open(f, fi.Size())
	if err != nil || im.VolumeID != "DISCDESK" || len(im.Check()) != 0 {
		t.Fatalf("image: %v %q %v", err, im.VolumeID, im.Check())
	}
	f.Close()

	// Re-verify copy 1 by its disc UUID.
	code, stdout, stderr = runCLI(data, "verify", "--drive", discs[0][3], discs[0][1])
	if code != 0 || !strings.Contains(stdout, "verified: 3 files") {
		t.Fatalf("verify: exit %d\n%s\n%s", code, stdout, stderr)
	}
	// Flip one byte of the image: verify fails with a plain message.
	b, _ := os.ReadFile(copy1)
	for _, e := range im.Files() {
		if e.Path == "README.TXT" {
			b[e.Offset] ^= 1
		}
	}
	os.WriteFile(copy1, b, 0o600)
	code, stdout, stderr = runCLI(data, "verify", "--drive", discs[0][3], discs[0][1])
	if code != exitVerifyFailed || !strings.Contains(stdout, "sha256 README.TXT") || !strings.Contains(stderr, "do not hand it out") {
		t.Fatalf("verify corrupted: exit %d\n%s\n%s", code, stdout, stderr)
	}

	// Burning onto an existing ISO: held with a staff message, retryable.
	code, stdout, stderr = runCLI(data, "burn", "--drive", "iso:"+copy1, "--files", folder)
	if code != exitBurnHeld || !strings.Contains(stderr, "already holds files") || !strings.Contains(stderr, "discdesk burn --retry") {
		t.Fatalf("burn on used target: exit %d\n%s\n%s", code, stdout, stderr)
	}
	jobID := regexp.MustCompile(`--retry (\S+)`).FindStringSubmatch(stderr)[1]
	os.Remove(copy1) // staff free the target
	code, stdout, stderr = runCLI(data, "burn", "--retry", jobID)
	if code != 0 || !strings.Contains(stdout, "done: 1 disc(s) verified") {
		t.Fatalf("retry: exit %d\n%s\n%s", code, stdout, stderr)
	}

	if code, _, stderr := runCLI(data, "verify", "--drive", "iso:"+iso, "00000000-0000-0000-0000-000000000000"); code != 1 || !strings.Contains(stderr, "no manifest") {
		t.Fatalf("verify unknown disc: %d %s", code, stderr)
	}
	if code, _, _ := runCLI(data, "burn", "--files", folder); code != 2 {
		t.Fatalf("burn without --drive: %d", code)
	}
}

// zip:FILE is a burn target like iso:FILE: written private, read back,
// re-verifiable by disc UUID.
func TestBurnZIPTarget(t *testing.T) {
	data := t.TempDir()
	folder := discFolder(t)
	name := filepath.Join(t.TempDir(), "disc.zip")
	code, stdout, stderr := runCLI(data, "burn", "--drive", "zip:"+name, "--files", folder)
	if code != 0 || !strings.Contains(stdout, "done: 1 disc(s) verified") {
		t.Fatalf("burn zip: exit %d\n%s\n%s", code, stdout, stderr)
	}
	discs := discLine.FindAllStringSubmatch(stdout, -1)
	if len(discs) != 1 || discs[0][3] != "zip:"+name {
		t.Fatalf("want one verified zip: disc line:\n%s", stdout)
	}
	zr, err := zip.OpenReader(name)
	if err != nil {
		t.Fatal(err)
	}
	if zr.Comment != "DISCDESK" || len(zr.File) != 3 {
		t.Fatalf("archive comment %q, %d entries", zr.Comment, len(zr.File))
	}
	zr.Close()
	if fi, err := os.Stat(name); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("archive %v mode %v, want 0600", err, fi.Mode())
	}
	code, stdout, stderr = runCLI(data, "verify", "--drive", "zip:"+name, discs[0][1])
	if code != 0 || !strings.Contains(stdout, "verified: 3 files") {
		t.Fatalf("verify zip: exit %d\n%s\n%s", code, stdout, stderr)
	}
}

func TestDrivesCommand(t *testing.T) {
	code, stdout, stderr := runCLI(t.TempDir(), "drives")
	if code != 0 || !strings.Contains(stdout, "stdio:FILE") {
		t.Fatalf("drives: exit %d\n%s\n%s", code, stdout, stderr)
	}
}

// Studies of the library go through the disc plan (DICOMDIR, README, pages)
// and then the same burn and read-back.
func TestBurnStudyUID(t *testing.T) {
	data := t.TempDir()
	if code, _, stderr := runCLI(data, "import", filepath.Join(corpus.Dir(t), "mr_series", "dcm4che_mr16")); code != 0 {
		t.Fatalf("import: %d %s", code, stderr)
	}
	iso := filepath.Join(t.TempDir(), "study.iso")
	// No report: the plan asks for an acknowledgement before anything is
	// queued.
	code, stdout, stderr := runCLI(data, "burn", "--drive", "stdio:"+iso, "--media", "cd", mrStudyUID)
	if code != exitDiscNeedsAck || !strings.Contains(stderr, "--ack-no-report NAME") || strings.Contains(stdout, "job ") {
		t.Fatalf("burn without ack: exit %d\n%s\n%s", code, stdout, stderr)
	}
	code, stdout, stderr = runCLI(data, "burn", "--drive", "stdio:"+iso, "--media", "cd", "--ack-no-report", "Front Desk",
		"--radiologist", "Lindqvist^Astrid^^Dr", "--facility-name", "Riverside Imaging", "--facility-email", "images@riverside.example", mrStudyUID)
	if code != 0 || len(discLine.FindAllString(stdout, -1)) != 1 {
		t.Fatalf("burn: exit %d\n%s\n%s", code, stdout, stderr)
	}
	f, _ := os.Open(iso)
	defer f.Close()
	fi, _ := f.Stat()
	im, err := iso9660.Open(f, fi.Size())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := im.Open("DICOMDIR"); err != nil || len(im.Check()) != 0 {
		t.Fatalf("disc: %v %v", err, im.Check())
	}
	rf, err := im.Open("README.TXT")
	if err != nil {
		t.Fatal(err)
	}
	readme, _ := io.ReadAll(rf)
	for _, want := range []string{"  Riverside Imaging\r\n  E-mail: images@riverside.example\r\n", "    Read by Dr Astrid Lindqvist\r\n", "write to images@riverside.example."} {
		if !strings.Contains(string(readme), want) {
			t.Errorf("README.TXT lacks %q:\n%s", want, readme)
		}
	}
}

// A job queued with its warnings acknowledged (by the desk or auto-burn)
// runs from `burn --retry` without the acknowledgement being given again.
func TestBurnRetryAppliesTheJobsAcknowledgements(t *testing.T) {
	data := t.TempDir()
	if code, _, stderr := runCLI(data, "import", filepath.Join(corpus.Dir(t), "mr_series", "dcm4che_mr16")); code != 0 {
		t.Fatalf("import: %d %s", code, stderr)
	}
	iso := filepath.Join(t.TempDir(), "acked.iso")
	db, err := store.Open(data)
	if err != nil {
		t.Fatal(err)
	}
	q, err := burnqueue.New(db)
	if err != nil {
		t.Fatal(err)
	}
	job, err := q.Enqueue(burnqueue.Job{StudyUIDs: []string{mrStudyUID}, Drive: "stdio:" + iso, Media: "cd", Copies: 1,
		Acks: []string{string(disc.WarnNoReport)}, AckedBy: "auto-burn"})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runCLI(data, "burn", "--retry", job.ID.String())
	if code != 0 || len(discLine.FindAllString(stdout, -1)) != 1 {
		t.Fatalf("burn --retry of an acknowledged job: exit %d\n%s\n%s", code, stdout, stderr)
	}
}
