package pacs

import (
	"context"
	"fmt"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"discdesk/app/pacs/dimse"
)

// holdIdle keeps count idle TCP connections to n open from localIP, each
// renewed every renew (or at once, when renew is 0, as soon as the server
// closes it), until the test ends. It returns when all have connected once.
func holdIdle(t *testing.T, n Node, localIP string, count int, renew time.Duration) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	t.Cleanup(func() { cancel(); wg.Wait() })
	var up sync.WaitGroup
	up.Add(count)
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(localIP)}, Timeout: 2 * time.Second}
	for i := range count {
		wg.Add(1)
		go func() {
			defer wg.Done()
			first := true
			for ctx.Err() == nil {
				c, err := d.DialContext(ctx, "tcp", n.Addr())
				if first {
					up.Done()
					first = false
				}
				if err != nil {
					select {
					case <-ctx.Done():
					case <-time.After(50 * time.Millisecond):
					}
					continue
				}
				closed := make(chan struct{})
				go func() { io.Copy(io.Discard, c); close(closed) }()
				var tick <-chan time.Time
				if renew > 0 {
					tick = time.After(renew)
				}
				select {
				case <-ctx.Done():
				case <-tick:
				case <-closed:
					if renew > 0 {
						select { // wait for the next renewal, as the attacker did
						case <-ctx.Done():
						case <-time.After(renew):
						}
					}
				}
				c.Close()
				<-closed
				_ = i
			}
		}()
	}
	up.Wait()
}

// echoscuTimes runs count echoscu processes at once from callerAE and
// reports every failure.
func echoscuTimes(t *testing.T, n Node, count int) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan string, count)
	for range count {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, err := tool(t, 20*time.Second, "echoscu", "-aet", callerAE, "-aec", ourAE, n.Host, portArg(n))
			if err != nil {
				errs <- fmt.Sprintf("%v\n%s", err, lastLines(out, 5))
			}
		}()
	}
	wg.Wait()
	close(errs)
	failed := 0
	for e := range errs {
		failed++
		if failed <= 3 {
			t.Errorf("echoscu: %s", e)
		}
	}
	if failed > 0 {
		t.Errorf("%d of %d echoscu failed", failed, count)
	}
}

// TestIdleConnectionsDoNotLockPeersOut is issue 15.2's measurement: 70
// idle connections renewed every 10 s, then 20 echoscu from an allowed AE
// title; every one must succeed. All share 127.0.0.1, so it is eviction of
// the oldest idle connection, not a per-host split, that lets them in.
func TestIdleConnectionsDoNotLockPeersOut(t *testing.T) {
	srv, n, _ := startServer(t, Config{Limits: dimse.Limits{Request: 30 * time.Second, ARTIM: 30 * time.Second}})
	holdIdle(t, n, "127.0.0.1", 70, 10*time.Second)
	time.Sleep(200 * time.Millisecond)
	echoscuTimes(t, n, 20)
	srv.mu.Lock()
	pending, open := len(srv.pending), srv.open
	srv.mu.Unlock()
	if pending > srv.cfg.MaxPendingPerHost || open > srv.cfg.MaxPendingPerHost+srv.cfg.MaxAssociations {
		t.Errorf("%d pending and %d open connections, want at most %d pending", pending, open, srv.cfg.MaxPendingPerHost)
	}
}

// TestFloodFromOtherHostsLeavesRoomForAllowlisted: 200 connections from
// two other loopback addresses, each re-opened the moment the server
// closes it, while the allowlisted PACS host (127.0.0.1) runs 20 echoscu.
// The PACS host gets room for all 20 at once: on a loaded machine more
// than the default 16 can be connected before the server reads their
// requests, and the per-host limit (tested on its own) would close the
// oldest; the flood's hosts are held to the same 24 each.
func TestFloodFromOtherHostsLeavesRoomForAllowlisted(t *testing.T) {
	_, n, _ := startServer(t, Config{AnyCaller: false, Callers: []Caller{{AETitle: callerAE, Host: "127.0.0.1"}}, MaxPendingPerHost: 24})
	holdIdle(t, n, "127.0.0.2", 100, 0)
	holdIdle(t, n, "127.0.0.3", 100, 0)
	echoscuTimes(t, n, 20)
}

// TestPendingConnectionTimesOut: a connection that sends no A-ASSOCIATE-RQ
// is closed after the request timeout, well before ARTIM.
func TestPendingConnectionTimesOut(t *testing.T) {
	_, n, _ := startServer(t, Config{Limits: dimse.Limits{Request: 300 * time.Millisecond}})
	start := time.Now() // before the dial: the server's clock starts at its accept
	c, err := net.Dial("tcp", n.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	io.ReadAll(c)
	if d := time.Since(start); d < 250*time.Millisecond || d > 3*time.Second {
		t.Errorf("closed after %v, want about 300 ms", d)
	}
}
