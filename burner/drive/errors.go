package drive

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// Errors of target lookup.
var (
	// ErrNoDrive means the named drive does not exist or no drive was found.
	ErrNoDrive = errors.New("drive: no such drive")
	// ErrNoFolder means the folder of a file, folder or USB target does
	// not exist (it wraps ErrNoDrive).
	ErrNoFolder = fmt.Errorf("%w: the target folder does not exist", ErrNoDrive)
	// ErrUnsupported means this platform has no optical drive backend.
	ErrUnsupported = errors.New("drive: no optical drive backend on this platform")
	// ErrToolMissing means the external burning program is not installed.
	ErrToolMissing = errors.New("drive: burning program not installed")
	// ErrBusy means another job holds the drive.
	ErrBusy = errors.New("drive: drive busy with another job")
)

// Errors of the media found in a drive.
var (
	// ErrNoMedia means the drive has no disc.
	ErrNoMedia = errors.New("drive: no disc in drive")
	// ErrMediaNotBlank means the disc (or file, folder) already holds data.
	ErrMediaNotBlank = errors.New("drive: media not blank")
	// ErrCapacityExceeded means the tree does not fit on the media.
	ErrCapacityExceeded = errors.New("drive: media too small")
	// ErrMediaUnsupported means the drive cannot write the media inserted.
	ErrMediaUnsupported = errors.New("drive: media not writable by this drive")
)

// Errors while writing and reading back.
var (
	// ErrWrite means writing failed part way; the disc is spoiled.
	ErrWrite = errors.New("drive: write failed")
	// ErrEjected means the disc was removed (or the tray opened) while writing.
	ErrEjected = errors.New("drive: disc ejected during write")
	// ErrVerifyMismatch means the read-back did not match the manifest.
	ErrVerifyMismatch = errors.New("drive: read-back does not match the manifest")
	// ErrUnreadable means the written media could not be read back at all.
	ErrUnreadable = errors.New("drive: written media unreadable")
	// ErrBadTree means the tree itself breaks a media rule (names, volume id).
	ErrBadTree = errors.New("drive: tree breaks a media rule")
)

// A ToolError is a failed run of an external program (xorriso, drutil,
// hdiutil, powershell). Stderr holds its diagnostics (never file contents).
type ToolError struct {
	Tool     string
	Args     []string
	ExitCode int
	Stderr   string
}

func (e *ToolError) Error() string {
	msg := lastLines(e.Stderr, 3)
	if msg == "" {
		return fmt.Sprintf("%s exited with status %d", e.Tool, e.ExitCode)
	}
	return fmt.Sprintf("%s exited with status %d: %s", e.Tool, e.ExitCode, msg)
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "; ")
}

// A MediaError says what was found in a drive and what the tree needed; it
// wraps ErrNoMedia, ErrMediaNotBlank or ErrCapacityExceeded.
type MediaError struct {
	Err   error     // the sentinel
	Drive string    // target spec
	Found Media     // what the drive reported
	Need  int64     // bytes the tree needs (image estimate)
	Want  MediaKind // media kind to ask staff for
}

func (e *MediaError) Error() string {
	return fmt.Sprintf("%v on %s (found %s, need %d bytes)", e.Err, e.Drive, e.Found, e.Need)
}

func (e *MediaError) Unwrap() error { return e.Err }

// Message turns an error from this package into one plain sentence for
// front-desk staff, e.g. "Insert a blank CD-R: this study needs 612 MB.".
// Unknown errors give a generic sentence; the details stay in the log.
func Message(err error) string {
	if err == nil {
		return ""
	}
	var me *MediaError
	hasME := errors.As(err, &me)
	need, want, drv := "", "blank disc", "the drive"
	if hasME {
		need = formatMB(me.Need)
		want = me.Want.blankName()
		if me.Drive != "" {
			drv = me.Drive
		}
	}
	switch {
	case errors.Is(err, context.Canceled):
		return "The burn was cancelled. The disc may be spoiled; insert a new blank disc to try again."
	case errors.Is(err, ErrToolMissing):
		return "The disc burning program is not installed on this computer. Ask IT to install it (xorriso on Linux), then retry."
	case errors.Is(err, ErrUnsupported):
		return "This computer has no supported disc burner. Choose an ISO file, a folder or a USB stick instead."
	case errors.Is(err, ErrNoFolder):
		return "The output folder does not exist. Create it, or choose an existing folder, then retry."
	case errors.Is(err, ErrNoDrive):
		return "No disc burner was found. Check that the burner is connected and switched on, then retry."
	case errors.Is(err, ErrBusy):
		return "The burner is busy with another disc. This job will wait until it is free."
	case errors.Is(err, ErrNoMedia):
		if need != "" {
			return fmt.Sprintf("Insert a %s in %s: this study needs %s.", want, drv, need)
		}
		return fmt.Sprintf("Insert a %s in %s.", want, drv)
	case errors.Is(err, ErrMediaNotBlank):
		if hasME && (me.Found.Kind == KindFolder || me.Found.Kind == KindUSB || me.Found.Kind == KindFile) {
			return fmt.Sprintf("%s already holds files. Choose an empty target (or empty it), then retry: this study needs %s.", drv, need)
		}
		return fmt.Sprintf("The disc in %s is not blank. Insert a %s: this study needs %s.", drv, want, need)
	case errors.Is(err, ErrCapacityExceeded):
		if hasME {
			return fmt.Sprintf("The %s in %s holds only %s; this study needs %s. Insert a %s.", me.Found.Kind, drv, formatMB(me.Found.Free), need, me.Want.blankName())
		}
		return "The study does not fit on this disc. Insert a larger blank disc."
	case errors.Is(err, ErrMediaUnsupported):
		return fmt.Sprintf("The burner cannot write the disc inserted. Insert a %s.", want)
	case errors.Is(err, ErrEjected):
		return "The disc was ejected while it was being written: it is spoiled. Insert a new blank disc and retry."
	case errors.Is(err, ErrWrite):
		return "Writing the disc failed part way: the disc is spoiled. Insert a new blank disc and retry; if it happens again, try another pack of discs."
	case errors.Is(err, ErrVerifyMismatch):
		return "The disc was written but does not read back correctly: do not hand it out. Insert a new blank disc and retry."
	case errors.Is(err, ErrUnreadable):
		return "The disc was written but cannot be read back: do not hand it out. Insert a new blank disc and retry."
	case errors.Is(err, ErrBadTree):
		return "The disc content breaks a media rule and was not written. Report this to IT."
	}
	return "The burn failed. Retry; if it fails again, report it to IT."
}

func formatMB(n int64) string {
	if n >= 10*1000*1000*1000 {
		return fmt.Sprintf("%.1f GB", float64(n)/1e9)
	}
	return fmt.Sprintf("%d MB", (n+999_999)/1_000_000)
}
