package drive

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"discdesk/burner"
	"discdesk/burner/drive/iso9660"
)

// A Report is the result of reading one written disc (or image, folder)
// back. It is kept with the job and the disc's handoff record.
type Report struct {
	Target    string        `json:"target"`
	VolumeID  string        `json:"volume_id"` // as read
	Files     int           `json:"files"`     // files read and hashed
	Bytes     int64         `json:"bytes"`     // bytes read
	Started   time.Time     `json:"started"`
	Duration  time.Duration `json:"duration_ns"`
	OK        bool          `json:"ok"`
	Problems  []Problem     `json:"problems,omitempty"`
	Truncated bool          `json:"truncated,omitempty"` // more problems than kept
}

// A Problem is one difference between the media and the manifest.
type Problem struct {
	Path   string `json:"path,omitempty"`
	Kind   string `json:"kind"` // missing, extra, size, sha256, name, volume, unreadable
	Detail string `json:"detail"`
}

const maxProblems = 100

func (r *Report) add(p Problem) {
	if len(r.Problems) >= maxProblems {
		r.Truncated = true
		return
	}
	r.Problems = append(r.Problems, p)
}

// Summary is one line for logs and the CLI.
func (r *Report) Summary() string {
	if r.OK {
		return fmt.Sprintf("verified: %d files, %d bytes, volume %s, read back in %s", r.Files, r.Bytes, r.VolumeID, r.Duration.Round(time.Millisecond))
	}
	s := fmt.Sprintf("NOT verified: %d problem(s)", len(r.Problems))
	if len(r.Problems) > 0 {
		p := r.Problems[0]
		s += fmt.Sprintf("; first: %s %s: %s", p.Kind, p.Path, p.Detail)
	}
	return s
}

// readBack is what a verification reads: the volume id, the name problems
// the media check found, and the files in reading order.
type readBack struct {
	volumeID  string
	nameProbs []string
	files     []readFile
	parallel  bool // files may be read concurrently (not a disc)
}

type readFile struct {
	path string
	size int64
	open func() (io.ReadCloser, error)
}

// fromISO reads an ISO 9660 image from r (a file or a device).
func fromISO(r io.ReaderAt, size int64) (*readBack, error) {
	im, err := iso9660.Open(r, size)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnreadable, err)
	}
	rb := &readBack{volumeID: im.VolumeID, nameProbs: im.Check()}
	for _, f := range im.Files() {
		rb.files = append(rb.files, readFile{path: f.Path, size: f.Size, open: func() (io.ReadCloser, error) {
			return io.NopCloser(im.Section(f)), nil
		}})
	}
	return rb, nil
}

// fromFS reads a folder tree (a dir: or usb: target, or a test map).
func fromFS(fsys fs.FS, volumeID string) (*readBack, error) {
	rb := &readBack{volumeID: volumeID}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if ignoredOnUSB(p) {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			if p != "." && !level1Dir(d.Name()) {
				rb.nameProbs = append(rb.nameProbs, fmt.Sprintf("directory %s: %q is not a level 1 name", p, d.Name()))
			}
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		if !fi.Mode().IsRegular() {
			rb.nameProbs = append(rb.nameProbs, fmt.Sprintf("%s is not a regular file", p))
			return nil
		}
		rb.files = append(rb.files, readFile{path: p, size: fi.Size(), open: func() (io.ReadCloser, error) { return fsys.Open(p) }})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnreadable, err)
	}
	return rb, nil
}

func level1Dir(s string) bool {
	if len(s) < 1 || len(s) > 8 {
		return false
	}
	return checkVolumeID(s) == nil
}

// check compares what was read with the tree and fills a report. It reads
// every file in the order given (media order for discs) and hashes it.
func (rb *readBack) check(ctx context.Context, target string, tree *burner.Tree, progress ProgressFunc) (*Report, error) {
	rep := &Report{Target: target, VolumeID: rb.volumeID, Started: time.Now()}
	defer func() { rep.Duration = time.Since(rep.Started) }()
	if rb.volumeID != tree.VolumeID {
		rep.add(Problem{Kind: "volume", Detail: fmt.Sprintf("volume id %q, manifest %q", rb.volumeID, tree.VolumeID)})
	}
	for _, p := range rb.nameProbs {
		rep.add(Problem{Kind: "name", Detail: p})
	}
	want := make(map[string]*burner.File, len(tree.Files))
	for i := range tree.Files {
		want[tree.Files[i].Path] = &tree.Files[i]
	}
	got := map[string]bool{}
	read := &burner.Tree{VolumeID: rb.volumeID}
	total := tree.Size()
	sp := newSpeedometer(progress, PhaseVerifying, total)
	sp.update(0)
	// Hash the files: in media order on one reader (a disc seeks), or on
	// every core when the media is a file in memory's reach (an image file,
	// a folder), which reads back at the speed of SHA-256.
	type result struct {
		n   int64
		sum string
		err error
	}
	results := make([]result, len(rb.files))
	todo := make([]int, 0, len(rb.files))
	for i, f := range rb.files {
		if w, ok := want[f.path]; ok && f.size == w.Size {
			todo = append(todo, i)
		}
	}
	workers := 1
	if rb.parallel {
		workers = min(runtime.GOMAXPROCS(0), 4, max(len(todo), 1))
	}
	var (
		mu   sync.Mutex
		done int64
		wg   sync.WaitGroup
		next atomic.Int64
	)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, 1<<20)
			h := sha256.New()
			for {
				k := int(next.Add(1) - 1)
				if k >= len(todo) || ctx.Err() != nil {
					return
				}
				i := todo[k]
				rc, err := rb.files[i].open()
				if err != nil {
					results[i].err = err
					continue
				}
				h.Reset()
				var last int64
				n, err := copyCtx(ctx, h, rc, buf, func(k int64) {
					mu.Lock()
					done += k - last
					last = k
					sp.update(done)
					mu.Unlock()
				})
				rc.Close()
				results[i] = result{n: n, sum: hex.EncodeToString(h.Sum(nil)), err: err}
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("drive: verify %s: %w", target, err)
	}
	for i, f := range rb.files {
		got[f.path] = true
		read.Files = append(read.Files, burner.File{Path: f.path, Size: f.size, Data: []byte{}})
		w, ok := want[f.path]
		if !ok {
			rep.add(Problem{Path: f.path, Kind: "extra", Detail: fmt.Sprintf("%d bytes on the media, not in the manifest", f.size)})
			continue
		}
		if f.size != w.Size {
			rep.add(Problem{Path: f.path, Kind: "size", Detail: fmt.Sprintf("%d bytes on the media, manifest %d", f.size, w.Size)})
			continue
		}
		r := results[i]
		rep.Bytes += r.n
		if r.err != nil {
			rep.add(Problem{Path: f.path, Kind: "unreadable", Detail: r.err.Error()})
			continue
		}
		rep.Files++
		if !strings.EqualFold(r.sum, w.SHA256) {
			rep.add(Problem{Path: f.path, Kind: "sha256", Detail: fmt.Sprintf("read %s, manifest %s", r.sum, w.SHA256)})
		}
	}
	var missing []string
	for p := range want {
		if !got[p] {
			missing = append(missing, p)
		}
	}
	sort.Strings(missing)
	for _, p := range missing {
		rep.add(Problem{Path: p, Kind: "missing", Detail: "in the manifest, not on the media"})
	}
	if err := read.CheckNames(); err != nil {
		rep.add(Problem{Kind: "name", Detail: err.Error()})
	}
	sp.update(total)
	rep.OK = len(rep.Problems) == 0 && !rep.Truncated
	if !rep.OK {
		return rep, fmt.Errorf("drive: verify %s: %s: %w", target, rep.Summary(), ErrVerifyMismatch)
	}
	return rep, nil
}

// copyCtx copies src to dst with buf, checking ctx between chunks and
// reporting the running count.
func copyCtx(ctx context.Context, dst io.Writer, src io.Reader, buf []byte, progress func(int64)) (int64, error) {
	var n int64
	for {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		k, err := src.Read(buf)
		if k > 0 {
			if _, werr := dst.Write(buf[:k]); werr != nil {
				return n, werr
			}
			n += int64(k)
			progress(n)
		}
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}

// VerifyImage verifies the ISO 9660 image in the file (or device) at
// name against tree. Backends whose media can be opened as a file use it.
func VerifyImage(ctx context.Context, name string, tree *burner.Tree, progress ProgressFunc) (*Report, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("drive: verify: open %s: %w: %w", name, ErrUnreadable, err)
	}
	defer f.Close()
	size, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		return nil, fmt.Errorf("drive: verify: size of %s: %w: %w", name, ErrUnreadable, err)
	}
	var r io.ReaderAt = f
	regular := false
	if fi, err := f.Stat(); err == nil && !fi.Mode().IsRegular() {
		r = alignedReader(f) // a device: whole sectors only
		if size <= 0 {
			size = 1 << 40 // raw volumes may not report a size; the descriptor bounds the reads
		}
	} else if err == nil {
		regular = true
	}
	rb, err := fromISO(r, size)
	if err != nil {
		return &Report{Target: name, Started: time.Now(), Problems: []Problem{{Kind: "unreadable", Detail: err.Error()}}},
			fmt.Errorf("drive: verify %s: %w", name, err)
	}
	rb.parallel = regular
	return rb.check(ctx, name, tree, progress)
}

// VerifyFS verifies a folder tree (fs.FS) against tree; volumeID is the
// volume label of the folder's file system or tree.VolumeID where there is
// none.
func VerifyFS(ctx context.Context, target string, fsys fs.FS, volumeID string, tree *burner.Tree, progress ProgressFunc) (*Report, error) {
	rb, err := fromFS(fsys, volumeID)
	if err != nil {
		return &Report{Target: target, Started: time.Now(), Problems: []Problem{{Kind: "unreadable", Detail: err.Error()}}},
			fmt.Errorf("drive: verify %s: %w", target, err)
	}
	return rb.check(ctx, target, tree, progress)
}

// ignoredOnUSB lists file system housekeeping that an OS puts on a stick.
func ignoredOnUSB(p string) bool {
	top, _, _ := strings.Cut(p, "/")
	switch top {
	case "System Volume Information", ".Trashes", ".fseventsd", ".Spotlight-V100", "$RECYCLE.BIN":
		return true
	}
	return false
}
