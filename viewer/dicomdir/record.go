package dicomdir

import (
	"fmt"
	"strings"

	"discdesk/viewer/dcm"
)

// MediaStorageDirectoryStorage is the SOP Class UID of a DICOMDIR (PS3.4 I.4).
const MediaStorageDirectoryStorage = "1.2.840.10008.1.3.10"

// ExplicitVRLittleEndian is the only transfer syntax a DICOMDIR is written in
// (PS3.10 8.6, PS3.11).
const ExplicitVRLittleEndian = "1.2.840.10008.1.2.1"

// A Record is one directory record (PS3.3 F.3.2.2).
type Record struct {
	// Type is the Directory Record Type (0004,1430): "PATIENT", "STUDY",
	// "SERIES", "IMAGE", "SR DOCUMENT", "ENCAP DOC", "PRESENTATION", ...
	// Read keeps unknown types as written.
	Type string
	// Keys are the record's attributes except the group 0004 elements this
	// struct models (offsets, in-use flag, record type, referenced file and
	// UIDs). They include Specific Character Set (0008,0005) when a key is
	// not plain ASCII. Values are little endian.
	Keys *dcm.DataSet
	// FileID is the Referenced File ID (0004,1500), one string a component;
	// nil for records that reference no file.
	FileID []string
	// SOPClassUID, SOPInstanceUID and TransferSyntaxUID are (0004,1510),
	// (0004,1511) and (0004,1512) of a leaf: the referenced file's meta.
	SOPClassUID, SOPInstanceUID, TransferSyntaxUID string
	// Children are the records of the lower-level directory entity, in
	// (0004,1400) order.
	Children []*Record
	// Offset is the byte offset of the record's item tag from the start of
	// the file (set by Read and by Encode).
	Offset int64
}

// A Directory is a DICOMDIR: the File-set ID and the root records.
type Directory struct {
	// FileSetID is (0004,1130): up to 16 of A-Z 0-9 _ (on CD also the
	// volume identifier).
	FileSetID string
	// Records are the root directory entity's records: PATIENT records, and
	// the top-level leaf types of PS3.3 F.4 (HANGING PROTOCOL, PALETTE,
	// IMPLANT, IMPLANT ASSY, IMPLANT GROUP).
	Records []*Record
	// SOPInstanceUID is the DICOMDIR's Media Storage SOP Instance UID. Read
	// sets it from the file; Encode derives a stable one (2.25 + a hash of
	// the File-set ID and the referenced instances) when it is empty.
	SOPInstanceUID string
	// TransferSyntaxUID is the transfer syntax of the file Read parsed
	// (anything but Explicit VR Little Endian is non-conformant media).
	// Encode ignores it.
	TransferSyntaxUID string
}

// Leaves returns every record that references a file, depth first, in
// directory order.
func (d *Directory) Leaves() []*Record {
	var out []*Record
	d.Walk(func(r *Record, _ int) bool {
		if len(r.FileID) > 0 {
			out = append(out, r)
		}
		return true
	})
	return out
}

// Walk calls fn for every record depth first (parents before children) with
// its depth (0 for root records). When fn returns false the record's
// children are skipped.
func (d *Directory) Walk(fn func(r *Record, depth int) bool) {
	var walk func(rs []*Record, depth int)
	walk = func(rs []*Record, depth int) {
		for _, r := range rs {
			if fn(r, depth) {
				walk(r.Children, depth+1)
			}
		}
	}
	walk(d.Records, 0)
}

// Count returns the number of records of each type.
func (d *Directory) Count() map[string]int {
	m := map[string]int{}
	d.Walk(func(r *Record, _ int) bool { m[r.Type]++; return true })
	return m
}

// Path returns the File ID joined with the host separator sep (for
// example "/" or string(filepath.Separator)).
func (r *Record) Path(sep string) string { return strings.Join(r.FileID, sep) }

// String is a one-line summary without key values (no PHI).
func (r *Record) String() string {
	s := fmt.Sprintf("%s record at byte %d", r.Type, r.Offset)
	if len(r.FileID) > 0 {
		s += " -> " + r.Path("/")
	}
	return s
}

// RecordType returns the directory record type of a storage SOP class
// (PS3.3 F.4, Table F.4-1): "IMAGE" for image IODs, "SR DOCUMENT",
// "ENCAP DOC", "PRESENTATION", "WAVEFORM", "RT DOSE" and so on. It fails
// with ErrUnknownSOPClass for a class missing from the table and with
// ErrNoRecordType for a known class that has no record type.
func RecordType(sopClassUID string) (string, error) {
	c, ok := sopClasses[sopClassUID]
	if !ok {
		return "", fmt.Errorf("dicomdir: record type of %q: %w", sopClassUID, ErrUnknownSOPClass)
	}
	if c.recordType == "" {
		return "", fmt.Errorf("dicomdir: record type of %s (%s): %w", sopClassUID, c.name, ErrNoRecordType)
	}
	return c.recordType, nil
}

// SOPClassName returns the name of a storage SOP class from the table, or
// the UID itself when unknown.
func SOPClassName(uid string) string {
	if c, ok := sopClasses[uid]; ok {
		return c.name
	}
	return uid
}

type sopClass struct {
	recordType string
	name       string
}

// topLevel record types stand in the root directory entity instead of
// under PATIENT/STUDY/SERIES (PS3.3 F.4, Figure F.4-1).
var topLevel = map[string]bool{
	"HANGING PROTOCOL": true, "PALETTE": true, "IMPLANT": true, "IMPLANT ASSY": true, "IMPLANT GROUP": true,
	"INVENTORY": true, // an Inventory describes studies; it belongs to none (F.4)
}
