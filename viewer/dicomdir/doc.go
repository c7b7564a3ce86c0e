// Package dicomdir owns the DICOMDIR: the Basic Directory object of a DICOM
// file-set (PS3.3 F.3-F.5, PS3.10 8), read and written with one record model,
// so what the burner writes is what the disc viewer and the importer read.
//
// # Model
//
// A [Directory] is a File-set ID and a tree of [Record]s: PATIENT -> STUDY ->
// SERIES -> one leaf per file (IMAGE, SR DOCUMENT, ENCAP DOC, PRESENTATION,
// ...), plus the few top-level leaf types of PS3.3 F.4 (HANGING PROTOCOL,
// PALETTE, IMPLANT...). A record carries its type, its keys as a
// [dcm.DataSet] (never the group 0004 offsets and flags, which are derived),
// and for leaves the Referenced File ID and the three referenced UIDs.
//
// # Writing
//
// [Build] turns instance headers into a Directory: the leaf type comes from
// the SOP class ([RecordType], a table generated from recordtypes.tsv), the
// keys are those PS3.3 F.5 requires for the record type plus the ones
// ../shared/spec/MEDIA.md asks for, copied byte for byte from the object
// (with its Specific Character Set whenever a key is not plain ASCII).
// Nothing is invented: Type 1 keys that are absent, empty or not valid stop
// Build with [MissingKeys], every [*MissingKeyError] at once, each naming
// the file and the attribute. Values staff supply are written into the
// objects by the caller (the disc plan) before Build, so that the directory
// and the files always agree.
// Where the objects of one patient, study or series disagree (two series
// with different Study Times), Build takes the value of the first instance
// in (Series Number, Instance Number, SOP Instance UID) order and returns a
// [Warning] naming the files and the values.
//
// [Directory.Encode] writes the Part 10 file: File Meta Information with
// Media Storage Directory Storage and Explicit VR Little Endian, File-set
// ID, consistency flag 0, no File-set Descriptor, and every record in
// depth-first order as an undefined-length item. Offsets are found in two
// passes: records are encoded with zero offsets, which fixes every record's
// position (the offsets are fixed-size UL values), then the offsets are
// patched in place.
//
// # Reading
//
// [Read] and [ReadBytes] accept any DICOMDIR the dcm package can parse
// (explicit or implicit VR, either byte order) and build the tree by
// following (0004,1200), (0004,1400) and (0004,1420), never by item order.
// An offset that does not land on a record's item tag, or a record reached
// twice (a loop or a shared subtree), is an error; inactive records
// (in-use flag 0) are skipped with their subtrees; records of unknown type
// are kept as they are.
//
// # Caveats
//
//   - Build does not check that the files exist or that their File IDs are
//     unique on the medium beyond this directory: the disc plan does.
//   - Keys from big-endian objects are converted to little endian; text keys
//     are copied with their bytes and their character set, never re-encoded,
//     except when the objects of one record use different character sets
//     (then the record's text keys are re-encoded as UTF-8 under ISO_IR 192).
//   - The record type table covers the storage SOP classes of PS3.4 B.5 known
//     when recordtypes.tsv was last edited; a newer class is refused with
//     [ErrUnknownSOPClass] until the table learns it.
package dicomdir

//go:generate go run gen_recordtypes.go
