package dicomdir

import (
	"errors"
	"fmt"
	"strings"

	"discdesk/viewer/dcm"
)

// Errors of Build.
var (
	// ErrUnknownSOPClass means a SOP class UID is not in the record type
	// table (recordtypes.tsv): a private or newer class.
	ErrUnknownSOPClass = errors.New("SOP class has no known directory record type")
	// ErrNoRecordType means the SOP class is known but PS3.3 F.4 gives it no
	// directory record type, so it cannot be referenced from a DICOMDIR.
	ErrNoRecordType = errors.New("SOP class cannot be referenced from a DICOMDIR")
	// ErrBadFileID means a File ID breaks PS3.10 8.2 / PS3.12: 1 to 8
	// components of 1 to 8 characters from A-Z 0-9 _.
	ErrBadFileID = errors.New("invalid File ID")
	// ErrBadFileSetID means the File-set ID is longer than 16 characters or
	// holds characters other than A-Z 0-9 _ and space.
	ErrBadFileSetID = errors.New("invalid File-set ID")
	// ErrDuplicate means two instances share a File ID or a SOP Instance UID.
	ErrDuplicate = errors.New("duplicate instance")
	// ErrInconsistentHierarchy means one series appears in two studies, or
	// one study under two patients.
	ErrInconsistentHierarchy = errors.New("inconsistent patient/study/series hierarchy")
	// ErrMetaMismatch means an instance's File Meta Information SOP Class or
	// Instance UID differs from the data set's (0008,0016)/(0008,0018).
	ErrMetaMismatch = errors.New("the File Meta Information disagrees with the data set")
	// ErrNoTransferSyntax means an instance has no transfer syntax UID.
	ErrNoTransferSyntax = errors.New("instance has no Transfer Syntax UID")
)

// Errors of Read and ReadBytes.
var (
	// ErrNotDICOMDIR means the file is DICOM but not a Basic Directory: its
	// Media Storage SOP Class is not 1.2.840.10008.1.3.10 or it has no
	// Directory Record Sequence (0004,1220).
	ErrNotDICOMDIR = errors.New("not a DICOMDIR (Media Storage Directory Storage)")
	// ErrBadOffset means an offset does not land on the item tag of a record
	// in the Directory Record Sequence (stale, truncated or hostile file).
	ErrBadOffset = errors.New("directory record offset does not point at a record")
	// ErrLoop means a record is reached twice while following offsets: a
	// loop, or two parents sharing one child list.
	ErrLoop = errors.New("directory record reached twice (offset loop)")
	// ErrTooDeep means records nest deeper than MaxDepth levels.
	ErrTooDeep = errors.New("directory records nested too deeply")
)

// Errors of Encode.
var (
	// ErrTooLarge means the encoded DICOMDIR would pass 4 GiB, beyond the
	// reach of its 32-bit offsets.
	ErrTooLarge = errors.New("DICOMDIR larger than its 32-bit offsets can address")
)

// MaxDepth bounds the nesting of directory records when reading.
const MaxDepth = 16

// MissingKeyError says that a Type 1 key of a directory record is absent,
// empty or not valid for its VR in every instance of the entity the record
// describes. Build reports all of them at once, as MissingKeys.
type MissingKeyError struct {
	File      string  // the instance's Source (or File ID when none)
	Record    string  // record type, e.g. "STUDY"
	Attribute string  // e.g. "Study ID (0020,0010)"
	Tag       dcm.Tag // the attribute
	// Instance is the index in Build's instances of the instance named:
	// the entity's first in (Series Number, Instance Number, SOP Instance
	// UID) order.
	Instance int
	// Invalid is set when the object has a value that is not valid for the
	// attribute's VR (e.g. a Study Date 1994.01.30), rather than none.
	Invalid bool
}

func (e *MissingKeyError) Error() string {
	if e.Invalid {
		return fmt.Sprintf("%s: %s record needs %s (Type 1) but the object's value is not valid for its VR", e.File, e.Record, e.Attribute)
	}
	return fmt.Sprintf("%s: %s record needs %s (Type 1) but the object has no value", e.File, e.Record, e.Attribute)
}

// MissingKeys is every Type 1 key Build found missing, in the order of
// the instances and records. errors.As finds its first *MissingKeyError.
type MissingKeys []*MissingKeyError

func (m MissingKeys) Error() string {
	parts := make([]string, len(m))
	for i, e := range m {
		parts[i] = e.Error()
	}
	if len(m) == 1 {
		return "dicomdir: build: " + parts[0]
	}
	return fmt.Sprintf("dicomdir: build: %d required keys are missing: %s", len(m), strings.Join(parts, "; "))
}

// Unwrap gives the missing keys one by one.
func (m MissingKeys) Unwrap() []error {
	out := make([]error, len(m))
	for i, e := range m {
		out[i] = e
	}
	return out
}

// A Warning reports something Build decided that staff should know about:
// an inconsistent value chosen deterministically, a value not copied.
type Warning struct {
	File      string // the file (or files, comma-separated) concerned
	Attribute string // e.g. "Study Time (0008,0030)"
	Message   string
}

func (w Warning) String() string {
	return fmt.Sprintf("%s: %s: %s", w.File, w.Attribute, w.Message)
}
