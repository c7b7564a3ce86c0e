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
