//go:build !linux

package library

import (
	"os"
	"path/filepath"
)

// syncFS makes every file of the batch, and the folders holding them,
// durable one by one.
func syncFS(root string, items []*prepared, l *Library) error {
	dirs := map[string]bool{}
	for _, p := range items {
		path := filepath.Join(root, filepath.FromSlash(p.h.inst.Path))
		f, err := os.OpenFile(path, os.O_RDWR, 0)
		if err != nil {
			return err
		}
		err = f.Sync()
		f.Close()
		if err != nil {
			return err
		}
		dirs[filepath.Dir(path)] = true
	}
	for d := range dirs {
		if f, err := os.Open(d); err == nil {
			f.Sync()
			f.Close()
		}
	}
	return nil
}

// startWriteback is a no-op where sync_file_range does not exist; syncFS
// makes the batch durable.
func startWriteback(*os.File) {}

// syncData makes f's data durable.
func syncData(f *os.File) error { return f.Sync() }
