package pacstest

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// Ports for peers are reserved, not just found free: a port found by
// binding to port 0 and closing is handed to a program that binds it a
// moment later, and meanwhile another test binary (go test runs packages
// in parallel) may take it. So FreePort picks ports outside the kernel's
// ephemeral range, which port-0 listeners and outgoing connections draw
// from, and reserves each with a lock file shared by every test process
// of this user (portLock), held until the process ends. Within a process a
// port is handed out once.

// portSpan is how many ports below the ephemeral range FreePort uses.
const portSpan = 12000

var (
	portsMu sync.Mutex
	// portsUsed are the ports this process handed out or found taken.
	portsUsed = map[int]bool{}
	// portsNext is where the next search starts, spread by process ID so
	// parallel test binaries rarely contend for one lock.
	portsNext = -1
)

// FreePort returns a loopback TCP port reserved for this test process: no
// other caller of FreePort, in this process or another, gets it, the
// kernel does not hand it out for port 0 or an outgoing connection, and
// nothing listened on it when it was reserved.
func FreePort(t testing.TB) int {
	t.Helper()
	p, err := reservePort()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func reservePort() (int, error) {
	lo, hi := portRange()
	n := hi - lo
	portsMu.Lock()
	defer portsMu.Unlock()
	if portsNext < 0 {
		portsNext = (os.Getpid() * 7919) % n
	}
	for range n {
		p := lo + portsNext
		portsNext = (portsNext + 1) % n
		if portsUsed[p] {
			continue
		}
		portsUsed[p] = true // taken or ours: not tried again
		if !portLock(p) {
			continue // another test process holds it
		}
		ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
		if err != nil {
			continue // something outside the tests listens there
		}
		ln.Close()
		return p, nil
	}
	return 0, fmt.Errorf("pacstest: no free port left in %d-%d", lo, hi-1)
}

// portRange is [lo, hi): the portSpan ports below the ephemeral range
// (Linux: /proc/sys/net/ipv4/ip_local_port_range, else 32768, below the
// 49152 of other systems), or above it when it starts too low for that.
func portRange() (lo, hi int) {
	elo, ehi := 32768, 60999
	if b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range"); err == nil {
		if f := strings.Fields(string(b)); len(f) == 2 {
			a, errA := strconv.Atoi(f[0])
			z, errZ := strconv.Atoi(f[1])
			if errA == nil && errZ == nil && a <= z {
				elo, ehi = a, z
			}
		}
	}
	switch {
	case elo-portSpan >= 1024:
		return elo - portSpan, elo
	case 65535-ehi >= 1000:
		return ehi + 1, 65536
	}
	return 1024, 65536 // no room outside: the locks still keep test processes apart
}
