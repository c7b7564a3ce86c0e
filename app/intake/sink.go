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
// gets C-STORE status A700 and nothing is kept.
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
		return fmt.Errorf("import received object: %w: %s", ErrLibraryRejected, reason)
	}
	return nil
}
