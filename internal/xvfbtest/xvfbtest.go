package xvfbtest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// DefaultScreen is the screen geometry and depth Start gives: wide enough
// for the desk's and the disc viewer's windows.
const DefaultScreen = "1280x800x24"

// Start starts Xvfb with DefaultScreen on a display the server picks itself
// and returns the DISPLAY value (":N"). The server is stopped when the test
// ends. Without Xvfb the test fails (packaging/install-deps.sh installs it).
func Start(t testing.TB) string {
	t.Helper()
	return StartScreen(t, DefaultScreen)
}

// StartScreen is Start with another screen geometry, "WxHxDEPTH".
func StartScreen(t testing.TB, screen string) string {
	t.Helper()
	bin, err := exec.LookPath("Xvfb")
	if err != nil {
		// Never a skip: a missing tool must not pass as a passing test.
		t.Fatalf("Xvfb is needed (apt install xvfb; packaging/install-deps.sh installs it): %v", err)
	}
	display, stop, err := start(bin, screen, 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	return display
}

// start runs bin -displayfd 3 and waits for the display number the server
// writes on fd 3 once it accepts connections. stop kills the server and
// waits for it.
func start(bin, screen string, wait time.Duration) (display string, stop func(), err error) {
	r, w, err := os.Pipe()
	if err != nil {
		return "", nil, err
	}
	// fd 3 in the child is the first of ExtraFiles.
	x := exec.Command(bin, "-displayfd", "3", "-screen", "0", screen, "-nolisten", "tcp")
	x.ExtraFiles = []*os.File{w}
	stderr := &lockedBuffer{}
	x.Stderr = stderr
	if err := x.Start(); err != nil {
		w.Close()
		r.Close()
		return "", nil, fmt.Errorf("start Xvfb: %w", err)
	}
	w.Close()
	exited := make(chan struct{})
	go func() { x.Wait(); close(exited) }()
	stop = func() {
		x.Process.Kill()
		<-exited
	}
	line := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(r).ReadString('\n')
		r.Close()
		line <- strings.TrimSpace(s)
	}()
	select {
	case n := <-line:
		if n == "" || strings.Trim(n, "0123456789") != "" {
			stop()
			return "", nil, fmt.Errorf("the X server gave no display number (%q):\n%s", n, stderr.String())
		}
		return ":" + n, stop, nil
	case <-exited:
		return "", nil, fmt.Errorf("the X server exited before it reported a display:\n%s", stderr.String())
	case <-time.After(wait):
		stop()
		return "", nil, errors.New("Xvfb did not report a display within " + wait.String() + ":\n" + stderr.String())
	}
}

// lockedBuffer is a bytes.Buffer the exec copier writes while a failure
// message may read it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
