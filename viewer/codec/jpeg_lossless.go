package codec

import "fmt"

// decodeLossless decodes one lossless scan (T.81 H.1): Huffman-coded
// differences from one of seven predictors, reconstructed modulo 2^16, then
// shifted left by the point transform.
func (d *jpegDecoder) decodeLossless(br *bitReader, sc []*jpegComponent, pred, pt int) error {
	for _, c := range sc {
		if d.dc[c.td] == nil {
			return fmt.Errorf("%w: JPEG lossless scan uses undefined Huffman table %d", ErrCorrupt, c.td)
		}
	}
	w, h := d.width, d.height
	total := w * h // MCUs: one sample of each scan component
	initial := int32(1) << (d.precision - pt - 1)
	restartLeft := d.restart
	firstRowOfInterval := true // the row holding the interval's first sample
	intervalStart := 0         // sample index where the interval began
	for i := 0; i < total; i++ {
		if d.restart > 0 && restartLeft == 0 {
			if err := br.restart(); err != nil {
				return err
			}
			restartLeft = d.restart
			intervalStart = i
		}
		x, y := i%w, i/w
		firstRowOfInterval = i-x <= intervalStart || y == 0
		for _, c := range sc {
			s, err := br.decode(d.dc[c.td])
			if err != nil {
				return err
			}
			var diff int32
			switch {
			case s == 16:
				diff = 32768
			case s > 16:
				return fmt.Errorf("%w: JPEG lossless difference category %d", ErrCorrupt, s)
			default:
				diff = extend(br.bits(uint(s)), s)
			}
			row := c.plane[y*c.pw:]
			var px int32
			switch {
			case i == intervalStart:
				px = initial
			case firstRowOfInterval && x > 0 && i-1 >= intervalStart:
				px = row[x-1]
			case x == 0:
				px = c.plane[(y-1)*c.pw]
			default:
				ra, rb, rc := row[x-1], c.plane[(y-1)*c.pw+x], c.plane[(y-1)*c.pw+x-1]
				switch pred {
				case 1:
					px = ra
				case 2:
					px = rb
				case 3:
					px = rc
				case 4:
					px = ra + rb - rc
				case 5:
					px = ra + ((rb - rc) >> 1)
				case 6:
					px = rb + ((ra - rc) >> 1)
				case 7:
					px = (ra + rb) >> 1
				}
			}
			row[x] = (px + diff) & 0xFFFF
		}
		if d.restart > 0 {
			restartLeft--
		}
	}
	if br.overrun {
		return fmt.Errorf("%w: JPEG lossless data ends early", ErrCorrupt)
	}
	if pt > 0 {
		for _, c := range sc {
			for k := range c.plane {
				c.plane[k] <<= pt
			}
		}
	}
	return nil
}
