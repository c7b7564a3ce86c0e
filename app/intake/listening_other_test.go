//go:build !linux

package intake_test

import (
	"fmt"
	"net"
	"testing"
)

// processListensOn reports whether the port cannot be bound, the nearest
// check without Linux's /proc (another process taking the port meanwhile
// makes it true too).
func processListensOn(t *testing.T, port int) bool {
	t.Helper()
	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		return true
	}
	ln.Close()
	return false
}
