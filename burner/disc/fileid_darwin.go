package disc

import (
	"fmt"
	"io/fs"
	"syscall"
)

// fileIdentity names a file's version as the frame cache keys it: device,
// inode, size, modification and change times (a rewrite in place changes
// the change time, which no program sets back).
func fileIdentity(fi fs.FileInfo) string {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return fmt.Sprintf("%d %d", fi.Size(), fi.ModTime().UnixNano())
	}
	return fmt.Sprintf("%d %d %d %d.%d %d.%d", st.Dev, st.Ino, st.Size, st.Mtimespec.Sec, st.Mtimespec.Nsec, st.Ctimespec.Sec, st.Ctimespec.Nsec)
}
