package library

import (
	"archive/zip"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"discdesk/viewer/dcm"
)

// A candidate is one file offered to the import: a file on disk or a ZIP
// entry.
type candidate struct {
	name   string // for the report: path, or archive.zip!entry
	path   string // on-disk path ("" for ZIP entries)
	source string // the name relative to what was imported (Instance.Source)
	zf     *zip.File
	// zip bounds for an entry, shared by the archive
	arch *zipBounds
}

// Limits against hostile archives, judged by what really inflates (counted
// while streaming), never by compression ratio: a blank image compresses
// a thousandfold and is still a good file.
const (
	maxZipEntryBytes = 4 << 30 // one entry, uncompressed
	maxZipTotalBytes = 64 << 30
	maxZipEntries    = 200000
)

// zipBounds counts what an archive's entries inflated so far.
type zipBounds struct {
	name   string
	budget *inflateBudget
}

func (c candidate) open() (io.ReadCloser, error) {
	if c.zf == nil {
		return os.Open(c.path)
	}
	rc, err := c.zf.Open()
	if err != nil {
		return nil, err
	}
	lim := int64(maxZipEntryBytes)
	if c.arch != nil && c.arch.budget != nil {
		if left := c.arch.budget.left.Load(); left < lim {
			lim = left
		}
	}
	return &limitedReadCloser{r: rc, c: rc, limit: lim, arch: c.arch}, nil
}

// limitedReadCloser stops an entry that inflates beyond its bound, and
// charges what it inflated to the import's budget.
type limitedReadCloser struct {
	r     io.Reader
	c     io.Closer
	limit int64
	n     int64
	arch  *zipBounds
}

func (l *limitedReadCloser) Read(p []byte) (int, error) {
	if int64(len(p)) > l.limit-l.n+1 {
		p = p[:l.limit-l.n+1]
	}
	n, err := l.r.Read(p)
	l.n += int64(n)
	if l.arch != nil && l.arch.budget != nil {
		l.arch.budget.left.Add(-int64(n))
	}
	if l.n > l.limit {
		return n, fmt.Errorf("%w: inflates beyond %d bytes (zip bomb?)", ErrTooLarge, l.limit)
	}
	return n, err
}

func (l *limitedReadCloser) Close() error { return l.c.Close() }

// gather expands the import arguments into candidates. Problems that stop a
// whole source (an unreadable folder, a broken archive, a DICOMDIR that
// points outside its folder) are returned as report lines; notes say how a
// source was read.
func gather(paths []string, inPlace bool, rep *Report, budget *inflateBudget) ([]candidate, []io.Closer) {
	var out []candidate
	var closers []io.Closer
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			rep.reject(p, fmt.Sprintf("cannot read: %v", err))
			continue
		}
		switch {
		case fi.IsDir():
			out = append(out, gatherDir(p, rep)...)
		case strings.EqualFold(filepath.Ext(p), ".zip") || isZip(p):
			if inPlace {
				rep.reject(p, "a ZIP archive cannot be indexed in place; import it without --in-place")
				continue
			}
			zr, err := zip.OpenReader(p)
			if err != nil {
				rep.reject(p, fmt.Sprintf("not a readable ZIP archive: %v", err))
				continue
			}
			closers = append(closers, zr)
			out = append(out, gatherZip(p, &zr.Reader, rep, budget)...)
		default:
			out = append(out, candidate{name: p, path: p, source: filepath.Base(p)})
		}
	}
	return out, closers
}

func isZip(p string) bool {
	f, err := os.Open(p)
	if err != nil {
		return false
	}
	defer f.Close()
	var b [4]byte
	if _, err := io.ReadFull(f, b[:]); err != nil {
		return false
	}
	return string(b[:]) == "PK\x03\x04"
}

func gatherZip(archive string, zr *zip.Reader, rep *Report, budget *inflateBudget) []candidate {
	var out []candidate
	var total uint64
	bounds := &zipBounds{name: archive, budget: budget}
	if len(zr.File) > maxZipEntries {
		rep.reject(archive, fmt.Sprintf("%v: %d entries, more than %d", ErrTooLarge, len(zr.File), maxZipEntries))
		return nil
	}
	for _, zf := range zr.File {
		name := archive + "!" + zf.Name
		if zf.FileInfo().IsDir() {
			continue
		}
		clean := filepath.ToSlash(filepath.Clean(filepath.FromSlash(zf.Name)))
		if strings.HasPrefix(clean, "../") || clean == ".." || strings.HasPrefix(clean, "/") || filepath.IsAbs(zf.Name) || strings.Contains(zf.Name, `\..`) {
			rep.reject(name, "path escapes the archive (path traversal); entry ignored")
			continue
		}
		// Declared sizes are checked up front (archive/zip also stops an
		// entry that inflates beyond its declared size); what really
		// inflates is counted while streaming.
		total += zf.UncompressedSize64
		if zf.UncompressedSize64 > maxZipEntryBytes || total > maxZipTotalBytes {
			rep.reject(name, fmt.Sprintf("%v: declares %d bytes (limits: %d per entry, %d per archive)", ErrTooLarge, zf.UncompressedSize64, int64(maxZipEntryBytes), int64(maxZipTotalBytes)))
			continue
		}
		if strings.EqualFold(pathBase(clean), "DICOMDIR") {
			continue // objects are found by scanning the archive
		}
		out = append(out, candidate{name: name, zf: zf, arch: bounds, source: filepath.Base(archive) + "!" + clean})
	}
	return out
}

func pathBase(p string) string {
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[i+1:]
	}
	return p
}

// gatherDir follows the folder's DICOMDIR when it has one that reads, and
// then also takes every other DICOM file in the folder (a disc often holds
// a report or a series its DICOMDIR does not list), each named in a note.
// Without a usable DICOMDIR the folder is scanned (saying so in the
// report).
func gatherDir(dir string, rep *Report) []candidate {
	ddPath := filepath.Join(dir, "DICOMDIR")
	if _, err := os.Stat(ddPath); err == nil {
		files, err := dicomdirFiles(dir, ddPath, rep)
		if err == nil {
			listed := map[string]bool{}
			for _, c := range files {
				listed[c.path] = true
			}
			extra, skipped := scanDir(dir, rep, func(p string) bool { return !listed[p] && isDICOMObject(p) })
			note := fmt.Sprintf("%s: read through its DICOMDIR (%d referenced files)", dir, len(files))
			if len(extra) > 0 {
				note += fmt.Sprintf(", plus %d DICOM files it does not list", len(extra))
			}
			if skipped > 0 {
				note += fmt.Sprintf("; %d other files (not DICOM) left alone", skipped)
			}
			rep.Notes = append(rep.Notes, note)
			for _, c := range extra {
				rep.Notes = append(rep.Notes, fmt.Sprintf("%s: not listed in the DICOMDIR; imported as well", c.name))
			}
			return append(files, extra...)
		}
		rep.Notes = append(rep.Notes, fmt.Sprintf("%s: DICOMDIR unusable (%v); scanned the folder instead", dir, err))
	}
	out, _ := scanDir(dir, rep, nil)
	return out
}

// scanDir lists the regular files below dir (keep, when set, chooses) and
// counts the ones it left out. A symbolic link is followed only when it
// stays inside dir; one that leads outside is reported with that reason.
func scanDir(dir string, rep *Report, keep func(string) bool) ([]candidate, int) {
	var out []candidate
	skipped := 0
	root, rerr := filepath.EvalSymlinks(dir)
	if rerr != nil {
		root = dir
	}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			rep.reject(p, fmt.Sprintf("cannot read: %v", err))
			return nil
		}
		if d.IsDir() {
			return nil
		}
		if d.Type()&fs.ModeSymlink != 0 {
			if why := linkProblem(root, p); why != "" {
				rep.reject(p, why)
				return nil
			}
		} else if !d.Type().IsRegular() {
			return nil
		}
		if fi, err := os.Stat(p); err != nil || !fi.Mode().IsRegular() {
			return nil
		}
		if d.Name() == "DICOMDIR" {
			return nil
		}
		if keep != nil && !keep(p) {
			skipped++
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			rel = d.Name()
		}
		out = append(out, candidate{name: p, path: p, source: filepath.ToSlash(rel)})
		return nil
	})
	if err != nil {
		rep.reject(dir, fmt.Sprintf("cannot scan: %v", err))
	}
	return out, skipped
}

// linkProblem says why the symbolic link at p may not be followed ("" when
// it resolves to something inside root).
func linkProblem(root, p string) string {
	real, err := filepath.EvalSymlinks(p)
	if err != nil {
		target, _ := os.Readlink(p)
		return fmt.Sprintf("symbolic link to %q that does not resolve (%v); not followed", target, err)
	}
	if rel, err := filepath.Rel(root, real); err != nil || rel == ".." || strings.HasPrefix(rel, "../") {
		return fmt.Sprintf("symbolic link points outside the disc folder (to %s); not followed", real)
	}
	return ""
}

// isDICOMObject reports whether p starts like a Part 10 file (128-byte
// preamble, "DICM") that is not a directory (a DICOMDIR, or a vendor's
// DIRFILE).
func isDICOMObject(p string) bool {
	f, err := os.Open(p)
	if err != nil {
		return false
	}
	defer f.Close()
	var b [132]byte
	if _, err := io.ReadFull(f, b[:]); err != nil || string(b[128:]) != "DICM" {
		return false
	}
	f.Seek(0, io.SeekStart)
	df, _ := dcm.Parse(f, -1, dcm.StopAt(dcm.T(0x0004, 0)))
	return df != nil && df.Meta.String(dcm.MediaStorageSOPClassUID) != dcm.MediaStorageDirectoryStorage
}
