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

// LibrarySink takes each received Part 10 file into the library with
// library.Receive: durable when Store returns (one fdatasync of the file and
// a folder sync shared by concurrent associations), indexed in batches
// behind it. Put the spool folder in the data folder, on the library's file
// system, so the file is taken by rename.
type LibrarySink struct{ Lib *library.Library }

// Store implements pacs.Sink.
func (s LibrarySink) Store(ctx context.Context, obj *pacs.ReceivedObject) error {
	_, err := s.Lib.Receive(ctx, obj.Part10Path(), "received from "+obj.CallingAE)
	switch {
	case err == nil:
		return nil // stored, or the same instance already held
	case errors.Is(err, library.ErrConflict):
		// The sentinel picks the C-STORE status: a conflict is 0111, an
		// object the library cannot file C000, never A700 (issue 16.1).
		return fmt.Errorf("receive object: %w: %w: %w", ErrLibraryRejected, pacs.ErrConflict, err)
	case errors.Is(err, library.ErrInvalidObject):
		return fmt.Errorf("receive object: %w: %w: %w", ErrLibraryRejected, pacs.ErrCannotUnderstand, err)
	}
	return fmt.Errorf("receive object: %w", err)
}
