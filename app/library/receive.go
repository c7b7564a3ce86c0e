package library

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"discdesk/viewer/dcm"
)

// Received says what Receive did with one object.
type Received struct {
	Instance Instance
	// Duplicate is set when the library already held this object (the
	// same bytes, or the same data set in another transfer syntax or File
	// Meta): nothing was stored, and the sender may be told success.
	Duplicate bool
	Note      string // why it counts as a duplicate, for the log
}

// receiving is the state of objects taken by Receive: durable in the
// received/ folder, waiting for the batch that indexes them.
type receiving struct {
	mu      sync.Mutex
	pending map[string]*rxItem // SOP Instance UID -> object not yet in objects/
	queue   []*rxItem
	wake    chan struct{}
	idle    *sync.Cond // signalled when the queue drains
	running bool       // indexer goroutine started
	busy    bool       // a batch is being indexed
	// queued and settled count items put on the queue and items whose
	// batch finished, so a reader waits only for what came before it.
	queued, settled uint64
	err             error // last indexing failure (retried at the next Open)
	dir             groupSync
	// hurry tells the indexer that a reader waits: index now rather than
	// gather a bigger batch.
	hurry   chan struct{}
	waiting int
}

type rxItem struct {
	h    *header // owned by the indexer once queued
	path string  // in received/
	// fixed before the item is queued, read by other receivers
	sop, crc, syntax string
}

// current is where the item's file is now: received/, or objects/ once the
// indexer moved it.
func (it *rxItem) current(l *Library) string {
	if _, err := os.Stat(it.path); err == nil {
		return it.path
	}
	return filepath.Join(l.root, filepath.FromSlash(managedPath(it.sop)))
}

func (l *Library) receivedDir() string { return filepath.Join(l.root, "received") }

// Receive takes one object the DICOM receiver spooled (a complete Part 10
// file at path, best on the library's file system so it can be renamed)
// into the library. When it returns without error the object is durable: a
// kill or a power cut afterwards loses nothing, because the file's data and
// its folder entry are synced (one fdatasync for the file, and one fsync of
// the received/ folder shared by all associations receiving at that
// moment). Indexing follows in batches behind it; every read of the library
// waits for what is queued, and Open indexes what a crash left in received/.
//
// Errors: ErrInvalidObject (ErrInvalidUID) for an object the library cannot
// hold, ErrConflict when another object holds its SOP Instance UID (the new
// copy is then kept in quarantine), anything else is the library's own
// failure. A duplicate is no error: Received.Duplicate says so.
func (l *Library) Receive(ctx context.Context, path, source string) (*Received, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	h, err := readHeader(path)
	if err != nil {
		return nil, fmt.Errorf("library: receive %s: %w", source, err)
	}
	h.inst.Source = source
	sop := h.inst.SOPInstanceUID
	rx := l.rx
	rx.mu.Lock()
	if prev := rx.pending[sop]; prev != nil {
		rx.mu.Unlock()
		return l.receivedKnown(path, h, stored{path: prev.current(l), crc: prev.crc, syntax: prev.syntax})
	}
	var old *Instance
	err = l.db.View(func(tx *bolt.Tx) error {
		raw := tx.Bucket(bucketInstances).Get([]byte(sop))
		if raw == nil {
			return nil
		}
		old = new(Instance)
		return json.Unmarshal(raw, old)
	})
	if err != nil {
		rx.mu.Unlock()
		return nil, fmt.Errorf("library: read index: %w", err)
	}
	if old != nil {
		rx.mu.Unlock()
		return l.receivedKnown(path, h, stored{path: l.FilePath(*old), crc: old.CRC32C, syntax: old.TransferSyntax})
	}
	it := &rxItem{h: h, path: filepath.Join(l.receivedDir(), filepath.Base(managedPath(sop))), sop: sop, syntax: h.inst.TransferSyntax}
	rx.pending[sop] = it // claims the UID: a second copy waits for this one
	rx.mu.Unlock()

	if err := l.takeDurably(path, it); err != nil {
		rx.mu.Lock()
		delete(rx.pending, sop)
		rx.mu.Unlock()
		return nil, err
	}
	done := &Received{Instance: h.inst} // a copy: the indexer owns h from here
	it.crc = h.inst.CRC32C
	rx.mu.Lock()
	rx.queue = append(rx.queue, it)
	rx.queued++
	if !rx.running {
		rx.running = true
		go l.indexReceived()
	}
	rx.mu.Unlock()
	select {
	case rx.wake <- struct{}{}:
	default:
	}
	return done, nil
}

// takeDurably moves (or copies) the spooled file into received/, checksums
// it, and syncs the file and the folder entry.
func (l *Library) takeDurably(path string, it *rxItem) error {
	if err := os.Rename(path, it.path); err != nil {
		if err := copyFileTo(path, it.path); err != nil {
			return fmt.Errorf("library: receive: %w", err)
		}
	}
	os.Chmod(it.path, 0o600)
	f, err := os.OpenFile(it.path, os.O_RDWR, 0) // Windows flushes only a writable handle
	if err != nil {
		return fmt.Errorf("library: receive: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("library: receive: %w", err)
	}
	it.h.inst.Size = fi.Size()
	it.h.inst.ModTime = fi.ModTime() // kept by the rename into objects/
	// The file's data and the folder entry are synced at the same time
	// (two device flushes overlapped), and the checksum reads the page
	// cache meanwhile.
	fileDone, dirDone := make(chan error, 1), make(chan error, 1)
	go func() { fileDone <- syncData(f) }()
	go func() { dirDone <- l.rx.dir.sync(l.receivedDir()) }()
	sum, err := fileCRC32C(it.path)
	if ferr := <-fileDone; err == nil {
		err = ferr
	}
	if derr := <-dirDone; err == nil {
		err = derr
	}
	if err != nil {
		os.Remove(it.path)
		return fmt.Errorf("library: receive: flush to disk: %w", err)
	}
	it.h.inst.CRC32C = sum
	return nil
}

// receivedKnown settles an object whose SOP Instance UID is already held.
func (l *Library) receivedKnown(path string, h *header, old stored) (*Received, error) {
	sum, err := fileCRC32C(path)
	if err != nil {
		return nil, fmt.Errorf("library: receive: %w", err)
	}
	p := &prepared{c: candidate{name: h.inst.Source, path: path}, h: h, sum: sum}
	same, note, why := l.sameAs(p, old)
	if same {
		return &Received{Instance: h.inst, Duplicate: true, Note: note}, nil
	}
	kept, qerr := l.quarantine(path, true, Quarantined{Source: h.inst.Source, SOPInstanceUID: h.inst.SOPInstanceUID, StudyUID: h.inst.StudyUID, Reason: why, Stored: old.path})
	msg := fmt.Sprintf("SOP Instance UID %s: %s", h.inst.SOPInstanceUID, why)
	if qerr == nil {
		msg += "; kept for staff as " + filepath.Base(kept)
	}
	return nil, fmt.Errorf("library: receive %s: %w: %s", h.inst.Source, ErrConflict, msg)
}

// readHeader parses and checks a file as Import does.
func readHeader(path string) (*header, error) {
	// Pixel Data is located, not read, and nothing after it is needed.
	df, err := dcm.ParseFile(path, dcm.SkipPixelData(), dcm.StopAt(dcm.PixelData+1))
	if err != nil {
		var pe *dcm.ParseError
		if errors.As(err, &pe) || errors.Is(err, dcm.ErrInflateLimit) {
			return nil, describe(err)
		}
		return nil, err
	}
	h, err := extract(df)
	if err != nil {
		return nil, err
	}
	if h.badMeta != "" || df.NoMeta {
		return nil, invalidf("File Meta Information does not match the data set")
	}
	h.inst.Size = df.Size
	return h, nil
}

// indexReceived indexes queued objects in batches, one transaction each,
// then moves their files from received/ to their place in objects/.
func (l *Library) indexReceived() {
	rx := l.rx
	for {
		rx.mu.Lock()
		for len(rx.queue) == 0 {
			rx.busy = false
			rx.idle.Broadcast()
			rx.mu.Unlock()
			<-rx.wake
			rx.mu.Lock()
		}
		if rx.waiting == 0 && len(rx.queue) < indexBatchMin {
			// Nobody reads yet, and every object is durable already: gather
			// a bigger batch (one index commit, two fdatasyncs, per batch).
			rx.busy = true
			rx.mu.Unlock()
			t := time.NewTimer(indexDelay)
			select {
			case <-t.C:
			case <-rx.hurry:
			}
			t.Stop()
			rx.mu.Lock()
		}
		batch := rx.queue
		if len(batch) > 1024 {
			batch = batch[:1024]
		}
		rx.queue = rx.queue[len(batch):]
		rx.busy = true
		rx.mu.Unlock()
		err := l.indexBatch(batch)
		rx.mu.Lock()
		if err != nil {
			// Left in received/: the next Open indexes them.
			rx.err = err
		}
		for _, it := range batch {
			delete(rx.pending, it.sop)
		}
		rx.settled += uint64(len(batch))
		rx.idle.Broadcast()
		rx.mu.Unlock()
	}
}

// indexBatch indexes received objects at their objects/ path, then renames
// them there. A crash between the two leaves files in received/ that are
// indexed: Open moves them.
func (l *Library) indexBatch(batch []*rxItem) error {
	hs := make([]*header, len(batch))
	for i, it := range batch {
		it.h.inst.Path = managedPath(it.h.inst.SOPInstanceUID)
		hs[i] = it.h
	}
	now := l.now()
	err := l.db.Update(func(tx *bolt.Tx) error { return l.indexHeaders(tx, hs, now, nil) })
	if err != nil {
		return fmt.Errorf("library: index received objects: %w", err)
	}
	for _, it := range batch {
		dst := filepath.Join(l.root, filepath.FromSlash(it.h.inst.Path))
		if err := l.ensureDir(filepath.Dir(dst)); err != nil {
			return err
		}
		if err := os.Rename(it.path, dst); err != nil {
			return fmt.Errorf("library: move received object: %w", err)
		}
	}
	return nil
}

// settle waits until every object received before the call is indexed, so
// a read sees everything a sender was told is stored (objects arriving
// meanwhile do not keep it waiting).
func (l *Library) settle() {
	rx := l.rx
	rx.mu.Lock()
	target := rx.queued
	if rx.settled < target {
		rx.waiting++
		select {
		case rx.hurry <- struct{}{}:
		default:
		}
		for rx.settled < target {
			rx.idle.Wait()
		}
		rx.waiting--
	}
	rx.mu.Unlock()
}

// The indexer waits up to indexDelay for indexBatchMin objects before it
// indexes what it has, unless a reader waits.
const (
	indexBatchMin = 256
	indexDelay    = 30 * time.Millisecond
)

// Flush waits until every received object is indexed and returns the last
// indexing failure, if any (its objects are indexed at the next Open).
func (l *Library) Flush() error {
	l.settle()
	l.rx.mu.Lock()
	defer l.rx.mu.Unlock()
	return l.rx.err
}

// receivingPath is where a received object's file is while it waits to be
// moved into objects/ ("" when it is not waiting).
func (l *Library) receivingPath(sop string) string {
	l.rx.mu.Lock()
	defer l.rx.mu.Unlock()
	if it := l.rx.pending[sop]; it != nil {
		if _, err := os.Stat(it.path); err == nil {
			return it.path
		}
	}
	return ""
}

// receivingItem is the received object with this SOP Instance UID that is
// not indexed or not moved yet (nil when none).
func (l *Library) receivingItem(sop string) *rxItem {
	l.rx.mu.Lock()
	defer l.rx.mu.Unlock()
	return l.rx.pending[sop]
}

// recoverReceived finishes what a crash left in received/: files already
// indexed are moved to their objects/ path, the others are indexed first.
func (l *Library) recoverReceived() error {
	ents, err := os.ReadDir(l.receivedDir())
	if err != nil {
		return nil
	}
	var todo []*rxItem
	for _, e := range ents {
		p := filepath.Join(l.receivedDir(), e.Name())
		if !strings.HasSuffix(e.Name(), ".dcm") {
			os.Remove(p)
			continue
		}
		h, err := readHeader(p)
		if err != nil {
			// Synced but unreadable cannot happen for an acknowledged
			// object; keep it aside rather than lose bytes.
			l.quarantine(p, true, Quarantined{Source: "received (recovered)", Reason: err.Error()})
			continue
		}
		sum, err := fileCRC32C(p)
		if err != nil {
			return fmt.Errorf("library: recover received: %w", err)
		}
		h.inst.CRC32C = sum
		h.inst.Source = "received (recovered after a restart)"
		if fi, err := os.Stat(p); err == nil {
			h.inst.ModTime = fi.ModTime()
		}
		var old *Instance
		l.db.View(func(tx *bolt.Tx) error {
			if raw := tx.Bucket(bucketInstances).Get([]byte(h.inst.SOPInstanceUID)); raw != nil {
				old = new(Instance)
				return json.Unmarshal(raw, old)
			}
			return nil
		})
		if old == nil {
			todo = append(todo, &rxItem{h: h, path: p, sop: h.inst.SOPInstanceUID})
			continue
		}
		dst := l.FilePath(*old)
		if _, err := os.Stat(dst); errors.Is(err, os.ErrNotExist) {
			if err := l.ensureDir(filepath.Dir(dst)); err != nil {
				return err
			}
			if err := os.Rename(p, dst); err != nil {
				return fmt.Errorf("library: recover received: %w", err)
			}
			continue
		}
		os.Remove(p) // indexed and in place: a leftover link
	}
	if len(todo) > 0 {
		return l.indexBatch(todo)
	}
	return nil
}

// groupSync fsyncs a folder for many waiters at once: a caller whose
// change came before a sync started shares that sync; a later one waits
// for the next.
type groupSync struct {
	mu        sync.Mutex
	cond      *sync.Cond
	requested uint64
	synced    uint64
	running   bool
	err       error
}

func (g *groupSync) sync(dir string) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.cond == nil {
		g.cond = sync.NewCond(&g.mu)
	}
	g.requested++
	mine := g.requested
	for g.synced < mine {
		if g.running {
			g.cond.Wait()
			continue
		}
		g.running = true
		target := g.requested
		g.mu.Unlock()
		err := syncDir(dir)
		g.mu.Lock()
		g.running = false
		g.synced = target
		g.err = err
		g.cond.Broadcast()
		if mine <= target {
			return err
		}
	}
	return g.err
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
