package library

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
)

// CheckContent re-reads every instance's file and compares it with the
// checksum taken when it was indexed (managed and in-place files alike), so
// bytes changed behind the library (a rewrite that kept size and time, a
// corrupted object) never reach a disc. It returns nil when every file
// matches, else an error wrapping ErrContentChanged (or the read error)
// that names the first bad file and says how many failed.
func (l *Library) CheckContent(ctx context.Context, instances []Instance) error {
	var first error
	bad := 0
	for _, in := range instances {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := l.checkOne(in); err != nil {
			if first == nil {
				first = err
			}
			bad++
		}
	}
	if bad > 1 {
		return fmt.Errorf("%w (and %d more of %d files)", first, bad-1, len(instances))
	}
	return first
}

func (l *Library) checkOne(in Instance) error {
	p := l.FilePath(in)
	name := p
	if in.Source != "" {
		name = fmt.Sprintf("%s (imported as %s)", p, in.Source)
	}
	if in.CRC32C == "" {
		return fmt.Errorf("library: %s: %w: no checksum was taken when it was indexed; re-import it", name, ErrContentChanged)
	}
	sum, err := fileCRC32C(p)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("library: %s: %w: the file is gone", name, ErrContentChanged)
		}
		return fmt.Errorf("library: check %s: %w", name, err)
	}
	if sum != in.CRC32C {
		return fmt.Errorf("library: %s: %w (SOP Instance %s: checksum %s, indexed %s)", name, ErrContentChanged, in.SOPInstanceUID, sum, in.CRC32C)
	}
	return nil
}

// CheckStudy is CheckContent for every instance of one study.
func (l *Library) CheckStudy(ctx context.Context, uid string) error {
	d, err := l.Study(uid)
	if err != nil {
		return err
	}
	var all []Instance
	for _, s := range d.Series {
		all = append(all, s.Instances...)
	}
	return l.CheckContent(ctx, all)
}
