// Package pacstest starts real DICOM peers for tests: dcmtk's dcmqrscp as a
// query/retrieve SCP on a free loopback port, with its configuration file
// generated in the test's temporary folder. It is imported only by tests.
package pacstest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Peer is a started DICOM peer: its AE title, host and port.
type Peer struct {
	AETitle string
	Host    string
	Port    int
}

// Tool runs a program with a timeout and returns its combined output.
func Tool(t testing.TB, timeout time.Duration, name string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

// LastLines returns the last n lines of s.
func LastLines(s string, n int) string {
	l := strings.Split(strings.TrimSpace(s), "\n")
	if len(l) > n {
		l = l[len(l)-n:]
	}
	return strings.Join(l, "\n")
}

// Dcmqrscp runs dcmqrscp (AE title aet) serving files indexed with dcmqridx;
// dests are the move destinations it may connect to. It waits until the
// port accepts connections and stops the process when the test ends.
func Dcmqrscp(t testing.TB, aet string, files []string, dests []Peer) Peer {
	t.Helper()
	dir := t.TempDir()
	db := filepath.Join(dir, "db")
	if err := os.MkdirAll(db, 0o700); err != nil {
		t.Fatal(err)
	}
	if out, err := Tool(t, 30*time.Second, "dcmqridx", append([]string{db}, files...)...); err != nil {
		t.Fatalf("dcmqridx: %v\n%s", err, out)
	}
	ports := startPeer(t, "dcmqrscp", 1, func(ports []int) *exec.Cmd {
		cfg := fmt.Sprintf("NetworkTCPPort = %d\nMaxPDUSize = 65536\nMaxAssociations = 8\n\nHostTable BEGIN\n", ports[0])
		for i, d := range dests {
			cfg += fmt.Sprintf("dest%d = (%s, %s, %d)\n", i, d.AETitle, d.Host, d.Port)
		}
		cfg += "HostTable END\n\nVendorTable BEGIN\nVendorTable END\n\nAETable BEGIN\n"
		cfg += fmt.Sprintf("%s %s RW (100, 1024mb) ANY\nAETable END\n", aet, db)
		cfgPath := filepath.Join(dir, "dcmqrscp.cfg")
		if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
			t.Fatal(err)
		}
		// Not -s: single-process mode crashes after one association in 3.6.7.
		cmd := exec.Command("dcmqrscp", "-dhl", "-c", cfgPath)
		cmd.Dir = dir
		return cmd
	})
	port := ports[0]
	return Peer{AETitle: aet, Host: "127.0.0.1", Port: port}
}

// errExited means a peer's program ended before it listened.
var errExited = errors.New("exited before listening")

// startPeer starts the program command makes for nports fresh ports from
// FreePort and waits until it listens on all of them. A program that exits
// first (a port taken meanwhile by a program outside the tests) is started
// again on other ports, three times at most. The program is stopped when
// the test ends; its output is logged if the test failed.
func startPeer(t testing.TB, name string, nports int, command func(ports []int) *exec.Cmd) []int {
	t.Helper()
	dir := t.TempDir()
	var last string
	for attempt := 1; attempt <= 3; attempt++ {
		ports := make([]int, nports)
		for i := range ports {
			ports[i] = FreePort(t)
		}
		cmd := command(ports)
		logPath := filepath.Join(dir, fmt.Sprintf("%s-%d.log", name, attempt))
		log, err := os.OpenFile(logPath, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o600)
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stdout, cmd.Stderr = log, log
		if err := cmd.Start(); err != nil {
			log.Close()
			t.Fatalf("start %s: %v", name, err)
		}
		exited := make(chan struct{})
		go func() { cmd.Wait(); close(exited) }()
		stop := func() {
			cmd.Process.Kill()
			<-exited
			log.Close()
		}
		err = waitListening(ports, exited, 20*time.Second)
		if err == nil {
			t.Cleanup(func() {
				stop()
				if t.Failed() {
					b, _ := os.ReadFile(logPath)
					t.Logf("%s log:\n%s", name, LastLines(string(b), 40))
				}
			})
			return ports
		}
		stop()
		b, _ := os.ReadFile(logPath)
		last = fmt.Sprintf("ports %v: %v\n%s", ports, err, LastLines(string(b), 20))
		if !errors.Is(err, errExited) {
			break // slow or stuck, not a port taken: a retry would not help
		}
	}
	t.Fatalf("%s did not start: %s", name, last)
	return nil
}

// waitListening waits until every port on 127.0.0.1 accepts connections,
// failing with errExited as soon as exited is closed.
func waitListening(ports []int, exited <-chan struct{}, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for _, p := range ports {
		addr := fmt.Sprintf("127.0.0.1:%d", p)
		for {
			select {
			case <-exited:
				return errExited
			default:
			}
			c, err := net.DialTimeout("tcp", addr, time.Second)
			if err == nil {
				c.Close()
				break
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("nothing listens on %s after %v: %w", addr, timeout, err)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	select {
	case <-exited:
		return errExited
	default:
		return nil
	}
}

// WaitPort waits up to 10 s until 127.0.0.1:port accepts connections.
func WaitPort(t testing.TB, port int) {
	t.Helper()
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("nothing listens on %s: %v", addr, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
