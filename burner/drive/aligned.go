package drive

import (
	"io"
	"sync"
)

// alignedReader wraps a device so that every read is of whole 2048-byte
// sectors at sector offsets (raw CD-ROM volumes on Windows and macOS refuse
// anything else). It keeps the last sector run read, so sequential small
// reads cost one device read per 64 KiB.
func alignedReader(r io.ReaderAt) io.ReaderAt { return &aligned{r: r} }

type aligned struct {
	r   io.ReaderAt
	mu  sync.Mutex
	off int64
	buf []byte
}

const alignChunk = 32 * 2048

func (a *aligned) ReadAt(p []byte, off int64) (int, error) {
	// Large aligned reads go straight through.
	if off%2048 == 0 && len(p)%2048 == 0 && len(p) >= alignChunk {
		return a.r.ReadAt(p, off)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	n := 0
	for n < len(p) {
		o := off + int64(n)
		if a.buf == nil || o < a.off || o >= a.off+int64(len(a.buf)) {
			start := o / 2048 * 2048
			b := make([]byte, alignChunk)
			k, err := a.r.ReadAt(b, start)
			k = k / 2048 * 2048
			if k <= int(o-start) {
				if err == nil {
					err = io.EOF
				}
				return n, err
			}
			a.off, a.buf = start, b[:k]
		}
		n += copy(p[n:], a.buf[o-a.off:])
	}
	return n, nil
}
