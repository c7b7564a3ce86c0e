// Package pacstest starts real DICOM peers for tests: dcmtk's dcmqrscp as a
// query/retrieve SCP on a free loopback port, with its configuration file
// generated in the test's temporary folder. It is imported only by tests.
package pacstest

import (
	"bytes"
	"context"
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

// FreePort returns a loopback TCP port that was free a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
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
	port := FreePort(t)
	cfg := fmt.Sprintf("NetworkTCPPort = %d\nMaxPDUSize = 65536\nMaxAssociations = 8\n\nHostTable BEGIN\n", port)
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
	log, err := os.Create(filepath.Join(dir, "dcmqrscp.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatalf("start dcmqrscp: %v", err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		log.Close()
		if t.Failed() {
			b, _ := os.ReadFile(log.Name())
			t.Logf("dcmqrscp log:\n%s", LastLines(string(b), 30))
		}
	})
	WaitPort(t, port)
	return Peer{AETitle: aet, Host: "127.0.0.1", Port: port}
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
