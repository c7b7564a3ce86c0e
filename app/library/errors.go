package library

import (
	"errors"
	"fmt"
)

// Errors of Import and Receive, for callers that answer a peer (the DICOM
// receiver maps them to C-STORE statuses) or a lifecycle that must stop.
// Each is wrapped with the file's name and the reason.
var (
	// ErrInvalidObject means a file is not an object the library can hold:
	// it does not parse, is truncated, lacks a key UID, or declares an
	// image without Pixel Data. The peer sent something wrong (C-STORE
	// A900 / C000 range), not something the desk failed to keep.
	ErrInvalidObject = errors.New("not a valid DICOM object")
	// ErrInvalidUID means a Study, Series or SOP Instance UID is missing
	// or is not a valid UID (PS3.5 9.1). It is also an ErrInvalidObject.
	ErrInvalidUID = errors.New("missing or invalid UID")
	// ErrConflict means the library already holds a different object under
	// the same SOP Instance UID. The new copy is kept in quarantine for
	// staff (see Quarantined); the stored one is never overwritten.
	ErrConflict = errors.New("a different object with this SOP Instance UID is already in the library")
	// ErrContentChanged means a stored or in-place file's bytes no longer
	// match the checksum taken when it was indexed.
	ErrContentChanged = errors.New("file content changed since it was indexed")
	// ErrTooLarge means a file or an import exceeded a size bound (deflate
	// or ZIP inflation).
	ErrTooLarge = errors.New("expands beyond the import's size limit")
)

// kindError is an error whose text is its own message and which also
// matches the package sentinels it carries.
type kindError struct {
	msg   string
	kinds []error
}

func (e *kindError) Error() string   { return e.msg }
func (e *kindError) Unwrap() []error { return e.kinds }

// invalidf is an ErrInvalidObject with the given text.
func invalidf(format string, args ...any) error {
	return &kindError{msg: fmt.Sprintf(format, args...), kinds: []error{ErrInvalidObject}}
}

// withKind adds sentinels to err, keeping its text.
func withKind(err error, kinds ...error) error {
	return &kindError{msg: err.Error(), kinds: append(kinds, err)}
}
