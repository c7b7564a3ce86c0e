package dicomdir

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math/big"
	"slices"
	"strings"

	"discdesk/viewer/dcm"
)

// modelled are the group 0004 record elements the Record struct models;
// Encode writes them, Read takes them out of Keys.
var modelled = map[dcm.Tag]bool{
	dcm.OffsetOfTheNextDirectoryRecord:              true,
	dcm.RecordInUseFlag:                             true,
	dcm.OffsetOfReferencedLowerLevelDirectoryEntity: true,
	dcm.DirectoryRecordType:                         true,
	dcm.ReferencedFileID:                            true,
	dcm.ReferencedSOPClassUIDInFile:                 true,
	dcm.ReferencedSOPInstanceUIDInFile:              true,
	dcm.ReferencedTransferSyntaxUIDInFile:           true,
}

var (
	itemStart = []byte{0xFE, 0xFF, 0x00, 0xE0, 0xFF, 0xFF, 0xFF, 0xFF}
	itemEnd   = []byte{0xFE, 0xFF, 0x0D, 0xE0, 0, 0, 0, 0}
	seqEnd    = []byte{0xFE, 0xFF, 0xDD, 0xE0, 0, 0, 0, 0}
	seqStart  = []byte{0x04, 0x00, 0x20, 0x12, 'S', 'Q', 0, 0, 0xFF, 0xFF, 0xFF, 0xFF}
)

// Encode returns the complete Part 10 DICOMDIR file (PS3.10 7.1, 8; PS3.3
// F.3): preamble, File Meta Information (Media Storage Directory Storage,
// Explicit VR Little Endian), File-set ID, the root offsets, consistency
// flag 0 and the records depth first, each an undefined-length item with
// in-use flag FFFFH. It sets every record's Offset, and d.SOPInstanceUID
// when it was empty. No File-set Descriptor File ID is written.
func (d *Directory) Encode() ([]byte, error) {
	if !fileSetIDRe.MatchString(d.FileSetID) {
		return nil, fmt.Errorf("dicomdir: encode: %w %q", ErrBadFileSetID, d.FileSetID)
	}
	if d.SOPInstanceUID == "" {
		d.SOPInstanceUID = d.derivedUID()
	}
	var buf bytes.Buffer
	buf.Write(dcm.EncodeMeta(dcm.Meta{
		SOPClassUID:       MediaStorageDirectoryStorage,
		SOPInstanceUID:    d.SOPInstanceUID,
		TransferSyntaxUID: ExplicitVRLittleEndian,
	}))
	enc := dcm.NewEncoder(&buf)
	put := func(e *dcm.Element) error {
		if err := enc.Element(e, false); err != nil {
			return err
		}
		return enc.Flush()
	}
	if err := put(dcm.Str(dcm.FileSetID, "CS", d.FileSetID)); err != nil {
		return nil, fmt.Errorf("dicomdir: encode: %w", err)
	}
	firstPos := buf.Len() + 8
	put(dcm.U32(dcm.OffsetOfTheFirstDirectoryRecordOfTheRootDirectoryEntity, 0))
	lastPos := buf.Len() + 8
	put(dcm.U32(dcm.OffsetOfTheLastDirectoryRecordOfTheRootDirectoryEntity, 0))
	put(dcm.U16(dcm.FileSetConsistencyFlag, 0))
	buf.Write(seqStart)

	// Pass 1: write every record with zero offsets, noting where each
	// record starts and where its two offset values lie.
	type placed struct {
		r                *Record
		nextPos, kidsPos int
	}
	pos := map[*Record]*placed{}
	var order []*placed
	var err error
	d.Walk(func(r *Record, _ int) bool {
		if err != nil {
			return false
		}
		if _, dup := pos[r]; dup {
			err = fmt.Errorf("dicomdir: encode: %s appears twice in the tree: %w", r, ErrLoop)
			return false
		}
		p := &placed{r: r}
		pos[r] = p
		order = append(order, p)
		r.Offset = int64(buf.Len())
		buf.Write(itemStart)
		err = writeRecord(&buf, enc, r, &p.nextPos, &p.kidsPos)
		buf.Write(itemEnd)
		return err == nil
	})
	if err != nil {
		return nil, err
	}
	buf.Write(seqEnd)
	if buf.Len() > 0xFFFFFFFF {
		return nil, fmt.Errorf("dicomdir: encode: %d bytes: %w", buf.Len(), ErrTooLarge)
	}

	// Pass 2: patch the offsets.
	out := buf.Bytes()
	link := func(rs []*Record) {
		for i, r := range rs {
			if i+1 < len(rs) {
				binary.LittleEndian.PutUint32(out[pos[r].nextPos:], uint32(rs[i+1].Offset))
			}
			if len(r.Children) > 0 {
				binary.LittleEndian.PutUint32(out[pos[r].kidsPos:], uint32(r.Children[0].Offset))
			}
		}
	}
	link(d.Records)
	for _, p := range order {
		link(p.r.Children)
	}
	if n := len(d.Records); n > 0 {
		binary.LittleEndian.PutUint32(out[firstPos:], uint32(d.Records[0].Offset))
		binary.LittleEndian.PutUint32(out[lastPos:], uint32(d.Records[n-1].Offset))
	}
	return out, nil
}

// writeRecord writes one record's elements in tag order: the modelled
// group 0004 elements merged with the keys.
func writeRecord(buf *bytes.Buffer, enc *dcm.Encoder, r *Record, nextPos, kidsPos *int) error {
	own := []*dcm.Element{
		dcm.U32(dcm.OffsetOfTheNextDirectoryRecord, 0),
		dcm.U16(dcm.RecordInUseFlag, 0xFFFF),
		dcm.U32(dcm.OffsetOfReferencedLowerLevelDirectoryEntity, 0),
		dcm.Str(dcm.DirectoryRecordType, "CS", r.Type),
	}
	if len(r.FileID) > 0 {
		own = append(own, dcm.Str(dcm.ReferencedFileID, "CS", strings.Join(r.FileID, `\`)))
	}
	if r.SOPClassUID != "" {
		own = append(own, dcm.Str(dcm.ReferencedSOPClassUIDInFile, "UI", r.SOPClassUID))
	}
	if r.SOPInstanceUID != "" {
		own = append(own, dcm.Str(dcm.ReferencedSOPInstanceUIDInFile, "UI", r.SOPInstanceUID))
	}
	if r.TransferSyntaxUID != "" {
		own = append(own, dcm.Str(dcm.ReferencedTransferSyntaxUIDInFile, "UI", r.TransferSyntaxUID))
	}
	var keys []*dcm.Element
	big := false
	if r.Keys != nil {
		keys = r.Keys.Elements
		big = r.Keys.BigEndian
	}
	i, j := 0, 0
	for i < len(own) || j < len(keys) {
		var e *dcm.Element
		isOwn := j >= len(keys) || (i < len(own) && own[i].Tag <= keys[j].Tag)
		if isOwn {
			e = own[i]
			i++
			if j < len(keys) && keys[j].Tag == e.Tag {
				j++ // the struct field wins over a stray copy in Keys
			}
		} else {
			e = keys[j]
			j++
			if modelled[e.Tag] {
				continue
			}
		}
		if isOwn && (e.Tag == dcm.OffsetOfTheNextDirectoryRecord || e.Tag == dcm.OffsetOfReferencedLowerLevelDirectoryEntity) {
			if err := enc.Flush(); err != nil {
				return err
			}
			if e.Tag == dcm.OffsetOfTheNextDirectoryRecord {
				*nextPos = buf.Len() + 8
			} else {
				*kidsPos = buf.Len() + 8
			}
		}
		if err := enc.Element(e, big && !isOwn); err != nil {
			return fmt.Errorf("dicomdir: encode %s key %s: %w", r.Type, e.Tag, err)
		}
	}
	return enc.Flush()
}

// derivedUID is a stable Media Storage SOP Instance UID for the DICOMDIR:
// 2.25 and a 128-bit hash of the File-set ID and the referenced instances
// (PS3.5 B.2), so the same disc content gives the same file.
func (d *Directory) derivedUID() string {
	h := sha256.New()
	h.Write([]byte(d.FileSetID))
	leaves := d.Leaves()
	uids := make([]string, 0, len(leaves))
	for _, r := range leaves {
		uids = append(uids, r.SOPInstanceUID+"\x00"+strings.Join(r.FileID, `\`))
	}
	slices.Sort(uids)
	for _, u := range uids {
		h.Write([]byte{0})
		h.Write([]byte(u))
	}
	sum := h.Sum(nil)
	return "2.25." + new(big.Int).SetBytes(sum[:16]).String()
}
