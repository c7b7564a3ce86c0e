package study

import "errors"

var (
	// ErrNoDICOM means the path holds neither a DICOMDIR nor any readable
	// DICOM file.
	ErrNoDICOM = errors.New("no DICOM files found")
	// ErrNotImage means an instance has no pixel data to show in a stack.
	ErrNotImage = errors.New("instance is not an image")
	// ErrBadISO means an ISO 9660 image could not be read (no primary
	// volume descriptor, or a directory record out of bounds).
	ErrBadISO = errors.New("not a readable ISO 9660 image")
	// ErrClosed means the Stack was closed.
	ErrClosed = errors.New("stack closed")
)
