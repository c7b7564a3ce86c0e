package codec

import "fmt"

const lookBits = 9

// huffTable is a decoding table (T.81 F.2.2.3) with a fast lookup of the
// first lookBits bits.
type huffTable struct {
	fast    [1 << lookBits]uint16 // len<<8 | value; 0 when the code is longer
	maxcode [18]int32
	valptr  [17]int32
	mincode [17]int32
	vals    []byte
}

func newHuffTable(counts [17]int, vals []byte) (*huffTable, error) {
	t := &huffTable{vals: append([]byte(nil), vals...)}
	code, k := int32(0), 0
	for l := 1; l <= 16; l++ {
		t.valptr[l] = int32(k)
		t.mincode[l] = code
		if int(code)+counts[l] > 1<<l {
			return nil, fmt.Errorf("%w: JPEG Huffman table over-subscribed", ErrCorrupt)
		}
		for i := 0; i < counts[l]; i++ {
			if l <= lookBits {
				shift := lookBits - l
				for j := int32(0); j < 1<<shift; j++ {
					t.fast[code<<shift|j] = uint16(l)<<8 | uint16(vals[k])
				}
			}
			code++
			k++
		}
		if counts[l] > 0 {
			t.maxcode[l] = code - 1
		} else {
			t.maxcode[l] = -1
		}
		code <<= 1
	}
	t.maxcode[17] = 0x7FFFFFFF
	return t, nil
}

// bitReader reads an entropy-coded segment: it removes stuffed zero bytes
// and stops at a marker, after which it yields zero bits and remembers that
// it ran past the data.
type bitReader struct {
	data    []byte
	pos     int
	acc     uint64 // bits, most significant first
	n       uint   // valid bits in acc
	fake    uint   // how many of the last bits in acc are padding
	marker  bool
	overrun bool
}

func (b *bitReader) fill() {
	for b.n <= 56 {
		var c byte
		if b.marker || b.pos >= len(b.data) {
			b.fake += 8
		} else {
			c = b.data[b.pos]
			if c == 0xFF {
				if b.pos+1 < len(b.data) && b.data[b.pos+1] == 0 {
					b.pos += 2
				} else {
					b.marker = true
					c = 0
					b.fake += 8
				}
			} else {
				b.pos++
			}
		}
		b.acc |= uint64(c) << (56 - b.n)
		b.n += 8
	}
}

func (b *bitReader) consume(k uint) {
	b.acc <<= k
	b.n -= k
	if b.fake > b.n {
		b.fake = b.n
		b.overrun = true
	}
}

func (b *bitReader) bits(k uint) int32 {
	if k == 0 {
		return 0
	}
	if b.n < k {
		b.fill()
	}
	v := int32(b.acc >> (64 - k))
	b.consume(k)
	return v
}

// decode reads one Huffman-coded value.
func (b *bitReader) decode(t *huffTable) (int, error) {
	if b.n < 16 {
		b.fill()
	}
	if f := t.fast[b.acc>>(64-lookBits)]; f != 0 {
		b.consume(uint(f >> 8))
		return int(f & 0xFF), nil
	}
	code := int32(b.acc >> (64 - lookBits - 1))
	l := lookBits + 1
	for ; l <= 16; l++ {
		if code <= t.maxcode[l] {
			break
		}
		code = int32(b.acc >> (64 - uint(l) - 1))
	}
	if l > 16 {
		b.consume(16)
		return 0, fmt.Errorf("%w: JPEG: bad Huffman code", ErrCorrupt)
	}
	b.consume(uint(l))
	idx := int(t.valptr[l] + code - t.mincode[l])
	if idx < 0 || idx >= len(t.vals) {
		return 0, fmt.Errorf("%w: JPEG: bad Huffman code", ErrCorrupt)
	}
	return int(t.vals[idx]), nil
}

// extend turns s received bits into a signed difference (T.81 F.2.2.1).
func extend(v int32, s int) int32 {
	if s == 0 {
		return 0
	}
	if v < 1<<(s-1) {
		return v - (1 << s) + 1
	}
	return v
}

// restart consumes an RSTn marker at the reader's position and resets it.
func (b *bitReader) restart() error {
	// Unread whole bytes still in acc are not possible to recover simply;
	// find the marker from the byte position instead. The reader has
	// stopped at the marker if the segment was well formed.
	for b.pos < len(b.data) && !(b.data[b.pos] == 0xFF && b.pos+1 < len(b.data) && b.data[b.pos+1] >= mRST0 && b.data[b.pos+1] <= mRST7) {
		if !b.marker {
			// Skip bits we have not consumed (padding of the last byte).
			b.pos++
			continue
		}
		b.pos++
	}
	if b.pos+1 >= len(b.data) {
		return fmt.Errorf("%w: JPEG: missing restart marker", ErrCorrupt)
	}
	b.pos += 2
	b.acc, b.n, b.fake, b.marker = 0, 0, 0, false
	return nil
}
