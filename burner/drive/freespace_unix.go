//go:build unix

package drive

import "golang.org/x/sys/unix"

// freeSpace is the bytes available to this user on the file system of path.
func freeSpace(path string) (int64, error) {
	var st unix.Statfs_t
	if err := unix.Statfs(path, &st); err != nil {
		return 0, err
	}
	return int64(st.Bavail) * int64(st.Bsize), nil
}
