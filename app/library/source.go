package library

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// A candidate is one file offered to the import: a file on disk or a ZIP
// entry.
type candidate struct {
	name string // for the report: path, or archive.zip!entry
	path string // on-disk path ("" for ZIP entries)
	zf   *zip.File
}

// Limits against hostile archives.
const (
	maxZipEntryBytes = 4 << 30 // one entry, uncompressed
	maxZipTotalBytes = 64 << 30
	maxZipRatio      = 200 // uncompressed / compressed, for entries over 1 MiB
)

// errZipBomb marks an archive entry that expands beyond the limits.
var errZipBomb = errors.New("expands far beyond its compressed size (zip bomb?)")

func (c candidate) open() (io.ReadCloser, error) {
	if c.zf == nil {
		return os.Open(c.path)
	}
	rc, err := c.zf.Open()
	if err != nil {
		return nil, err
	}
	lim := int64(maxZipEntryBytes)
	if c.zf.CompressedSize64 > 0 && c.zf.CompressedSize64*maxZipRatio < uint64(lim) {
		lim = int64(c.zf.CompressedSize64*maxZipRatio) + 1<<20
	}
	return &limitedReadCloser{r: io.LimitReader(rc, lim+1), c: rc, limit: lim}, nil
}

type limitedReadCloser struct {
	r     io.Reader
	c     io.Closer
	limit int64
	n     int64
}

func (l *limitedReadCloser) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	l.n += int64(n)
	if l.n > l.limit {
		return n, errZipBomb
	}
	return n, err
}

func (l *limitedReadCloser) Close() error { return l.c.Close() }

// gather expands the import arguments into candidates. Problems that stop a
// whole source (an unreadable folder, a broken archive, a DICOMDIR that
// points outside its folder) are returned as report lines; notes say how a
// source was read.
func gather(paths []string, inPlace bool, rep *Report) ([]candidate, []io.Closer) {
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
			out = append(out, gatherZip(p, &zr.Reader, rep)...)
		default:
			out = append(out, candidate{name: p, path: p})
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

func gatherZip(archive string, zr *zip.Reader, rep *Report) []candidate {
	var out []candidate
	var total uint64
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
		total += zf.UncompressedSize64
		if zf.UncompressedSize64 > maxZipEntryBytes || total > maxZipTotalBytes ||
			(zf.UncompressedSize64 > 1<<20 && zf.CompressedSize64 > 0 && zf.UncompressedSize64/zf.CompressedSize64 > maxZipRatio) {
			rep.reject(name, fmt.Sprintf("declares %d bytes from %d compressed: %v", zf.UncompressedSize64, zf.CompressedSize64, errZipBomb))
			continue
		}
		if strings.EqualFold(pathBase(clean), "DICOMDIR") {
			continue // objects are found by scanning the archive
		}
		out = append(out, candidate{name: name, zf: zf})
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
// scans the folder otherwise (saying so in the report).
func gatherDir(dir string, rep *Report) []candidate {
	ddPath := filepath.Join(dir, "DICOMDIR")
	if _, err := os.Stat(ddPath); err == nil {
		files, err := dicomdirFiles(dir, ddPath, rep)
		if err == nil {
			rep.Notes = append(rep.Notes, fmt.Sprintf("%s: read through its DICOMDIR (%d referenced files)", dir, len(files)))
			return files
		}
		rep.Notes = append(rep.Notes, fmt.Sprintf("%s: DICOMDIR unusable (%v); scanned the folder instead", dir, err))
	}
	var out []candidate
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			rep.reject(p, fmt.Sprintf("cannot read: %v", err))
			return nil
		}
		if d.IsDir() || !d.Type().IsRegular() {
			return nil
		}
		if d.Name() == "DICOMDIR" {
			return nil
		}
		out = append(out, candidate{name: p, path: p})
		return nil
	})
	if err != nil {
		rep.reject(dir, fmt.Sprintf("cannot scan: %v", err))
	}
	return out
}
