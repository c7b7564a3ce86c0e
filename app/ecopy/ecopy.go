package ecopy

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/google/uuid"

	"discdesk/app/handoff"
	"discdesk/burner"
	"discdesk/burner/disc"
	"discdesk/burner/drive"
)

// Errors of electronic copies.
var (
	// ErrBadTarget means a target spec is not zip:FILE, iso:FILE or usb:PATH.
	ErrBadTarget = errors.New("want zip:FILE, iso:FILE or usb:PATH")
	// ErrNotLogged means a copy was written and verified but the handoff log
	// refused it; the copy itself is good.
	ErrNotLogged = errors.New("written and verified, but not logged")
)

// Format checks a target spec and names its handoff format.
func Format(spec string) (handoff.Format, error) {
	kind, rest, _ := strings.Cut(spec, ":")
	if strings.TrimSpace(rest) == "" {
		return "", fmt.Errorf("ecopy: target %q: %w", spec, ErrBadTarget)
	}
	switch kind {
	case "zip":
		return handoff.FormatZIP, nil
	case "iso":
		return handoff.FormatISO, nil
	case "usb":
		return handoff.FormatUSB, nil
	}
	return "", fmt.Errorf("ecopy: target %q: %w", spec, ErrBadTarget)
}

// Spec is the target spec of a format written into folder: a file named
// base.zip or base.iso in it, or the folder itself for a USB stick.
func Spec(f handoff.Format, folder, base string) (string, error) {
	folder = strings.TrimSpace(folder)
	if folder == "" {
		return "", fmt.Errorf("ecopy: no destination folder: %w", ErrBadTarget)
	}
	switch f {
	case handoff.FormatZIP:
		return "zip:" + filepath.Join(folder, base+".zip"), nil
	case handoff.FormatISO:
		return "iso:" + filepath.Join(folder, base+".iso"), nil
	case handoff.FormatUSB:
		return "usb:" + folder, nil
	}
	return "", fmt.Errorf("ecopy: format %q: %w", f, ErrBadTarget)
}

// Numbered adds _n before the extension of a file target, or to a folder
// target.
func Numbered(spec string, n int) string {
	kind, p, _ := strings.Cut(spec, ":")
	if kind == "usb" {
		return fmt.Sprintf("%s:%s_%d", kind, p, n)
	}
	ext := filepath.Ext(p)
	return fmt.Sprintf("%s:%s_%d%s", kind, strings.TrimSuffix(p, ext), n, ext)
}

// A Copy is one tree written, read back and (when logged) recorded.
type Copy struct {
	N, M      int
	Format    handoff.Format
	Dest      string // absolute file or folder written
	Digest    string // manifest SHA-256 (disc.ManifestDigest)
	VolumeID  string
	Files     int
	Instances int    // DICOM objects (files under DICOM/)
	DiscUUID  string // the log's disc UUID ("" when not logged)
	Event     string // the log's event ID ("" when not logged)
}

// Options of Write.
type Options struct {
	// Log, when set, records each copy on Request as a burn with the
	// format and destination, by Actor.
	Log     *handoff.Store
	Request string
	Actor   handoff.Actor
	Studies []string // Study Instance UIDs on the copy, for the log
	// Done is called after each copy (progress for a screen or a CLI).
	Done func(Copy)
}

// Write writes each tree to spec (numbered when there are several), reads
// it back against the tree's digests and, with opt.Log, records it. It
// returns the copies made before any error.
func Write(ctx context.Context, trees []*burner.Tree, spec string, opt Options) ([]Copy, error) {
	format, err := Format(spec)
	if err != nil {
		return nil, err
	}
	if opt.Log != nil {
		if _, err := opt.Log.Request(opt.Request); err != nil {
			return nil, fmt.Errorf("ecopy: %w", err)
		}
	}
	var out []Copy
	for i, t := range trees {
		s := spec
		if len(trees) > 1 {
			s = Numbered(spec, i+1)
		}
		dest, err := writeOne(ctx, s, t)
		if err != nil {
			return out, fmt.Errorf("copy %d of %d: %w", i+1, len(trees), err)
		}
		c := Copy{N: i + 1, M: len(trees), Format: format, Dest: dest, Digest: disc.ManifestDigest(t), VolumeID: t.VolumeID,
			Files: len(t.Files), Instances: countDICOM(t)}
		if opt.Log != nil {
			c.DiscUUID = uuid.NewString()
			b := handoff.Burn{DiscUUID: c.DiscUUID, N: c.N, M: c.M, ManifestHash: c.Digest, Verified: true,
				Studies: opt.Studies, Instances: c.Instances, Format: format, Destination: dest}
			ev, err := opt.Log.RecordBurn(opt.Request, b, opt.Actor)
			if err != nil {
				return out, fmt.Errorf("copy %d of %d %w: %w", c.N, c.M, ErrNotLogged, err)
			}
			c.Event = ev.ID
		}
		out = append(out, c)
		if opt.Done != nil {
			opt.Done(c)
		}
	}
	return out, nil
}

// writeOne writes one tree to spec, reads it back and returns the absolute
// destination. File targets end up 0600.
func writeOne(ctx context.Context, spec string, t *burner.Tree) (string, error) {
	d, err := drive.Open(spec, drive.Options{})
	if err != nil {
		return "", err
	}
	if err := d.Burn(ctx, t, nil); err != nil {
		return "", errors.New(drive.Message(err))
	}
	if _, err := d.Verify(ctx, t, nil); err != nil {
		return "", fmt.Errorf("read-back check: %s", drive.Message(err))
	}
	_, dest, _ := strings.Cut(d.Info().Spec, ":")
	if fi, err := os.Stat(dest); err == nil && fi.Mode().IsRegular() && fi.Mode().Perm() != 0o600 {
		if err := os.Chmod(dest, 0o600); err != nil {
			return "", fmt.Errorf("make %s private: %w", dest, err)
		}
	}
	return dest, nil
}

// countDICOM counts the DICOM objects of a tree (everything under DICOM/).
func countDICOM(t *burner.Tree) int {
	n := 0
	for _, f := range t.Files {
		if strings.HasPrefix(f.Path, "DICOM/") {
			n++
		}
	}
	return n
}
