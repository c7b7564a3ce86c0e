package drive

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"discdesk/burner"
)

// isoFile is the iso:FILE target: an ISO image written by xorriso into a
// hidden .NAME.partial beside FILE and renamed to FILE only when complete, so
// a crash never leaves a plausible-looking image behind. The partial file is
// created 0600 before xorriso opens it (xorriso would create it with the
// umask's permissions, in what may be a patient's shared or synced folder),
// so the image is private from its first byte. An existing FILE is "not
// blank".
type isoFile struct {
	file string
	x    *xorrisoDrive
}

func newISOFile(file string, opt Options) (*isoFile, error) {
	abs, err := filepath.Abs(file)
	if err != nil {
		return nil, fmt.Errorf("drive: iso target %s: %w", file, err)
	}
	x, _ := newXorriso("stdio:"+partialName(abs), opt)
	return &isoFile{file: abs, x: x}, nil
}

// partialName is the hidden name an ISO image is written under until it is
// complete: "/a/b/disc.iso" -> "/a/b/.disc.iso.partial".
func partialName(file string) string {
	return filepath.Join(filepath.Dir(file), "."+filepath.Base(file)+".partial")
}

// createPrivate creates name as an empty file readable only by its owner,
// failing if it already exists (a leftover must be removed first).
func createPrivate(name string) error {
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if err := f.Chmod(0o600); err != nil { // a umask never widens, but a default ACL may
		f.Close()
		os.Remove(name)
		return err
	}
	return f.Close()
}

func (d *isoFile) Info() Info {
	return Info{Spec: "iso:" + d.file, Backend: "iso", Product: "ISO image file", Writes: []MediaKind{KindFile}}
}

func (d *isoFile) Media(ctx context.Context) (Media, error) {
	if _, err := d.x.tool(); err != nil {
		return Media{}, err
	}
	free, err := freeSpace(filepath.Dir(d.file))
	if err != nil {
		return Media{}, fmt.Errorf("drive: media of iso:%s: %w: %w", d.file, ErrNoFolder, err)
	}
	m := Media{State: StateBlank, Kind: KindFile, Type: "ISO image file", Free: free}
	if fi, err := os.Stat(d.file); err == nil && fi.Size() > 0 {
		m.State = StateClosed
	}
	d.x.capMedia(&m)
	return m, nil
}

func (d *isoFile) Burn(ctx context.Context, tree *burner.Tree, progress ProgressFunc) error {
	unlock, err := Lock(d.file)
	if err != nil {
		return err
	}
	defer unlock()
	progress.emit(Progress{Phase: PhasePreparing, Total: tree.Size()})
	m, err := d.Media(ctx)
	if err != nil {
		return err
	}
	if err := CheckMedia("iso:"+d.file, m, tree, d.x.opt.Media); err != nil {
		return fmt.Errorf("drive: burn: %w", err)
	}
	partial, _ := d.x.stdioFile()
	os.Remove(partial) // a leftover of an interrupted run
	if err := createPrivate(partial); err != nil {
		return fmt.Errorf("drive: burn iso:%s: %w: %w", d.file, ErrWrite, err)
	}
	var last Progress
	err = d.x.burn(ctx, tree, func(p Progress) {
		if p.Phase == PhaseDone {
			last = p
			return
		}
		progress.emit(p)
	})
	if err != nil {
		os.Remove(partial)
		return err
	}
	progress.emit(Progress{Phase: PhaseClosing, Done: last.Done, Total: last.Total})
	if err := os.Rename(partial, d.file); err != nil {
		os.Remove(partial)
		return fmt.Errorf("drive: burn iso:%s: rename: %w: %w", d.file, ErrWrite, err)
	}
	progress.emit(last)
	return nil
}

func (d *isoFile) Verify(ctx context.Context, tree *burner.Tree, progress ProgressFunc) (*Report, error) {
	unlock, err := Lock(d.file)
	if err != nil {
		return nil, err
	}
	defer unlock()
	// xorriso writes the image without syncing (as mkisofs does); a disc
	// logged as burned and verified must survive a power cut, so the image
	// and its folder entry are flushed while it is read back.
	synced := make(chan error, 1)
	go func() { synced <- syncImage(d.file) }()
	rep, err := VerifyImage(ctx, d.file, tree, progress)
	if rep != nil {
		rep.Target = "iso:" + d.file
	}
	if serr := <-synced; serr != nil && err == nil {
		return rep, fmt.Errorf("drive: verify iso:%s: flush: %w: %w", d.file, ErrWrite, serr)
	}
	return rep, err
}

// syncImage flushes an image file's data and its folder entry to the disk.
func syncImage(name string) error {
	f, err := os.OpenFile(name, os.O_RDWR, 0)
	if errors.Is(err, fs.ErrPermission) {
		return nil // a read-only image was not just written here: read it back only
	}
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	syncDir(filepath.Dir(name))
	return err
}

func (d *isoFile) Eject(context.Context) error { return nil }
