package dcm

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"sort"
)

// DiscDeskImplementationClassUID and DiscDeskImplementationVersion identify
// DiscDesk, one implementation, in the File Meta Information of every file
// it writes (PS3.10 7.1) and in every association it negotiates (PS3.7
// D.3.3.2). The UID is in the 2.25 form of a name-based UUID (PS3.5 B.2),
// which needs no registered root.
const (
	DiscDeskImplementationClassUID = "2.25.133825049570754920038102709675647835059"
	DiscDeskImplementationVersion  = "DISCDESK_1"
)

// NewElement makes an element from a VR and raw little-endian value bytes.
func NewElement(t Tag, vr VR, value []byte) *Element {
	return &Element{Tag: t, VR: vr, Value: value, Length: uint32(len(value))}
}

// Str makes a string element, padded to even length as PS3.5 6.2 requires
// (NUL for UI, space otherwise).
func Str(t Tag, vr VR, s string) *Element {
	b := []byte(s)
	if len(b)%2 == 1 {
		if vr == "UI" {
			b = append(b, 0)
		} else {
			b = append(b, ' ')
		}
	}
	return NewElement(t, vr, b)
}

// U16 makes a US element.
func U16(t Tag, v ...uint16) *Element {
	b := make([]byte, 2*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint16(b[2*i:], x)
	}
	return NewElement(t, "US", b)
}

// U32 makes a UL element.
func U32(t Tag, v ...uint32) *Element {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], x)
	}
	return NewElement(t, "UL", b)
}

// Seq makes a sequence element of the given items.
func Seq(t Tag, items ...*DataSet) *Element {
	return &Element{Tag: t, VR: "SQ", Items: items, Length: UndefinedLength}
}

// Set replaces or inserts e, keeping the elements in tag order.
func (ds *DataSet) Set(e *Element) {
	i := sort.Search(len(ds.Elements), func(i int) bool { return ds.Elements[i].Tag >= e.Tag })
	if i < len(ds.Elements) && ds.Elements[i].Tag == e.Tag {
		ds.Elements[i] = e
		return
	}
	ds.Elements = append(ds.Elements, nil)
	copy(ds.Elements[i+1:], ds.Elements[i:])
	ds.Elements[i] = e
	if e.Tag == SpecificCharacterSet {
		ds.cs = NewCharset(splitValues(trimValue(string(e.Value), e.VR)))
	}
}

// Delete removes the element with tag t, if present.
func (ds *DataSet) Delete(t Tag) {
	for i, e := range ds.Elements {
		if e.Tag == t {
			ds.Elements = append(ds.Elements[:i], ds.Elements[i+1:]...)
			return
		}
	}
}

// Sort orders elements by tag at every level (the writer emits them in
// slice order; PS3.5 7.1 requires ascending order).
func (ds *DataSet) Sort() {
	sort.SliceStable(ds.Elements, func(i, j int) bool { return ds.Elements[i].Tag < ds.Elements[j].Tag })
	for _, e := range ds.Elements {
		for _, it := range e.Items {
			it.Sort()
		}
	}
}

// Encoder writes data sets in Explicit VR Little Endian. Values read from a
// big-endian data set are byte-swapped by VR; sequences and items are written
// with undefined length, so an element's encoded size does not depend on
// its contents' sizes being known in advance.
type Encoder struct {
	w   *bufio.Writer
	n   int64
	err error
}

// NewEncoder writes to w.
func NewEncoder(w io.Writer) *Encoder { return &Encoder{w: bufio.NewWriterSize(w, 64<<10)} }

// Offset is the number of bytes written so far.
func (enc *Encoder) Offset() int64 { return enc.n }

// Flush writes buffered bytes and returns the first error.
func (enc *Encoder) Flush() error {
	if enc.err != nil {
		return enc.err
	}
	return enc.w.Flush()
}

func (enc *Encoder) write(b []byte) {
	if enc.err != nil {
		return
	}
	n, err := enc.w.Write(b)
	enc.n += int64(n)
	enc.err = err
}

func (enc *Encoder) header(t Tag, vr VR, length uint32) {
	var h [12]byte
	enc.write(appendHeader(h[:0], explicitLE, t, vr, length))
}

// explicitLE is the encoding the Encoder writes.
var explicitLE = Syntax{UID: ExplicitVRLittleEndian}

// DataSet writes every element of ds. bigEndian says how ds's raw values are
// ordered.
func (enc *Encoder) DataSet(ds *DataSet) error {
	for _, e := range ds.Elements {
		if err := enc.Element(e, ds.BigEndian); err != nil {
			return err
		}
	}
	return enc.err
}

// Element writes one element (recursively for sequences).
func (enc *Encoder) Element(e *Element, bigEndian bool) error {
	vr := e.VR
	if vr == "" || len(vr) != 2 {
		vr = DictVR(e.Tag)
	}
	switch {
	case vr == "SQ" || e.Items != nil:
		enc.header(e.Tag, "SQ", UndefinedLength)
		for _, it := range e.Items {
			enc.header(Item, "", UndefinedLength)
			if err := enc.DataSet(it); err != nil {
				return err
			}
			enc.header(ItemDelimitationItem, "", 0)
		}
		enc.header(SequenceDelimitationItem, "", 0)
	case e.Fragments != nil:
		enc.header(e.Tag, "OB", UndefinedLength)
		for _, f := range e.Fragments {
			if f.Data == nil && f.Length > 0 {
				return fmt.Errorf("dcm: write %s: fragment data not loaded", e.Tag)
			}
			enc.header(Item, "", uint32(len(f.Data)))
			enc.write(f.Data)
		}
		enc.header(SequenceDelimitationItem, "", 0)
	default:
		if e.Skipped {
			return fmt.Errorf("dcm: write %s: value was skipped when parsing", e.Tag)
		}
		v := e.Value
		if bigEndian {
			v = swap(v, vr)
		}
		if len(v)%2 == 1 {
			v = append(append([]byte(nil), v...), padByte(vr))
		}
		if !vr.longVR() && len(v) > 0xFFFF {
			// A value too long for a 2-byte length: UN keeps its bytes (PS3.5 6.2.2).
			vr = "UN"
		}
		enc.header(e.Tag, vr, uint32(len(v)))
		enc.write(v)
	}
	return enc.err
}

func padByte(vr VR) byte {
	if vr.stringLike() && vr != "UI" {
		return ' '
	}
	return 0
}

func swap(v []byte, vr VR) []byte {
	n := vr.swapSize()
	if n == 0 {
		return v
	}
	out := make([]byte, len(v))
	copy(out, v)
	for i := 0; i+n <= len(out); i += n {
		for a, b := i, i+n-1; a < b; a, b = a+1, b-1 {
			out[a], out[b] = out[b], out[a]
		}
	}
	return out
}

// Meta holds the values of a File Meta Information group to write.
type Meta struct {
	SOPClassUID, SOPInstanceUID, TransferSyntaxUID string
	SourceAETitle                                  string // optional
}

// EncodeMeta returns the 128-byte preamble, "DICM" and the group 0002
// elements (PS3.10 7.1), with group length.
func EncodeMeta(m Meta) []byte {
	var group bytes.Buffer
	enc := NewEncoder(&group)
	enc.Element(NewElement(FileMetaInformationVersion, "OB", []byte{0, 1}), false)
	enc.Element(Str(MediaStorageSOPClassUID, "UI", m.SOPClassUID), false)
	enc.Element(Str(MediaStorageSOPInstanceUID, "UI", m.SOPInstanceUID), false)
	enc.Element(Str(TransferSyntaxUID, "UI", m.TransferSyntaxUID), false)
	enc.Element(Str(ImplementationClassUID, "UI", DiscDeskImplementationClassUID), false)
	enc.Element(Str(ImplementationVersionName, "SH", DiscDeskImplementationVersion), false)
	if m.SourceAETitle != "" {
		enc.Element(Str(SourceApplicationEntityTitle, "AE", m.SourceAETitle), false)
	}
	enc.Flush()
	out := make([]byte, 128, 128+4+12+group.Len())
	out = append(out, "DICM"...)
	var gl bytes.Buffer
	genc := NewEncoder(&gl)
	genc.Element(U32(FileMetaInformationGroupLength, uint32(group.Len())), false)
	genc.Flush()
	out = append(out, gl.Bytes()...)
	return append(out, group.Bytes()...)
}

// WriteExplicitLE writes a complete Part 10 file: meta for ds (SOP class and
// instance taken from ds) and ds encoded in Explicit VR Little Endian. ds's
// values must be loaded (not skipped) and its pixel data native or
// encapsulated as the caller intends; pass the transfer syntax to record.
func WriteExplicitLE(w io.Writer, ds *DataSet, transferSyntax string) error {
	meta := EncodeMeta(Meta{
		SOPClassUID:       ds.String(SOPClassUID),
		SOPInstanceUID:    ds.String(SOPInstanceUID),
		TransferSyntaxUID: transferSyntax,
	})
	if _, err := w.Write(meta); err != nil {
		return err
	}
	enc := NewEncoder(w)
	if err := enc.DataSet(ds); err != nil {
		return err
	}
	return enc.Flush()
}

// LittleEndianValue is e's value in little-endian byte order: as stored
// for a little-endian data set, byte-swapped by its VR for a big-endian one.
// Padding is normalised to the even length PS3.5 6.2 requires, so values
// from differently encoded copies of one data set compare equal.
func LittleEndianValue(e *Element, bigEndian bool) []byte {
	vr := e.VR
	if vr == "UN" || vr == "" {
		vr = DictVR(e.Tag)
	}
	v := e.Value
	if bigEndian {
		v = swap(v, vr)
	}
	if len(v)%2 == 1 {
		v = append(append([]byte(nil), v...), padByte(vr))
	}
	return v
}
