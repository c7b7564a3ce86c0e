package dcm

import (
	"encoding/binary"
	"fmt"
)

// A RawElement is one top-level data element as a Scanner finds it: its
// header and its encoded value bytes, which alias the scanned buffer.
type RawElement struct {
	Tag Tag
	// VR is the VR as encoded (PS3.5 7.1.2). In Implicit VR (PS3.5 7.1.3)
	// no VR is encoded and VR is "", except for an element of undefined
	// length, which can only be a sequence ("SQ") or encapsulated Pixel
	// Data ("OB", PS3.5 A.4).
	VR VR
	// Length is the value length as encoded (UndefinedLength for
	// undefined).
	Length uint32
	// Offset is where the element's tag starts in the buffer.
	Offset int
	// Value is the value bytes in the data set's byte order. For an
	// element of undefined length it holds the items (or fragments)
	// without the closing Sequence Delimitation Item, so it can be written
	// again as a sequence of defined length (PS3.5 7.5.1 allows either).
	// Its capacity ends with it: appending to it never writes into the
	// buffer.
	Value []byte
}

// A Scanner reads the data elements of an encoded data set held in memory,
// one top-level element at a time, in the encoding of a transfer syntax:
// Implicit or Explicit VR, little or big endian (PS3.5 7.1, 7.3, A.1-A.3).
// A deflated data set (PS3.5 A.5) is scanned after InflateDataSet, as
// Explicit VR Little Endian.
//
// It allocates nothing: values are slices of the buffer. Every length is
// checked against the bytes left (and against the enclosing item), and the
// items of every sequence whose VR says SQ, and of every element of
// undefined length, are walked to check their structure, nested at most
// MaxDepth deep; a malformed set gives a *ParseError, never a panic.
//
// The scanner does not check that tags ascend (PS3.5 7.1: callers that need
// it compare RawElement.Tag) and decodes no value.
type Scanner struct {
	b        []byte
	pos      int
	implicit bool
	bo       binary.ByteOrder
	el       RawElement
	err      error
}

// NewScanner scans the data set b, encoded as syn says.
func NewScanner(b []byte, syn Syntax) Scanner {
	s := Scanner{b: b, implicit: syn.Implicit, bo: binary.LittleEndian}
	if syn.BigEndian {
		s.bo = binary.BigEndian
	}
	return s
}

// Next reads the next element; it returns false at the end of the data set
// or at the first error (see Err).
func (s *Scanner) Next() bool {
	if s.err != nil || s.pos >= len(s.b) {
		return false
	}
	e, next, err := s.element(s.pos, 0)
	if err == nil && e.Tag.Group() == 0xFFFE {
		err = &ParseError{Offset: int64(e.Offset), Tag: e.Tag, Err: fmt.Errorf("%w: %s outside a sequence", ErrBadSequence, e.Tag)}
	}
	if err != nil {
		s.err = err
		return false
	}
	s.el, s.pos = e, next
	return true
}

// Element is the element Next read.
func (s *Scanner) Element() RawElement { return s.el }

// Err is the first error met, nil at a clean end of the data set.
func (s *Scanner) Err() error { return s.err }

func (s *Scanner) tag(at int) Tag {
	return Tag(uint32(s.bo.Uint16(s.b[at:]))<<16 | uint32(s.bo.Uint16(s.b[at+2:])))
}

// element reads the element at off, walking the structure of what it
// contains, and returns it with the offset just past it. Item and delimiter
// tags (group FFFE) come back with their 4-byte length and no value.
func (s *Scanner) element(off, depth int) (RawElement, int, error) {
	b := s.b
	if len(b)-off < 8 {
		return RawElement{}, 0, &ParseError{Offset: int64(off), Err: fmt.Errorf("%w: %d bytes left for an element header", ErrTruncated, len(b)-off)}
	}
	e := RawElement{Tag: s.tag(off), Offset: off}
	fail := func(err error) (RawElement, int, error) {
		return RawElement{}, 0, &ParseError{Offset: int64(off), Tag: e.Tag, Err: err}
	}
	vs := off + 8
	switch {
	case e.Tag.Group() == 0xFFFE || s.implicit:
		e.Length = s.bo.Uint32(b[off+4:])
	case !validVR(b[off+4], b[off+5]):
		return fail(fmt.Errorf("%w %q", ErrBadVR, b[off+4:off+6]))
	default:
		e.VR = vrOf(b[off+4], b[off+5])
		if e.VR.longVR() {
			if len(b)-off < 12 {
				return fail(ErrTruncated)
			}
			e.Length = s.bo.Uint32(b[off+8:])
			vs = off + 12
		} else {
			e.Length = uint32(s.bo.Uint16(b[off+6:]))
		}
	}
	if e.Tag.Group() == 0xFFFE {
		return e, vs, nil
	}
	if e.Length == UndefinedLength {
		implicit, fragments := s.implicit, false
		switch {
		case e.VR == "" && e.Tag == PixelData:
			e.VR, fragments = "OB", true
		case e.VR == "":
			e.VR = "SQ"
		case e.VR == "SQ":
		case e.VR == "UN":
			implicit = true // PS3.5 6.2.2: its items are Implicit VR Little Endian
		case e.VR == "OB" || e.VR == "OW":
			fragments = true // encapsulated pixel data, PS3.5 A.4
		default:
			return fail(fmt.Errorf("%w: undefined length on a %s element", ErrBadLength, e.VR))
		}
		end, next, err := s.items(vs, -1, implicit, fragments, depth)
		if err != nil {
			return RawElement{}, 0, err
		}
		e.Value = b[vs:end:end]
		return e, next, nil
	}
	n := int(e.Length)
	if e.Length > uint32(len(b)-vs) {
		return fail(fmt.Errorf("%w: %d bytes declared, only %d bytes left", ErrBadLength, e.Length, len(b)-vs))
	}
	e.Value = b[vs : vs+n : vs+n]
	if e.VR == "SQ" {
		if _, _, err := s.items(vs, vs+n, s.implicit, false, depth); err != nil {
			return RawElement{}, 0, err
		}
	}
	return e, vs + n, nil
}

// items walks the items of a sequence (or the fragments of encapsulated
// pixel data) from off up to end, or up to its Sequence Delimitation Item
// when end < 0. It returns where the items end and the offset just past the
// sequence.
func (s *Scanner) items(off, end int, implicit, fragments bool, depth int) (int, int, error) {
	save := s.implicit
	s.implicit = implicit
	defer func() { s.implicit = save }()
	pos := off
	for {
		if end >= 0 && pos == end {
			return pos, pos, nil
		}
		it, next, err := s.element(pos, depth)
		if err != nil {
			return 0, 0, err
		}
		if end >= 0 && next > end {
			return 0, 0, &ParseError{Offset: int64(pos), Tag: it.Tag, Err: fmt.Errorf("%w: an item header runs past the sequence's length", ErrBadSequence)}
		}
		switch {
		case it.Tag == SequenceDelimitationItem && end < 0:
			return pos, next, nil
		case it.Tag != Item:
			return 0, 0, &ParseError{Offset: int64(pos), Tag: it.Tag, Err: fmt.Errorf("%w: found %s where an item was expected", ErrBadSequence, it.Tag)}
		case it.Length == UndefinedLength && fragments:
			return 0, 0, &ParseError{Offset: int64(pos), Tag: it.Tag, Err: fmt.Errorf("%w: fragment of undefined length", ErrBadLength)}
		case it.Length == UndefinedLength:
			next, err = s.dataSet(next, -1, depth+1)
		default:
			limit := len(s.b)
			if end >= 0 {
				limit = end
			}
			if it.Length > uint32(limit-next) {
				return 0, 0, &ParseError{Offset: int64(pos), Tag: it.Tag, Err: fmt.Errorf("%w: item of %d bytes, only %d bytes left", ErrBadLength, it.Length, limit-next)}
			}
			if !fragments {
				_, err = s.dataSet(next, next+int(it.Length), depth+1)
			}
			next += int(it.Length)
		}
		if err != nil {
			return 0, 0, err
		}
		pos = next
	}
}

// dataSet walks the elements of an item from off up to end, or up to its
// Item Delimitation Item when end < 0, and returns the offset past it.
func (s *Scanner) dataSet(off, end, depth int) (int, error) {
	if depth > MaxDepth {
		return 0, &ParseError{Offset: int64(off), Err: ErrTooDeep}
	}
	pos := off
	for {
		if end >= 0 && pos == end {
			return pos, nil
		}
		e, next, err := s.element(pos, depth)
		if err != nil {
			return 0, err
		}
		if end >= 0 && next > end {
			return 0, &ParseError{Offset: int64(pos), Tag: e.Tag, Err: fmt.Errorf("%w: element runs past the end of its item", ErrBadLength)}
		}
		switch {
		case e.Tag == ItemDelimitationItem && end < 0:
			return next, nil
		case e.Tag.Group() == 0xFFFE:
			return 0, &ParseError{Offset: int64(pos), Tag: e.Tag, Err: fmt.Errorf("%w: %s inside an item", ErrBadSequence, e.Tag)}
		}
		pos = next
	}
}

// vrOf returns the VR of two valid VR bytes as a constant, so scanning
// allocates nothing for the VRs of PS3.5 6.2.
func vrOf(b0, b1 byte) VR {
	switch string([]byte{b0, b1}) {
	case "AE":
		return "AE"
	case "AS":
		return "AS"
	case "AT":
		return "AT"
	case "CS":
		return "CS"
	case "DA":
		return "DA"
	case "DS":
		return "DS"
	case "DT":
		return "DT"
	case "FD":
		return "FD"
	case "FL":
		return "FL"
	case "IS":
		return "IS"
	case "LO":
		return "LO"
	case "LT":
		return "LT"
	case "OB":
		return "OB"
	case "OD":
		return "OD"
	case "OF":
		return "OF"
	case "OL":
		return "OL"
	case "OV":
		return "OV"
	case "OW":
		return "OW"
	case "PN":
		return "PN"
	case "SH":
		return "SH"
	case "SL":
		return "SL"
	case "SQ":
		return "SQ"
	case "SS":
		return "SS"
	case "ST":
		return "ST"
	case "SV":
		return "SV"
	case "TM":
		return "TM"
	case "UC":
		return "UC"
	case "UI":
		return "UI"
	case "UL":
		return "UL"
	case "UN":
		return "UN"
	case "UR":
		return "UR"
	case "US":
		return "US"
	case "UT":
		return "UT"
	case "UV":
		return "UV"
	}
	return VR([]byte{b0, b1})
}
