package audit

import "errors"

// Errors returned by Sender.
var (
	// ErrNoCollector means the Sender has no address to send to.
	ErrNoCollector = errors.New("audit: no syslog collector configured")
	// ErrTooLarge means a message exceeds the Sender's size limit.
	ErrTooLarge = errors.New("audit: message too large for syslog")
)
