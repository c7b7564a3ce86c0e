package jpegenc

import (
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"io"
	"math"
	"math/bits"
	"sync"
)

// ErrSize is returned for an image with no pixels or a side over 65535,
// which a JPEG frame header cannot hold (T.81 B.2.2).
var ErrSize = errors.New("jpegenc: image size not encodable")

// DefaultQuality is the quality DiscDesk exports at.
const DefaultQuality = 90

// An Encoder writes baseline greyscale JPEGs at one quality, reusing its
// buffers. It is not safe for concurrent use; Encode uses a pool.
type Encoder struct {
	quality int
	dqt     [64]uint8 // quantisation table in zig-zag order, as written
	recip   [64]int64 // 2^recipBits / divisor of each coefficient, zig-zag order
	blk     [64]int64
	buf     []byte
}

// NewEncoder returns an encoder for quality 1 (smallest) to 100 (best);
// values outside are clamped.
func NewEncoder(quality int) *Encoder {
	e := &Encoder{}
	e.setQuality(quality)
	return e
}

// Quality returns the encoder's quality.
func (e *Encoder) Quality() int { return e.quality }

// aan are the scale factors of the AAN DCT outputs: 1 and cos(k*pi/16)*sqrt(2).
var aan = func() (a [8]float64) {
	a[0] = 1
	for k := 1; k < 8; k++ {
		a[k] = math.Cos(float64(k)*math.Pi/16) * math.Sqrt2
	}
	return a
}()

// setQuality scales Table K.1 as the IJG library does (jcparam.c) and
// derives the reciprocals the quantiser multiplies by.
func (e *Encoder) setQuality(q int) {
	q = max(1, min(100, q))
	e.quality = q
	scale := 200 - 2*q
	if q < 50 {
		scale = 5000 / q
	}
	for z := range 64 {
		k := int(unzig[z])
		v := max(1, min(255, (lumaQuant[k]*scale+50)/100))
		e.dqt[z] = uint8(v)
		div := float64(v) * aan[k/8] * aan[k%8] * 8 * (1 << passBits)
		e.recip[z] = int64(math.Round((1 << recipBits) / div))
	}
}

// quant divides a DCT output by its divisor, rounding half away from zero.
func quant(v, recip int64) int {
	sign := v >> 63 // 0 or -1: no branch to mispredict
	q := (((v^sign)-sign)*recip + 1<<(recipBits-1)) >> recipBits
	return int((q ^ sign) - sign)
}

var pool = sync.Pool{New: func() any { return NewEncoder(DefaultQuality) }}

// Encode writes img to w as a baseline JPEG of the given quality (1-100).
func Encode(w io.Writer, img *image.Gray, quality int) error {
	e := pool.Get().(*Encoder)
	defer pool.Put(e)
	if e.quality != max(1, min(100, quality)) {
		e.setQuality(quality)
	}
	return e.Encode(w, img)
}

// Encode writes img to w as one JPEG, in a single Write.
func (e *Encoder) Encode(w io.Writer, img *image.Gray) error {
	b, err := e.Append(e.buf[:0], img)
	if err != nil {
		return err
	}
	e.buf = b
	if _, err := w.Write(b); err != nil {
		return fmt.Errorf("jpegenc: write: %w", err)
	}
	return nil
}

// Append appends the JPEG file of img to dst and returns the extended slice.
func (e *Encoder) Append(dst []byte, img *image.Gray) ([]byte, error) {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	if w <= 0 || h <= 0 || w > 0xffff || h > 0xffff {
		return dst, fmt.Errorf("%w: %dx%d", ErrSize, w, h)
	}
	if len(img.Pix) < (h-1)*img.Stride+w {
		return dst, fmt.Errorf("%w: %d pixel bytes for %dx%d, stride %d", ErrSize, len(img.Pix), w, h, img.Stride)
	}
	dst = e.headers(dst, w, h)
	bw := bitWriter{buf: dst}
	e.scan(&bw, img.Pix, img.Stride, w, h)
	bw.finish()
	return append(bw.buf, 0xff, 0xd9), nil // EOI
}

// headers appends SOI, JFIF APP0, DQT, SOF0, DHT and SOS (T.81 B.2, JFIF 1.01).
func (e *Encoder) headers(b []byte, w, h int) []byte {
	b = append(b, 0xff, 0xd8) // SOI
	b = append(b, 0xff, 0xe0, 0, 16, 'J', 'F', 'I', 'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0)
	b = append(b, 0xff, 0xdb, 0, 67, 0) // DQT: 8-bit table 0
	b = append(b, e.dqt[:]...)
	b = append(b, 0xff, 0xc0, 0, 11, 8, byte(h>>8), byte(h), byte(w>>8), byte(w), 1, 1, 0x11, 0)
	n := 2 + 1 + 16 + len(dcVals) + 1 + 16 + len(acVals)
	b = append(b, 0xff, 0xc4, byte(n>>8), byte(n), 0x00) // DHT: DC table 0
	b = append(b, dcBits[:]...)
	b = append(b, dcVals...)
	b = append(b, 0x10) // AC table 0
	b = append(b, acBits[:]...)
	b = append(b, acVals...)
	return append(b, 0xff, 0xda, 0, 8, 1, 1, 0x00, 0, 63, 0) // SOS
}

// scan encodes every 8x8 block, left to right and top to bottom; blocks
// over the right and bottom edges repeat the last column and row.
func (e *Encoder) scan(bw *bitWriter, pix []byte, stride, w, h int) {
	blk := &e.blk
	prevDC := 0
	eob := acCodes[0x00]
	zrl := acCodes[0xf0]
	for by := 0; by < h; by += 8 {
		for bx := 0; bx < w; bx += 8 {
			flat := e.load(pix, stride, w, h, bx, by)
			dc := quant(blk[0], e.recip[0])
			diff := dc - prevDC
			prevDC = dc
			s, extra := magnitude(diff)
			c := dcCodes[s]
			bw.put(c.code<<s|extra, uint(c.len)+s)
			if flat {
				bw.put(eob.code, uint(eob.len))
				continue
			}
			run := 0
			for z := 1; z < 64; z++ {
				v := quant(blk[unzig[z]&63], e.recip[z])
				if v == 0 {
					run++
					continue
				}
				for run > 15 {
					bw.put(zrl.code, uint(zrl.len))
					run -= 16
				}
				v = max(-1023, min(1023, v)) // baseline AC sizes stop at 10 bits
				s, extra := magnitude(v)
				c := acCodes[run<<4|int(s)]
				bw.put(c.code<<s|extra, uint(c.len)+s)
				run = 0
			}
			if run > 0 {
				bw.put(eob.code, uint(eob.len))
			}
		}
	}
}

// load fills e.blk with the block at (bx, by), level-shifted and scaled,
// and transforms it. A flat block (all samples equal) skips the DCT: only
// its DC term is set, to exactly what the DCT gives; it reports true then.
func (e *Encoder) load(pix []byte, stride, w, h, bx, by int) bool {
	blk := &e.blk
	if bx+8 <= w && by+8 <= h {
		o := by*stride + bx
		first := pix[o]
		rep := uint64(first) * 0x0101010101010101
		flat := true
		for r := range 8 {
			if binary.LittleEndian.Uint64(pix[o+r*stride:]) != rep {
				flat = false
				break
			}
		}
		if flat {
			blk[0] = (int64(first) - 128) << (passBits + 6)
			return true
		}
		for r := range 8 {
			row := pix[o+r*stride : o+r*stride+8 : o+r*stride+8]
			d := blk[r*8 : r*8+8 : r*8+8]
			for c := range 8 {
				d[c] = (int64(row[c]) - 128) << passBits
			}
		}
	} else {
		for r := range 8 {
			y := min(by+r, h-1)
			for c := range 8 {
				x := min(bx+c, w-1)
				blk[r*8+c] = (int64(pix[y*stride+x]) - 128) << passBits
			}
		}
	}
	fdct(blk)
	return false
}

// magnitude returns the size category of v and its extra bits (T.81 F.1.2.1).
func magnitude(v int) (uint, uint32) {
	if v < 0 {
		s := uint(bits.Len(uint(-v)))
		return s, uint32(v-1) & (1<<s - 1)
	}
	return uint(bits.Len(uint(v))), uint32(v)
}

// bitWriter packs codes most significant bit first, stuffing a zero byte
// after every 0xFF (T.81 F.1.2.3).
type bitWriter struct {
	buf []byte
	acc uint64 // the low n bits are pending
	n   uint
}

// put appends the low n bits of v (n <= 32).
func (w *bitWriter) put(v uint32, n uint) {
	w.acc = w.acc<<n | uint64(v)
	w.n += n
	if w.n >= 32 {
		w.flush32()
	}
}

func (w *bitWriter) flush32() {
	w.n -= 32
	v := uint32(w.acc >> w.n)
	if x := ^v; (x-0x01010101)&^x&0x80808080 == 0 { // no 0xFF byte
		w.buf = binary.BigEndian.AppendUint32(w.buf, v)
		return
	}
	for s := 24; s >= 0; s -= 8 {
		w.byte(byte(v >> s))
	}
}

func (w *bitWriter) byte(c byte) {
	if c == 0xff {
		w.buf = append(w.buf, 0xff, 0)
		return
	}
	w.buf = append(w.buf, c)
}

// finish pads the last byte with one bits (T.81 F.1.2.3) and flushes.
func (w *bitWriter) finish() {
	if pad := (8 - w.n%8) % 8; pad > 0 {
		w.put(1<<pad-1, pad)
	}
	for w.n >= 8 {
		w.n -= 8
		w.byte(byte(w.acc >> w.n))
	}
}
