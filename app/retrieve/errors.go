package retrieve

import (
	"context"
	"errors"
	"fmt"
	"net"

	"discdesk/app/pacs"
	"discdesk/app/pacs/dicomweb"
	"discdesk/app/pacs/dimse"
)

// Kinds of node failure staff can act on (errors.Is on a *NodeError).
var (
	// ErrUnreachable: nothing answered at the node's address (not
	// running, a wrong host or port, a firewall).
	ErrUnreachable = errors.New("does not answer")
	// ErrRefused: the node answered but refused the desk: an association
	// rejected (our AE title unknown to it) or DICOMweb credentials
	// refused (HTTP 401, 403).
	ErrRefused = errors.New("refused the desk")
	// ErrUnknownDestination: the node does not know the desk's AE title
	// as a C-MOVE destination (status A801, PS3.4 C.4.2.1.5).
	ErrUnknownDestination = errors.New("does not know the desk as a move destination")
)

// NodeError is a find or retrieve that failed. Its text is a sentence
// staff can act on, naming the node, with the cause at the end for the
// log; errors.Is sees the kind and the cause.
type NodeError struct {
	Node string // as Node.String names it
	Op   string // "find studies on", "retrieve the study from", ...
	AE   string // our AE title, for the messages that need it
	Kind error  // one of the kinds above, or nil
	Err  error
}

func (e *NodeError) Error() string {
	cause := innermost(e.Err)
	switch e.Kind {
	case ErrUnreachable:
		return fmt.Sprintf("%s does not answer: check that it is running and that its host and port in Settings are right (%s)", e.Node, cause)
	case ErrRefused:
		return fmt.Sprintf("%s refused the desk: check that it knows the AE title %s, and the user and secret file of a DICOMweb node (%s)", e.Node, e.AE, cause)
	case ErrUnknownDestination:
		return fmt.Sprintf("%s does not know the desk as a move destination: add the AE title %s with this computer's address and the receive port in its settings (%s)", e.Node, e.AE, cause)
	}
	return fmt.Sprintf("%s %s: %v", e.Op, e.Node, e.Err)
}

// Unwrap gives the kind and the cause.
func (e *NodeError) Unwrap() []error {
	if e.Kind == nil {
		return []error{e.Err}
	}
	return []error{e.Kind, e.Err}
}

// innermost is the message of the deepest single cause ("connection
// refused" rather than the dial's whole chain).
func innermost(err error) string {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err.Error()
		}
		err = next
	}
}

// fail wraps err as the NodeError of op, its kind recognised.
func (n *Node) fail(ctx context.Context, op string, err error) error {
	err = cancelled(ctx, err)
	e := &NodeError{Node: n.String(), Op: op, Err: err}
	if n.SCU != nil {
		e.AE = n.SCU.AETitle
	}
	var oe *net.OpError
	var he *dicomweb.HTTPError
	var se *pacs.StatusError
	switch {
	case ctx.Err() != nil:
	case errors.As(err, &oe) && oe.Op == "dial":
		e.Kind = ErrUnreachable
	case errors.Is(err, dimse.ErrRejected), errors.As(err, &he) && (he.Status == 401 || he.Status == 403):
		e.Kind = ErrRefused
	case errors.As(err, &se) && se.Status == 0xA801:
		e.Kind = ErrUnknownDestination
	}
	return e
}

// cancelled makes an error caused by ctx ending say so (errors.Is
// context.Canceled), not only as the closed connection it shows as.
func cancelled(ctx context.Context, err error) error {
	if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
		return fmt.Errorf("%w: %w", cerr, err)
	}
	return err
}
