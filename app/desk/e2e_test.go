package desk

import (
	"bufio"
	"bytes"
	"image"
	"image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kbinani/screenshot"

	"discdesk/app/handoff"
	"discdesk/app/store"
	"discdesk/app/support"
	"discdesk/internal/xvfbtest"
)

// e2eScriptEnv is the automation hook's variable (e2eEnv in e2e.go, which
// this test's own build, without the e2e tag, does not compile).
const e2eScriptEnv = "DISCDESK_E2E_SCRIPT"

// TestShippedDeskHasNoAutomationHook builds the desk as the packages do
// (no build tags, as packaging/package-linux.sh and `make build` run go
// build) and checks the binary does not carry the UI automation hook: its
// environment variable and its reply format are absent, while a -tags e2e
// build has both (so the check can see them when they are there).
func TestShippedDeskHasNoAutomationHook(t *testing.T) {
	if testing.Short() && os.Getenv("CI") != "true" {
		t.Skip("links the desk twice: skipped in -short mode (never under CI=true)")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	markers := []string{e2eScriptEnv, "e2e ok %s"}
	for _, tc := range []struct {
		tags    []string
		present bool
	}{{nil, false}, {[]string{"-tags", "e2e"}, true}} {
		bin := filepath.Join(t.TempDir(), "discdesk")
		args := append(append([]string{"build"}, tc.tags...), "-o", bin, ".")
		build := exec.Command("go", args...)
		build.Dir = root
		if out, err := build.CombinedOutput(); err != nil {
			t.Fatalf("go %v: %v\n%s", args, err, out)
		}
		b, err := os.ReadFile(bin)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range markers {
			if got := bytes.Contains(b, []byte(m)); got != tc.present {
				t.Errorf("go %v: binary contains %q = %v, want %v", args, m, got, tc.present)
			}
		}
	}
}

// colours counts distinct colours of img (up to limit).
func colours(img image.Image, limit int) int {
	seen := map[[4]uint32]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			r, g, bl, a := img.At(x, y).RGBA()
			seen[[4]uint32{r, g, bl, a}] = true
			if len(seen) >= limit {
				return len(seen)
			}
		}
	}
	return len(seen)
}

// TestEndToEndUnderXvfb builds the real binary, runs `discdesk --data DIR
// --demo` on a virtual screen and drives it through the automation hook:
// sign in, find a demo study, create a request, burn it to an ISO file,
// record the handoff. Each step's screen is captured with kbinani/screenshot,
// saved, and checked not blank.
func TestEndToEndUnderXvfb(t *testing.T) {
	if testing.Short() && os.Getenv("CI") != "true" {
		t.Skip("end-to-end test skipped in -short mode (never under CI=true)")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "discdesk")
	// Only this test's binary carries the automation hook (e2e.go).
	build := exec.Command("go", "build", "-tags", "e2e", "-o", bin, ".")
	build.Dir = root
	build.Env = append(os.Environ(), "GOFLAGS=-mod=mod")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	display := xvfbtest.Start(t)
	t.Setenv("DISPLAY", display)
	artifacts := os.Getenv("DISCDESK_E2E_ARTIFACTS")
	if artifacts == "" {
		artifacts = t.TempDir()
	}
	if err := os.MkdirAll(artifacts, 0o700); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() { // keep the screens of a failed run where the developer looks
			dst := filepath.Join("testdata", "failed", "e2e")
			os.MkdirAll(dst, 0o700)
			m, _ := filepath.Glob(filepath.Join(artifacts, "*.png"))
			for _, p := range m {
				if b, err := os.ReadFile(p); err == nil {
					os.WriteFile(filepath.Join(dst, filepath.Base(p)), b, 0o600)
				}
			}
			t.Logf("screens of the failed run: %s", dst)
		}
	})

	data := t.TempDir()
	cmd := exec.Command(bin, "--data", data, "--demo")
	cmd.Env = append(os.Environ(), "DISPLAY="+display, "LANG=en_US.UTF-8", e2eScriptEnv+"=stdin")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	cmd.WaitDelay = 5 * time.Second // a lingering grandchild must not hold the pipes open
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{}) // closed when the desk has exited
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		select {
		case <-exited:
		default:
			cmd.Process.Kill()
			<-exited
		}
	})
	replies := make(chan string, 16)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if l := sc.Text(); strings.HasPrefix(l, "e2e ") {
				replies <- l
			}
		}
		close(replies)
	}()
	step := func(command string) string {
		t.Helper()
		t.Logf("step: %s", command)
		if _, err := io.WriteString(stdin, command+"\n"); err != nil {
			t.Fatalf("%s: %v (stderr: %s)", command, err, stderr.String())
		}
		select {
		case r, ok := <-replies:
			if !ok {
				t.Fatalf("%s: the desk exited (stderr: %s)", command, stderr.String())
			}
			if strings.HasPrefix(r, "e2e error") {
				t.Fatalf("%s: %s", command, r)
			}
			_, val, _ := strings.Cut(strings.TrimPrefix(r, "e2e ok "), " ")
			return val
		case <-time.After(120 * time.Second):
			t.Fatalf("%s: no answer (stderr: %s)", command, stderr.String())
		}
		return ""
	}
	shot := func(name string) {
		t.Helper()
		step("sleep 700") // let the window paint the step's result
		img, err := screenshot.CaptureDisplay(0)
		if err != nil {
			t.Fatalf("capture %s: %v", name, err)
		}
		p := filepath.Join(artifacts, name+".png")
		f, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
		if err != nil {
			t.Fatal(err)
		}
		png.Encode(f, img)
		f.Close()
		if support.Blank(img) || colours(img, 20) < 20 {
			t.Fatalf("screen %s is blank (%d colours): %s", name, colours(img, 20), p)
		}
	}

	step("wait signin.staff")
	if got := step("text signin.demo"); !strings.Contains(got, "1234") {
		t.Errorf("sign-in screen does not name the demo PIN: %q", got)
	}
	shot("01-signin")
	step("select signin.staff Demo Staff")
	step("type signin.pin 1234")
	step("tap signin.submit")
	step("wait main.user Demo Staff")
	shot("02-studies")

	step("type studies.search DEMO0003")
	sel := step("first study.select.")
	step("tap " + sel)
	step("tap studies.request")
	step("type request.identity driver licence")
	step("tap request.plan")
	step("wait plan.summary")
	shot("03-plan-and-fee")

	step("tap plan.ack.no-report")
	step("tap plan.burn")
	job := step("first queue.job.")
	step("wait " + job + ".state Done")
	shot("04-burned-to-iso")
	isos, _ := filepath.Glob(filepath.Join(data, "iso", "*.iso"))
	if len(isos) != 1 {
		t.Fatalf("ISO files: %v", isos)
	}
	if st, err := os.Stat(isos[0]); err != nil || st.Size() < 100_000 {
		t.Fatalf("ISO %s: %v", isos[0], err)
	}

	step("tab Requests")
	row := step("first requests.row.")
	step("tap " + row)
	step("type handoff.identity driver licence")
	step("tap handoff.pickup")
	step("wait handoff.msg Handoff recorded")
	shot("05-handoff-recorded")

	step("quit")
	select {
	case <-exited:
	case <-time.After(20 * time.Second):
		t.Fatal("the desk did not quit")
	}
	// The handoff log, read after the desk closed, has the request delivered.
	db, err := store.Open(data)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	hs, err := handoff.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	reqs, err := hs.Search("O'Brien")
	if err != nil || len(reqs) != 1 {
		t.Fatalf("requests: %v %v", reqs, err)
	}
	r := reqs[0]
	if r.Status != handoff.StatusDelivered || len(r.Discs) != 1 || !r.Discs[0].Verified || r.Discs[0].Method != "pickup" {
		t.Errorf("request after the run: %+v", r)
	}
	if _, err := hs.Verify(); err != nil {
		t.Errorf("handoff log verify: %v", err)
	}
}
