package pacs

import (
	"os"

	"golang.org/x/sys/unix"
)

// writeback passes writes to f and asks the kernel to start writing each
// chunk to disk at once (sync_file_range SYNC_FILE_RANGE_WRITE, which does
// not wait), so the sink's sync after the transfer finds most of the data
// already on disk: a durable receive then costs little more than the
// transfer itself.
type writeback struct {
	f   *os.File
	off int64
}

func newWriteback(f *os.File) *writeback { return &writeback{f: f} }

func (w *writeback) Write(b []byte) (int, error) {
	n, err := w.f.Write(b)
	if n > 0 {
		unix.SyncFileRange(int(w.f.Fd()), w.off, int64(n), unix.SYNC_FILE_RANGE_WRITE)
		w.off += int64(n)
	}
	return n, err
}
