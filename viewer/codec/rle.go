package codec

import (
	"encoding/binary"
	"fmt"
)

// DecodeRLE decodes one RLE Lossless frame (PS3.5 G.3): a 64-byte header of
// segment count and offsets, then one PackBits segment per byte plane, the
// most significant byte of each sample first, sample planes in order.
func DecodeRLE(src []byte, p Params) ([]byte, error) {
	if err := p.check(); err != nil {
		return nil, err
	}
	if len(src) < 64 {
		return nil, fmt.Errorf("%w: RLE header needs 64 bytes, frame has %d", ErrCorrupt, len(src))
	}
	bps := p.BitsAllocated / 8
	nseg := int(binary.LittleEndian.Uint32(src))
	want := p.SamplesPerPixel * bps
	if nseg != want {
		return nil, fmt.Errorf("%w: RLE header has %d segments, image needs %d", ErrFrameSize, nseg, want)
	}
	var offs [16]int
	for i := 0; i < nseg; i++ {
		o := int(binary.LittleEndian.Uint32(src[4+4*i:]))
		if o < 64 || o > len(src) || (i > 0 && o < offs[i-1]) {
			return nil, fmt.Errorf("%w: RLE segment %d offset %d outside frame of %d bytes", ErrCorrupt, i+1, o, len(src))
		}
		offs[i] = o
	}
	offs[nseg] = len(src)
	npix := p.Rows * p.Columns
	out := make([]byte, npix*want)
	plane := make([]byte, npix)
	for seg := 0; seg < nseg; seg++ {
		if err := unpackBits(src[offs[seg]:offs[seg+1]], plane); err != nil {
			return nil, fmt.Errorf("RLE segment %d: %w", seg+1, err)
		}
		s, b := seg/bps, seg%bps
		// Byte b of a sample counts from the most significant; out is little endian.
		pos := s*bps + (bps - 1 - b)
		for i, v := range plane {
			out[i*want+pos] = v
		}
	}
	return out, nil
}

// unpackBits decodes a PackBits segment into dst, which it must fill exactly;
// bytes beyond (encoder padding) are ignored.
func unpackBits(seg, dst []byte) error {
	n := 0
	for i := 0; i < len(seg) && n < len(dst); {
		h := int8(seg[i])
		i++
		switch {
		case h >= 0:
			c := int(h) + 1
			if i+c > len(seg) {
				return fmt.Errorf("%w: literal run past the segment end", ErrCorrupt)
			}
			if n+c > len(dst) {
				c = len(dst) - n
			}
			copy(dst[n:], seg[i:i+c])
			n += c
			i += int(h) + 1
		case h != -128:
			if i >= len(seg) {
				return fmt.Errorf("%w: replicate run past the segment end", ErrCorrupt)
			}
			c := 1 - int(h)
			if n+c > len(dst) {
				c = len(dst) - n
			}
			v := seg[i]
			i++
			for k := 0; k < c; k++ {
				dst[n+k] = v
			}
			n += c
		}
	}
	if n < len(dst) {
		return fmt.Errorf("%w: segment decodes to %d bytes, need %d", ErrCorrupt, n, len(dst))
	}
	return nil
}
