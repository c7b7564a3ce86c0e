package dcm

import "encoding/binary"

// AppendElement appends one data element of defined length to dst, encoded
// as syn says, and returns the extended slice: tag, then (Explicit VR) the
// VR and a 2-byte length, or for the long VRs two reserved bytes and a
// 4-byte length (PS3.5 7.1.2), or (Implicit VR) a 4-byte length alone
// (PS3.5 7.1.3), in syn's byte order (PS3.5 7.3).
//
// value must already be in syn's byte order (SwapByteOrder turns a little
// endian value into a big endian one). An odd-length value is padded to
// even length as PS3.5 6.2 requires (a space for text, NUL otherwise);
// a sequence's value, which is encoded items, is written as it is. A VR of
// "" is looked up in the dictionary; a value too long for a 2-byte length
// is written as UN, which keeps its bytes (PS3.5 6.2.2). A deflated syntax
// is written as Explicit VR Little Endian, for DeflateDataSet to compress.
func AppendElement(dst []byte, syn Syntax, t Tag, vr VR, value []byte) []byte {
	if len(vr) != 2 {
		vr = DictVR(t)
	}
	n := len(value)
	pad := n%2 == 1 && vr != "SQ"
	if pad {
		n++
	}
	if !syn.Implicit && !vr.longVR() && n > 0xFFFF {
		vr = "UN"
	}
	dst = appendHeader(dst, syn, t, vr, uint32(n))
	dst = append(dst, value...)
	if pad {
		dst = append(dst, padByte(vr))
	}
	return dst
}

// appendHeader appends an element header (or, for group FFFE, an item or
// delimiter header: tag and 4-byte length, PS3.5 7.5).
func appendHeader(dst []byte, syn Syntax, t Tag, vr VR, length uint32) []byte {
	var bo binary.AppendByteOrder = binary.LittleEndian
	if syn.BigEndian {
		bo = binary.BigEndian
	}
	dst = bo.AppendUint16(dst, t.Group())
	dst = bo.AppendUint16(dst, t.Element())
	switch {
	case syn.Implicit || t.Group() == 0xFFFE:
		return bo.AppendUint32(dst, length)
	case vr.longVR():
		dst = append(dst, vr[0], vr[1], 0, 0)
		return bo.AppendUint32(dst, length)
	}
	dst = append(dst, vr[0], vr[1])
	return bo.AppendUint16(dst, uint16(length))
}

// SwapByteOrder returns v with every value of vr in the other byte order
// (PS3.5 7.3): a copy for VRs of 2-, 4- and 8-byte units, v itself for
// byte and text VRs.
func SwapByteOrder(v []byte, vr VR) []byte { return swap(v, vr) }
