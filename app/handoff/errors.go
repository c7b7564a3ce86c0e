package handoff

import (
	"errors"
	"fmt"
)

// Errors returned when a request is validated (NewRequest, Quote). Each
// reaches the caller wrapped in a *FieldError that names the field.
var (
	// ErrMissing means a required field is empty.
	ErrMissing = errors.New("required")
	// ErrInvalidAddress means a mailing address part failed its check.
	ErrInvalidAddress = errors.New("invalid address")
	// ErrDueInPast means the requested due date has already passed.
	ErrDueInPast = errors.New("due date is in the past")
	// ErrDueAfterLimit means the due date lies beyond the legal limit.
	ErrDueAfterLimit = errors.New("due date is after the legal limit")
	// ErrUnknownStudy means the study validator did not know a study.
	ErrUnknownStudy = errors.New("unknown study")
	// ErrInvalidUID means a Study Instance UID is not a valid DICOM UI value (PS3.5 9.1).
	ErrInvalidUID = errors.New("invalid Study Instance UID")
	// ErrInvalidValue means a field holds a value outside its allowed set or range.
	ErrInvalidValue = errors.New("invalid value")
)

// Errors returned by the log operations.
var (
	// ErrNotFound means no request (or disc, or event) has the given ID.
	ErrNotFound = errors.New("not found")
	// ErrDiscExists means a burn was recorded twice for one disc UUID.
	ErrDiscExists = errors.New("disc already recorded")
	// ErrClosed means the request was cancelled and takes no more events.
	ErrClosed = errors.New("request is cancelled")
	// ErrWrongState means the event does not fit the disc's or request's
	// history (e.g. a handoff of a disc that failed verification).
	ErrWrongState = errors.New("event does not fit the history")
	// ErrNoStore means the handoff buckets are missing (store not opened through Open).
	ErrNoStore = errors.New("handoff buckets missing")
)

// Errors returned by Verify and by decoding stored records.
var (
	// ErrChainBroken means an event was edited, deleted, inserted or reordered.
	ErrChainBroken = errors.New("handoff log hash chain broken")
	// ErrViewMismatch means a stored view (request state, index) differs from
	// the state replayed from the log.
	ErrViewMismatch = errors.New("handoff view differs from the log")
	// ErrBadRecord means a stored event record could not be decoded.
	ErrBadRecord = errors.New("malformed handoff record")
)

// A FieldError names the field of a request that failed validation; Err is
// one of the sentinel errors above.
type FieldError struct {
	Field string // e.g. "address.postal_code"
	Msg   string // human text, shown as-is by the desk
	Err   error
}

func (e *FieldError) Error() string {
	if e.Msg == "" {
		return fmt.Sprintf("%s: %v", e.Field, e.Err)
	}
	return fmt.Sprintf("%s: %s (%v)", e.Field, e.Msg, e.Err)
}

func (e *FieldError) Unwrap() error { return e.Err }

func fieldErr(field string, err error, format string, args ...any) error {
	return &FieldError{Field: field, Err: err, Msg: fmt.Sprintf(format, args...)}
}
