package drive

import (
	"context"
	"fmt"
	"strings"
	"time"

	"discdesk/burner"
)

// A Drive is one write target: an optical drive, an ISO file, a folder or a
// USB stick. Methods are safe to call from several goroutines; Burn, Verify
// and Eject hold the target's lock and fail with ErrBusy while another holds
// it.
type Drive interface {
	// Info describes the target and what it can write.
	Info() Info
	// Media reports what is in the drive now.
	Media(ctx context.Context) (Media, error)
	// Burn writes the tree as one closed session. It refuses media that is
	// not blank or too small before writing, reports progress to progress
	// (which may be nil) and stops when ctx is cancelled.
	Burn(ctx context.Context, tree *burner.Tree, progress ProgressFunc) error
	// Verify reads the written media back and checks it against tree's
	// paths, sizes and SHA-256 digests (Source and Data are not read). It
	// returns the report and, when the report is not OK, ErrVerifyMismatch.
	Verify(ctx context.Context, tree *burner.Tree, progress ProgressFunc) (*Report, error)
	// Eject opens the tray (no-op for files and folders).
	Eject(ctx context.Context) error
}

// Info describes a target.
type Info struct {
	Spec    string      // the --drive value that opens it
	Backend string      // "xorriso", "drutil", "imapi2", "iso", "dir", "usb", "fake"
	Vendor  string      // drive vendor, when known
	Product string      // drive model, when known
	Writes  []MediaKind // media kinds it can write
}

// Phase is the stage of a burn or a verification.
type Phase string

// Phases, in order.
const (
	PhasePreparing Phase = "preparing" // checking media, staging generated files
	PhaseWriting   Phase = "writing"
	PhaseClosing   Phase = "closing" // closing the session, syncing, renaming
	PhaseVerifying Phase = "verifying"
	PhaseDone      Phase = "done"
)

// Progress is one progress event.
type Progress struct {
	Phase       Phase
	Done, Total int64   // bytes
	BytesPerSec float64 // current speed, 0 when unknown
}

// ProgressFunc receives progress events, in order, from the goroutine doing
// the work. It must return quickly.
type ProgressFunc func(Progress)

func (f ProgressFunc) emit(p Progress) {
	if f != nil {
		f(p)
	}
}

// A speedometer turns byte counts into Progress events with a speed.
type speedometer struct {
	fn    ProgressFunc
	phase Phase
	total int64
	start time.Time
	lastT time.Time
	lastN int64
	speed float64
}

func newSpeedometer(fn ProgressFunc, phase Phase, total int64) *speedometer {
	now := time.Now()
	return &speedometer{fn: fn, phase: phase, total: total, start: now, lastT: now}
}

func (s *speedometer) update(done int64) {
	now := time.Now()
	if dt := now.Sub(s.lastT).Seconds(); dt >= 0.2 && done >= s.lastN {
		s.speed = float64(done-s.lastN) / dt
		s.lastT, s.lastN = now, done
	}
	if done > s.total {
		done = s.total
	}
	s.fn.emit(Progress{Phase: s.phase, Done: done, Total: s.total, BytesPerSec: s.speed})
}

// Options tune Open.
type Options struct {
	// Media limits file, folder and USB targets to a media size and names
	// the media to ask staff for ("cd", "dvd", "bd" or "" for none).
	Media MediaKind
	// Capacity, when positive, limits file, folder and USB targets to this
	// many bytes (it overrides Media's nominal size).
	Capacity int64
	// Xorriso is the xorriso program ("" = look up "xorriso" in PATH).
	Xorriso string
	// TempDir is where generated files are staged ("" = the data folder's
	// staging folder set by UseStagingIn, else os.TempDir()).
	TempDir string
}

func (o Options) capacity() int64 {
	if o.Capacity > 0 {
		return o.Capacity
	}
	return o.Media.Capacity()
}

// Open returns the target named by spec (see the package documentation).
func Open(spec string, opt Options) (Drive, error) {
	kind, rest, found := strings.Cut(spec, ":")
	if !found || len(kind) == 1 { // "/dev/sr0", "1", "D:" or "D:\": a device
		kind, rest = "", spec
	}
	switch kind {
	case "stdio", "iso", "dir", "usb", "zip":
		if strings.TrimSpace(rest) == "" {
			return nil, fmt.Errorf("drive: open %q: empty file or folder name: %w", spec, ErrNoDrive)
		}
	}
	switch kind {
	case "stdio":
		return newXorriso("stdio:"+rest, opt)
	case "iso":
		return newISOFile(rest, opt)
	case "dir":
		return newFolder(spec, rest, false, opt)
	case "usb":
		return newFolder(spec, rest, true, opt)
	case "zip":
		return OpenZIP(rest, opt)
	case "":
		if spec == "" {
			return nil, fmt.Errorf("drive: open: empty drive name: %w", ErrNoDrive)
		}
		return openDevice(spec, opt)
	}
	return nil, fmt.Errorf("drive: open %q: unknown target kind %q (want stdio:, iso:, zip:, dir:, usb: or a device): %w", spec, kind, ErrNoDrive)
}

// List returns the optical drives this computer has. File, folder and USB
// targets are not listed: they are named by path.
func List(ctx context.Context, opt Options) ([]Info, error) {
	return listDevices(ctx, opt)
}
