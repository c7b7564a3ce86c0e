package library

import (
	"os"
	"syscall"
)

// peakRSS is a finished child's peak resident size in bytes.
func peakRSS(ps *os.ProcessState) int64 {
	return ps.SysUsage().(*syscall.Rusage).Maxrss * 1024
}
