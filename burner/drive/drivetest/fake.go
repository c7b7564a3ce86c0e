package drivetest

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"sync"
	"testing/fstest"

	"discdesk/burner"
	"discdesk/burner/drive"
)

// A Fault is a failure the Fake injects.
type Fault int

// Faults.
const (
	NoFault     Fault = iota
	ToolMissing       // the burning program is not installed
	NoDrive           // the drive is gone
	NoMedia           // no disc in the drive
	NotBlank          // the disc holds a session
	TooSmall          // the disc is too small for the tree
	WriteError        // writing fails after FaultAfter bytes
	Ejected           // the tray opens after FaultAfter bytes
	Corrupt           // one byte reads back wrong
	Hang              // writing stops after FaultAfter bytes until ctx ends
)

func (f Fault) String() string {
	return [...]string{"none", "tool missing", "no drive", "no media", "not blank", "too small", "write error", "ejected", "corrupt", "hang"}[f]
}

// Fake is an in-memory drive that injects one fault. It reads the tree's
// sources and data for real, keeps the written "disc" in memory and
// verifies it through drive.VerifyFS, so it passes Suite like a backend.
type Fake struct {
	Spec       string
	Fault      Fault
	FaultAfter int64 // bytes written before WriteError, Ejected or Hang
	Capacity   int64 // bytes on a blank disc (0 = 700 MB)
	// Writing, when set, is called once with the disc's number of burns
	// when the first byte has been written (a test's cue to kill a process).
	Writing func(burns int)

	mu     sync.Mutex
	media  drive.Media
	disc   map[string][]byte
	volid  string
	burns  int
	loaded bool
}

// NewFake returns a fake drive with a blank CD.
func NewFake(spec string, fault Fault) *Fake {
	f := &Fake{Spec: spec, FaultAfter: 4096}
	f.InsertBlank()
	f.Fault = fault
	return f
}

// InsertBlank puts a new blank disc in and clears the fault (what staff do).
func (f *Fake) InsertBlank() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.Fault = NoFault
	f.disc, f.volid, f.loaded = nil, "", false
}

func (f *Fake) mediaLocked() drive.Media {
	if !f.loaded {
		c := f.Capacity
		if c == 0 {
			c = drive.KindCD.Capacity()
		}
		f.media = drive.Media{State: drive.StateBlank, Kind: drive.KindCD, Type: "CD-R", Free: c}
		switch f.Fault {
		case NoMedia:
			f.media = drive.Media{State: drive.StateNone}
		case NotBlank:
			f.media.State, f.media.Free = drive.StateAppendable, c/2
		case TooSmall:
			f.media.Free = 64 * 1024
		}
		f.loaded = true
	}
	return f.media
}

// Burns is how many burns started writing.
func (f *Fake) Burns() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.burns
}

func (f *Fake) Info() drive.Info {
	return drive.Info{Spec: f.Spec, Backend: "fake", Vendor: "DiscDesk", Product: "fake burner", Writes: []drive.MediaKind{drive.KindCD, drive.KindDVD}}
}

func (f *Fake) toolErr(msg string) error {
	return &drive.ToolError{Tool: "fakeburn", Args: []string{f.Spec}, ExitCode: 5, Stderr: msg}
}

func (f *Fake) Media(ctx context.Context) (drive.Media, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch f.Fault {
	case ToolMissing:
		return drive.Media{}, fmt.Errorf("fake: media: %w", drive.ErrToolMissing)
	case NoDrive:
		return drive.Media{}, fmt.Errorf("fake: media of %s: %w: %w", f.Spec, drive.ErrNoDrive, f.toolErr("Cannot acquire drive"))
	}
	return f.mediaLocked(), nil
}

func (f *Fake) Burn(ctx context.Context, tree *burner.Tree, progress drive.ProgressFunc) error {
	unlock, err := drive.Lock("fake:" + f.Spec)
	if err != nil {
		return err
	}
	defer unlock()
	emit := func(p drive.Progress) {
		if progress != nil {
			progress(p)
		}
	}
	emit(drive.Progress{Phase: drive.PhasePreparing, Total: tree.Size()})
	m, err := f.Media(ctx)
	if err != nil {
		return err
	}
	if err := drive.CheckMedia(f.Spec, m, tree, drive.KindUnknown); err != nil {
		return fmt.Errorf("fake: burn: %w", err)
	}
	f.mu.Lock()
	f.burns++
	burns := f.burns
	f.media.State = drive.StateAppendable // from here on the disc is used
	f.disc, f.volid = map[string][]byte{}, tree.VolumeID
	fault := f.Fault
	f.mu.Unlock()

	total := tree.Size()
	var done int64
	first := true
	for _, file := range tree.Files {
		var data []byte
		if file.Data != nil {
			data = bytes.Clone(file.Data)
		} else if data, err = os.ReadFile(file.Source); err != nil {
			return fmt.Errorf("fake: burn: read %s: %w: %w", file.Source, drive.ErrWrite, err)
		}
		for off := 0; off < len(data) || off == 0; {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("fake: burn: %w", err)
			}
			n := min(4096, len(data)-off)
			done += int64(n)
			off += n
			emit(drive.Progress{Phase: drive.PhaseWriting, Done: done, Total: total, BytesPerSec: 1 << 20})
			if first && f.Writing != nil {
				first = false
				f.Writing(burns)
			}
			if done >= f.FaultAfter {
				switch fault {
				case WriteError:
					return fmt.Errorf("fake: burn: %w: %w", drive.ErrWrite, f.toolErr("SCSI error on write: [3 0C 00] Write error"))
				case Ejected:
					f.mu.Lock()
					f.media, f.loaded = drive.Media{State: drive.StateNone}, true
					f.mu.Unlock()
					return fmt.Errorf("fake: burn: %w: %w", drive.ErrEjected, f.toolErr("Medium not present"))
				case Hang:
					<-ctx.Done()
					return fmt.Errorf("fake: burn: %w", ctx.Err())
				}
			}
			if n == 0 {
				break
			}
		}
		if fault == Corrupt && len(data) > 0 && len(f.disc) == 0 {
			data[len(data)/2] ^= 0x01
		}
		f.mu.Lock()
		f.disc[file.Path] = data
		f.mu.Unlock()
	}
	f.mu.Lock()
	f.media.State = drive.StateClosed
	f.media.VolumeID = tree.VolumeID
	f.mu.Unlock()
	emit(drive.Progress{Phase: drive.PhaseDone, Done: total, Total: total})
	return nil
}

// FlipByte corrupts one byte of a written file (as a scratch would).
func (f *Fake) FlipByte(discPath string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if d := f.disc[discPath]; len(d) > 0 {
		d[len(d)/2] ^= 0x80
	}
}

func (f *Fake) Verify(ctx context.Context, tree *burner.Tree, progress drive.ProgressFunc) (*drive.Report, error) {
	unlock, err := drive.Lock("fake:" + f.Spec)
	if err != nil {
		return nil, err
	}
	defer unlock()
	f.mu.Lock()
	if f.media.State == drive.StateNone {
		f.mu.Unlock()
		return nil, fmt.Errorf("fake: verify: %w", drive.ErrNoMedia)
	}
	fsys := fstest.MapFS{}
	for p, d := range f.disc {
		fsys[p] = &fstest.MapFile{Data: d, Mode: 0o444}
	}
	volid := f.volid
	f.mu.Unlock()
	return drive.VerifyFS(ctx, f.Spec, fsys, volid, tree, progress)
}

func (f *Fake) Eject(context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.media, f.loaded = drive.Media{State: drive.StateNone}, true
	return nil
}

var _ drive.Drive = (*Fake)(nil)
