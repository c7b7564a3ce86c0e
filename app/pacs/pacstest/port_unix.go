//go:build unix

package pacstest

import (
	"os"
	"path/filepath"
	"strconv"
	"syscall"
)

// portLocks keeps the reserved ports' lock files open: the kernel drops
// the locks when the process ends, however it ends.
var portLocks []*os.File

// portLock takes the lock of port p for the rest of the process, false
// when another process holds it.
func portLock(p int) bool {
	dir := portLockDir()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return false
	}
	f, err := os.OpenFile(filepath.Join(dir, strconv.Itoa(p)), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return false
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return false
	}
	portLocks = append(portLocks, f)
	return true
}

// portLockDir holds one lock file per reserved port. It is shared by test
// processes, so it lives in the system temporary folder, not a test's.
func portLockDir() string { return filepath.Join(os.TempDir(), "discdesk-pacstest-ports") }
