package cli

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"discdesk/app/burnqueue"
	"discdesk/app/handoff"
	"discdesk/app/pacs/pacstest"
	"discdesk/app/store/storetest"
	"discdesk/internal/corpus"
)

// serveLines runs `discdesk serve` in the background and returns its
// output lines and a function that stops it and returns its exit code.
func serveLines(t *testing.T, dir string, extra ...string) (<-chan string, func() int, *bytes.Buffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	errb := &bytes.Buffer{}
	done := make(chan int, 1)
	args := append([]string{"--data", dir, "serve", "--host", "127.0.0.1", "--port", "0"}, extra...)
	go func() {
		done <- Run(ctx, args, pw, errb)
		pw.Close()
	}()
	lines := make(chan string, 64)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	stopped := false
	code := 0
	stop := func() int {
		if !stopped {
			stopped = true
			cancel()
			code = <-done
		}
		return code
	}
	t.Cleanup(func() { stop() })
	return lines, stop, errb
}

// waitLine returns the first line matching re (its submatches).
func waitLine(t *testing.T, lines <-chan string, re *regexp.Regexp, timeout time.Duration) []string {
	t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("serve ended before printing %q", re)
			}
			if m := re.FindStringSubmatch(l); m != nil {
				return m
			}
		case <-deadline:
			t.Fatalf("serve did not print %q within %v", re, timeout)
		}
	}
}

// A study sent to the burn AE title is queued once complete (the quiet
// time here) and burned by the queue running in serve onto the ISO-file
// target (no drive configured: <data>/iso), verified, and logged against
// its same-day pickup request.
func TestServeBurnAEQueuesAndBurns(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(corpus.Dir(t), "mr_series", "dcm4che_mr16", "*.dcm"))
	if err != nil || len(files) < 3 {
		t.Fatalf("mr study: %v", err)
	}
	sort.Strings(files)
	files = files[:3]
	dir := t.TempDir()
	lines, stop, errb := serveLines(t, dir, "--allow", "MODALITY", "--burn-ae", "DISCDESK_BURN", "--quiet", "300ms")
	m := waitLine(t, lines, regexp.MustCompile(`listening on 127\.0\.0\.1:(\d+) as DISCDESK`), 10*time.Second)
	if o, err := pacstest.Tool(t, 20*time.Second, "storescu", "-aet", "MODALITY", "-aec", "DISCDESK_BURN", "127.0.0.1", m[1], files[0], files[1], files[2]); err != nil {
		t.Fatalf("storescu: %v\n%s", err, o)
	}
	q := waitLine(t, lines, regexp.MustCompile(`study complete for burning: (\S+): queued job (\S+) \(request (\S+)\) to iso:(\S+)`), 10*time.Second)
	studyUID, jobID, isoPath := q[1], uuid.MustParse(q[2]), q[4]
	if filepath.Dir(isoPath) != filepath.Join(dir, "iso") {
		t.Errorf("ISO %s not in the data folder's iso folder", isoPath)
	}
	waitLine(t, lines, regexp.MustCompile(`job `+jobID.String()+`: disc 1 of 1 verified: iso:`+regexp.QuoteMeta(isoPath)), 60*time.Second)
	if code := stop(); code != 0 {
		t.Fatalf("serve exited %d: %s", code, errb.String())
	}

	db := storetest.MustOpen(t, dir)
	qu, err := burnqueue.New(db)
	if err != nil {
		t.Fatal(err)
	}
	j, err := qu.Get(jobID)
	if err != nil || j.State != burnqueue.Done || len(j.Discs) != 1 || !j.Discs[0].Verified() || j.StudyUIDs[0] != studyUID || j.RequestID == "" {
		t.Fatalf("job %+v, %v", j, err)
	}
	if fi, err := os.Stat(isoPath); err != nil || fi.Size() < 100<<10 || fi.Mode().Perm() != 0o600 {
		t.Fatalf("ISO: %v, %v", fi, err)
	}
	hs, err := handoff.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	r, err := hs.Request(j.RequestID)
	if err != nil || r.Delivery != handoff.DeliveryPickup || r.Status != handoff.StatusBurned || len(r.Discs) != 1 || !r.Discs[0].Verified ||
		r.Discs[0].UUID != j.Discs[0].UUID.String() || r.Discs[0].Instances != len(files) || len(r.Discs[0].ManifestHash) != 64 {
		t.Fatalf("request %+v, %v", r, err)
	}
	validateDisc(t, isoPath)
	if strings.Contains(errb.String(), "not queued") {
		t.Errorf("stderr: %s", errb.String())
	}
}

func TestServeBurnAENeedsTheLibrary(t *testing.T) {
	var so, se bytes.Buffer
	code := Run(context.Background(), []string{"--data", t.TempDir(), "serve", "--port", "0", "--any-caller", "--burn-ae", "DISCDESK_BURN", "--out", t.TempDir()}, &so, &se)
	if code != 2 || !strings.Contains(se.String(), "--out") {
		t.Fatalf("exit %d: %s", code, se.String())
	}
}
