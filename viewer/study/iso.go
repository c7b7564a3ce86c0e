package study

import (
	"encoding/binary"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"
	"time"
)

// ISO is a read-only fs.FS over an ISO 9660 image (ECMA-119): the primary
// volume descriptor's directory tree with its level 1-3 names (";1"
// versions and a trailing dot removed).
type ISO struct {
	r         io.ReaderAt
	size      int64
	blockSize int64
	root      isoEntry
}

type isoEntry struct {
	name   string
	extent int64 // byte offset
	length int64
	dir    bool
	mod    time.Time
}

// maxISODirBytes bounds one directory's size (hostile images).
const maxISODirBytes = 16 << 20

// NewISO reads the primary volume descriptor of an image of size bytes.
func NewISO(r io.ReaderAt, size int64) (*ISO, error) {
	for sector := int64(16); sector < 32; sector++ {
		var vd [2048]byte
		if _, err := r.ReadAt(vd[:], sector*2048); err != nil {
			return nil, fmt.Errorf("%w: volume descriptor at sector %d: %v", ErrBadISO, sector, err)
		}
		if string(vd[1:6]) != "CD001" {
			return nil, fmt.Errorf("%w: no CD001 at sector %d", ErrBadISO, sector)
		}
		switch vd[0] {
		case 255:
			return nil, fmt.Errorf("%w: no primary volume descriptor", ErrBadISO)
		case 1:
			bs := int64(binary.LittleEndian.Uint16(vd[128:]))
			if bs != 512 && bs != 1024 && bs != 2048 {
				return nil, fmt.Errorf("%w: logical block size %d", ErrBadISO, bs)
			}
			iso := &ISO{r: r, size: size, blockSize: bs}
			root, ok := iso.record(vd[156 : 156+34])
			if !ok || !root.dir {
				return nil, fmt.Errorf("%w: bad root directory record", ErrBadISO)
			}
			root.name = "."
			iso.root = root
			return iso, nil
		}
	}
	return nil, fmt.Errorf("%w: no primary volume descriptor", ErrBadISO)
}

// record decodes one directory record (ECMA-119 9.1).
func (iso *ISO) record(b []byte) (isoEntry, bool) {
	if len(b) < 34 || int(b[0]) > len(b) || 33+int(b[32]) > int(b[0]) {
		return isoEntry{}, false
	}
	e := isoEntry{
		extent: int64(binary.LittleEndian.Uint32(b[2:])) * iso.blockSize,
		length: int64(binary.LittleEndian.Uint32(b[10:])),
		dir:    b[25]&2 != 0,
	}
	if e.extent < 0 || e.extent+e.length > iso.size {
		return isoEntry{}, false
	}
	e.mod = time.Date(1900+int(b[18]), time.Month(b[19]), int(b[20]), int(b[21]), int(b[22]), int(b[23]), 0, time.UTC)
	name := string(b[33 : 33+int(b[32])])
	if i := strings.IndexByte(name, ';'); i >= 0 {
		name = name[:i]
	}
	if !e.dir {
		name = strings.TrimSuffix(name, ".")
	}
	e.name = name
	return e, true
}

// list reads a directory's entries (without "." and "..").
func (iso *ISO) list(dir isoEntry) ([]isoEntry, error) {
	if dir.length > maxISODirBytes {
		return nil, fmt.Errorf("%w: directory of %d bytes", ErrBadISO, dir.length)
	}
	b := make([]byte, dir.length)
	if _, err := iso.r.ReadAt(b, dir.extent); err != nil && err != io.EOF {
		return nil, fmt.Errorf("%w: %v", ErrBadISO, err)
	}
	var out []isoEntry
	for off := int64(0); off < int64(len(b)); {
		n := int64(b[off])
		if n == 0 { // records do not cross sectors: skip to the next one
			off = (off/iso.blockSize + 1) * iso.blockSize
			continue
		}
		if off+n > int64(len(b)) {
			return nil, fmt.Errorf("%w: directory record past the directory's end", ErrBadISO)
		}
		rec := b[off : off+n]
		off += n
		if len(rec) >= 34 && rec[32] == 1 && (rec[33] == 0 || rec[33] == 1) {
			continue // "." and ".."
		}
		e, ok := iso.record(rec)
		if !ok {
			return nil, fmt.Errorf("%w: bad directory record", ErrBadISO)
		}
		out = append(out, e)
	}
	return out, nil
}

func (iso *ISO) lookup(name string) (isoEntry, error) {
	if !fs.ValidPath(name) {
		return isoEntry{}, fs.ErrInvalid
	}
	cur := iso.root
	if name == "." {
		return cur, nil
	}
	for _, c := range strings.Split(name, "/") {
		if !cur.dir {
			return isoEntry{}, fs.ErrNotExist
		}
		ents, err := iso.list(cur)
		if err != nil {
			return isoEntry{}, err
		}
		found := false
		for _, e := range ents {
			if strings.EqualFold(e.name, c) {
				cur, found = e, true
				break
			}
		}
		if !found {
			return isoEntry{}, fs.ErrNotExist
		}
	}
	return cur, nil
}

// Open implements fs.FS.
func (iso *ISO) Open(name string) (fs.File, error) {
	e, err := iso.lookup(name)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	if name != "." {
		e.name = path.Base(name)
	}
	return &isoFile{iso: iso, e: e, SectionReader: io.NewSectionReader(iso.r, e.extent, e.length)}, nil
}

type isoFile struct {
	*io.SectionReader
	iso  *ISO
	e    isoEntry
	read bool
}

func (f *isoFile) Stat() (fs.FileInfo, error) { return isoInfo{f.e}, nil }
func (f *isoFile) Close() error               { return nil }

func (f *isoFile) ReadDir(n int) ([]fs.DirEntry, error) {
	if !f.e.dir {
		return nil, fmt.Errorf("readdir %s: not a directory", f.e.name)
	}
	if f.read {
		if n > 0 {
			return nil, io.EOF
		}
		return nil, nil
	}
	f.read = true
	ents, err := f.iso.list(f.e)
	if err != nil {
		return nil, err
	}
	out := make([]fs.DirEntry, len(ents))
	for i, e := range ents {
		out[i] = fs.FileInfoToDirEntry(isoInfo{e})
	}
	return out, nil
}

type isoInfo struct{ e isoEntry }

func (i isoInfo) Name() string { return i.e.name }
func (i isoInfo) Size() int64  { return i.e.length }
func (i isoInfo) Mode() fs.FileMode {
	if i.e.dir {
		return fs.ModeDir | 0o555
	}
	return 0o444
}
func (i isoInfo) ModTime() time.Time { return i.e.mod }
func (i isoInfo) IsDir() bool        { return i.e.dir }
func (i isoInfo) Sys() any           { return nil }
