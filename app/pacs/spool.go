package pacs

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Spool files are named .rx-<pid>-<random>.part, so that a start-up can
// tell the leftovers of a process that died mid-receive (issue 15.13) from
// the files of another process receiving into the same folder right now.
func spoolPattern() string { return ".rx-" + strconv.Itoa(os.Getpid()) + "-*.part" }

// staleSpoolAge is how old a spool file must be before it is removed when
// its writer cannot be told to be gone (an old name without a process ID,
// or a platform without a liveness check).
const staleSpoolAge = time.Hour

// cleanSpool removes partly received objects left in dir by processes that
// no longer run, and returns how many it removed.
func cleanSpool(dir string) (int, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0, fmt.Errorf("clean spool: %w", err)
	}
	n := 0
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasPrefix(name, ".rx-") || !strings.HasSuffix(name, ".part") {
			continue
		}
		if !spoolLeftover(name, e) {
			continue
		}
		if err := os.Remove(filepath.Join(dir, name)); err == nil {
			n++
		}
	}
	return n, nil
}

func spoolLeftover(name string, e os.DirEntry) bool {
	pidPart, _, ok := strings.Cut(strings.TrimPrefix(name, ".rx-"), "-")
	pid, err := strconv.Atoi(pidPart)
	if ok && err == nil && pid > 0 {
		if pid == os.Getpid() {
			return false
		}
		if alive, known := processAlive(pid); known {
			return !alive
		}
	}
	info, err := e.Info()
	return err == nil && time.Since(info.ModTime()) > staleSpoolAge
}
