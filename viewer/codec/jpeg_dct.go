package codec

import "fmt"

// decodeDCT decodes one sequential DCT scan (T.81 F.2), baseline or
// extended, interleaved or not, into the component planes, with libjpeg's
// integer inverse DCT so the result matches IJG-based tools exactly.
func (d *jpegDecoder) decodeDCT(br *bitReader, sc []*jpegComponent) error {
	for _, c := range sc {
		if d.dc[c.td] == nil || d.ac[c.ta] == nil {
			return fmt.Errorf("%w: JPEG scan uses undefined Huffman table", ErrCorrupt)
		}
		if !d.haveQuant[c.tq] {
			return fmt.Errorf("%w: JPEG scan uses undefined quantisation table %d", ErrCorrupt, c.tq)
		}
		c.dcPred = 0
	}
	idct := newIDCT(d.precision)
	var coef [64]int32
	decodeBlock := func(c *jpegComponent, bx, by int) error {
		coef = [64]int32{}
		s, err := br.decode(d.dc[c.td])
		if err != nil {
			return err
		}
		if s > 15 {
			return fmt.Errorf("%w: JPEG DC category %d", ErrCorrupt, s)
		}
		c.dcPred += extend(br.bits(uint(s)), s)
		coef[0] = c.dcPred
		ac := d.ac[c.ta]
		for k := 1; k < 64; k++ {
			rs, err := br.decode(ac)
			if err != nil {
				return err
			}
			r, s := rs>>4, rs&15
			if s == 0 {
				if r != 15 {
					break
				}
				k += 15
				continue
			}
			k += r
			if k > 63 {
				return fmt.Errorf("%w: JPEG AC coefficient index past 63", ErrCorrupt)
			}
			coef[zigzag[k]] = extend(br.bits(uint(s)), s)
		}
		if bx*8 >= c.pw || by*8 >= c.ph {
			return nil // outside the plane (cannot happen with sane headers)
		}
		idct.block(&coef, &d.quant[c.tq], c.plane[by*8*c.pw+bx*8:], c.pw)
		return nil
	}
	var mcusX, mcusY int
	if len(sc) == 1 {
		c := sc[0]
		mcusX, mcusY = (c.w+7)/8, (c.h2+7)/8
	} else {
		mcusX = (d.width + 8*d.hmax - 1) / (8 * d.hmax)
		mcusY = (d.height + 8*d.vmax - 1) / (8 * d.vmax)
	}
	restartLeft := d.restart
	for my := 0; my < mcusY; my++ {
		for mx := 0; mx < mcusX; mx++ {
			if d.restart > 0 {
				if restartLeft == 0 {
					if err := br.restart(); err != nil {
						return err
					}
					for _, c := range sc {
						c.dcPred = 0
					}
					restartLeft = d.restart
				}
				restartLeft--
			}
			if len(sc) == 1 {
				if err := decodeBlock(sc[0], mx, my); err != nil {
					return err
				}
				continue
			}
			for _, c := range sc {
				for v := 0; v < c.v; v++ {
					for h := 0; h < c.h; h++ {
						if err := decodeBlock(c, mx*c.h+h, my*c.v+v); err != nil {
							return err
						}
					}
				}
			}
		}
	}
	if br.overrun {
		return fmt.Errorf("%w: JPEG data ends early", ErrCorrupt)
	}
	return nil
}

// idct is libjpeg's jidctint.c (slow-but-accurate integer IDCT) with its
// output range limiting (jdmaster.c prepare_range_limit_table).
type idct struct {
	pass1  uint
	center int
	max    int
	mask   int
}

func newIDCT(precision int) idct {
	t := idct{pass1: 2, center: 128, max: 255}
	if precision == 12 {
		t.pass1, t.center, t.max = 1, 2048, 4095
	}
	t.mask = t.max*4 + 3
	return t
}

func (t *idct) limit(x int) int32 {
	v := x & t.mask
	n := t.max + 1
	switch {
	case v < t.center:
		return int32(v + t.center)
	case v < 2*n:
		return int32(t.max)
	case v < 4*n-t.center:
		return 0
	default:
		return int32(v - 4*n + t.center)
	}
}

const (
	constBits      = 13
	fix0_298631336 = 2446
	fix0_390180644 = 3196
	fix0_541196100 = 4433
	fix0_765366865 = 6270
	fix0_899976223 = 7373
	fix1_175875602 = 9633
	fix1_501321110 = 12299
	fix1_847759065 = 15137
	fix1_961570560 = 16069
	fix2_053119869 = 16819
	fix2_562915447 = 20995
	fix3_072711026 = 25172
)

func descale(x int, n uint) int { return (x + 1<<(n-1)) >> n }

func (t *idct) block(coef *[64]int32, q *[64]int32, out []int32, stride int) {
	var ws [64]int
	p1 := t.pass1
	for col := 0; col < 8; col++ {
		in := func(r int) int { return int(coef[r*8+col]) * int(q[r*8+col]) }
		z2, z3 := in(2), in(6)
		z1 := (z2 + z3) * fix0_541196100
		tmp2 := z1 + z3*(-fix1_847759065)
		tmp3 := z1 + z2*fix0_765366865
		z2, z3 = in(0), in(4)
		tmp0 := (z2 + z3) << constBits
		tmp1 := (z2 - z3) << constBits
		tmp10, tmp13 := tmp0+tmp3, tmp0-tmp3
		tmp11, tmp12 := tmp1+tmp2, tmp1-tmp2
		tmp0, tmp1, tmp2, tmp3 = in(7), in(5), in(3), in(1)
		z1, z2, z3 = tmp0+tmp3, tmp1+tmp2, tmp0+tmp2
		z4 := tmp1 + tmp3
		z5 := (z3 + z4) * fix1_175875602
		tmp0 *= fix0_298631336
		tmp1 *= fix2_053119869
		tmp2 *= fix3_072711026
		tmp3 *= fix1_501321110
		z1 *= -fix0_899976223
		z2 *= -fix2_562915447
		z3 *= -fix1_961570560
		z4 *= -fix0_390180644
		z3 += z5
		z4 += z5
		tmp0 += z1 + z3
		tmp1 += z2 + z4
		tmp2 += z2 + z3
		tmp3 += z1 + z4
		s := constBits - p1
		ws[0*8+col] = descale(tmp10+tmp3, s)
		ws[7*8+col] = descale(tmp10-tmp3, s)
		ws[1*8+col] = descale(tmp11+tmp2, s)
		ws[6*8+col] = descale(tmp11-tmp2, s)
		ws[2*8+col] = descale(tmp12+tmp1, s)
		ws[5*8+col] = descale(tmp12-tmp1, s)
		ws[3*8+col] = descale(tmp13+tmp0, s)
		ws[4*8+col] = descale(tmp13-tmp0, s)
	}
	for row := 0; row < 8; row++ {
		w := ws[row*8 : row*8+8]
		z2, z3 := w[2], w[6]
		z1 := (z2 + z3) * fix0_541196100
		tmp2 := z1 + z3*(-fix1_847759065)
		tmp3 := z1 + z2*fix0_765366865
		tmp0 := (w[0] + w[4]) << constBits
		tmp1 := (w[0] - w[4]) << constBits
		tmp10, tmp13 := tmp0+tmp3, tmp0-tmp3
		tmp11, tmp12 := tmp1+tmp2, tmp1-tmp2
		tmp0, tmp1, tmp2, tmp3 = w[7], w[5], w[3], w[1]
		z1, z2, z3 = tmp0+tmp3, tmp1+tmp2, tmp0+tmp2
		z4 := tmp1 + tmp3
		z5 := (z3 + z4) * fix1_175875602
		tmp0 *= fix0_298631336
		tmp1 *= fix2_053119869
		tmp2 *= fix3_072711026
		tmp3 *= fix1_501321110
		z1 *= -fix0_899976223
		z2 *= -fix2_562915447
		z3 *= -fix1_961570560
		z4 *= -fix0_390180644
		z3 += z5
		z4 += z5
		tmp0 += z1 + z3
		tmp1 += z2 + z4
		tmp2 += z2 + z3
		tmp3 += z1 + z4
		s := constBits + p1 + 3
		o := out[row*stride : row*stride+8]
		o[0] = t.limit(descale(tmp10+tmp3, s))
		o[7] = t.limit(descale(tmp10-tmp3, s))
		o[1] = t.limit(descale(tmp11+tmp2, s))
		o[6] = t.limit(descale(tmp11-tmp2, s))
		o[2] = t.limit(descale(tmp12+tmp1, s))
		o[5] = t.limit(descale(tmp12-tmp1, s))
		o[3] = t.limit(descale(tmp13+tmp0, s))
		o[4] = t.limit(descale(tmp13-tmp0, s))
	}
}

// upsample expands a subsampled component to full resolution the way
// libjpeg does by default (jdsample.c): "fancy" triangle filtering for 2x1
// and 2x2, plain replication otherwise. Edge rows and columns are
// replicated, as libjpeg's context rows are.
func upsample(c *jpegComponent, hmax, vmax, width, height int) ([]int32, int) {
	hf, vf := hmax/c.h, vmax/c.v
	cw, ch := c.w, c.h2
	ow, oh := cw*hf, ch*vf
	if ow < width {
		ow = width
	}
	if oh < height {
		oh = height
	}
	out := make([]int32, ow*oh)
	at := func(x, y int) int32 {
		x = min(max(x, 0), cw-1)
		y = min(max(y, 0), ch-1)
		return c.plane[y*c.pw+x]
	}
	exact := hmax%c.h == 0 && vmax%c.v == 0
	switch {
	case exact && hf == 2 && vf == 1 && cw > 1:
		for y := 0; y < ch; y++ {
			o := out[y*ow:]
			for x := 0; x < cw; x++ {
				v := at(x, y) * 3
				o[2*x] = (v + at(x-1, y) + 1) >> 2
				o[2*x+1] = (v + at(x+1, y) + 2) >> 2
			}
			o[0] = at(0, y)
			o[2*cw-1] = at(cw-1, y)
		}
	case exact && hf == 2 && vf == 2 && cw > 1:
		for y := 0; y < ch; y++ {
			for v := 0; v < 2; v++ {
				ny := y - 1
				if v == 1 {
					ny = y + 1
				}
				if 2*y+v >= oh {
					continue
				}
				o := out[(2*y+v)*ow:]
				colsum := func(x int) int32 { return at(x, y)*3 + at(x, ny) }
				for x := 0; x < cw; x++ {
					this := colsum(x)
					if x == 0 {
						o[0] = (this*4 + 8) >> 4
					} else {
						o[2*x] = (this*3 + colsum(x-1) + 8) >> 4
					}
					if x == cw-1 {
						o[2*x+1] = (this*4 + 7) >> 4
					} else {
						o[2*x+1] = (this*3 + colsum(x+1) + 7) >> 4
					}
				}
			}
		}
	default:
		for y := 0; y < oh; y++ {
			for x := 0; x < ow; x++ {
				out[y*ow+x] = at(x*c.h/hmax, y*c.v/vmax)
			}
		}
	}
	return out, ow
}
