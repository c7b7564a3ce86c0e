package drive

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"discdesk/burner"
)

// folder is the dir:PATH and usb:PATH target: the disc's tree written as
// files. A USB stick gets the same tree in the root of its (FAT32) file
// system, as STD-GEN-USB asks (PS3.11, PS3.12 Annex V); files larger than
// FAT32's 4 GiB - 1 are refused.
type folder struct {
	spec string
	root string
	usb  bool
	opt  Options
}

const fat32MaxFile = 1<<32 - 1

func newFolder(spec, path string, usb bool, opt Options) (*folder, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("drive: folder target %s: %w", path, err)
	}
	return &folder{spec: spec, root: abs, usb: usb, opt: opt}, nil
}

func (d *folder) kind() MediaKind {
	if d.usb {
		return KindUSB
	}
	return KindFolder
}

func (d *folder) Info() Info {
	in := Info{Spec: d.spec, Backend: "dir", Product: "folder", Writes: []MediaKind{KindFolder}}
	if d.usb {
		in.Backend, in.Product, in.Writes = "usb", "USB stick", []MediaKind{KindUSB}
	}
	return in
}

// Media: a missing folder is blank (its parent must exist), an empty one is
// blank, anything else holds files. A USB stick must be mounted (exist).
func (d *folder) Media(ctx context.Context) (Media, error) {
	m := Media{Kind: d.kind(), Type: d.Info().Product}
	probe := d.root
	entries, err := os.ReadDir(d.root)
	switch {
	case errors.Is(err, os.ErrNotExist) && d.usb:
		return m, nil // StateNone: no stick mounted there
	case errors.Is(err, os.ErrNotExist):
		probe = filepath.Dir(d.root)
		if _, err := os.Stat(probe); err != nil {
			return Media{}, fmt.Errorf("drive: media of %s: %w: %w", d.spec, ErrNoFolder, err)
		}
	case err != nil:
		return Media{}, fmt.Errorf("drive: media of %s: %w: %w", d.spec, ErrNoDrive, err)
	}
	m.State = StateBlank
	for _, e := range entries {
		if !(d.usb && ignoredOnUSB(e.Name())) {
			m.State = StateAppendable
			break
		}
	}
	if m.Free, err = freeSpace(probe); err != nil {
		return Media{}, fmt.Errorf("drive: free space of %s: %w", d.spec, err)
	}
	if c := d.opt.capacity(); c > 0 && m.Free > c {
		m.Free = c
	}
	return m, nil
}

func (d *folder) Burn(ctx context.Context, tree *burner.Tree, progress ProgressFunc) error {
	unlock, err := Lock(d.root)
	if err != nil {
		return err
	}
	defer unlock()
	progress.emit(Progress{Phase: PhasePreparing, Total: tree.Size()})
	m, err := d.Media(ctx)
	if err != nil {
		return err
	}
	if err := CheckMedia(d.spec, m, tree, d.opt.Media); err != nil {
		return fmt.Errorf("drive: burn: %w", err)
	}
	if d.usb {
		for _, f := range tree.Files {
			if f.Size > fat32MaxFile {
				return fmt.Errorf("drive: burn %s: %s is larger than FAT32 allows: %w", d.spec, f.Path, ErrBadTree)
			}
		}
	}
	if err := d.write(ctx, tree, progress); err != nil {
		return fmt.Errorf("drive: burn %s: %w", d.spec, err)
	}
	return nil
}

// write copies every file, syncing each, and cleans up on failure so the
// target is blank again (the job can be retried on it).
func (d *folder) write(ctx context.Context, tree *burner.Tree, progress ProgressFunc) (err error) {
	created := !exists(d.root)
	if err := os.MkdirAll(d.root, 0o700); err != nil {
		return fmt.Errorf("%w: %w", ErrWrite, err)
	}
	defer func() {
		if err != nil {
			d.clean(tree, created)
		}
	}()
	total := tree.Size()
	sp := newSpeedometer(progress, PhaseWriting, total)
	sp.update(0)
	buf := make([]byte, 1<<20)
	var done int64
	for _, f := range tree.Files {
		dst := filepath.Join(d.root, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
			return fmt.Errorf("%w: %w", ErrWrite, err)
		}
		var src io.Reader
		if f.Data != nil {
			src = strings.NewReader(string(f.Data))
		} else {
			in, err := os.Open(f.Source)
			if err != nil {
				return fmt.Errorf("read %s: %w", f.Source, err)
			}
			defer in.Close()
			src = in
		}
		out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrWrite, err)
		}
		n, err := copyCtx(ctx, out, src, buf, func(k int64) { sp.update(done + k) })
		done += n
		if err == nil {
			err = out.Sync()
		}
		if cerr := out.Close(); err == nil {
			err = cerr
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil {
			return fmt.Errorf("%w: %s: %w", ErrWrite, f.Path, err)
		}
	}
	sp.update(total)
	progress.emit(Progress{Phase: PhaseDone, Done: total, Total: total})
	return nil
}

func (d *folder) clean(tree *burner.Tree, created bool) {
	if created {
		os.RemoveAll(d.root)
		return
	}
	tops := map[string]bool{}
	for _, f := range tree.Files {
		top, _, _ := strings.Cut(f.Path, "/")
		tops[top] = true
	}
	for t := range tops {
		os.RemoveAll(filepath.Join(d.root, t))
	}
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

func (d *folder) Verify(ctx context.Context, tree *burner.Tree, progress ProgressFunc) (*Report, error) {
	unlock, err := Lock(d.root)
	if err != nil {
		return nil, err
	}
	defer unlock()
	return VerifyFS(ctx, d.spec, os.DirFS(d.root), tree.VolumeID, tree, progress)
}

func (d *folder) Eject(context.Context) error { return nil }
