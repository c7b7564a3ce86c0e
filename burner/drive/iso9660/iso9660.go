package iso9660

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"
	"unicode/utf16"
)

// SectorSize is the logical block size this reader accepts (ECMA-119 6.1.2).
const SectorSize = 2048

// Limits that bound the work done on a hostile image.
const (
	MaxDepth   = 16      // directory levels below the root
	MaxEntries = 1 << 20 // records in all directories
	MaxDirSize = 8 << 20 // bytes of one directory's records
)

// ErrFormat means the bytes are not a well-formed ISO 9660 image (or use a
// feature this reader refuses).
var ErrFormat = errors.New("iso9660: malformed image")

// An Image is an opened ISO 9660 image.
type Image struct {
	r          io.ReaderAt
	blocks     uint32 // volume space size in sectors
	VolumeID   string // primary volume identifier, trailing spaces removed
	JolietID   string // Joliet volume identifier, when present
	root       *entry
	jolietRoot *entry
	pathTable  []ptEntry
	entries    int
}

type entry struct {
	name     string // without version and bare trailing dot
	raw      string // as recorded (ISO: d-characters and ";1")
	extent   uint32
	size     uint32
	dir      bool
	mtime    time.Time
	children []*entry
}

type ptEntry struct {
	name   string
	extent uint32
	parent uint16
}

func formatErr(format string, a ...any) error {
	return fmt.Errorf("iso9660: "+format+": %w", append(a, ErrFormat)...)
}

// Open reads the volume descriptors and the directory hierarchy of the image
// in r. size is the number of readable bytes (a device's or file's size).
func Open(r io.ReaderAt, size int64) (*Image, error) {
	im := &Image{r: r}
	var pvd, svd []byte
	for i := int64(16); i < 16+64; i++ {
		sec := make([]byte, SectorSize)
		if err := readFull(r, sec, i*SectorSize, size); err != nil {
			return nil, fmt.Errorf("iso9660: read volume descriptor %d: %w", i, err)
		}
		if string(sec[1:6]) != "CD001" {
			return nil, formatErr("sector %d is not a volume descriptor", i)
		}
		switch sec[0] {
		case 1:
			if pvd == nil {
				pvd = sec
			}
		case 2:
			if svd == nil && sec[88] == 0x25 && sec[89] == 0x2f && (sec[90] == 0x40 || sec[90] == 0x43 || sec[90] == 0x45) {
				svd = sec
			}
		case 255:
			i = 1 << 40
		}
	}
	if pvd == nil {
		return nil, formatErr("no primary volume descriptor")
	}
	if bs := binary.LittleEndian.Uint16(pvd[128:]); bs != SectorSize {
		return nil, formatErr("logical block size %d", bs)
	}
	im.blocks = binary.LittleEndian.Uint32(pvd[80:])
	if int64(im.blocks)*SectorSize > size {
		return nil, formatErr("volume space of %d sectors exceeds the %d bytes readable", im.blocks, size)
	}
	im.VolumeID = strings.TrimRight(string(pvd[40:72]), " ")
	root, err := im.readTree(pvd[156:190], false)
	if err != nil {
		return nil, err
	}
	im.root = root
	if err := im.readPathTable(pvd); err != nil {
		return nil, err
	}
	if svd != nil {
		im.JolietID = strings.TrimRight(ucs2(svd[40:72]), " \x00")
		if im.jolietRoot, err = im.readTree(svd[156:190], true); err != nil {
			return nil, fmt.Errorf("iso9660: Joliet tree: %w", err)
		}
	}
	return im, nil
}

func readFull(r io.ReaderAt, p []byte, off, size int64) error {
	if off < 0 || off+int64(len(p)) > size {
		return formatErr("read of %d bytes at %d beyond the image end %d", len(p), off, size)
	}
	n, err := r.ReadAt(p, off)
	if n == len(p) {
		return nil
	}
	if err == nil || err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return err
}

func (im *Image) readTree(rootRec []byte, joliet bool) (*entry, error) {
	root, _, err := parseRecord(rootRec, joliet)
	if err != nil {
		return nil, fmt.Errorf("iso9660: root record: %w", err)
	}
	if !root.dir {
		return nil, formatErr("root record is not a directory")
	}
	root.name, root.raw = ".", "."
	seen := map[uint32]bool{}
	if err := im.readDir(root, joliet, 0, seen); err != nil {
		return nil, err
	}
	return root, nil
}

func (im *Image) readDir(d *entry, joliet bool, depth int, seen map[uint32]bool) error {
	if depth > MaxDepth {
		return formatErr("directories nested deeper than %d", MaxDepth)
	}
	if seen[d.extent] {
		return formatErr("directory extent %d reached twice", d.extent)
	}
	seen[d.extent] = true
	if d.size > MaxDirSize {
		return formatErr("directory of %d bytes", d.size)
	}
	if err := im.checkExtent(d); err != nil {
		return err
	}
	buf := make([]byte, (int(d.size)+SectorSize-1)/SectorSize*SectorSize)
	if err := readFull(im.r, buf, int64(d.extent)*SectorSize, int64(im.blocks)*SectorSize); err != nil {
		return fmt.Errorf("iso9660: read directory %q: %w", d.name, err)
	}
	buf = buf[:d.size]
	names := map[string]bool{}
	for off, idx := 0, 0; off < len(buf); {
		n := int(buf[off])
		if n == 0 { // records do not cross sectors: skip to the next one
			off = (off/SectorSize + 1) * SectorSize
			continue
		}
		if off+n > len(buf) || (off%SectorSize)+n > SectorSize {
			return formatErr("directory record at %d in %q overruns its sector", off, d.name)
		}
		e, special, err := parseRecord(buf[off:off+n], joliet)
		if err != nil {
			return fmt.Errorf("iso9660: directory %q: %w", d.name, err)
		}
		off += n
		idx++
		if special {
			continue
		}
		if im.entries++; im.entries > MaxEntries {
			return formatErr("more than %d entries", MaxEntries)
		}
		if names[e.name] {
			return formatErr("%q appears twice in directory %q", e.name, d.name)
		}
		names[e.name] = true
		if e.dir {
			if err := im.readDir(e, joliet, depth+1, seen); err != nil {
				return err
			}
		} else if err := im.checkExtent(e); err != nil {
			return err
		}
		d.children = append(d.children, e)
	}
	sort.Slice(d.children, func(i, j int) bool { return d.children[i].name < d.children[j].name })
	return nil
}

func (im *Image) checkExtent(e *entry) error {
	end := uint64(e.extent)*SectorSize + uint64(e.size)
	if end > uint64(im.blocks)*SectorSize {
		return formatErr("%q extends to byte %d, beyond the volume (%d sectors)", e.name, end, im.blocks)
	}
	return nil
}

// parseRecord decodes one directory record (ECMA-119 9.1). special is true
// for the "." and ".." records.
func parseRecord(b []byte, joliet bool) (e *entry, special bool, err error) {
	if len(b) < 34 || int(b[0]) > len(b) {
		return nil, false, formatErr("directory record of %d bytes", len(b))
	}
	nameLen := int(b[32])
	if 33+nameLen > int(b[0]) || nameLen == 0 {
		return nil, false, formatErr("directory record name length %d", nameLen)
	}
	if b[1] != 0 {
		return nil, false, formatErr("extended attribute records are not supported")
	}
	flags := b[25]
	if flags&0x80 != 0 {
		return nil, false, formatErr("multi-extent files are not supported")
	}
	if b[26] != 0 || b[27] != 0 {
		return nil, false, formatErr("interleaved files are not supported")
	}
	e = &entry{
		extent: binary.LittleEndian.Uint32(b[2:]),
		size:   binary.LittleEndian.Uint32(b[10:]),
		dir:    flags&0x02 != 0,
		mtime:  recordTime(b[18:25]),
	}
	id := b[33 : 33+nameLen]
	if nameLen == 1 && (id[0] == 0 || id[0] == 1) {
		return e, true, nil
	}
	if joliet {
		if nameLen%2 != 0 {
			return nil, false, formatErr("Joliet name of odd length %d", nameLen)
		}
		e.raw = ucs2(id)
	} else {
		e.raw = string(id)
	}
	e.name = e.raw
	if !e.dir {
		if i := strings.LastIndexByte(e.name, ';'); i >= 0 {
			e.name = e.name[:i]
		}
		e.name = strings.TrimSuffix(e.name, ".")
	}
	if e.name == "" || e.name == "." || e.name == ".." || strings.ContainsAny(e.name, "/\x00") {
		return nil, false, formatErr("unusable name %q", e.raw)
	}
	return e, false, nil
}

func recordTime(b []byte) time.Time {
	if b[1] < 1 || b[1] > 12 {
		return time.Time{}
	}
	zone := time.FixedZone("", int(int8(b[6]))*15*60)
	return time.Date(1900+int(b[0]), time.Month(b[1]), int(b[2]), int(b[3]), int(b[4]), int(b[5]), 0, zone)
}

func ucs2(b []byte) string {
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = binary.BigEndian.Uint16(b[2*i:])
	}
	return string(utf16.Decode(u))
}

// readPathTable reads the type L path table (ECMA-119 9.4).
func (im *Image) readPathTable(pvd []byte) error {
	size := binary.LittleEndian.Uint32(pvd[132:])
	loc := binary.LittleEndian.Uint32(pvd[140:])
	if size == 0 || size > MaxDirSize {
		return formatErr("path table of %d bytes", size)
	}
	buf := make([]byte, size)
	if err := readFull(im.r, buf, int64(loc)*SectorSize, int64(im.blocks)*SectorSize); err != nil {
		return fmt.Errorf("iso9660: read path table: %w", err)
	}
	for off := 0; off < len(buf); {
		if off+8 > len(buf) {
			return formatErr("path table record at %d truncated", off)
		}
		n := int(buf[off])
		if n == 0 || off+8+n > len(buf) {
			return formatErr("path table record at %d has name length %d", off, n)
		}
		im.pathTable = append(im.pathTable, ptEntry{
			name:   string(buf[off+8 : off+8+n]),
			extent: binary.LittleEndian.Uint32(buf[off+2:]),
			parent: binary.LittleEndian.Uint16(buf[off+6:]),
		})
		if len(im.pathTable) > MaxEntries {
			return formatErr("path table longer than %d records", MaxEntries)
		}
		off += 8 + n + n%2
	}
	return nil
}

// A FileInfo describes one file of the image for Files.
type FileInfo struct {
	Path   string // fs path, e.g. "DICOM/P0000001/I0000001"
	Raw    string // recorded ISO 9660 path, e.g. "/DICOM/P0000001/I0000001.;1"
	Offset int64  // byte offset of the data in the image
	Size   int64
}

// Files lists every regular file of the primary hierarchy in the order of
// their data on the media (the fastest order to read an optical disc).
func (im *Image) Files() []FileInfo {
	var out []FileInfo
	var walk func(d *entry, p, raw string)
	walk = func(d *entry, p, raw string) {
		for _, c := range d.children {
			cp, craw := path.Join(p, c.name), raw+"/"+c.raw
			if c.dir {
				walk(c, cp, craw)
				continue
			}
			out = append(out, FileInfo{Path: cp, Raw: craw, Offset: int64(c.extent) * SectorSize, Size: int64(c.size)})
		}
	}
	walk(im.root, "", "")
	sort.SliceStable(out, func(i, j int) bool { return out[i].Offset < out[j].Offset })
	return out
}

// Section returns a reader of n bytes at off of the image (for a FileInfo).
func (im *Image) Section(f FileInfo) *io.SectionReader {
	return io.NewSectionReader(im.r, f.Offset, f.Size)
}

var (
	level1Dir  = func(s string) bool { return len(s) >= 1 && len(s) <= 8 && dchars(s) }
	level1File = func(s string) bool {
		base, rest, ok := strings.Cut(s, ".")
		if !ok {
			return false
		}
		ext, ver, ok := strings.Cut(rest, ";")
		return ok && ver == "1" && len(base) >= 1 && len(base) <= 8 && dchars(base) && len(ext) <= 3 && dchars(ext)
	}
)

func dchars(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// Check re-runs the disc's name rules on what was read and returns one line
// per problem (none for a good image): ISO 9660 level 1 identifiers
// ("NAME.EXT;1", directories of up to 8 d-characters), at most 8 levels
// counting the root, a level 1 volume identifier, directories in the path
// table with the extents their records give, and, when Joliet is present,
// the same names, the same files at the same extents and the same volume
// identifier in both hierarchies.
func (im *Image) Check() []string {
	var probs []string
	if len(im.VolumeID) < 1 || len(im.VolumeID) > 16 || !dchars(im.VolumeID) {
		probs = append(probs, fmt.Sprintf("volume identifier %q is not 1 to 16 of A-Z 0-9 _", im.VolumeID))
	}
	type rec struct {
		extent uint32
		size   uint32
		dir    bool
	}
	primary := map[string]rec{}
	var walk func(d *entry, p string, depth int, fn func(e *entry, p string, depth int))
	walk = func(d *entry, p string, depth int, fn func(e *entry, p string, depth int)) {
		for _, c := range d.children {
			cp := path.Join(p, c.name)
			fn(c, cp, depth+1)
			if c.dir {
				walk(c, cp, depth+1, fn)
			}
		}
	}
	dirExtents := map[uint32]string{im.root.extent: "."}
	walk(im.root, "", 1, func(e *entry, p string, depth int) {
		primary[p] = rec{e.extent, e.size, e.dir}
		if e.dir {
			dirExtents[e.extent] = p
			if !level1Dir(e.raw) {
				probs = append(probs, fmt.Sprintf("directory %s: %q is not a level 1 directory name", p, e.raw))
			}
		} else if !level1File(e.raw) {
			probs = append(probs, fmt.Sprintf("file %s: %q is not a level 1 file identifier (NAME.EXT;1)", p, e.raw))
		}
		if depth > 8 {
			probs = append(probs, fmt.Sprintf("%s is %d levels deep; at most 8 counting the root", p, depth))
		}
	})
	inTable := map[uint32]bool{}
	for _, pt := range im.pathTable {
		inTable[pt.extent] = true
	}
	for ext, p := range dirExtents {
		if !inTable[ext] {
			probs = append(probs, fmt.Sprintf("directory %s is missing from the path table", p))
		}
	}
	if len(im.pathTable) != len(dirExtents) {
		probs = append(probs, fmt.Sprintf("path table has %d directories, the hierarchy %d", len(im.pathTable), len(dirExtents)))
	}
	if im.jolietRoot != nil {
		if im.JolietID != im.VolumeID {
			probs = append(probs, fmt.Sprintf("Joliet volume identifier %q differs from %q", im.JolietID, im.VolumeID))
		}
		joliet := map[string]bool{}
		walk(im.jolietRoot, "", 1, func(e *entry, p string, depth int) {
			joliet[p] = true
			r, ok := primary[p]
			switch {
			case !ok:
				probs = append(probs, fmt.Sprintf("Joliet name %s has no same-named ISO 9660 entry", p))
			case !e.dir && (r.extent != e.extent || r.size != e.size):
				probs = append(probs, fmt.Sprintf("Joliet %s points at other data than its ISO 9660 entry", p))
			}
		})
		for p := range primary {
			if !joliet[p] {
				probs = append(probs, fmt.Sprintf("ISO 9660 name %s has no same-named Joliet entry", p))
			}
		}
	}
	sort.Strings(probs)
	return probs
}

// fs.FS implementation.

// Open opens a file or directory of the primary hierarchy by its fs path.
func (im *Image) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	e := im.root
	if name != "." {
		for _, part := range strings.Split(name, "/") {
			var next *entry
			if e.dir {
				i := sort.Search(len(e.children), func(i int) bool { return e.children[i].name >= part })
				if i < len(e.children) && e.children[i].name == part {
					next = e.children[i]
				}
			}
			if next == nil {
				return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
			}
			e = next
		}
	}
	if e.dir {
		return &dirFile{e: e}, nil
	}
	return &file{e: e, SectionReader: io.NewSectionReader(im.r, int64(e.extent)*SectorSize, int64(e.size))}, nil
}

type info struct{ e *entry }

func (i info) Name() string       { return i.e.name }
func (i info) Size() int64        { return int64(i.e.size) }
func (i info) ModTime() time.Time { return i.e.mtime }
func (i info) IsDir() bool        { return i.e.dir }
func (i info) Sys() any           { return nil }
func (i info) Mode() fs.FileMode {
	if i.e.dir {
		return fs.ModeDir | 0o555
	}
	return 0o444
}
func (i info) Type() fs.FileMode          { return i.Mode().Type() }
func (i info) Info() (fs.FileInfo, error) { return i, nil }

type file struct {
	e *entry
	*io.SectionReader
}

func (f *file) Stat() (fs.FileInfo, error) { return info{f.e}, nil }
func (f *file) Close() error               { return nil }

type dirFile struct {
	e   *entry
	pos int
}

func (d *dirFile) Stat() (fs.FileInfo, error) { return info{d.e}, nil }
func (d *dirFile) Close() error               { return nil }
func (d *dirFile) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: d.e.name, Err: fs.ErrInvalid}
}

func (d *dirFile) ReadDir(n int) ([]fs.DirEntry, error) {
	rest := d.e.children[d.pos:]
	if n > 0 && len(rest) > n {
		rest = rest[:n]
	}
	if n > 0 && len(rest) == 0 {
		return nil, io.EOF
	}
	out := make([]fs.DirEntry, len(rest))
	for i, c := range rest {
		out[i] = info{c}
	}
	d.pos += len(rest)
	return out, nil
}
