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
// any journalled file that is not indexed is removed. A re-imported identical
// file is a no-op; a different file with a known SOP Instance UID is a
// conflict, reported and never overwritten.
//
// Caveats: files indexed in place (--in-place) can change under the library;
// Check reports such files instead of serving them.
package library
