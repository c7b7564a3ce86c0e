package pacs

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
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

// spoolAhead creates spool files ahead of need on its own goroutine, so an
// association does not wait for the file system to allocate an inode
// (costly on a busy folder) between a data set's command and its data.
// A file made ahead has no name (O_TMPFILE where the system has it) until
// it is taken, so the spool folder shows nothing but files being received,
// and one that is never taken vanishes with the process. It starts at the
// first take; once ctx ends it drops the files nobody took.
type spoolAhead struct {
	dir     string
	ctx     context.Context
	once    sync.Once
	started atomic.Bool
	files   chan *aheadFile
	done    chan struct{}
}

func newSpoolAhead(ctx context.Context, dir string) *spoolAhead {
	return &spoolAhead{dir: dir, ctx: ctx, files: make(chan *aheadFile, 4), done: make(chan struct{})}
}

// take returns an empty spool file, made ahead when one is ready.
func (p *spoolAhead) take() (*os.File, error) {
	p.once.Do(func() {
		p.started.Store(true)
		go p.fill()
	})
	select {
	case a := <-p.files:
		if f, err := a.link(p.dir); err == nil {
			return f, nil
		}
		a.drop()
	default:
	}
	return os.CreateTemp(p.dir, spoolPattern())
}

func (p *spoolAhead) fill() {
	defer close(p.done)
	defer func() {
		for {
			select {
			case a := <-p.files:
				a.drop()
			default:
				return
			}
		}
	}()
	for {
		a, err := newAheadFile(p.dir)
		if err != nil {
			return // not supported here, or the folder fails: take makes files itself
		}
		select {
		case p.files <- a:
		case <-p.ctx.Done():
			a.drop()
			return
		}
	}
}

// wait returns once the filler has stopped and dropped its files (ctx
// ended).
func (p *spoolAhead) wait() {
	if p.started.Load() {
		<-p.done
	}
}

// spoolName is a new spool file name in dir (as spoolPattern makes).
func spoolName(dir string) string {
	return filepath.Join(dir, ".rx-"+strconv.Itoa(os.Getpid())+"-"+strconv.FormatUint(uint64(rand.Uint32()), 10)+".part")
}
