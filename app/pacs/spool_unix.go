//go:build unix

package pacs

import (
	"errors"
	"syscall"
)

// processAlive reports whether a process with this ID runs (signal 0).
func processAlive(pid int) (alive, known bool) {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM), true
}
