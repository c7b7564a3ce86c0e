package disc

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"discdesk/viewer/codec"
	"discdesk/viewer/dcm"
	"discdesk/viewer/dicomdir"
)

// writeTranscoded writes o as a Part 10 file in o.Syntax: the data set in
// Explicit VR Little Endian with a new File Meta Information group, the
// pixel data decoded to native when the source syntax is compressed and
// the profile does not allow it, and the staff-supplied values added. The
// SOP Instance UID stays: a lossless decode is bit-exact.
func (o *Object) writeTranscoded(w io.Writer) error {
	f, err := dcm.ParseFile(o.Source)
	if err != nil {
		return fmt.Errorf("disc: transcode %s: %w", o.Describe(), err)
	}
	ds := f.DataSet
	if ds.BigEndian {
		// Values are swapped by the encoder; new elements added below are
		// little endian, so turn the whole set round first.
		var buf bytes.Buffer
		enc := dcm.NewEncoder(&buf)
		if err := enc.DataSet(ds); err != nil {
			return fmt.Errorf("disc: transcode %s: %w", o.Describe(), err)
		}
		if err := enc.Flush(); err != nil {
			return err
		}
		meta := dcm.EncodeMeta(dcm.Meta{SOPClassUID: o.SOPClassUID, SOPInstanceUID: o.SOPInstance, TransferSyntaxUID: dcm.ExplicitVRLittleEndian})
		le, err := dcm.ParseBytes(append(meta, buf.Bytes()...))
		if err != nil {
			return fmt.Errorf("disc: transcode %s: re-read little endian: %w", o.Describe(), err)
		}
		ds = le.DataSet
	}
	for _, t := range o.addEmpty {
		if !ds.Has(t) {
			ds.Set(dcm.NewElement(t, dcm.DictVR(t), nil))
		}
	}
	var replaced []replacedValue
	for _, s := range o.Supplied {
		if old := ds.Get(s.Tag); old != nil && strings.Trim(string(old.Value), " \x00") != "" {
			replaced = append(replaced, replacedValue{old: old, by: s.By, valid: dicomdir.ValidValue(ds, old)})
		}
		ds.Set(dcm.Str(s.Tag, dcm.DictVR(s.Tag), s.Value))
	}
	if len(replaced) > 0 {
		keepOriginals(ds, replaced, o.now(), o.software)
	}
	ts := o.Syntax
	if pd := ds.Get(dcm.PixelData); pd != nil && pd.Fragments != nil {
		if ts == dcm.ExplicitVRLittleEndian {
			if err := decodePixels(ds, pd, o.SourceSyntax, o.SourceSize); err != nil {
				return fmt.Errorf("disc: transcode %s: %w", o.Describe(), err)
			}
		} else {
			// Kept compressed with a rewritten header: its lossy history
			// is made true as well.
			keptLossy(ds, pd, ts)
		}
	}
	dropGroupLengths(ds)
	ds.Sort()
	if err := dcm.WriteExplicitLE(w, ds, ts); err != nil {
		return fmt.Errorf("disc: transcode %s: %w", o.Describe(), err)
	}
	return nil
}

// replacedValue is a value staff replaced: the element as it was.
type replacedValue struct {
	old   *dcm.Element
	by    string
	valid bool // valid for its VR (else it goes to the Nonconforming sequence)
}

// Attributes of the Original Attributes Sequence (PS3.3 C.12.1.1.9).
var (
	tagModifiedAttributesSequence      = dcm.T(0x0400, 0x0550)
	tagNonconformingModifiedAttributes = dcm.T(0x0400, 0x0551)
	tagNonconformingDataElementValue   = dcm.T(0x0400, 0x0552)
	tagAttributeModificationDateTime   = dcm.T(0x0400, 0x0562)
	tagModifyingSystem                 = dcm.T(0x0400, 0x0563)
	tagSourceOfPreviousValues          = dcm.T(0x0400, 0x0564)
	tagReasonForModification           = dcm.T(0x0400, 0x0565)
	tagSelectorAttribute               = dcm.T(0x0072, 0x0026)
	tagSelectorValueNumber             = dcm.T(0x0072, 0x0028)
)

// keepOriginals appends to the Original Attributes Sequence (0400,0561)
// the values staff replaced (PS3.3 C.12.1.1.9): valid ones together in one
// item's Modified Attributes Sequence, each value not valid for its VR (an
// ACR-NEMA date 1995.06.26) byte for byte in an item of its own, in the
// Nonconforming Modified Attributes Sequence (one item per Original
// Attributes item); every item says when, by which system and staff
// member, and why (CORRECT: the value was wrong or missing).
func keepOriginals(ds *dcm.DataSet, replaced []replacedValue, now time.Time, system string) {
	var by []string
	for _, r := range replaced {
		if r.by != "" && !slices.Contains(by, r.by) {
			by = append(by, r.by)
		}
	}
	who := system
	if len(by) > 0 {
		who += ", values supplied by " + strings.Join(by, ", ")
	}
	if len(who) > 64 {
		who = who[:64]
	}
	stamp := func(item *dcm.DataSet) *dcm.DataSet {
		item.Set(dcm.Str(tagAttributeModificationDateTime, "DT", now.UTC().Format("20060102150405")+"+0000"))
		item.Set(dcm.Str(tagModifyingSystem, "LO", who))
		item.Set(dcm.NewElement(tagSourceOfPreviousValues, "LO", nil))
		item.Set(dcm.Str(tagReasonForModification, "CS", "CORRECT"))
		return item
	}
	var items []*dcm.DataSet
	if old := ds.Get(dcm.OriginalAttributesSequence); old != nil {
		items = append(items, old.Items...)
	}
	mod := &dcm.DataSet{}
	for _, r := range replaced {
		if r.valid {
			mod.Set(r.old)
			continue
		}
		nc := &dcm.DataSet{}
		nc.Set(dcm.NewElement(tagSelectorAttribute, "AT", binary.LittleEndian.AppendUint16(binary.LittleEndian.AppendUint16(nil, r.old.Tag.Group()), r.old.Tag.Element())))
		nc.Set(dcm.U16(tagSelectorValueNumber, 0))
		nc.Set(dcm.NewElement(tagNonconformingDataElementValue, "OB", append([]byte(nil), r.old.Value...)))
		item := &dcm.DataSet{}
		// Modified Attributes Sequence is Type 1: its one item is empty
		// here, the value is in the nonconforming item.
		item.Set(dcm.Seq(tagModifiedAttributesSequence, &dcm.DataSet{}))
		item.Set(dcm.Seq(tagNonconformingModifiedAttributes, nc))
		items = append(items, stamp(item))
	}
	if len(mod.Elements) > 0 {
		item := &dcm.DataSet{}
		item.Set(dcm.Seq(tagModifiedAttributesSequence, mod))
		items = append(items, stamp(item))
	}
	ds.Set(dcm.Seq(dcm.OriginalAttributesSequence, items...))
}

// dropGroupLengths removes every group length (gggg,0000) from ds and its
// items. A rewritten object's groups change size (attributes added, pixels
// decoded, values swapped), so the source's lengths would be stale; outside
// the File Meta Information they are retired (PS3.5 7.2), so they are left
// out rather than recomputed. The meta group gets its own, true length.
func dropGroupLengths(ds *dcm.DataSet) {
	keep := ds.Elements[:0]
	for _, e := range ds.Elements {
		if e.Tag.Element() == 0x0000 {
			continue
		}
		for _, it := range e.Items {
			dropGroupLengths(it)
		}
		keep = append(keep, e)
	}
	ds.Elements = keep
}

// decodePixels replaces encapsulated pixel data with native samples.
func decodePixels(ds *dcm.DataSet, pd *dcm.Element, ts string, fileSize int64) error {
	rows, _ := ds.Int(dcm.Rows)
	cols, _ := ds.Int(dcm.Columns)
	spp, ok := ds.Int(dcm.SamplesPerPixel)
	if !ok {
		spp = 1
	}
	bits, _ := ds.Int(dcm.BitsAllocated)
	stored, _ := ds.Int(dcm.BitsStored)
	pr, _ := ds.Int(dcm.PixelRepresentation)
	frames := 1
	if n, ok := ds.Int(dcm.NumberOfFrames); ok && n > 0 {
		frames = n
	}
	p := codec.Params{Rows: rows, Columns: cols, SamplesPerPixel: spp, BitsAllocated: bits, BitsStored: stored, PixelRepresentation: pr}
	parts, err := splitFrames(pd.Fragments, frames, ts)
	if err != nil {
		return err
	}
	native := make([]byte, 0, p.FrameBytes()*frames)
	var compressed int
	for i, src := range parts {
		compressed += len(src)
		out, err := codec.Decode(ts, src, p)
		if err != nil {
			return fmt.Errorf("frame %d of %d: %w", i+1, frames, err)
		}
		native = append(native, out...)
	}
	vr := dcm.VR("OW")
	if bits <= 8 {
		vr = "OB"
	}
	ds.Set(dcm.NewElement(dcm.PixelData, vr, native))
	if spp == 3 {
		ds.Set(dcm.U16(dcm.PlanarConfiguration, 0))
		switch pi := ds.String(dcm.PhotometricInterpretation); {
		case (pi == "YBR_FULL_422" || pi == "YBR_PARTIAL_422") && ts != codec.EncapsulatedUncompressed && ts != codec.DeflatedImageFrame:
			// (Those two hold native samples, 4:2:2 stays 4:2:2.)
			// The JPEG decoder upsamples chroma to full resolution and
			// applies no colour transform.
			ds.Set(dcm.Str(dcm.PhotometricInterpretation, "CS", "YBR_FULL"))
		case pi == "YBR_RCT" || pi == "YBR_ICT":
			// JPEG 2000 applies its inverse component transform.
			ds.Set(dcm.Str(dcm.PhotometricInterpretation, "CS", "RGB"))
		}
	}
	var first []byte
	if len(parts) > 0 {
		first = parts[0]
	}
	recordLossy(ds, ts, first, float64(len(native))/float64(max(compressed, 1)))
	return nil
}

// keptLossy records the lossy compression of pixel data that stays
// encapsulated in ts.
func keptLossy(ds *dcm.DataSet, pd *dcm.Element, ts string) {
	if len(pd.Fragments) < 2 {
		return
	}
	rows, _ := ds.Int(dcm.Rows)
	cols, _ := ds.Int(dcm.Columns)
	spp, ok := ds.Int(dcm.SamplesPerPixel)
	if !ok {
		spp = 1
	}
	bits, _ := ds.Int(dcm.BitsAllocated)
	frames := 1
	if n, ok := ds.Int(dcm.NumberOfFrames); ok && n > 0 {
		frames = n
	}
	compressed := 0
	for _, f := range pd.Fragments[1:] {
		compressed += len(f.Data)
	}
	native := rows * cols * spp * ((bits + 7) / 8) * frames
	recordLossy(ds, ts, pd.Fragments[1].Data, float64(native)/float64(max(compressed, 1)))
}

// splitFrames returns the compressed bytes of each frame (PS3.5 A.4): by
// the Basic Offset Table when present, one fragment per frame when the
// counts agree, all fragments for a single frame, else by the start
// markers of each frame's code stream.
func splitFrames(frags []dcm.Fragment, frames int, ts string) ([][]byte, error) {
	if len(frags) < 2 {
		return nil, fmt.Errorf("encapsulated pixel data has no fragments")
	}
	bot, data := frags[0], frags[1:]
	if frames == 1 {
		var b []byte
		for _, f := range data {
			b = append(b, f.Data...)
		}
		return [][]byte{b}, nil
	}
	if len(data) == frames {
		out := make([][]byte, frames)
		for i, f := range data {
			out[i] = f.Data
		}
		return out, nil
	}
	if len(bot.Data) >= 4*frames {
		// Offsets are from the first byte of the first fragment's item tag.
		starts := make([]int64, frames)
		for i := range starts {
			starts[i] = int64(binary.LittleEndian.Uint32(bot.Data[4*i:]))
		}
		out := make([][]byte, frames)
		var pos int64
		k := 0
		for _, f := range data {
			for k+1 < frames && pos >= starts[k+1] {
				k++
			}
			out[k] = append(out[k], f.Data...)
			pos += 8 + int64(len(f.Data))
		}
		return out, nil
	}
	var out [][]byte
	for _, f := range data {
		if len(out) == 0 || startsFrame(f.Data, ts) {
			out = append(out, nil)
		}
		out[len(out)-1] = append(out[len(out)-1], f.Data...)
	}
	if len(out) != frames {
		return nil, fmt.Errorf("found %d frames in %d fragments, Number of Frames says %d", len(out), len(data), frames)
	}
	return out, nil
}

func startsFrame(b []byte, ts string) bool {
	if len(b) < 2 || b[0] != 0xFF {
		return false
	}
	if ts == dcm.JPEG2000 || ts == dcm.JPEG2000Lossless {
		return b[1] == 0x4F // SOC
	}
	return b[1] == 0xD8 // SOI
}
