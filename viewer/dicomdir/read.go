package dicomdir

import (
	"fmt"
	"os"
	"slices"

	"discdesk/viewer/dcm"
)

// Read parses the DICOMDIR at path; see ReadBytes.
func Read(path string) (*Directory, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("dicomdir: read: %w", err)
	}
	d, err := readBytes(b)
	if err != nil {
		return nil, fmt.Errorf("dicomdir: read %s: %w", path, err)
	}
	return d, nil
}

// ReadBytes parses a DICOMDIR held in memory: any transfer syntax the dcm
// package reads (a non-conformant implicit or big-endian DICOMDIR included;
// see Directory.TransferSyntaxUID). The record tree is built by following
// the offsets from (0004,1200), never by item order. An offset that lands
// on no record gives ErrBadOffset, a record reached twice ErrLoop. Records
// whose in-use flag is 0 are skipped with their subtrees.
func ReadBytes(b []byte) (*Directory, error) {
	d, err := readBytes(b)
	if err != nil {
		return nil, fmt.Errorf("dicomdir: read: %w", err)
	}
	return d, nil
}

func readBytes(b []byte) (*Directory, error) {
	f, err := dcm.ParseBytes(b)
	if err != nil {
		return nil, err
	}
	if c := f.Meta.String(dcm.MediaStorageSOPClassUID); !f.NoMeta && c != MediaStorageDirectoryStorage {
		return nil, fmt.Errorf("%w: Media Storage SOP Class is %s", ErrNotDICOMDIR, SOPClassName(c))
	}
	ds := f.DataSet
	seq := ds.Get(dcm.DirectoryRecordSequence)
	if seq == nil {
		return nil, fmt.Errorf("%w: no Directory Record Sequence (0004,1220)", ErrNotDICOMDIR)
	}
	d := &Directory{
		FileSetID:         ds.String(dcm.FileSetID),
		SOPInstanceUID:    f.Meta.String(dcm.MediaStorageSOPInstanceUID),
		TransferSyntaxUID: f.Meta.String(dcm.TransferSyntaxUID),
	}
	items := map[int64]*dcm.DataSet{}
	for _, it := range seq.Items {
		items[it.Offset] = it
	}
	r := &reader{items: items, seen: map[int64]bool{}}
	first, _ := offset(ds, dcm.OffsetOfTheFirstDirectoryRecordOfTheRootDirectoryEntity)
	if first == 0 && len(seq.Items) > 0 {
		return nil, fmt.Errorf("%w: %d records but no offset of the first root record (0004,1200)", ErrBadOffset, len(seq.Items))
	}
	if d.Records, err = r.chain(first, 0, "(0004,1200)"); err != nil {
		return nil, err
	}
	// (0004,1202) is not checked: real writers put the last record of the
	// whole tree there, and readers do not need it. Stale offsets show as
	// in-use records that no chain reaches.
	var lost []int64
	for _, it := range seq.Items {
		if !r.seen[it.Offset] && inUse(it) {
			lost = append(lost, it.Offset)
		}
	}
	if len(lost) > 0 {
		return nil, fmt.Errorf("%w: %d in-use records are reached by no offset (first at byte %d): stale offsets", ErrBadOffset, len(lost), lost[0])
	}
	return d, nil
}

type reader struct {
	items map[int64]*dcm.DataSet
	seen  map[int64]bool
}

// chain reads the sibling records starting at off.
func (r *reader) chain(off int64, depth int, from string) ([]*Record, error) {
	if depth > MaxDepth {
		return nil, fmt.Errorf("%w (more than %d levels)", ErrTooDeep, MaxDepth)
	}
	var out []*Record
	for off != 0 {
		it, ok := r.items[off]
		if !ok {
			return nil, fmt.Errorf("%w: %s points at byte %d", ErrBadOffset, from, off)
		}
		if r.seen[off] {
			return nil, fmt.Errorf("%w: %s points at byte %d", ErrLoop, from, off)
		}
		r.seen[off] = true
		next, _ := offset(it, dcm.OffsetOfTheNextDirectoryRecord)
		lower, _ := offset(it, dcm.OffsetOfReferencedLowerLevelDirectoryEntity)
		if inUse(it) {
			rec := record(it)
			if lower != 0 {
				kids, err := r.chain(lower, depth+1, fmt.Sprintf("(0004,1420) of the %s record at byte %d", rec.Type, off))
				if err != nil {
					return nil, err
				}
				rec.Children = kids
			}
			out = append(out, rec)
		}
		from = fmt.Sprintf("(0004,1400) of the record at byte %d", off)
		off = next
	}
	return out, nil
}

// record converts one item into a Record (without children).
func record(it *dcm.DataSet) *Record {
	rec := &Record{
		Type:              it.String(dcm.DirectoryRecordType),
		FileID:            it.Strings(dcm.ReferencedFileID),
		SOPClassUID:       it.String(dcm.ReferencedSOPClassUIDInFile),
		SOPInstanceUID:    it.String(dcm.ReferencedSOPInstanceUIDInFile),
		TransferSyntaxUID: it.String(dcm.ReferencedTransferSyntaxUIDInFile),
		Offset:            it.Offset,
		Keys:              &dcm.DataSet{},
	}
	if len(rec.FileID) == 0 {
		rec.FileID = nil
	} else {
		rec.FileID = slices.Clip(rec.FileID)
	}
	for _, e := range it.Elements {
		if modelled[e.Tag] {
			continue
		}
		rec.Keys.Set(leElement(e, it.BigEndian))
	}
	return rec
}

// inUse is false only for an explicit in-use flag of 0000H.
func inUse(it *dcm.DataSet) bool {
	v, ok := it.Int(dcm.RecordInUseFlag)
	return !ok || v != 0
}

// offset reads a UL offset; absent means 0 (DICOMDIRs written without the
// zero-valued offsets exist).
func offset(ds *dcm.DataSet, t dcm.Tag) (int64, bool) {
	v, ok := ds.Int(t)
	if !ok || v < 0 {
		return 0, ok
	}
	return int64(v), true
}
