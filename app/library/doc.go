// Package library owns the desk's study library: DICOM files imported from
// folders, single files, ZIP archives and patient discs (PS3.10 Part 10
// files; PS3.3 F DICOMDIRs followed when present), copied into the managed
// library folder or indexed where they lie, and an index of patient, study,
// series and instance header keys in the desk's bbolt store, searched the
// way a front desk searches.
//
// An import never stores half a file: files are written to their final
// names only after a journal entry for the batch is committed, flushed to
// disk, and then indexed in one transaction that clears the journal. On open,
// any journalled file that is not indexed is removed.
//
// Receive, the DICOM receiver's path, is durable per object at the cost of
// one fdatasync: the spooled file is renamed into received/, its data synced,
// and the folder synced once for every association receiving at that moment
// (group commit). Only then is the sender told it is stored. An indexer
// goroutine indexes received objects in batches (one transaction each) and
// moves them to objects/; reads wait for it, and Open finishes what a crash
// left in received/.
//
// A re-imported or re-sent object that is byte-identical, or the same data
// set in another transfer syntax or File Meta (pixels compared decoded), is
// a duplicate and a no-op; a different object under a known SOP Instance UID
// is a conflict (ErrConflict), kept in the quarantine folder for staff
// (Quarantined) and never stored over the one held. Objects that cannot be
// held (truncated, missing or invalid UIDs, an image without Pixel Data) are
// ErrInvalidObject. Deflated data sets and ZIP entries are bounded by what
// they really inflate, per file and per import (ErrTooLarge).
//
// Every object's CRC-32C is taken at import, in place or managed;
// CheckContent re-reads files against it before a disc is burned.
//
// Caveats: files indexed in place (--in-place) can change under the library;
// Study reports changed size or time, CheckContent changed bytes.
package library
