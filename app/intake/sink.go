package intake

import (
	"context"
	"errors"
	"fmt"

	"discdesk/app/library"
	"discdesk/app/pacs"
)

// ErrLibraryRejected means the library refused a received object (a
// conflict with a stored instance, or a file it cannot index); the sender
// gets C-STORE status 0111 (conflict) or C000 (cannot be filed).
var ErrLibraryRejected = errors.New("library rejected the object")

// LibrarySink imports each received Part 10 file into the library, taking
// the spool file by rename when it needs no repair (put the spool folder in
// the data folder, on the library's file system).
type LibrarySink struct{ Lib *library.Library }

// Store implements pacs.Sink.
func (s LibrarySink) Store(ctx context.Context, obj *pacs.ReceivedObject) error {
	rep, err := s.Lib.Import(ctx, []string{obj.Part10Path()}, library.Options{Move: true})
	if err != nil {
		return fmt.Errorf("import received object: %w", err)
	}
	if rep.Conflicts > 0 || rep.Rejected > 0 {
		reason := ""
		if len(rep.Problems) > 0 {
			reason = rep.Problems[0].Reason
		}
		// The sentinel picks the C-STORE status: a conflict is 0111, an
		// object the library cannot file C000, never A700 (issue 16.1).
		kind := pacs.ErrCannotUnderstand
		if rep.Conflicts > 0 {
			kind = pacs.ErrConflict
		}
		return fmt.Errorf("import received object: %w: %w: %s", ErrLibraryRejected, kind, reason)
	}
	return nil
}
