//go:build unix

package facility_test

import (
	"syscall"
	"time"
)

// cpuTime is this process's user+system CPU time so far: with the machine
// shared, CPU per operation is steadier than wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
