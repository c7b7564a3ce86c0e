//go:build !linux && !darwin

package disc

import (
	"fmt"
	"io/fs"
)

// fileIdentity names a file's version as the frame cache keys it: size and
// modification time (no inode or change time here; the read-back verify
// still fails a disc made from a stale entry).
func fileIdentity(fi fs.FileInfo) string {
	return fmt.Sprintf("%d %d", fi.Size(), fi.ModTime().UnixNano())
}
