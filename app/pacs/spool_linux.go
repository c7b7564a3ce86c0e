package pacs

import (
	"errors"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// aheadFile is a spool file made ahead: an unnamed inode in the spool
// folder (O_TMPFILE), given a name when taken.
type aheadFile struct{ fd int }

func newAheadFile(dir string) (*aheadFile, error) {
	fd, err := unix.Open(dir, unix.O_TMPFILE|unix.O_RDWR|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return nil, err
	}
	return &aheadFile{fd: fd}, nil
}

// link names the file in dir (linkat through /proc/self/fd, which needs no
// privilege) and returns it open.
func (a *aheadFile) link(dir string) (*os.File, error) {
	src := "/proc/self/fd/" + strconv.Itoa(a.fd)
	for range 8 {
		name := spoolName(dir)
		err := unix.Linkat(unix.AT_FDCWD, src, unix.AT_FDCWD, name, unix.AT_SYMLINK_FOLLOW)
		if errors.Is(err, unix.EEXIST) {
			continue
		}
		if err != nil {
			return nil, err
		}
		return os.NewFile(uintptr(a.fd), name), nil
	}
	return nil, os.ErrExist
}

// drop closes a file never taken (an unnamed inode: nothing is left).
func (a *aheadFile) drop() { unix.Close(a.fd) }
