package library

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	bolt "go.etcd.io/bbolt"

	"discdesk/viewer/dcm"
)

// Options change how Import works.
type Options struct {
	// InPlace indexes files where they lie instead of copying them into the
	// library (for folders that stay, such as a PACS export share).
	InPlace bool
	// BatchFiles and BatchBytes bound one durable batch (defaults 1024
	// files, 1 GiB).
	BatchFiles int
	BatchBytes int64
	// Move lets the import take files (not ZIP entries) by renaming them
	// into the library instead of copying, when they need no repair and sit
	// on the library's file system: for the DICOM receiver's spool files.
	Move bool
	// Progress, when set, is called after each batch with the number of
	// candidates handled so far and in all.
	Progress func(done, total int)
	// MaxInflated bounds the bytes inflated from deflated data sets and
	// ZIP entries over the whole import (default 16 GiB); each deflated
	// file is also bounded by dcm.DefaultMaxInflated.
	MaxInflated int64
}

// inflateBudget is what an import may still inflate (shared by its workers).
type inflateBudget struct{ left atomic.Int64 }

// limit is the bound for the next file, or an error when nothing is left.
func (b *inflateBudget) limit() (int64, error) {
	left := b.left.Load()
	if left <= 0 {
		return 0, fmt.Errorf("%w: this import already inflated its limit of deflated and zipped data", ErrTooLarge)
	}
	return min(left, dcm.DefaultMaxInflated), nil
}

// Problem is one line of the import report.
type Problem struct {
	File   string `json:"file"`
	Kind   string `json:"kind"` // "rejected" or "conflict"
	Reason string `json:"reason"`
	// Err is the error behind Reason, for errors.Is against the package's
	// sentinels (ErrInvalidObject, ErrInvalidUID, ErrConflict, ...).
	Err error `json:"-"`
}

// Report is what an import did.
type Report struct {
	Imported   int       `json:"imported"`
	Duplicates int       `json:"duplicates"`
	Conflicts  int       `json:"conflicts"`
	Rejected   int       `json:"rejected"`
	Problems   []Problem `json:"problems,omitempty"`
	Notes      []string  `json:"notes,omitempty"`
	Studies    []string  `json:"studies,omitempty"` // studies that received objects

	mu sync.Mutex
}

func (r *Report) reject(file, reason string) { r.rejectErr(file, errors.New(reason)) }

func (r *Report) rejectErr(file string, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.Rejected++
	r.Problems = append(r.Problems, Problem{File: file, Kind: "rejected", Reason: err.Error(), Err: err})
}

func (r *Report) conflict(file, reason string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.Conflicts++
	r.Problems = append(r.Problems, Problem{File: file, Kind: "conflict", Reason: reason, Err: fmt.Errorf("%w: %s", ErrConflict, reason)})
}

// prepared is one candidate after parsing (and, when managed, copying to a
// temporary file).
type prepared struct {
	c   candidate
	h   *header
	tmp string // temporary copy inside incoming/ (managed imports)
	sum string
	err error
	// repaired says why the stored copy got a new meta group ("" = byte copy)
	repaired string
	note     string // a report note on an accepted file (padding ignored)
}

// Import reads the given files, folders, ZIP archives and disc folders into
// the library. Bad files are reported, one line each, and the good ones are
// imported; the returned error is reserved for failures of the library
// itself (disk full, store closed).
func (l *Library) Import(ctx context.Context, paths []string, opt Options) (*Report, error) {
	if opt.BatchFiles <= 0 {
		opt.BatchFiles = 1024
	}
	if opt.BatchBytes <= 0 {
		opt.BatchBytes = 1 << 30
	}
	if opt.MaxInflated <= 0 {
		opt.MaxInflated = 16 << 30
	}
	budget := &inflateBudget{}
	budget.left.Store(opt.MaxInflated)
	rep := &Report{}
	cands, closers := gather(paths, opt.InPlace, rep, budget)
	defer func() {
		for _, c := range closers {
			c.Close()
		}
	}()

	workers := runtime.GOMAXPROCS(0)
	if workers > 4 {
		workers = 4
	}
	jobs := make(chan int)
	results := make([]chan *prepared, len(cands))
	for i := range results {
		results[i] = make(chan *prepared, 1)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				results[i] <- l.prepare(cands[i], opt, budget)
			}
		}()
	}
	go func() {
		defer close(jobs)
		for i := range cands {
			select {
			case jobs <- i:
			case <-ctx.Done():
				return
			}
		}
	}()

	b := &batch{seen: map[string]*prepared{}}
	studies := map[string]bool{}
	var fatal error
	for i := range cands {
		var p *prepared
		select {
		case p = <-results[i]:
		case <-ctx.Done():
			fatal = ctx.Err()
		}
		if fatal != nil {
			break
		}
		if p.err != nil {
			rep.rejectErr(p.c.name, p.err)
			continue
		}
		if prev, dup := b.seen[p.h.inst.SOPInstanceUID]; dup {
			l.judge(p, stored{path: l.tmpOrPath(prev), crc: prev.sum, syntax: prev.h.inst.TransferSyntax, from: prev.c.name}, rep)
			continue
		}
		if p.repaired != "" {
			rep.Notes = append(rep.Notes, fmt.Sprintf("%s: %s; stored with a repaired File Meta Information", p.c.name, p.repaired))
		}
		if p.note != "" {
			rep.Notes = append(rep.Notes, p.c.name+": "+p.note)
		}
		b.seen[p.h.inst.SOPInstanceUID] = p
		b.items = append(b.items, p)
		b.bytes += p.h.inst.Size
		if len(b.items) >= opt.BatchFiles || b.bytes >= opt.BatchBytes {
			if err := l.commit(b, opt.InPlace, rep, studies); err != nil {
				fatal = err
				break
			}
			b = &batch{seen: b.seen}
			if opt.Progress != nil {
				opt.Progress(i+1, len(cands))
			}
		}
	}
	if fatal == nil {
		fatal = l.commit(b, opt.InPlace, rep, studies)
	} else {
		for _, p := range b.items {
			l.discard(p)
		}
	}
	cancel()
	// Each result channel holds its one result, so workers never block:
	// wait for them, then discard what was prepared but not committed, so
	// no temporary file outlives the import.
	wg.Wait()
	for i := range results {
		select {
		case p := <-results[i]:
			l.discard(p)
		default:
		}
	}
	for s := range studies {
		rep.Studies = append(rep.Studies, s)
	}
	sort.Strings(rep.Studies)
	sort.SliceStable(rep.Problems, func(i, j int) bool { return rep.Problems[i].File < rep.Problems[j].File })
	if opt.Progress != nil {
		opt.Progress(len(cands), len(cands))
	}
	return rep, fatal
}

func (l *Library) discard(p *prepared) {
	if p != nil && p.tmp != "" {
		os.Remove(p.tmp)
		p.tmp = ""
	}
}

// prepare parses one candidate and, for a managed import, copies it into a
// private temporary file while hashing it.
func (l *Library) prepare(c candidate, opt Options, budget *inflateBudget) *prepared {
	inPlace := opt.InPlace
	p := &prepared{c: c}
	lim, err := budget.limit()
	if err != nil {
		p.err = err
		return p
	}
	parse := func(r io.Reader, size int64) (*dcm.File, error) {
		df, err := dcm.Parse(r, size, dcm.SkipPixelData(), dcm.MaxInflated(lim), dcm.InflateBudget(&budget.left))
		if df != nil {
			if err == nil && df.Padding > 0 {
				p.note = fmt.Sprintf("%d bytes of zero padding after the last element ignored (the file is kept as it is)", df.Padding)
			}
		}
		return df, err
	}
	if c.path != "" {
		f, err := os.Open(c.path)
		if err != nil {
			p.err = fmt.Errorf("cannot read: %w", err)
			return p
		}
		defer f.Close()
		fi, err := f.Stat()
		if err != nil {
			p.err = err
			return p
		}
		df, err := parse(f, fi.Size())
		if err != nil {
			p.err = describe(err)
			return p
		}
		h, err := extract(df)
		if err != nil {
			p.err = err
			return p
		}
		h.inst.Size = fi.Size()
		h.inst.ModTime = fi.ModTime()
		h.inst.Source = c.source
		p.h = h
		if inPlace && h.badMeta != "" {
			p.err = fmt.Errorf("%s; import it without --in-place to store a repaired copy", h.badMeta)
			return p
		}
		if inPlace {
			abs, err := filepath.Abs(c.path)
			if err != nil {
				p.err = err
				return p
			}
			h.inst.Path = abs
			h.inst.InPlace = true
			// The content checksum, so a rewrite that keeps size and
			// time is still caught (CheckContent).
			if _, err := f.Seek(0, io.SeekStart); err != nil {
				p.err = err
				return p
			}
			crc := crc32.New(castagnoli)
			if _, err := io.Copy(crc, f); err != nil {
				p.err = fmt.Errorf("cannot read: %w", err)
				return p
			}
			p.sum = hex.EncodeToString(crc.Sum(nil))
			h.inst.CRC32C = p.sum
			return p
		}
		if opt.Move && h.badMeta == "" && !df.NoMeta {
			if tmp, sum, ok := l.moveIn(c.path); ok {
				p.tmp, p.sum = tmp, sum
				return p
			}
		}
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			p.err = err
			return p
		}
		p.tmp, p.sum, h.inst.Size, p.err = l.copyIn(f, df, h.badMeta != "")
		p.repaired = h.badMeta
		return p
	}
	// ZIP entry: copy out first, then parse the copy.
	rc, err := c.open()
	if err != nil {
		p.err = fmt.Errorf("cannot read from archive: %w", err)
		return p
	}
	defer rc.Close()
	tmp, sum, size, err := l.copyIn(rc, nil, false)
	if err != nil {
		p.err = err
		return p
	}
	p.tmp, p.sum = tmp, sum
	var df *dcm.File
	if tf, oerr := os.Open(tmp); oerr != nil {
		err = oerr
	} else {
		df, err = parse(tf, size)
		tf.Close()
	}
	fix := err == nil && !df.NoMeta && !metaAgrees(df)
	if err == nil && (df.NoMeta || fix) {
		// Rewrite with a good meta group: re-copy from the temporary file.
		src, oerr := os.Open(tmp)
		if oerr != nil {
			err = oerr
		} else {
			if fix {
				p.repaired = "File Meta SOP Class/Instance UIDs differ from the data set's"
			}
			t2, s2, sz2, cerr := l.copyIn(src, df, fix)
			src.Close()
			os.Remove(tmp)
			p.tmp, p.sum, size, err = t2, s2, sz2, cerr
		}
	}
	if err != nil {
		l.discard(p)
		p.err = describe(err)
		return p
	}
	h, err := extract(df)
	if err != nil {
		l.discard(p)
		p.err = err
		return p
	}
	h.inst.Size = size
	h.inst.Source = c.source
	p.h = h
	return p
}

// describe turns parser errors into report text.
func describe(err error) error {
	var pe *dcm.ParseError
	switch {
	case errors.Is(err, dcm.ErrInflateLimit):
		return withKind(fmt.Errorf("not a readable DICOM file: %w", err), ErrInvalidObject, ErrTooLarge)
	case errors.As(err, &pe):
		return withKind(fmt.Errorf("not a readable DICOM file: %w", err), ErrInvalidObject)
	}
	return err
}

// moveIn renames a file into incoming/ and checksums it; ok is false when the
// rename is not possible (another file system), and the caller copies.
func (l *Library) moveIn(path string) (string, string, bool) {
	f, err := os.CreateTemp(l.incoming(), "mv-*")
	if err != nil {
		return "", "", false
	}
	tmp := f.Name()
	f.Close()
	if err := os.Rename(path, tmp); err != nil {
		os.Remove(tmp)
		return "", "", false
	}
	os.Chmod(tmp, 0o600)
	sum, err := fileCRC32C(tmp)
	if err != nil {
		os.Rename(tmp, path) // give it back
		return "", "", false
	}
	return tmp, sum, true
}

// copyIn copies r into a new 0600 file in incoming/, hashing it. When df is a
// raw data set without meta, or fixMeta says its meta group disagrees with
// the data set, a new File Meta Information group is written in front of the
// data set's bytes, so the library holds only consistent Part 10 files.
func (l *Library) copyIn(r io.Reader, df *dcm.File, fixMeta bool) (string, string, int64, error) {
	f, err := os.CreateTemp(l.incoming(), "in-*")
	if err != nil {
		return "", "", 0, fmt.Errorf("library: %w", err)
	}
	h := crc32.New(castagnoli)
	w := io.MultiWriter(f, h)
	var n int64
	if df != nil && (df.NoMeta || fixMeta) {
		if fixMeta {
			// skip the old preamble and meta group
			if _, err := io.CopyN(io.Discard, r, df.DataSetOffset); err != nil {
				f.Close()
				os.Remove(f.Name())
				return "", "", 0, fmt.Errorf("copy failed: %w", err)
			}
		}
		meta := dcm.EncodeMeta(dcm.Meta{
			SOPClassUID:       df.DataSet.String(dcm.SOPClassUID),
			SOPInstanceUID:    df.DataSet.String(dcm.SOPInstanceUID),
			TransferSyntaxUID: df.Syntax.UID,
		})
		m, err := w.Write(meta)
		n += int64(m)
		if err != nil {
			f.Close()
			os.Remove(f.Name())
			return "", "", 0, fmt.Errorf("library: %w", err)
		}
	}
	buf := copyBufs.Get().(*[]byte)
	defer copyBufs.Put(buf)
	var c int64
	if src, ok := r.(*os.File); ok && n == 0 {
		// A whole file: let the kernel copy it (copy_file_range), then
		// checksum what was stored, reading it back from the page cache.
		c, err = f.ReadFrom(src)
		if err == nil {
			err = checksumAt(f, c, h, *buf)
		}
	} else {
		// hide any WriterTo of r: os.File's falls back to 32 KiB copies
		c, err = io.CopyBuffer(w, struct{ io.Reader }{r}, *buf)
	}
	n += c
	if err == nil {
		startWriteback(f)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", "", 0, fmt.Errorf("copy failed: %w", err)
	}
	return f.Name(), hex.EncodeToString(h.Sum(nil)), n, nil
}

// checksumAt feeds the first n bytes of f into h.
func checksumAt(f *os.File, n int64, h io.Writer, buf []byte) error {
	for off := int64(0); off < n; {
		k := int64(len(buf))
		if n-off < k {
			k = n - off
		}
		m, err := f.ReadAt(buf[:k], off)
		h.Write(buf[:m])
		off += int64(m)
		if err != nil && !(err == io.EOF && off == n) {
			return err
		}
	}
	return nil
}

// ensureDir creates an object folder once per process.
func (l *Library) ensureDir(d string) error {
	l.mu.Lock()
	known := l.dirs[d]
	l.mu.Unlock()
	if known {
		return nil
	}
	if err := os.MkdirAll(d, 0o700); err != nil {
		return err
	}
	l.mu.Lock()
	l.dirs[d] = true
	l.mu.Unlock()
	return nil
}

var copyBufs = sync.Pool{New: func() any { b := make([]byte, 1<<20); return &b }}

type batch struct {
	items []*prepared
	bytes int64
	seen  map[string]*prepared
}

// managedPath is where an object lives in the library: named by a digest of
// its SOP Instance UID, so no UID text ever becomes a path component.
func managedPath(sop string) string {
	d := sha256.Sum256([]byte(sop))
	x := hex.EncodeToString(d[:])
	return "objects/" + x[:2] + "/" + x + ".dcm"
}

// commit makes one batch durable: journal, files into place, flush, index.
func (l *Library) commit(b *batch, inPlace bool, rep *Report, studies map[string]bool) error {
	if len(b.items) == 0 {
		return nil
	}
	// Known instances: duplicates and conflicts are decided against the index.
	var fresh []*prepared
	err := l.db.View(func(tx *bolt.Tx) error {
		inst := tx.Bucket(bucketInstances)
		for _, p := range b.items {
			raw := inst.Get([]byte(p.h.inst.SOPInstanceUID))
			if raw == nil {
				if it := l.receivingItem(p.h.inst.SOPInstanceUID); it != nil {
					// received, not indexed yet
					l.judge(p, stored{path: it.current(l), crc: it.crc, syntax: it.syntax}, rep)
					continue
				}
				fresh = append(fresh, p)
				continue
			}
			var old Instance
			if err := json.Unmarshal(raw, &old); err != nil {
				return err
			}
			l.judgeKnown(p, old, rep)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("library: read index: %w", err)
	}
	if len(fresh) == 0 {
		return nil
	}
	now := l.now()
	batchID := uuid.Must(uuid.NewV7()).String()
	if !inPlace {
		var journal []pendingFile
		for _, p := range fresh {
			p.h.inst.Path = managedPath(p.h.inst.SOPInstanceUID)
			p.h.inst.CRC32C = p.sum
			journal = append(journal, pendingFile{SOP: p.h.inst.SOPInstanceUID, Path: p.h.inst.Path})
		}
		raw, _ := json.Marshal(journal)
		if err := l.db.Update(func(tx *bolt.Tx) error {
			return tx.Bucket(bucketPending).Put([]byte(batchID), raw)
		}); err != nil {
			return fmt.Errorf("library: journal: %w", err)
		}
		for _, p := range fresh {
			dst := filepath.Join(l.root, filepath.FromSlash(p.h.inst.Path))
			if err := l.ensureDir(filepath.Dir(dst)); err != nil {
				return fmt.Errorf("library: %w", err)
			}
			if err := os.Rename(p.tmp, dst); err != nil {
				return fmt.Errorf("library: move into place: %w", err)
			}
			p.tmp = ""
			if fi, err := os.Stat(dst); err == nil {
				p.h.inst.ModTime = fi.ModTime()
			}
		}
		if err := syncFS(l.root, fresh, l); err != nil {
			return fmt.Errorf("library: flush to disk: %w", err)
		}
	}
	hs := make([]*header, len(fresh))
	for i, p := range fresh {
		hs[i] = p.h
	}
	err = l.db.Update(func(tx *bolt.Tx) error {
		if err := l.indexHeaders(tx, hs, now, studies); err != nil {
			return err
		}
		if !inPlace {
			return tx.Bucket(bucketPending).Delete([]byte(batchID))
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("library: index: %w", err)
	}
	rep.Imported += len(fresh)
	return nil
}

// stored is the object a new file is judged against: in the index, or
// earlier in the same import (from names it then).
type stored struct {
	path, crc, syntax, from string
}

// judgeKnown decides whether a file whose SOP Instance UID is indexed is the
// same object again or a conflicting one.
func (l *Library) judgeKnown(p *prepared, old Instance, rep *Report) {
	l.judge(p, stored{path: l.FilePath(old), crc: old.CRC32C, syntax: old.TransferSyntax}, rep)
}

// judge settles a file whose SOP Instance UID is already held: the same
// object again is a no-op (byte-identical, or the same data set in another
// transfer syntax or File Meta); anything else is a conflict, reported and
// kept in quarantine, never stored over the one held.
func (l *Library) judge(p *prepared, old stored, rep *Report) {
	defer l.discard(p)
	same, note, why := l.sameAs(p, old)
	if same {
		rep.mu.Lock()
		rep.Duplicates++
		if note != "" {
			rep.Notes = append(rep.Notes, p.c.name+": "+note)
		}
		rep.mu.Unlock()
		return
	}
	sop := p.h.inst.SOPInstanceUID
	msg := fmt.Sprintf("SOP Instance UID %s is already in the library with different content (%s); not overwritten", sop, why)
	if old.from != "" {
		msg = fmt.Sprintf("SOP Instance UID %s was already imported from %s with different content (%s); not overwritten", sop, old.from, why)
	}
	if kept, err := l.quarantine(l.tmpOrPath(p), p.tmp != "", Quarantined{
		Source: p.c.name, SOPInstanceUID: sop, StudyUID: p.h.inst.StudyUID, Reason: why, Stored: old.path,
	}); err == nil {
		msg += "; the new copy is kept for staff as " + kept
	}
	rep.conflict(p.c.name, msg)
}

// sameAs compares a prepared object with one already held: bytes first,
// then the data sets.
func (l *Library) sameAs(p *prepared, old stored) (same bool, note, why string) {
	if p.sum == "" || old.crc == "" || p.sum == old.crc {
		if sameFiles(l.tmpOrPath(p), old.path) {
			return true, "", ""
		}
	}
	if same, why := sameObject(old.path, l.tmpOrPath(p)); !same {
		return false, "", why
	}
	if p.h.inst.TransferSyntax != old.syntax {
		return true, fmt.Sprintf("the same instance as the one held, in %s (held in %s); the held copy is kept", dcm.SyntaxName(p.h.inst.TransferSyntax), dcm.SyntaxName(old.syntax)), ""
	}
	return true, "the same instance as the one held, with other File Meta Information or element encoding; the held copy is kept", ""
}

// tmpOrPath is where a prepared object's bytes are now.
func (l *Library) tmpOrPath(p *prepared) string {
	if p.tmp != "" {
		return p.tmp
	}
	return p.c.path
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// fileCRC32C is the library's integrity checksum of a file (CRC-32C: cheap
// enough to take on every import; disc manifests use SHA-256).
func fileCRC32C(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := crc32.New(castagnoli)
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// sameFiles compares two files byte for byte.
func sameFiles(a, b string) bool {
	fa, err := os.Open(a)
	if err != nil {
		return false
	}
	defer fa.Close()
	fb, err := os.Open(b)
	if err != nil {
		return false
	}
	defer fb.Close()
	sa, _ := fa.Stat()
	sb, _ := fb.Stat()
	if sa == nil || sb == nil || sa.Size() != sb.Size() {
		return false
	}
	ba, bb := make([]byte, 1<<20), make([]byte, 1<<20)
	for {
		na, ea := io.ReadFull(fa, ba)
		nb, _ := io.ReadFull(fb, bb)
		if na != nb || !bytes.Equal(ba[:na], bb[:nb]) {
			return false
		}
		if ea != nil {
			return true
		}
	}
}

// indexHeaders puts instances into the index in tx: instance, membership,
// series and study summaries, and the search index. studies collects the
// Study UIDs touched.
func (l *Library) indexHeaders(tx *bolt.Tx, hs []*header, now time.Time, studies map[string]bool) error {
	inst := tx.Bucket(bucketInstances)
	stb := tx.Bucket(bucketStudies)
	seb := tx.Bucket(bucketSeries)
	mem := tx.Bucket(bucketMembers)
	touched := map[string]*Study{}
	touchedSeries := map[string]*Series{}
	for _, h := range hs {
		h.inst.Received = now
		raw, err := json.Marshal(h.inst)
		if err != nil {
			return err
		}
		if err := inst.Put([]byte(h.inst.SOPInstanceUID), raw); err != nil {
			return err
		}
		if err := mem.Put([]byte(h.inst.StudyUID+"\x00"+h.inst.SeriesUID+"\x00"+h.inst.SOPInstanceUID), nil); err != nil {
			return err
		}
		st := touched[h.inst.StudyUID]
		if st == nil {
			st = &Study{}
			if raw := stb.Get([]byte(h.inst.StudyUID)); raw != nil {
				if err := json.Unmarshal(raw, st); err != nil {
					return err
				}
			}
			touched[h.inst.StudyUID] = st
		}
		st.merge(h)
		sk := h.inst.StudyUID + "\x00" + h.inst.SeriesUID
		se := touchedSeries[sk]
		if se == nil {
			se = &Series{}
			if raw := seb.Get([]byte(sk)); raw != nil {
				if err := json.Unmarshal(raw, se); err != nil {
					return err
				}
			} else {
				*se = h.series
				st.SeriesCount++
			}
			touchedSeries[sk] = se
		}
		se.InstanceCount++
	}
	for uid, st := range touched {
		raw, _ := json.Marshal(st)
		if err := stb.Put([]byte(uid), raw); err != nil {
			return err
		}
		if studies != nil {
			studies[uid] = true
		}
	}
	for k, se := range touchedSeries {
		raw, _ := json.Marshal(se)
		if err := seb.Put([]byte(k), raw); err != nil {
			return err
		}
	}
	l.mu.Lock()
	if l.search != nil {
		for _, st := range touched {
			l.search.put(st)
		}
	}
	l.mu.Unlock()
	return nil
}
