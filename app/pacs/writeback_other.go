//go:build !linux

package pacs

import "os"

// newWriteback is the file itself where sync_file_range does not exist.
func newWriteback(f *os.File) *os.File { return f }
