package staff

import "errors"

// Errors of sign-in and member management.
var (
	// ErrWrongPIN means the PIN does not match; the failure was counted.
	ErrWrongPIN = errors.New("wrong PIN")
	// ErrLocked means too many wrong PINs: the member (or kiosk) is locked for a while.
	ErrLocked = errors.New("locked after too many wrong attempts; wait a few minutes")
	// ErrNoMember means no staff member has that ID.
	ErrNoMember = errors.New("no such staff member")
	// ErrBadPIN means a new PIN is not 4 to 8 digits.
	ErrBadPIN = errors.New("a PIN is 4 to 8 digits")
	// ErrBadName means a member's name is empty or too long.
	ErrBadName = errors.New("a staff member needs a name (at most 60 characters)")
	// ErrBadRole means the role is not front desk, technologist or supervisor.
	ErrBadRole = errors.New("role must be front desk, technologist or supervisor")
	// ErrNotAllowed means the member's role may not do this.
	ErrNotAllowed = errors.New("your role may not do this; ask a supervisor")
	// ErrLastSupervisor means the change would leave no active supervisor.
	ErrLastSupervisor = errors.New("the desk needs at least one active supervisor")
	// ErrNoRequest means no open request matches the code and birth date (kiosk).
	ErrNoRequest = errors.New("no request matches this code and birth date")
)
