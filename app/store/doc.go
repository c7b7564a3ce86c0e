// Package store owns the desk's single bbolt file: where it lives, how it is
// opened (0600, a short lock timeout so a second process fails fast instead of
// hanging), its schema version and the migrations that bring an older file up
// to date.
//
// Domain packages (library, handoff, queue, ...) own their own buckets inside
// the file; this package never reads or writes their data.
//
// Caveats: bbolt allows one writing process per file. A command started while
// the desk runs gets ErrInUse at once.
package store
