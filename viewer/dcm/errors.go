package dcm

import (
	"errors"
	"fmt"
)

// Errors of Parse. Each is wrapped in a *ParseError that says where.
var (
	// ErrNotPart10 means the input has no "DICM" prefix after a 128-byte
	// preamble (PS3.10 7.1): not a DICOM file, or a raw data set without
	// File Meta Information.
	ErrNotPart10 = errors.New("not a DICOM Part 10 file (no DICM prefix after the 128-byte preamble)")
	// ErrTruncated means the input ended inside an element.
	ErrTruncated = errors.New("file ends inside a data element (truncated)")
	// ErrBadLength means a declared length does not fit what remains of the
	// input or the enclosing item.
	ErrBadLength = errors.New("declared length does not fit the file")
	// ErrBadVR means an explicit VR is not two upper-case letters.
	ErrBadVR = errors.New("invalid value representation")
	// ErrNoTransferSyntax means the File Meta Information lacks (0002,0010).
	ErrNoTransferSyntax = errors.New("File Meta Information has no Transfer Syntax UID (0002,0010)")
	// ErrBadSequence means a sequence or item is malformed.
	ErrBadSequence = errors.New("malformed sequence or item")
	// ErrTrailingData means zero bytes after the last element are followed
	// by something else (zero padding alone is accepted, see File.Padding).
	ErrTrailingData = errors.New("data after the zero padding that follows the last element")
	// ErrInflateLimit means a deflated data set inflates beyond the bound
	// set with MaxInflated, or would hold more than DefaultMaxHeld bytes of
	// values in memory (a deflate bomb).
	ErrInflateLimit = errors.New("deflated data set inflates beyond the limit")
	// ErrTooDeep means sequences are nested deeper than MaxDepth.
	ErrTooDeep = errors.New("sequences nested too deeply")
)

// MaxDepth bounds sequence nesting.
const MaxDepth = 32

// ParseError says which element at which offset failed.
type ParseError struct {
	Offset int64
	Tag    Tag
	Err    error
}

func (e *ParseError) Error() string {
	if e.Tag == 0 {
		return fmt.Sprintf("at byte %d: %v", e.Offset, e.Err)
	}
	if name := e.Tag.Name(); name != e.Tag.String() {
		return fmt.Sprintf("element %s %s at byte %d: %v", e.Tag, name, e.Offset, e.Err)
	}
	return fmt.Sprintf("element %s at byte %d: %v", e.Tag, e.Offset, e.Err)
}

func (e *ParseError) Unwrap() error { return e.Err }
