package disc

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// webFramesFormat names the packed frames' format (packFrame, packGrey16
// and the base64 around them). A cache entry of another format is never
// read: bump it whenever the bytes of a packed frame change.
const webFramesFormat = 1

// Defaults of a FrameCache.
const (
	// DefaultFrameCacheBytes caps the cache (about ten 500-slice CTs).
	DefaultFrameCacheBytes = 1 << 30
	// DefaultFrameCacheAge: an entry unused this long is removed by Trim.
	DefaultFrameCacheAge = 14 * 24 * time.Hour
)

// FrameCache keeps the browser viewer's packed frames of image objects, so
// that packing them (about 3 ms of CPU a CT slice, most of a disc's work
// besides writing) is done ahead of the burn: while staff fill in the
// request (Plan.PrepareViewer), or by the first disc of a study for the
// second copy or the reburn after a failed disc.
//
// An entry is keyed by the object file's identity: its path, device,
// inode, size, modification and change times, as git's index keys a
// file's hash. It holds the SHA-256 of the file's bytes (the disc's
// manifest and read-back verify use it), the frames' descriptions and the
// packed frames, so a disc of cached objects reads no object files for the
// browser viewer. A file rewritten in place changes its change time, so
// its entry is never found; and were it ever served for changed bytes, the
// read-back verify compares the written disc with the entry's digest and
// fails the disc: a stale entry can spoil a disc, never pass a wrong one.
// A damaged entry (checked by its CRC) is packed again; an entry of another
// frames format is never read.
//
// Entries are files named by the key's hash in a private folder (0700,
// files 0600: they hold pixel data), written whole under a temporary name
// and renamed. Trim keeps the folder under its size and age limits, oldest
// use first. Safe for concurrent use: two callers wanting the same entry
// pack it once.
type FrameCache struct {
	dir    string
	max    int64
	maxAge time.Duration
	now    func() time.Time

	mu       sync.Mutex
	inflight map[string]chan struct{}
	packed   atomic.Int64 // entries packed (not found), for tests and reports
}

// OpenFrameCache opens (creating it 0700) the cache in dir, capped at max
// bytes (0 = DefaultFrameCacheBytes).
func OpenFrameCache(dir string, max int64) (*FrameCache, error) {
	if max <= 0 {
		max = DefaultFrameCacheBytes
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("disc: frame cache: %w", err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return nil, fmt.Errorf("disc: frame cache: %w", err)
	}
	return &FrameCache{dir: dir, max: max, maxAge: DefaultFrameCacheAge, now: time.Now, inflight: map[string]chan struct{}{}}, nil
}

// Dir is the cache's folder.
func (c *FrameCache) Dir() string { return c.dir }

const frameEntryExt = ".ddvf"

func (c *FrameCache) path(key string) string {
	return filepath.Join(c.dir, fmt.Sprintf("v%d-%s%s", webFramesFormat, key, frameEntryExt))
}

// frameEntry is what the cache keeps of one object file.
type frameEntry struct {
	Digest string     `json:"sha256"` // of the file's bytes
	Size   int64      `json:"size"`
	Images []webFrame `json:"images"` // webFrames' descriptions
	frames [][]byte   // base64 of each frame's packed values
	buf    *[]byte    // the pooled buffer frames point into (nil: packed here)
}

// release returns what the entry's frames occupy, once they are written.
func (e *frameEntry) release() {
	if e.buf != nil {
		putReadBuf(e.buf)
	} else {
		putFrameBufs(e.frames)
	}
	e.frames, e.buf = nil, nil
}

// entry returns the entry of the object file with identity key: from the
// cache, else from pack, which is then stored. Callers wanting the same key
// at once wait for the first. A failure to store is not an error.
func (c *FrameCache) entry(ctx context.Context, key string, pack func() (frameEntry, error)) (frameEntry, error) {
	for {
		if e, ok := c.load(key); ok {
			return e, nil
		}
		c.mu.Lock()
		wait, busy := c.inflight[key]
		if !busy {
			done := make(chan struct{})
			c.inflight[key] = done
			c.mu.Unlock()
			e, err := pack()
			if err == nil {
				c.packed.Add(1)
				c.store(key, e)
			}
			c.mu.Lock()
			delete(c.inflight, key)
			c.mu.Unlock()
			close(done)
			return e, err
		}
		c.mu.Unlock()
		select {
		case <-wait: // packed (or failed) by the other caller: look again
		case <-ctx.Done():
			return frameEntry{}, ctx.Err()
		}
	}
}

// has reports whether an entry for key is stored.
func (c *FrameCache) has(key string) bool {
	_, err := os.Stat(c.path(key))
	return err == nil
}

// Entry layout: "DDVF", the format byte, a uvarint length and the JSON of
// the entry, a uvarint count of frames, each frame as a uvarint length and
// its bytes, then the CRC-32C of all that.
var frameMagic = []byte("DDVF")

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

func encodeFrameEntry(e frameEntry) ([]byte, error) {
	head, err := json.Marshal(e)
	if err != nil {
		return nil, err
	}
	n := len(frameMagic) + 1 + 2*binary.MaxVarintLen64 + len(head) + 4
	for _, f := range e.frames {
		n += binary.MaxVarintLen64 + len(f)
	}
	b := make([]byte, 0, n)
	b = append(b, frameMagic...)
	b = append(b, webFramesFormat)
	b = binary.AppendUvarint(b, uint64(len(head)))
	b = append(b, head...)
	b = binary.AppendUvarint(b, uint64(len(e.frames)))
	for _, f := range e.frames {
		b = binary.AppendUvarint(b, uint64(len(f)))
		b = append(b, f...)
	}
	return binary.BigEndian.AppendUint32(b, crc32.Checksum(b, castagnoli)), nil
}

var errBadEntry = errors.New("damaged frame cache entry")

func decodeFrameEntry(b []byte) (frameEntry, error) {
	var e frameEntry
	if len(b) < len(frameMagic)+1+2+4 || string(b[:len(frameMagic)]) != string(frameMagic) || b[len(frameMagic)] != webFramesFormat {
		return e, errBadEntry
	}
	body := b[:len(b)-4]
	if crc32.Checksum(body, castagnoli) != binary.BigEndian.Uint32(b[len(b)-4:]) {
		return e, errBadEntry
	}
	p := body[len(frameMagic)+1:]
	next := func() ([]byte, bool) {
		n, k := binary.Uvarint(p)
		if k <= 0 || n > uint64(len(p)-k) {
			return nil, false
		}
		v := p[k : k+int(n) : k+int(n)]
		p = p[k+int(n):]
		return v, true
	}
	head, ok := next()
	if !ok || json.Unmarshal(head, &e) != nil || len(e.Digest) != 64 {
		return frameEntry{}, errBadEntry
	}
	count, k := binary.Uvarint(p)
	if k <= 0 || count > uint64(len(p)) || count > uint64(len(e.Images)) {
		return frameEntry{}, errBadEntry
	}
	p = p[k:]
	e.frames = make([][]byte, 0, count)
	for i := uint64(0); i < count; i++ {
		f, ok := next()
		if !ok {
			return frameEntry{}, errBadEntry
		}
		e.frames = append(e.frames, f)
	}
	if len(p) != 0 {
		return frameEntry{}, errBadEntry
	}
	return e, nil
}

// load reads an entry into a pooled buffer and marks it used; a damaged
// one is removed.
func (c *FrameCache) load(key string) (frameEntry, bool) {
	name := c.path(key)
	b, err := readPooled(name)
	if err != nil {
		return frameEntry{}, false
	}
	e, err := decodeFrameEntry(*b)
	if err != nil {
		putReadBuf(b)
		os.Remove(name)
		return frameEntry{}, false
	}
	e.buf = b
	now := c.now()
	_ = os.Chtimes(name, now, now) // the use Trim orders by
	return e, true
}

// store writes an entry whole under a temporary name, then renames it.
func (c *FrameCache) store(key string, e frameEntry) {
	data, err := encodeFrameEntry(e)
	if err != nil {
		return
	}
	f, err := os.CreateTemp(c.dir, ".tmp-*")
	if err != nil {
		return
	}
	tmp := f.Name()
	_, werr := f.Write(data)
	if cerr := f.Close(); werr != nil || cerr != nil {
		os.Remove(tmp)
		return
	}
	if os.Rename(tmp, c.path(key)) != nil {
		os.Remove(tmp)
	}
}

// fileKey is the cache key of the file at path: the hash of its absolute
// path and identity (fileIdentity: device, inode, size, times).
func fileKey(path string) (string, bool) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", false
	}
	fi, err := os.Stat(abs)
	if err != nil || !fi.Mode().IsRegular() {
		return "", false
	}
	return sha256Hex([]byte(abs + "\x00" + fileIdentity(fi))), true
}

// Trim removes entries unused for longer than the age limit, then the
// least recently used until the cache holds at most its size limit, and
// leftovers of interrupted writes. It returns how many files it removed.
func (c *FrameCache) Trim() (int, error) {
	ents, err := os.ReadDir(c.dir)
	if err != nil {
		return 0, fmt.Errorf("disc: trim frame cache: %w", err)
	}
	type entry struct {
		name string
		size int64
		used time.Time
	}
	var keep []entry
	var total int64
	removed := 0
	now := c.now()
	current := fmt.Sprintf("v%d-", webFramesFormat)
	for _, e := range ents {
		fi, err := e.Info()
		if err != nil || !fi.Mode().IsRegular() {
			continue
		}
		name := e.Name()
		stale := strings.HasPrefix(name, ".tmp-") && now.Sub(fi.ModTime()) > time.Hour
		old := strings.HasSuffix(name, frameEntryExt) && (!strings.HasPrefix(name, current) || now.Sub(fi.ModTime()) > c.maxAge)
		if stale || old {
			if os.Remove(filepath.Join(c.dir, name)) == nil {
				removed++
			}
			continue
		}
		if strings.HasSuffix(name, frameEntryExt) {
			keep = append(keep, entry{name, fi.Size(), fi.ModTime()})
			total += fi.Size()
		}
	}
	slices.SortFunc(keep, func(a, b entry) int { return a.used.Compare(b.used) })
	for _, e := range keep {
		if total <= c.max {
			break
		}
		if err := os.Remove(filepath.Join(c.dir, e.name)); err == nil || errors.Is(err, fs.ErrNotExist) {
			total -= e.size
			removed++
		}
	}
	return removed, nil
}

// PrepareViewer packs the browser viewer's frames of the plan's image
// objects into Options.FrameCache ahead of Build, so the burn only writes:
// a desk calls it in the background while staff fill in the request. It
// works on one core (the desk stays responsive); an object already in the
// cache costs a stat. An object transcoded for the disc is rewritten in
// memory to be packed (Build writes it again: its bytes are hashed as they
// go on the disc). Without a cache, or when the discs carry no browser
// viewer data, it does nothing. An object the viewer cannot carry is left
// to Build, which says so on the disc.
func (p *Plan) PrepareViewer(ctx context.Context) error {
	c := p.Options.FrameCache
	if c == nil || p.web.mode != WebViewerData {
		return nil
	}
	for _, d := range p.Discs {
		for _, o := range d.Objects {
			if err := ctx.Err(); err != nil {
				return err
			}
			key := p.frameKey(o)
			if key.name == "" || c.has(key.name) {
				continue
			}
			var data []byte
			if o.Action == Transcode { // packed from the rewrite Build will write
				var b bytes.Buffer
				if o.writeTranscoded(&b) != nil {
					continue
				}
				data = b.Bytes()
			}
			e, err := p.webObject(ctx, key, o.Source, data, o.Describe(), true)
			if err != nil && ctx.Err() != nil {
				return ctx.Err()
			}
			e.release()
		}
	}
	return nil
}
