package dimse

import (
	"errors"
	"fmt"
)

// Errors of the PDU reader.
var (
	// ErrPDUTooLarge: a PDU announced a length over the receive limit.
	ErrPDUTooLarge = errors.New("PDU longer than the maximum length")
	// ErrUnrecognizedPDU: the PDU type byte is not one of PS3.8 9.3.
	ErrUnrecognizedPDU = errors.New("unrecognized PDU type")
	// ErrMalformedPDU: a PDU's items or lengths are inconsistent.
	ErrMalformedPDU = errors.New("malformed PDU")
)

// Errors of association establishment and release.
var (
	// ErrRejected: the peer answered A-ASSOCIATE-RJ; errors.As gives *RejectError.
	ErrRejected = errors.New("association rejected")
	// ErrAborted: the peer sent A-ABORT; errors.As gives *AbortError.
	ErrAborted = errors.New("association aborted")
	// ErrReleased: the peer asked to release the association (A-RELEASE-RQ);
	// the acceptor answers it with Association.ReplyRelease.
	ErrReleased = errors.New("association released by peer")
	// ErrProtocol: the peer broke the state machine of PS3.8 9.2 (an
	// unexpected PDU or PDV); the association was aborted.
	ErrProtocol = errors.New("DICOM upper layer protocol violation")
	// ErrInterrupted: the local side shut the association down (Interrupt).
	ErrInterrupted = errors.New("association interrupted")
	// ErrNoContext: no accepted presentation context fits the request.
	ErrNoContext = errors.New("no accepted presentation context")
	// ErrPeerPDUTooSmall: the peer announced a Maximum PDU Length below
	// MinPeerPDU; the association was refused.
	ErrPeerPDUTooSmall = errors.New("peer's maximum PDU length too small")
)

// Errors of the element codec.
var (
	// ErrMalformedData: a command set, identifier or data set does not parse.
	ErrMalformedData = errors.New("malformed data set")
	// ErrCommandTooLarge: a command set exceeded the 64 KiB limit.
	ErrCommandTooLarge = errors.New("command set too large")
)

// RejectError is the A-ASSOCIATE-RJ a peer answered with.
type RejectError struct{ Reject }

func (e *RejectError) Error() string {
	return fmt.Sprintf("association rejected: %s", e.Reject.Describe())
}

// Is makes errors.Is(err, ErrRejected) true.
func (e *RejectError) Is(target error) bool { return target == ErrRejected }

// Describe names the result, source and reason as PS3.8 Table 9-21 does.
func (r Reject) Describe() string {
	res := "permanent"
	if r.Result == RejectTransient {
		res = "transient"
	}
	reason := fmt.Sprintf("reason %d", r.Reason)
	switch r.Source {
	case SourceServiceUser:
		switch r.Reason {
		case ReasonNoReason:
			reason = "no reason given"
		case ReasonAppContextNotSupported:
			reason = "application context name not supported"
		case ReasonCallingAENotRecognized:
			reason = "calling AE title not recognized"
		case ReasonCalledAENotRecognized:
			reason = "called AE title not recognized"
		}
		return fmt.Sprintf("%s, service user, %s", res, reason)
	case SourceServiceProviderACSE:
		if r.Reason == ReasonProtocolVersion {
			reason = "protocol version not supported"
		}
		return fmt.Sprintf("%s, service provider (ACSE), %s", res, reason)
	case SourceServiceProviderPresentn:
		switch r.Reason {
		case ReasonTemporaryCongested:
			reason = "temporary congestion"
		case ReasonLocalLimitExceeded:
			reason = "local limit exceeded"
		}
		return fmt.Sprintf("%s, service provider (presentation), %s", res, reason)
	}
	return fmt.Sprintf("%s, source %d, %s", res, r.Source, reason)
}

// AbortError is the A-ABORT a peer sent, or the one this side sent when the
// peer broke the protocol (Local true).
type AbortError struct {
	Source, Reason byte
	Local          bool  // this side aborted
	Cause          error // why this side aborted, when Local
}

func (e *AbortError) Error() string {
	who := "peer"
	if e.Local {
		who = "local"
	}
	s := fmt.Sprintf("association aborted (%s, source %d, reason %d)", who, e.Source, e.Reason)
	if e.Cause != nil {
		s += ": " + e.Cause.Error()
	}
	return s
}

// Is makes errors.Is(err, ErrAborted) true.
func (e *AbortError) Is(target error) bool { return target == ErrAborted }

// Unwrap gives the local cause.
func (e *AbortError) Unwrap() error { return e.Cause }
