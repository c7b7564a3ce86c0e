package drive

import (
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"discdesk/burner"
)

// zipFile is the zip:FILE target: the disc's exact tree (DICOMDIR,
// README.TXT, INDEX.HTM, IHE_PDI/, the viewer) as a ZIP archive, for
// patients whose computer has no optical drive. It is written to a private
// temporary file (0600) beside FILE, synced, and renamed to FILE only when
// complete, so a folder synced by OneDrive or iCloud never holds a partial
// archive under the final name. The archive comment carries the volume
// identifier (the DICOMDIR File-set ID), which Verify compares like a disc's
// volume label. An existing FILE is "not blank".
type zipFile struct {
	file string
	opt  Options
}

// ZIPPrefix is the spec prefix of the ZIP target.
const ZIPPrefix = "zip:"

// OpenZIP returns the zip:FILE target. spec may carry the "zip:" prefix.
func OpenZIP(spec string, opt Options) (Drive, error) {
	file := strings.TrimPrefix(spec, ZIPPrefix)
	if file == "" {
		return nil, fmt.Errorf("drive: open zip: empty file name: %w", ErrNoDrive)
	}
	abs, err := filepath.Abs(file)
	if err != nil {
		return nil, fmt.Errorf("drive: zip target %s: %w", file, err)
	}
	return &zipFile{file: abs, opt: opt}, nil
}

func (d *zipFile) Info() Info {
	return Info{Spec: ZIPPrefix + d.file, Backend: "zip", Product: "ZIP file", Writes: []MediaKind{KindFile}}
}

func (d *zipFile) Media(ctx context.Context) (Media, error) {
	dir := filepath.Dir(d.file)
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		if err == nil {
			err = fmt.Errorf("%s is not a folder", dir)
		}
		return Media{}, fmt.Errorf("drive: media of zip:%s: %w: %w", d.file, ErrNoFolder, err)
	}
	free, err := freeSpace(dir)
	if err != nil {
		return Media{}, fmt.Errorf("drive: media of zip:%s: %w: %w", d.file, ErrNoDrive, err)
	}
	if c := d.opt.capacity(); c > 0 && free > c {
		free = c
	}
	m := Media{State: StateBlank, Kind: KindFile, Type: "ZIP file", Free: free}
	if fi, err := os.Stat(d.file); err == nil && fi.Size() > 0 {
		m.State = StateClosed
	}
	return m, nil
}

func (d *zipFile) Burn(ctx context.Context, tree *burner.Tree, progress ProgressFunc) error {
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
	if err := CheckMedia(ZIPPrefix+d.file, m, tree, d.opt.Media); err != nil {
		return fmt.Errorf("drive: burn: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(d.file), "."+filepath.Base(d.file)+".partial-*")
	if err != nil {
		return fmt.Errorf("drive: burn zip:%s: %w: %w", d.file, ErrWrite, err)
	}
	done := false
	defer func() {
		if !done {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := tmp.Chmod(0o600); err != nil {
		return fmt.Errorf("drive: burn zip:%s: %w: %w", d.file, ErrWrite, err)
	}
	if err := writeZIP(ctx, tmp, tree, progress); err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("drive: burn zip:%s: %w", d.file, ctx.Err())
		}
		return fmt.Errorf("drive: burn zip:%s: %w", d.file, err)
	}
	progress.emit(Progress{Phase: PhaseClosing, Done: tree.Size(), Total: tree.Size()})
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("drive: burn zip:%s: sync: %w: %w", d.file, ErrWrite, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("drive: burn zip:%s: %w: %w", d.file, ErrWrite, err)
	}
	// Link refuses an existing name, so a file that appeared meanwhile is
	// never replaced; fall back to rename where links are not supported.
	if err := os.Link(tmp.Name(), d.file); err == nil {
		os.Remove(tmp.Name())
	} else if errors.Is(err, os.ErrExist) {
		return fmt.Errorf("drive: burn zip:%s: %w", d.file, ErrMediaNotBlank)
	} else if err := os.Rename(tmp.Name(), d.file); err != nil {
		return fmt.Errorf("drive: burn zip:%s: rename: %w: %w", d.file, ErrWrite, err)
	}
	done = true
	syncDir(filepath.Dir(d.file))
	progress.emit(Progress{Phase: PhaseDone, Done: tree.Size(), Total: tree.Size()})
	return nil
}

// writeZIP writes tree as a ZIP archive to w: generated and library files in
// tree order, deflated, with the volume identifier as the archive comment.
func writeZIP(ctx context.Context, w io.Writer, tree *burner.Tree, progress ProgressFunc) error {
	zw := zip.NewWriter(w)
	total := tree.Size()
	sp := newSpeedometer(progress, PhaseWriting, total)
	sp.update(0)
	buf := make([]byte, 1<<20)
	var done int64
	mod := time.Now()
	for _, f := range tree.Files {
		hdr := &zip.FileHeader{Name: f.Path, Method: zip.Deflate, Modified: mod}
		hdr.SetMode(0o600)
		fw, err := zw.CreateHeader(hdr)
		if err != nil {
			return fmt.Errorf("%w: %s: %w", ErrWrite, f.Path, err)
		}
		var src io.Reader
		var closer io.Closer
		if f.Data != nil {
			src = strings.NewReader(string(f.Data))
		} else {
			in, err := os.Open(f.Source)
			if err != nil {
				return fmt.Errorf("read %s: %w", f.Source, err)
			}
			src, closer = in, in
		}
		n, err := copyCtx(ctx, fw, src, buf, func(k int64) { sp.update(done + k) })
		if closer != nil {
			closer.Close()
		}
		done += n
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("%w: %s: %w", ErrWrite, f.Path, err)
		}
		if n != f.Size {
			return fmt.Errorf("%w: %s: read %d bytes, the plan says %d (file changed?)", ErrWrite, f.Path, n, f.Size)
		}
	}
	if err := zw.SetComment(tree.VolumeID); err != nil {
		return fmt.Errorf("%w: %w", ErrWrite, err)
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("%w: %w", ErrWrite, err)
	}
	sp.update(total)
	return nil
}

func syncDir(dir string) {
	if f, err := os.Open(dir); err == nil {
		f.Sync()
		f.Close()
	}
}

func (d *zipFile) Verify(ctx context.Context, tree *burner.Tree, progress ProgressFunc) (*Report, error) {
	unlock, err := Lock(d.file)
	if err != nil {
		return nil, err
	}
	defer unlock()
	rep, err := VerifyZIP(ctx, d.file, tree, progress)
	if rep != nil {
		rep.Target = ZIPPrefix + d.file
	}
	return rep, err
}

func (d *zipFile) Eject(context.Context) error { return nil }

// VerifyZIP reads the ZIP archive at name back and checks every entry's
// SHA-256 and size against tree, with missing and extra entries, ISO 9660
// level 1 names and the volume identifier (the archive comment). A damaged
// entry (CRC mismatch, bad deflate stream) is an "unreadable" problem.
func VerifyZIP(ctx context.Context, name string, tree *burner.Tree, progress ProgressFunc) (*Report, error) {
	zr, err := zip.OpenReader(name)
	if err != nil {
		return &Report{Target: name, Started: time.Now(), Problems: []Problem{{Kind: "unreadable", Detail: err.Error()}}},
			fmt.Errorf("drive: verify %s: %w: %w", name, ErrUnreadable, err)
	}
	defer zr.Close()
	rb := &readBack{volumeID: zr.Comment}
	for _, f := range zr.File {
		if strings.HasSuffix(f.Name, "/") {
			continue // a folder entry (written by other tools)
		}
		if !f.Mode().IsRegular() {
			rb.nameProbs = append(rb.nameProbs, fmt.Sprintf("%s is not a regular file", f.Name))
			continue
		}
		rb.files = append(rb.files, readFile{path: f.Name, size: int64(f.UncompressedSize64), open: f.Open})
	}
	return rb.check(ctx, name, tree, progress)
}
