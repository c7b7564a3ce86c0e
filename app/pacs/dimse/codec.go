package dimse

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"discdesk/viewer/dcm"
)

// Tag is a DICOM data element tag, group in the high 16 bits.
// It is viewer/dcm's tag: one DICOM core for files and the network.
type Tag = dcm.Tag

// T makes a tag from group and element numbers.
func T(group, element uint16) Tag { return dcm.T(group, element) }

// Element is one data element: tag, VR (two letters; "" when unknown in
// Implicit VR) and its raw little endian value bytes.
type Element struct {
	Tag   Tag
	VR    string
	Value []byte
}

// Elements is a flat data set kept sorted by tag: a command set or a C-FIND
// identifier. Sequences are kept as raw values.
type Elements []Element

// Get returns the element with tag t or nil.
func (es Elements) Get(t Tag) *Element {
	i, ok := slices.BinarySearchFunc(es, t, func(e Element, t Tag) int { return cmpTag(e.Tag, t) })
	if !ok {
		return nil
	}
	return &es[i]
}

func cmpTag(a, b Tag) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// String returns the value of t as text without padding ("" when absent).
func (es Elements) String(t Tag) string {
	e := es.Get(t)
	if e == nil {
		return ""
	}
	return strings.TrimRight(string(e.Value), "\x00 ")
}

// Uint16 returns a US value.
func (es Elements) Uint16(t Tag) (uint16, bool) {
	e := es.Get(t)
	if e == nil || len(e.Value) < 2 {
		return 0, false
	}
	return binary.LittleEndian.Uint16(e.Value), true
}

// Set inserts or replaces an element.
func (es *Elements) Set(t Tag, vr string, value []byte) {
	i, ok := slices.BinarySearchFunc(*es, t, func(e Element, t Tag) int { return cmpTag(e.Tag, t) })
	if ok {
		(*es)[i] = Element{t, vr, value}
		return
	}
	*es = slices.Insert(*es, i, Element{t, vr, value})
}

// SetString sets a text value padded to even length (UI with NUL, others
// with space, PS3.5 6.2).
func (es *Elements) SetString(t Tag, vr, s string) {
	b := []byte(s)
	if len(b)%2 == 1 {
		if vr == "UI" {
			b = append(b, 0)
		} else {
			b = append(b, ' ')
		}
	}
	es.Set(t, vr, b)
}

// SetUint16 sets a US value.
func (es *Elements) SetUint16(t Tag, v uint16) {
	es.Set(t, "US", binary.LittleEndian.AppendUint16(nil, v))
}

// EncodeImplicit encodes the elements in Implicit VR Little Endian.
func (es Elements) EncodeImplicit() []byte {
	var b []byte
	for _, e := range es {
		b = binary.LittleEndian.AppendUint16(b, uint16(e.Tag>>16))
		b = binary.LittleEndian.AppendUint16(b, uint16(e.Tag))
		b = binary.LittleEndian.AppendUint32(b, uint32(len(e.Value)))
		b = append(b, e.Value...)
	}
	return b
}

// EncodeExplicit encodes the elements in Explicit VR Little Endian. An
// element without VR takes the dictionary VR, else UN.
func (es Elements) EncodeExplicit() []byte {
	var b []byte
	for _, e := range es {
		vr := e.VR
		if vr == "" {
			vr = DictVR(e.Tag)
		}
		b = binary.LittleEndian.AppendUint16(b, uint16(e.Tag>>16))
		b = binary.LittleEndian.AppendUint16(b, uint16(e.Tag))
		b = append(b, vr...)
		if longVR(vr) {
			b = append(b, 0, 0)
			b = binary.LittleEndian.AppendUint32(b, uint32(len(e.Value)))
		} else {
			b = binary.LittleEndian.AppendUint16(b, uint16(len(e.Value)))
		}
		b = append(b, e.Value...)
	}
	return b
}

// longVR reports VRs with a 4-byte length in Explicit VR (PS3.5 7.1.2).
func longVR(vr string) bool {
	switch vr {
	case "OB", "OD", "OF", "OL", "OV", "OW", "SQ", "UC", "UR", "UT", "UN", "SV", "UV":
		return true
	}
	return false
}

// DecodeElements parses a flat little endian data set (a command set or an
// identifier). Sequences are kept as raw bytes; nested items are checked.
func DecodeElements(b []byte, explicit bool) (Elements, error) {
	var es Elements
	w := newWalker(bufio.NewReaderSize(bytes.NewReader(b), 4096), int64(len(b)), Syntax{Explicit: explicit})
	w.keep = func(depth int, t Tag) bool { return depth == 0 }
	w.visit = func(depth int, e Element) {
		if depth == 0 {
			es = append(es, e)
		}
	}
	if err := w.run(); err != nil {
		return nil, err
	}
	slices.SortStableFunc(es, func(a, b Element) int { return cmpTag(a.Tag, b.Tag) })
	return es, nil
}

// Syntax is how a transfer syntax encodes elements.
type Syntax struct {
	Explicit  bool
	BigEndian bool
	Deflated  bool
}

// Transfer syntax UIDs DiscDesk names (PS3.5 A).
const (
	ImplicitVRLittleEndian = "1.2.840.10008.1.2"
	ExplicitVRLittleEndian = "1.2.840.10008.1.2.1"
	DeflatedExplicitVRLE   = "1.2.840.10008.1.2.1.99"
	ExplicitVRBigEndian    = "1.2.840.10008.1.2.2"
)

const (
	tagItem         Tag   = 0xFFFEE000
	tagItemDelim    Tag   = 0xFFFEE00D
	tagSeqDelim     Tag   = 0xFFFEE0DD
	undefinedLength       = 0xFFFFFFFF
	maxDepth              = 32
	maxKeptValue          = 1 << 20
	untilEOF              = -2
	undefinedLen64  int64 = -1
)

// walker checks the structure of a data set stream element by element,
// keeping the values keep asks for and discarding the rest.
type walker struct {
	r         *bufio.Reader
	remaining int64 // bytes left in the input, -1 when unknown (deflate)
	pos       int64
	order     binary.ByteOrder
	explicit  bool
	keep      func(depth int, t Tag) bool
	visit     func(depth int, e Element)
	hdr       [12]byte
}

func newWalker(r *bufio.Reader, size int64, s Syntax) *walker {
	w := &walker{r: r, remaining: size, order: binary.LittleEndian, explicit: s.Explicit}
	if s.BigEndian {
		w.order = binary.BigEndian
	}
	return w
}

func (w *walker) fail(format string, args ...any) error {
	return fmt.Errorf("%w: at offset %d: %s", ErrMalformedData, w.pos, fmt.Sprintf(format, args...))
}

func (w *walker) read(n int) ([]byte, error) {
	if _, err := io.ReadFull(w.r, w.hdr[:n]); err != nil {
		return nil, w.fail("truncated element header: %v", err)
	}
	w.pos += int64(n)
	return w.hdr[:n], nil
}

func (w *walker) skip(n int64) error {
	if w.remaining >= 0 && w.pos+n > w.remaining {
		return w.fail("value of %d bytes runs past the end (%d left)", n, w.remaining-w.pos)
	}
	d, err := w.r.Discard(int(n))
	w.pos += int64(d)
	if err != nil {
		return w.fail("truncated value: %v", err)
	}
	return nil
}

func (w *walker) value(n int64) ([]byte, error) {
	if n > maxKeptValue || (w.remaining >= 0 && w.pos+n > w.remaining) {
		return nil, w.fail("value of %d bytes runs past the end or the limit", n)
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(w.r, b); err != nil {
		return nil, w.fail("truncated value: %v", err)
	}
	w.pos += n
	return b, nil
}

func (w *walker) tag(b []byte) Tag {
	return T(w.order.Uint16(b), w.order.Uint16(b[2:]))
}

func (w *walker) run() error { return w.elements(0, untilEOF, w.explicit) }

// elements walks elements until length bytes are consumed, an item
// delimiter (length undefinedLen64), or the end of input (untilEOF).
func (w *walker) elements(depth int, length int64, explicit bool) error {
	if depth > maxDepth {
		return w.fail("sequences nested deeper than %d", maxDepth)
	}
	start := w.pos
	var last Tag
	for {
		if length >= 0 {
			if w.pos-start == length {
				return nil
			}
			if w.pos-start > length {
				return w.fail("item content overruns its length %d", length)
			}
		}
		if length == untilEOF {
			if _, err := w.r.Peek(1); errors.Is(err, io.EOF) {
				return nil
			}
		}
		h, err := w.read(4)
		if err != nil {
			return err
		}
		t := w.tag(h)
		if t == tagItemDelim {
			if length != undefinedLen64 {
				return w.fail("item delimiter outside an undefined-length item")
			}
			_, err := w.read(4)
			return err
		}
		if t>>16 == 0xFFFE {
			return w.fail("delimiter %v in a data set", t)
		}
		if t < last {
			return w.fail("tag %v follows %v: elements out of order", t, last)
		}
		last = t
		var vr string
		var n uint32
		if explicit {
			h, err := w.read(4)
			if err != nil {
				return err
			}
			vr = string(h[:2])
			if vr[0] < 'A' || vr[0] > 'Z' || vr[1] < 'A' || vr[1] > 'Z' {
				return w.fail("tag %v has invalid VR %q", t, vr)
			}
			if longVR(vr) {
				h, err := w.read(4)
				if err != nil {
					return err
				}
				n = w.order.Uint32(h)
			} else {
				n = uint32(w.order.Uint16(h[2:]))
			}
		} else {
			h, err := w.read(4)
			if err != nil {
				return err
			}
			n = w.order.Uint32(h)
		}
		if n == undefinedLength {
			switch {
			case vr == "SQ" || vr == "":
				err = w.sequence(depth, undefinedLen64, explicit, false)
			case vr == "UN":
				err = w.sequence(depth, undefinedLen64, false, false) // PS3.5 6.2.2
			case vr == "OB" || vr == "OW":
				err = w.sequence(depth, undefinedLen64, explicit, true) // encapsulated pixel data
			default:
				err = w.fail("tag %v: undefined length with VR %s", t, vr)
			}
			if err != nil {
				return err
			}
			if w.visit != nil {
				w.visit(depth, Element{Tag: t, VR: vr})
			}
			continue
		}
		if vr == "SQ" && (w.keep == nil || !w.keep(depth, t)) {
			if err := w.sequence(depth, int64(n), explicit, false); err != nil {
				return err
			}
			continue
		}
		if w.keep != nil && w.keep(depth, t) {
			v, err := w.value(int64(n))
			if err != nil {
				return err
			}
			if w.visit != nil {
				w.visit(depth, Element{Tag: t, VR: vr, Value: v})
			}
			continue
		}
		if err := w.skip(int64(n)); err != nil {
			return err
		}
	}
}

// sequence walks the items of a sequence (or the fragments of encapsulated
// pixel data) of the given length or up to its delimiter.
func (w *walker) sequence(depth int, length int64, explicit, fragments bool) error {
	start := w.pos
	for {
		if length >= 0 {
			if w.pos-start == length {
				return nil
			}
			if w.pos-start > length {
				return w.fail("sequence overruns its length %d", length)
			}
		}
		h, err := w.read(8)
		if err != nil {
			return err
		}
		t := w.tag(h)
		n := w.order.Uint32(h[4:])
		switch {
		case t == tagSeqDelim:
			if length >= 0 {
				return w.fail("sequence delimiter in a defined-length sequence")
			}
			return nil
		case t != tagItem:
			return w.fail("tag %v where an item was expected", t)
		case fragments:
			if n == undefinedLength {
				return w.fail("pixel data fragment of undefined length")
			}
			if err := w.skip(int64(n)); err != nil {
				return err
			}
		case n == undefinedLength:
			if err := w.elements(depth+1, undefinedLen64, explicit); err != nil {
				return err
			}
		default:
			if err := w.elements(depth+1, int64(n), explicit); err != nil {
				return err
			}
		}
	}
}
