package render

import (
	"fmt"
	"image"
)

// RenderRGBAInto renders a colour frame (RGB, YBR_*, PALETTE COLOR) into
// dst, which must be Columns x Rows.
func (r *Renderer) RenderRGBAInto(dst *image.RGBA, frame []byte) error {
	d := &r.d
	if d.Grey() {
		return fmt.Errorf("%w: monochrome image rendered as colour", ErrUnsupported)
	}
	if err := r.checkFrame(frame); err != nil {
		return err
	}
	if dst.Rect.Dx() != d.Columns || dst.Rect.Dy() != d.Rows {
		return fmt.Errorf("%w: destination %v for a %dx%d frame", ErrBadDescription, dst.Rect, d.Columns, d.Rows)
	}
	npix := d.Rows * d.Columns
	bps := d.BitsAllocated / 8
	// sample returns sample c of pixel i, scaled to 8 bits.
	down := uint(0)
	if d.BitsStored > 8 {
		down = uint(d.BitsStored - 8)
	}
	sample := func(i, c int) int32 {
		var o int
		if d.PlanarConfiguration == 1 {
			o = (c*npix + i) * bps
		} else {
			o = (i*d.SamplesPerPixel + c) * bps
		}
		v := uint32(frame[o])
		if bps == 2 {
			v |= uint32(frame[o+1]) << 8
		}
		return int32(((v >> r.shift) & r.mask) >> down)
	}
	put := func(i int, R, G, B int32) {
		p := dst.Pix[(i/d.Columns)*dst.Stride+(i%d.Columns)*4:]
		p[0], p[1], p[2], p[3] = clamp8(R), clamp8(G), clamp8(B), 255
	}
	switch d.Photometric {
	case "PALETTE COLOR":
		pal := d.Palette
		luts := [3]*LUT{&pal.Red, &pal.Green, &pal.Blue}
		var shifts [3]uint
		for k, l := range luts {
			shifts[k] = paletteShift(l)
		}
		for i := 0; i < npix; i++ {
			var o int = i * bps
			v := uint32(frame[o])
			if bps == 2 {
				v |= uint32(frame[o+1]) << 8
			}
			s := float64(r.value((v >> r.shift) & r.mask))
			put(i, int32(uint16(luts[0].lookup(s))>>shifts[0]), int32(uint16(luts[1].lookup(s))>>shifts[1]), int32(uint16(luts[2].lookup(s))>>shifts[2]))
		}
	case "RGB":
		for i := 0; i < npix; i++ {
			put(i, sample(i, 0), sample(i, 1), sample(i, 2))
		}
	case "YBR_FULL", "YBR_ICT":
		for i := 0; i < npix; i++ {
			R, G, B := ycc(sample(i, 0), sample(i, 1), sample(i, 2))
			put(i, R, G, B)
		}
	case "YBR_RCT":
		for i := 0; i < npix; i++ {
			y, cb, cr := sample(i, 0), sample(i, 1)-128, sample(i, 2)-128
			g := y - ((cb + cr) >> 2)
			put(i, cr+g, g, cb+g)
		}
	case "YBR_FULL_422":
		if d.PlanarConfiguration != 0 {
			// Colour-by-plane 4:2:2 is not defined (PS3.3 C.7.6.3.1.2).
			return fmt.Errorf("%w: YBR_FULL_422 with planar configuration 1", ErrUnsupported)
		}
		// Native 4:2:2: each pair of pixels is Y1 Y2 Cb Cr (PS3.3 C.7.6.3.1.2).
		for i := 0; i+1 < npix; i += 2 {
			y1, y2, cb, cr := rawAt(frame, 2*i, bps), rawAt(frame, 2*i+1, bps), rawAt(frame, 2*i+2, bps), rawAt(frame, 2*i+3, bps)
			R, G, B := ycc(int32(y1>>down), int32(cb>>down), int32(cr>>down))
			put(i, R, G, B)
			R, G, B = ycc(int32(y2>>down), int32(cb>>down), int32(cr>>down))
			put(i+1, R, G, B)
		}
	default:
		return fmt.Errorf("%w: photometric interpretation %q", ErrUnsupported, d.Photometric)
	}
	return nil
}

func rawAt(frame []byte, k, bps int) uint32 {
	if bps == 2 {
		return uint32(frame[2*k]) | uint32(frame[2*k+1])<<8
	}
	return uint32(frame[k])
}

// paletteShift is how far to shift palette entries down to 8 bits. Many
// files declare 16-bit entries that hold 8-bit values; DCMTK, like us,
// then takes them as 8-bit.
func paletteShift(l *LUT) uint {
	if l.Bits <= 8 {
		return 0
	}
	for _, v := range l.Data {
		if v > 255 {
			return 8
		}
	}
	return 0
}

// ycc converts full-range YCbCr to RGB with libjpeg's fixed-point
// arithmetic (jdcolor.c), the conversion DCMTK applies to JPEG images.
func ycc(y, cb, cr int32) (int32, int32, int32) {
	const half = 1 << 15
	cb -= 128
	cr -= 128
	R := y + (91881*cr+half)>>16
	G := y + ((-22554*cb - 46802*cr + half) >> 16)
	B := y + (116130*cb+half)>>16
	return R, G, B
}

func clamp8(v int32) uint8 {
	if v < 0 {
		return 0
	}
	if v > 255 {
		return 255
	}
	return uint8(v)
}
