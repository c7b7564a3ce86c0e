package codec

import (
	"bytes"
	"compress/flate"
	"compress/zlib"
	"fmt"
	"io"
)

// decodeDeflatedFrame decodes Deflated Image Frame Compression
// (1.2.840.10008.1.2.8.1): each frame is its native pixel data compressed
// with Deflate (RFC 1951). A zlib-wrapped stream (RFC 1950), which some
// writers produce, is accepted too. The inflated frame must hold at least
// one frame of samples; a pad byte after it is ignored.
func decodeDeflatedFrame(src []byte, p Params) ([]byte, error) {
	want := p.FrameBytes()
	out, err := inflateAtMost(flate.NewReader(bytes.NewReader(src)), want)
	if err != nil && len(src) > 2 && src[0]&0x0F == 8 && (uint16(src[0])<<8|uint16(src[1]))%31 == 0 {
		zr, zerr := zlib.NewReader(bytes.NewReader(src))
		if zerr == nil {
			out, err = inflateAtMost(zr, want)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("%w: deflated frame: %v", ErrCorrupt, err)
	}
	if len(out) < want {
		return nil, fmt.Errorf("%w: deflated frame inflates to %d bytes, want %d", ErrFrameSize, len(out), want)
	}
	return out[:want], nil
}

// inflateAtMost reads up to want+1 bytes (a pad byte may follow the
// frame), so a hostile stream cannot inflate without bound.
func inflateAtMost(r io.Reader, want int) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, int64(want)+1))
	if err != nil {
		return nil, err
	}
	return b, nil
}

// decodeEncapsulatedUncompressed decodes Encapsulated Uncompressed Explicit
// VR Little Endian (1.2.840.10008.1.2.1.98): each frame is native pixel
// data in its own fragment(s), padded to even length.
func decodeEncapsulatedUncompressed(src []byte, p Params) ([]byte, error) {
	want := p.FrameBytes()
	if len(src) < want {
		return nil, fmt.Errorf("%w: uncompressed frame of %d bytes, want %d", ErrFrameSize, len(src), want)
	}
	return append([]byte(nil), src[:want]...), nil
}
