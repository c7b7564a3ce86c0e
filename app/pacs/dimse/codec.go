package dimse

import (
	"encoding/binary"
	"fmt"
	"slices"
	"strings"

	"discdesk/viewer/dcm"
)

// Tag is a DICOM data element tag, group in the high 16 bits.
// It is viewer/dcm's tag: one DICOM core for files and the network.
type Tag = dcm.Tag

// T makes a tag from group and element numbers.
func T(group, element uint16) Tag { return dcm.T(group, element) }

// Element is one data element: tag, VR (two letters; "" when not encoded,
// in Implicit VR) and its raw little endian value bytes. A sequence's value
// is its encoded items.
type Element struct {
	Tag   Tag
	VR    string
	Value []byte
}

// Elements is a flat data set kept sorted by tag: a command set or a C-FIND
// identifier. Sequences are kept as raw values (their items, checked when
// decoded, in the encoding of the data set they came from).
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

// Transfer syntax UIDs DiscDesk negotiates (PS3.5 A); viewer/dcm's.
const (
	ImplicitVRLittleEndian = dcm.ImplicitVRLittleEndian
	ExplicitVRLittleEndian = dcm.ExplicitVRLittleEndian
	DeflatedExplicitVRLE   = dcm.DeflatedExplicitVRLittleEndian
	ExplicitVRBigEndian    = dcm.ExplicitVRBigEndian
)

// maxInflated bounds what a deflated identifier may inflate to.
const maxInflated = 16 << 20

var (
	implicitLE = dcm.SyntaxOf(ImplicitVRLittleEndian)
	explicitLE = dcm.SyntaxOf(ExplicitVRLittleEndian)
)

// EncodeImplicit encodes the elements in Implicit VR Little Endian.
func (es Elements) EncodeImplicit() []byte { return es.appendTo(nil, implicitLE) }

// EncodeExplicit encodes the elements in Explicit VR Little Endian. An
// element without VR takes the dictionary VR (DictVR), else UN.
func (es Elements) EncodeExplicit() []byte { return es.appendTo(nil, explicitLE) }

// Encode encodes the elements in the transfer syntax ts negotiated for the
// presentation context (PS3.7 9.3, PS3.5 A.1-A.5): values are byte-swapped
// for Explicit VR Big Endian and the set compressed for Deflated Explicit VR
// Little Endian. Other (encapsulated) syntaxes encode identifiers as
// Explicit VR Little Endian (PS3.5 A.4).
func (es Elements) Encode(ts string) []byte {
	syn := dcm.SyntaxOf(ts)
	b := es.appendTo(nil, syn)
	if syn.Deflated {
		return dcm.DeflateDataSet(b)
	}
	return b
}

func (es Elements) appendTo(b []byte, syn dcm.Syntax) []byte {
	if b == nil {
		n := 0
		for _, e := range es {
			n += 13 + len(e.Value)
		}
		b = make([]byte, 0, n)
	}
	for _, e := range es {
		vr := dcm.VR(e.VR)
		if len(vr) != 2 {
			vr = dcm.VR(DictVR(e.Tag))
		}
		v := e.Value
		if syn.BigEndian {
			v = dcm.SwapByteOrder(v, vr)
		}
		b = dcm.AppendElement(b, syn, e.Tag, vr, v)
	}
	return b
}

// DecodeElements parses a flat little endian data set (a command set or an
// identifier) in Explicit or Implicit VR; DecodeDataSet takes any
// negotiated transfer syntax.
func DecodeElements(b []byte, explicit bool) (Elements, error) {
	if explicit {
		return decode(b, explicitLE)
	}
	return decode(b, implicitLE)
}

// DecodeDataSet parses a data set (a C-FIND, C-MOVE or C-GET identifier) in
// the transfer syntax ts negotiated for its presentation context (PS3.7
// 9.3, PS3.5 A.1-A.5), with viewer/dcm's Scanner: lengths are checked
// against the bytes left, sequences are kept as their raw items after
// their structure is checked, and big endian values are turned little
// endian. A deflated set inflating beyond 16 MiB is refused.
func DecodeDataSet(b []byte, ts string) (Elements, error) {
	syn := dcm.SyntaxOf(ts)
	if syn.Deflated {
		in, err := dcm.InflateDataSet(b, maxInflated)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrMalformedData, err)
		}
		return decode(in, syn)
	}
	return decode(b, syn)
}

// decode scans b into Elements. The values share one copy of b, not the
// caller's buffer (one allocation, not one per element).
func decode(b []byte, syn dcm.Syntax) (Elements, error) {
	b = append([]byte(nil), b...)
	es := make(Elements, 0, 16)
	s := dcm.NewScanner(b, syn)
	for s.Next() {
		e := s.Element()
		if n := len(es); n > 0 && e.Tag < es[n-1].Tag {
			return nil, fmt.Errorf("%w: at byte %d: tag %v follows %v: elements out of order (PS3.5 7.1)", ErrMalformedData, e.Offset, e.Tag, es[n-1].Tag)
		}
		v := e.Value
		if syn.BigEndian {
			v = dcm.SwapByteOrder(v, e.VR)
		}
		es = append(es, Element{Tag: e.Tag, VR: string(e.VR), Value: v})
	}
	if err := s.Err(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformedData, err)
	}
	return es, nil
}
