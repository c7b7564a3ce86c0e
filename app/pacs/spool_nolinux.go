//go:build !linux

package pacs

import (
	"errors"
	"os"
)

// aheadFile exists on Linux only (O_TMPFILE); elsewhere spool files are
// made when needed.
type aheadFile struct{}

func newAheadFile(string) (*aheadFile, error) {
	return nil, errors.ErrUnsupported
}

func (*aheadFile) link(string) (*os.File, error) { return nil, errors.ErrUnsupported }

func (*aheadFile) drop() {}
