package library

import (
	"os"

	"golang.org/x/sys/unix"
)

// syncFS flushes the file system holding the library (syncfs(2)): one call
// makes the whole batch's files and renames durable.
func syncFS(root string, _ []*prepared, _ *Library) error {
	d, err := os.Open(root)
	if err != nil {
		return err
	}
	defer d.Close()
	return unix.Syncfs(int(d.Fd()))
}

// startWriteback asks the kernel to begin writing f's pages now
// (sync_file_range SYNC_FILE_RANGE_WRITE, which does not wait), so the
// batch's final syncfs finds most of the data already on its way to disk.
func startWriteback(f *os.File) {
	unix.SyncFileRange(int(f.Fd()), 0, 0, unix.SYNC_FILE_RANGE_WRITE)
}

// syncData makes f's data durable (fdatasync(2): the size is metadata it
// needs, the times are not).
func syncData(f *os.File) error { return unix.Fdatasync(int(f.Fd())) }
