package disc

import (
	"bytes"
	"compress/zlib"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"image"
	"image/draw"
	"slices"
	"sync"

	"discdesk/viewer/render"
)

// storedSamples turns a little-endian frame into its stored values (Bits
// Stored and High Bit applied, signed values sign-extended) as bps-byte
// two's-complement little-endian samples: what the page reads into an
// Int16Array, Uint16Array, Int8Array or Uint8Array. The result is appended
// to dst[:0].
func storedSamples(dst []byte, d *render.Description, raw []byte, bps int) []byte {
	n := d.Rows * d.Columns
	out := slices.Grow(dst[:0], n*bps)[:n*bps]
	shift := uint(d.HighBit - d.BitsStored + 1)
	if d.BitsAllocated == 16 && bps == 2 && shift == 0 && d.BitsStored == 16 {
		copy(out, raw[:2*n]) // the stored values as they are
		return out
	}
	mask := uint32(1)<<uint(d.BitsStored) - 1
	sign := uint32(0)
	if d.Signed {
		sign = 1 << (d.BitsStored - 1)
	}
	if d.BitsAllocated == 16 && bps == 2 {
		for i := 0; i < n; i++ {
			v := (uint32(binary.LittleEndian.Uint16(raw[2*i:])) >> shift) & mask
			if v&sign != 0 {
				v -= mask + 1
			}
			binary.LittleEndian.PutUint16(out[2*i:], uint16(v))
		}
		return out
	}
	for i := 0; i < n; i++ {
		var w uint32
		if d.BitsAllocated == 16 {
			w = uint32(raw[2*i]) | uint32(raw[2*i+1])<<8
		} else {
			w = uint32(raw[i])
		}
		v := int32((w >> shift) & mask)
		if v&int32(sign) != 0 {
			v -= int32(mask) + 1
		}
		if bps == 2 {
			out[2*i], out[2*i+1] = byte(v), byte(v>>8)
		} else {
			out[i] = byte(v)
		}
	}
	return out
}

// rgbSamples is an image's pixels as R, G, B bytes.
func rgbSamples(img image.Image) []byte {
	b := img.Bounds()
	rgba, ok := img.(*image.RGBA)
	if !ok || rgba.Stride != 4*b.Dx() {
		rgba = image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
		draw.Draw(rgba, rgba.Bounds(), img, b.Min, draw.Src)
	}
	n := b.Dx() * b.Dy()
	out := make([]byte, 3*n)
	for i := 0; i < n; i++ {
		copy(out[3*i:3*i+3], rgba.Pix[4*i:4*i+3])
	}
	return out
}

// packFrame codes samples (bps bytes each, spp interleaved per pixel, cols
// pixels a row) for the page: each sample minus its predictor (the same
// sample of the pixel to the left, or above at a row start) modulo 2^(8
// bps); 16-bit differences zigzag-coded (0, -1, 1, -2 ... -> 0, 1, 2, 3 ...)
// in one byte below 0x80, two bytes 10xxxxxx xxxxxxxx below 0x4000, else
// 0xC0 and two bytes (big-endian); then deflated in zlib format (what
// DecompressionStream("deflate") reads; see webZlib) and base64-encoded.
// unpackFrame is its inverse.
func packFrame(samples []byte, bps, spp, cols int) ([]byte, error) {
	pk := packers.Get().(*webPacker)
	defer packers.Put(pk)
	return pk.pack(nil, samples, bps, spp, cols), nil
}

// webPacker is one worker's scratch for packing frames.
type webPacker struct {
	z       webDeflater
	samples []byte
	delta   []byte
	zbuf    []byte
}

var packers = sync.Pool{New: func() any { return new(webPacker) }}

// pack appends the packed frame (see packFrame) to dst.
func (pk *webPacker) pack(dst, samples []byte, bps, spp, cols int) []byte {
	n := len(samples) / bps
	row := max(cols*spp, 1)
	spp = min(spp, row)
	delta := slices.Grow(pk.delta[:0], len(samples))[:len(samples)]
	pk.delta = delta
	if bps == 2 {
		// up to three bytes a sample
		delta = slices.Grow(delta[:0], 3*n)[:3*n]
		pk.delta = delta
		at := func(i int) uint16 { return binary.LittleEndian.Uint16(samples[2*i:]) }
		k := 0
		put := func(d uint16) { k = putDelta(delta, k, d) }
		for r := 0; r < n; r += row {
			end := min(r+row, n)
			for i := r; i < min(r+spp, end); i++ {
				var pred uint16
				if r > 0 {
					pred = at(i - row)
				}
				put(at(i) - pred)
			}
			for i := r + spp; i < end; i++ {
				put(at(i) - at(i-spp))
			}
		}
		pk.zbuf = webZlib(pk.zbuf[:0], &pk.z, delta[:k])
	} else {
		for r := 0; r < n; r += row {
			end := min(r+row, n)
			for i := r; i < min(r+spp, end); i++ {
				var pred byte
				if r > 0 {
					pred = samples[i-row]
				}
				delta[i] = samples[i] - pred
			}
			for i := r + spp; i < end; i++ {
				delta[i] = samples[i] - samples[i-spp]
			}
		}
		pk.zbuf = webZlib(pk.zbuf[:0], &pk.z, delta[:n])
	}
	return appendBase64(dst, pk.zbuf)
}

// packGrey16 is pack of a 16-bit grey frame straight from its pixel data
// (Bits Allocated 16, little-endian): the stored values, their differences
// and the differences' codes in one pass, the same bytes as pack of
// storedSamples.
func (pk *webPacker) packGrey16(dst []byte, d *render.Description, raw []byte) []byte {
	rows, cols := d.Rows, d.Columns
	n := rows * cols
	out := slices.Grow(pk.delta[:0], 3*n)[:3*n]
	pk.delta = out
	shift := uint(d.HighBit - d.BitsStored + 1)
	mask := uint16(uint32(1)<<uint(d.BitsStored) - 1)
	var sign, ext uint16
	if d.Signed && d.BitsStored < 16 {
		sign, ext = 1<<(d.BitsStored-1), ^mask
	}
	k := 0
	var up uint16 // the first value of the row above
	for r := 0; r < rows; r++ {
		line := raw[2*r*cols : 2*(r+1)*cols]
		var left uint16
		for x := 0; x+1 < len(line); x += 2 {
			v := (uint16(line[x]) | uint16(line[x+1])<<8) >> shift & mask
			if v&sign != 0 {
				v |= ext
			}
			pred := left
			if x == 0 {
				pred, up = up, v
			}
			left = v
			k = putDelta(out, k, v-pred)
		}
	}
	pk.zbuf = webZlib(pk.zbuf[:0], &pk.z, out[:k])
	return appendBase64(dst, pk.zbuf)
}

// appendBase64 appends the standard base64 of b to dst.
func appendBase64(dst, b []byte) []byte {
	m := base64.StdEncoding.EncodedLen(len(b))
	dst = slices.Grow(dst, m)
	base64.StdEncoding.Encode(dst[len(dst):len(dst)+m], b)
	return dst[:len(dst)+m]
}

// unpackFrame reverses packFrame (the page's decoder, in Go, for tests).
func unpackFrame(b64 []byte, bps, spp, cols int) ([]byte, error) {
	z := make([]byte, base64.StdEncoding.DecodedLen(len(b64)))
	m, err := base64.StdEncoding.Decode(z, b64)
	if err != nil {
		return nil, fmt.Errorf("unpack: %w", err)
	}
	r, err := zlib.NewReader(bytes.NewReader(z[:m]))
	if err != nil {
		return nil, fmt.Errorf("unpack: %w", err)
	}
	var delta bytes.Buffer
	if _, err := delta.ReadFrom(r); err != nil {
		return nil, fmt.Errorf("unpack: %w", err)
	}
	d := delta.Bytes()
	if bps == 2 {
		var vals []uint16
		for p := 0; p < len(d); {
			b := d[p]
			var z uint16
			switch {
			case b < 0x80:
				z, p = uint16(b), p+1
			case b < 0xC0 && p+1 < len(d):
				z, p = uint16(b&0x3F)<<8|uint16(d[p+1]), p+2
			case b == 0xC0 && p+2 < len(d):
				z, p = uint16(d[p+1])<<8|uint16(d[p+2]), p+3
			default:
				return nil, fmt.Errorf("unpack: bad sample code at byte %d", p)
			}
			vals = append(vals, z>>1^-(z&1))
		}
		row := cols * spp
		out := make([]byte, 2*len(vals))
		for i, dv := range vals {
			var pred uint16
			switch {
			case i%row >= spp:
				pred = vals[i-spp]
			case i >= row:
				pred = vals[i-row]
			}
			vals[i] = dv + pred
			binary.LittleEndian.PutUint16(out[2*i:], vals[i])
		}
		return out, nil
	}
	row := cols * spp
	out := make([]byte, len(d))
	for i := range d {
		var pred byte
		switch {
		case i%row >= spp:
			pred = out[i-spp]
		case i >= row:
			pred = out[i-row]
		}
		out[i] = d[i] + pred
	}
	return out, nil
}

// putDelta writes the difference d at buf[k:] in 1-3 bytes and returns the
// next index: zigzag-coded (small of either sign is small), 0xxxxxxx below
// 0x80, 10xxxxxx xxxxxxxx below 0x4000, else 0xC0 and two bytes.
func putDelta(buf []byte, k int, d uint16) int {
	z := d<<1 ^ uint16(int16(d)>>15)
	switch {
	case z < 0x80:
		buf[k] = byte(z)
		return k + 1
	case z < 0x4000:
		buf[k], buf[k+1] = 0x80|byte(z>>8), byte(z)
		return k + 2
	}
	buf[k], buf[k+1], buf[k+2] = 0xC0, byte(z>>8), byte(z)
	return k + 3
}
