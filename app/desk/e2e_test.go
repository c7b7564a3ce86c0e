package desk

import (
	"bufio"
	"bytes"
	"fmt"
	"image"
	"image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kbinani/screenshot"

	"discdesk/app/handoff"
	"discdesk/app/printing/cupstest"
	"discdesk/app/store"
	"discdesk/app/support"
	"discdesk/internal/corpus"
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

// e2eRun is one desk process under its own Xvfb, driven through the
// automation hook, with its screenshots going to out.
type e2eRun struct {
	t       *testing.T
	bin     string
	data    string
	out     string
	screen  image.Rectangle
	display string
	stdin   io.WriteCloser
	replies chan string
	stderr  *strings.Builder
	exited  chan struct{}
	shots   []string
}

// e2eBinary builds the desk with the automation hook (only the end-to-end
// test's build carries it: e2e.go).
func e2eBinary(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "discdesk")
	build := exec.Command("go", "build", "-tags", "e2e", "-o", bin, ".")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// e2eOut is the folder the screenshots go to: $DISCDESK_E2E_OUT/<run>, or
// the test's temp folder (never the repository).
func e2eOut(t *testing.T, run string) string {
	t.Helper()
	dir := t.TempDir()
	if base := os.Getenv("DISCDESK_E2E_OUT"); base != "" {
		dir = filepath.Join(base, run)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots of %s: %s", run, dir)
	t.Cleanup(func() {
		if t.Failed() { // keep the screens of a failed run where the developer looks (ignored by git)
			dst := filepath.Join("testdata", "failed", "e2e", run)
			os.MkdirAll(dst, 0o700)
			m, _ := filepath.Glob(filepath.Join(dir, "*.png"))
			for _, p := range m {
				if b, err := os.ReadFile(p); err == nil {
					os.WriteFile(filepath.Join(dst, filepath.Base(p)), b, 0o600)
				}
			}
			t.Logf("screens of the failed run: %s", dst)
		}
	})
	return dir
}

// cli runs the desk binary's command line on the run's data folder.
func (r *e2eRun) cli(args ...string) string {
	r.t.Helper()
	cmd := exec.Command(r.bin, append([]string{"--data", r.data}, args...)...)
	cmd.Env = append(os.Environ(), "LANG=en_US.UTF-8")
	out, err := cmd.CombinedOutput()
	if err != nil {
		r.t.Fatalf("discdesk %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// start opens the desk window on the run's display.
func (r *e2eRun) start(extra ...string) {
	t := r.t
	cmd := exec.Command(r.bin, append([]string{"--data", r.data, "--demo"}, extra...)...)
	cmd.Env = append(os.Environ(), "DISPLAY="+r.display, "LANG=en_US.UTF-8", e2eScriptEnv+"=stdin")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	r.stderr = &strings.Builder{}
	cmd.Stderr = r.stderr
	cmd.WaitDelay = 5 * time.Second // a lingering grandchild must not hold the pipes open
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	r.stdin = stdin
	r.exited = make(chan struct{})
	go func() { cmd.Wait(); close(r.exited) }()
	t.Cleanup(func() {
		select {
		case <-r.exited:
		default:
			cmd.Process.Kill()
			<-r.exited
		}
	})
	r.replies = make(chan string, 16)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if l := sc.Text(); strings.HasPrefix(l, "e2e ") {
				r.replies <- l
			}
		}
		close(r.replies)
	}()
}

// step sends one hook command and returns its value; an error reply fails.
func (r *e2eRun) step(command string) string {
	t := r.t
	t.Helper()
	t.Logf("step: %s", command)
	if _, err := io.WriteString(r.stdin, command+"\n"); err != nil {
		t.Fatalf("%s: %v (stderr: %s)", command, err, r.stderr.String())
	}
	select {
	case rep, ok := <-r.replies:
		if !ok {
			t.Fatalf("%s: the desk exited (stderr: %s)", command, r.stderr.String())
		}
		if strings.HasPrefix(rep, "e2e error") {
			t.Fatalf("%s: %s", command, rep)
		}
		_, val, _ := strings.Cut(strings.TrimPrefix(rep, "e2e ok "), " ")
		return val
	case <-time.After(240 * time.Second):
		t.Fatalf("%s: no answer (stderr: %s)", command, r.stderr.String())
	}
	return ""
}

// shot captures the whole screen into out/NAME.png and checks it: the
// screen's size, not blank, and the window inside the screen with its
// content shown whole (the content's minimum fits the window, so nothing is
// cut off at the bottom).
func (r *e2eRun) shot(name string) {
	t := r.t
	t.Helper()
	r.step("sleep 700") // let the window paint the step's result
	img, err := screenshot.CaptureRect(r.screen)
	if err != nil {
		t.Fatalf("capture %s: %v", name, err)
	}
	p := filepath.Join(r.out, name+".png")
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	r.shots = append(r.shots, name)
	if img.Bounds().Dx() != r.screen.Dx() || img.Bounds().Dy() != r.screen.Dy() {
		t.Errorf("screen %s is %v, want %v", name, img.Bounds(), r.screen)
	}
	if support.Blank(img) || colours(img, 20) < 20 {
		t.Fatalf("screen %s is blank (%d colours): %s", name, colours(img, 20), p)
	}
	var w, h, mw, mh int
	if _, err := fmt.Sscanf(r.step("size"), "%dx%d %dx%d", &w, &h, &mw, &mh); err != nil {
		t.Fatalf("size at %s: %v", name, err)
	}
	if w > r.screen.Dx() || h > r.screen.Dy() || mw > w || mh > h {
		t.Errorf("%s: window %dx%d on a %dx%d screen, its content needs %dx%d: cut off", name, w, h, r.screen.Dx(), r.screen.Dy(), mw, mh)
	}
}

// pressKeys types text on the kiosk's on-screen keyboard.
func (r *e2eRun) pressKeys(text string) {
	r.t.Helper()
	for _, c := range text {
		if c == '-' {
			continue // the keyboard types the code's dash itself
		}
		r.step("tap kiosk.key." + string(c))
	}
}

// newE2ERun starts Xvfb at screen ("1366x768") and prepares a data folder:
// the demo library plus a CT whose images disagree on the Study Time (a
// copy of the corpus series, changed with dcmodify in a temp folder).
func newE2ERun(t *testing.T, bin, screen string) *e2eRun {
	t.Helper()
	var sw, sh int
	fmt.Sscanf(screen, "%dx%d", &sw, &sh)
	r := &e2eRun{t: t, bin: bin, data: t.TempDir(), out: e2eOut(t, screen), screen: image.Rect(0, 0, sw, sh)}
	r.display = xvfbtest.StartScreen(t, screen+"x24")
	t.Setenv("DISPLAY", r.display) // kbinani/screenshot reads it
	src, _ := filepath.Glob(corpus.Path(t, "ct_series", "tcia_kits", "*.dcm"))
	if len(src) < 3 {
		t.Fatalf("the corpus CT series (ct_series/tcia_kits) has %d files", len(src))
	}
	ct := t.TempDir()
	var files []string
	for i, p := range src[:3] {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join(ct, fmt.Sprintf("IM%d.dcm", i+1))
		if err := os.WriteFile(dst, b, 0o600); err != nil {
			t.Fatal(err)
		}
		files = append(files, dst)
	}
	dcmodify := func(args ...string) {
		if out, err := exec.Command("dcmodify", append([]string{"-nb"}, args...)...).CombinedOutput(); err != nil {
			t.Fatalf("dcmodify %v: %v\n%s", args, err, out)
		}
	}
	dcmodify(append([]string{"-i", "(0008,0030)=093400", "-i", "(0008,0020)=20261102", "-i", "(0020,0010)=1"}, files...)...)
	dcmodify("-m", "(0008,0030)=101500", files[2])
	r.cli("import", ct)
	return r
}

// TestEndToEndUnderXvfb builds the real binary and walks issue 17 in its
// window on a 1366x768 screen (and the main screens at 1280x720): sign in,
// settings (a CUPS printer, the kiosk's idle time), a phone request
// recorded and burned later to an ISO file, a plan with a study-time
// disagreement, the receipt printed on cups-pdf, the handover, and the
// kiosk: sign-in on its on-screen keyboard, the study, its report, the
// idle reset. Each step's screen is captured into the test's output
// folder ($DISCDESK_E2E_OUT, else a temp folder) and checked.
func TestEndToEndUnderXvfb(t *testing.T) {
	if testing.Short() && os.Getenv("CI") != "true" {
		t.Skip("end-to-end test skipped in -short mode (never under CI=true)")
	}
	bin := e2eBinary(t)
	t.Run("1366x768", func(t *testing.T) { e2eFullWalk(t, bin) })
	t.Run("1280x720", func(t *testing.T) { e2eSmallScreen(t, bin) })
}

var requestCodeRE = regexp.MustCompile(`\b[0-9A-F]{4}-[0-9A-F]{4}\b`)

func e2eFullWalk(t *testing.T, bin string) {
	r := newE2ERun(t, bin, "1366x768")
	c := cupstest.Start(t)
	c.AddPDFQueue(t, "FrontDesk")
	r.start()
	step, shot := r.step, r.shot

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

	// Settings: the test's CUPS server and its cups-pdf queue; the kiosk's
	// shortest idle time, so the walk sees the idle reset.
	step("tab Settings")
	step("type settings.printing.server " + c.Socket)
	step("tap settings.printing.find")
	step("wait settings.printing.status 1 printers found")
	step("select settings.printing.printer FrontDesk")
	step("type settings.kiosk.idle 15")
	shot("03-settings-printer")
	step("tap settings.save")
	step("wait settings.msg Saved")

	// A phone request, recorded now.
	step("tab Studies")
	step("type studies.search DEMO0001")
	step("tap " + step("first study.select."))
	step("tap studies.request")
	step("type request.identity phone call-back to the home number")
	step("wait request.fee Total")
	shot("04-request-form-fee-and-due")
	step("tap request.record")
	notice := step("wait main.notice")
	code := requestCodeRE.FindString(notice)
	if code == "" {
		t.Fatalf("the notice after recording names no request code: %q", notice)
	}
	shot("05-phone-request-recorded")

	// Burned later, from Requests.
	step("tab Requests")
	step("type requests.search " + code)
	step("tap " + step("first requests.row."))
	if step("has burn.ack.no-report") == "yes" {
		step("tap burn.ack.no-report")
	}
	step("tap handoff.burn")
	step("wait handoff.msg burn queue")
	step("tab Burn queue")
	job := step("first queue.job.")
	step("wait " + job + ".state Done")
	shot("06-burned-later")
	if isos, _ := filepath.Glob(filepath.Join(r.data, "iso", "*.iso")); len(isos) != 1 {
		t.Fatalf("ISO files: %v", isos)
	} else if st, err := os.Stat(isos[0]); err != nil || st.Size() < 100_000 {
		t.Fatalf("ISO %s: %v", isos[0], err)
	}

	// A plan whose CT disagrees on the study time: one plain line.
	step("tab Studies")
	step("type studies.search Lymphoma")
	step("tap " + step("first study.select."))
	step("tap studies.request")
	step("type request.identity driver licence")
	step("tap request.plan")
	if got := step("wait plan.warning.inconsistent different study time"); strings.Contains(got, "/") {
		t.Errorf("the study-time warning names paths: %q", got)
	}
	shot("07-plan-study-time-disagreement")
	step("tap plan.back")

	// The receipt (with the request code) and the disc label, printed.
	step("tab Requests")
	step("type requests.search " + code)
	step("tap " + step("first requests.row."))
	step("tap handoff.doc.receipt")
	step("wait handoff.msg Printed: sent to FrontDesk")
	step("reveal handoff.msg")
	shot("08-receipt-printed")
	out, err := exec.Command("pdftotext", c.Printed(t, 1), "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v\n%s", err, out)
	}
	if text := strings.Join(strings.Fields(string(out)), " "); !strings.Contains(text, code) {
		t.Errorf("the receipt printed on cups-pdf lacks the request code %s:\n%s", code, text)
	}

	// The fee, paid in cash at the counter (issue 17 item 10).
	step("select handoff.pay.method cash")
	step("tap handoff.pay.record")
	step("wait handoff.info cash on") // "Paid $6.50 cash on 2 Dec 2026"
	step("reveal handoff.info")
	shot("08b-fee-paid")

	// Handed over at the desk.
	step("type handoff.identity driver licence")
	step("tap handoff.pickup")
	step("wait handoff.msg Handoff recorded")
	step("reveal handoff.msg")
	shot("09-handed-over")

	// An outside disc (a corpus MR from another hospital): the result says
	// what was taken, with the local patient ID staff gave (issue 17 item 5).
	step("tab Outside disc")
	step("type reconcile.folder " + corpus.Path(t, "mr_series", "dcm4che_mr16"))
	step("tap reconcile.scan")
	step("wait reconcile.p.0.info 16 object")
	step("type reconcile.p.0.localid MRN0042")
	step("type reconcile.p.0.sender Riverside Hospital")
	step("tap reconcile.p.0.run")
	step("wait reconcile.p.0.result Took 16 of the 16 objects")
	shot("09b-outside-disc-imported")

	// The kiosk: Spanish for this patient, the code and birth date on the
	// on-screen keyboard, the study, its report, then the idle reset.
	step("tap main.kiosk")
	step("wait kiosk.code")
	step("tap kiosk.lang")
	step("wait kiosk.open Ver mis imágenes")
	r.pressKeys(code)
	r.pressKeys("19580412")
	if got := step("text kiosk.code"); got != code {
		t.Errorf("code typed on the on-screen keyboard: %q, want %q", got, code)
	}
	shot("10-kiosk-keyboard-es")
	step("tap kiosk.open")
	st := step("first kiosk.study.")
	shot("11-kiosk-studies")
	step("tap " + st)
	if got := step("wait viewer.position imagen 21 de 40"); !strings.HasPrefix(got, "Serie 1") {
		t.Errorf("kiosk counter %q", got)
	}
	shot("12-kiosk-study")
	step("tap kiosk.report")
	step("wait kiosk.report.text.1 No evidence of metastatic disease")
	shot("13-kiosk-report")
	// 15 s untouched: the welcome again, in the facility's language.
	step("wait kiosk.open Show my images")
	if got := step("text kiosk.code"); got != "" {
		t.Errorf("after the idle reset the code is still typed: %q", got)
	}
	shot("14-kiosk-idle-reset")

	// Staff leave the kiosk with their name and PIN.
	step("tap kiosk.staff")
	step("type kiosk.exit.staff Demo Staff")
	step("type kiosk.exit.pin 1234")
	step("tap kiosk.exit.leave")
	step("wait main.user Demo Staff")
	step("quit")
	select {
	case <-r.exited:
	case <-time.After(20 * time.Second):
		t.Fatal("the desk did not quit")
	}
	t.Logf("screenshots: %v", r.shots)

	// The handoff log, read after the desk closed, has the request delivered.
	db, err := store.Open(r.data)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	hs, err := handoff.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	reqs, err := hs.Search("DEMO0001")
	if err != nil || len(reqs) != 1 {
		t.Fatalf("requests: %v %v", reqs, err)
	}
	if q := reqs[0]; q.Status != handoff.StatusDelivered || len(q.Discs) != 1 || !q.Discs[0].Verified || q.Discs[0].Method != "pickup" {
		t.Errorf("request after the run: %+v", q)
	}
	if _, err := hs.Verify(); err != nil {
		t.Errorf("handoff log verify: %v", err)
	}
}

// e2eSmallScreen opens the main screens on a 1280x720 screen: each must fit
// whole (shot checks the window and its content against the screen).
func e2eSmallScreen(t *testing.T, bin string) {
	r := newE2ERun(t, bin, "1280x720")
	r.start()
	step, shot := r.step, r.shot
	step("wait signin.staff")
	shot("01-signin")
	step("select signin.staff Demo Staff")
	step("type signin.pin 1234")
	step("tap signin.submit")
	step("wait main.user Demo Staff")
	shot("02-studies")
	step("type studies.search Lymphoma")
	step("tap " + step("first study.select."))
	step("tap studies.request")
	step("type request.identity driver licence")
	shot("03-request-form")
	step("tap request.plan")
	step("wait plan.warning.inconsistent different study time")
	shot("04-plan")
	step("tap plan.back")
	step("tab Settings")
	shot("05-settings")
	step("tap main.kiosk")
	step("wait kiosk.key.next")
	shot("06-kiosk-welcome")
	step("tap kiosk.staff")
	step("type kiosk.exit.staff Demo Staff")
	step("type kiosk.exit.pin 1234")
	step("tap kiosk.exit.leave")
	step("wait main.user Demo Staff")
	step("quit")
	select {
	case <-r.exited:
	case <-time.After(20 * time.Second):
		t.Fatal("the desk did not quit")
	}
}
