package pacstest

import (
	"fmt"
	"net"
	"os/exec"
	"testing"
)

// TestFreePortReserved: ports are distinct, outside the kernel's ephemeral
// range, free, and locked against other test processes.
func TestFreePortReserved(t *testing.T) {
	lo, hi := portRange()
	seen := map[int]bool{}
	for range 20 {
		p := FreePort(t)
		if seen[p] {
			t.Fatalf("port %d handed out twice", p)
		}
		seen[p] = true
		if p < lo || p >= hi {
			t.Errorf("port %d outside %d-%d", p, lo, hi-1)
		}
		if portLock(p) {
			t.Errorf("port %d: a second lock (another process's view) succeeded", p)
		}
		ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p))
		if err != nil {
			t.Fatalf("port %d not free: %v", p, err)
		}
		ln.Close()
	}
	// A port 0 listener, drawn from the ephemeral range, never lands in it.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	if p := ln.Addr().(*net.TCPAddr).Port; p >= lo && p < hi {
		t.Errorf("the kernel gave port %d from FreePort's range %d-%d", p, lo, hi-1)
	}
}

// TestStartPeerRetries: a peer that exits before listening (as one that
// lost its port would) is started again on new ports; the one that
// listens is returned.
func TestStartPeerRetries(t *testing.T) {
	var tried [][]int
	ports := startPeer(t, "storescp", 1, func(ports []int) *exec.Cmd {
		tried = append(tried, ports)
		if len(tried) == 1 {
			return exec.Command("sh", "-c", "echo cannot bind; exit 1")
		}
		return exec.Command("storescp", "-aet", "RETRY", fmt.Sprint(ports[0]))
	})
	if len(tried) != 2 || ports[0] != tried[1][0] || tried[0][0] == tried[1][0] {
		t.Fatalf("tried %v, got %v", tried, ports)
	}
	c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", ports[0]))
	if err != nil {
		t.Fatalf("the started peer does not listen: %v", err)
	}
	c.Close()
}
