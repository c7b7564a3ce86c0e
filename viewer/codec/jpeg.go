package codec

import (
	"encoding/binary"
	"fmt"
)

// JPEG markers (ITU-T T.81 B.1.1.3).
const (
	mSOF0 = 0xC0 // baseline DCT
	mSOF1 = 0xC1 // extended sequential DCT, Huffman
	mSOF2 = 0xC2 // progressive DCT
	mSOF3 = 0xC3 // lossless, Huffman
	mDHT  = 0xC4
	mSOI  = 0xD8
	mEOI  = 0xD9
	mSOS  = 0xDA
	mDQT  = 0xDB
	mDNL  = 0xDC
	mDRI  = 0xDD
	mRST0 = 0xD0
	mRST7 = 0xD7
)

type jpegComponent struct {
	id     byte
	h, v   int // sampling factors
	tq     int // quantisation table
	td, ta int // Huffman tables of the current scan
	// Decoded samples, plane of pw x ph (padded to whole blocks/MCUs).
	pw, ph int
	plane  []int32
	// Size of the component's data (T.81 A.1.1).
	w, h2  int
	dcPred int32
}

type jpegDecoder struct {
	data      []byte
	process   byte // SOF marker
	precision int
	width     int
	height    int
	comps     []jpegComponent
	hmax      int
	vmax      int
	dc        [4]*huffTable
	ac        [4]*huffTable
	quant     [4][64]int32 // natural order
	haveQuant [4]bool
	restart   int
	frameSeen bool
	scans     int
}

// DecodeJPEG decodes a sequential DCT (baseline or extended, 8 or 12 bit)
// or lossless (process 14) Huffman-coded JPEG frame.
func DecodeJPEG(src []byte, p Params) ([]byte, error) {
	if err := p.check(); err != nil {
		return nil, err
	}
	d := &jpegDecoder{data: src}
	if err := d.decode(p); err != nil {
		return nil, err
	}
	return d.output(p)
}

func (d *jpegDecoder) decode(p Params) error {
	data := d.data
	// Some encoders put fill bytes before SOI; DICOM requires none, but skip them.
	pos := 0
	for pos+1 < len(data) && !(data[pos] == 0xFF && data[pos+1] == mSOI) {
		pos++
		if pos > 16 {
			break
		}
	}
	if pos+1 >= len(data) || data[pos] != 0xFF || data[pos+1] != mSOI {
		return fmt.Errorf("%w: JPEG: no SOI marker", ErrCorrupt)
	}
	pos += 2
	for {
		// Find the next marker, skipping fill bytes.
		if pos >= len(data) {
			if d.scans > 0 {
				return nil // missing EOI: tolerated like libjpeg
			}
			return fmt.Errorf("%w: JPEG: data ends before the first scan", ErrCorrupt)
		}
		if data[pos] != 0xFF {
			return fmt.Errorf("%w: JPEG: expected a marker at offset %d", ErrCorrupt, pos)
		}
		for pos < len(data) && data[pos] == 0xFF {
			pos++
		}
		if pos >= len(data) {
			return fmt.Errorf("%w: JPEG: truncated marker", ErrCorrupt)
		}
		m := data[pos]
		pos++
		if m == mEOI {
			if d.scans == 0 {
				return fmt.Errorf("%w: JPEG: EOI before any scan", ErrCorrupt)
			}
			return nil
		}
		if m >= mRST0 && m <= mRST7 || m == 0x01 {
			continue // stray markers without a segment
		}
		if pos+2 > len(data) {
			return fmt.Errorf("%w: JPEG: truncated marker segment", ErrCorrupt)
		}
		n := int(binary.BigEndian.Uint16(data[pos:]))
		if n < 2 || pos+n > len(data) {
			return fmt.Errorf("%w: JPEG: marker 0x%02X segment of %d bytes past the data end", ErrCorrupt, m, n)
		}
		seg := data[pos+2 : pos+n]
		pos += n
		var err error
		switch {
		case m == mSOF0 || m == mSOF1 || m == mSOF3:
			err = d.parseSOF(m, seg, p)
		case m == mSOF2 || (m >= 0xC5 && m <= 0xCF && m != 0xC8 && m != 0xCC):
			return fmt.Errorf("%w: JPEG process with SOF marker 0x%02X (progressive, hierarchical or arithmetic)", ErrUnsupportedEncoding, m)
		case m == mDHT:
			err = d.parseDHT(seg)
		case m == mDQT:
			err = d.parseDQT(seg)
		case m == mDRI:
			if len(seg) != 2 {
				return fmt.Errorf("%w: JPEG: DRI of %d bytes", ErrCorrupt, len(seg))
			}
			d.restart = int(binary.BigEndian.Uint16(seg))
		case m == 0xCC:
			return fmt.Errorf("%w: JPEG arithmetic coding", ErrUnsupportedEncoding)
		case m == mSOS:
			var end int
			end, err = d.parseScan(seg, pos)
			pos = end
			d.scans++
		}
		// APPn, COM, DNL and others are skipped.
		if err != nil {
			return err
		}
	}
}

func (d *jpegDecoder) parseSOF(m byte, seg []byte, p Params) error {
	if d.frameSeen {
		return fmt.Errorf("%w: JPEG: second SOF marker", ErrCorrupt)
	}
	d.frameSeen = true
	if len(seg) < 6 {
		return fmt.Errorf("%w: JPEG: SOF too short", ErrCorrupt)
	}
	d.process = m
	d.precision = int(seg[0])
	d.height = int(binary.BigEndian.Uint16(seg[1:]))
	d.width = int(binary.BigEndian.Uint16(seg[3:]))
	nc := int(seg[5])
	if len(seg) != 6+3*nc || nc == 0 {
		return fmt.Errorf("%w: JPEG: SOF with %d components in %d bytes", ErrCorrupt, nc, len(seg))
	}
	switch m {
	case mSOF0:
		if d.precision != 8 {
			return fmt.Errorf("%w: JPEG baseline with %d-bit precision", ErrCorrupt, d.precision)
		}
	case mSOF1:
		if d.precision != 8 && d.precision != 12 {
			return fmt.Errorf("%w: JPEG extended with %d-bit precision", ErrCorrupt, d.precision)
		}
	case mSOF3:
		if d.precision < 2 || d.precision > 16 {
			return fmt.Errorf("%w: JPEG lossless with %d-bit precision", ErrCorrupt, d.precision)
		}
	}
	if d.height == 0 {
		// DNL-defined height: take it from the data set.
		d.height = p.Rows
	}
	if d.width != p.Columns || d.height != p.Rows {
		return fmt.Errorf("%w: JPEG frame is %dx%d, image is %dx%d", ErrFrameSize, d.width, d.height, p.Columns, p.Rows)
	}
	if nc != p.SamplesPerPixel {
		return fmt.Errorf("%w: JPEG frame has %d components, image has %d samples per pixel", ErrFrameSize, nc, p.SamplesPerPixel)
	}
	if d.precision > p.BitsAllocated {
		return fmt.Errorf("%w: JPEG precision %d above %d bits allocated", ErrFrameSize, d.precision, p.BitsAllocated)
	}
	d.comps = make([]jpegComponent, nc)
	d.hmax, d.vmax = 1, 1
	for i := range d.comps {
		c := &d.comps[i]
		c.id = seg[6+3*i]
		c.h = int(seg[7+3*i] >> 4)
		c.v = int(seg[7+3*i] & 15)
		c.tq = int(seg[8+3*i])
		if c.h < 1 || c.h > 4 || c.v < 1 || c.v > 4 || c.tq > 3 {
			return fmt.Errorf("%w: JPEG component %d sampling %dx%d table %d", ErrCorrupt, i, c.h, c.v, c.tq)
		}
		if m == mSOF3 && nc > 1 && (c.h != 1 || c.v != 1) {
			return fmt.Errorf("%w: subsampled lossless JPEG component", ErrUnsupportedEncoding)
		}
		d.hmax = max(d.hmax, c.h)
		d.vmax = max(d.vmax, c.v)
	}
	if nc == 1 {
		// A single component is never interleaved: its sampling factors do not matter.
		d.comps[0].h, d.comps[0].v, d.hmax, d.vmax = 1, 1, 1, 1
	}
	block := 8
	if m == mSOF3 {
		block = 1
	}
	mcuW := (d.width + d.hmax*block - 1) / (d.hmax * block)
	mcuH := (d.height + d.vmax*block - 1) / (d.vmax * block)
	for i := range d.comps {
		c := &d.comps[i]
		c.w = (d.width*c.h + d.hmax - 1) / d.hmax
		c.h2 = (d.height*c.v + d.vmax - 1) / d.vmax
		c.pw = mcuW * c.h * block
		c.ph = mcuH * c.v * block
		if c.pw*c.ph > MaxFrameBytes/4 {
			return fmt.Errorf("%w: JPEG component plane too large", ErrParams)
		}
		c.plane = make([]int32, c.pw*c.ph)
	}
	return nil
}

func (d *jpegDecoder) parseDQT(seg []byte) error {
	for len(seg) > 0 {
		pq, tq := seg[0]>>4, int(seg[0]&15)
		if tq > 3 || pq > 1 {
			return fmt.Errorf("%w: JPEG DQT table %d precision %d", ErrCorrupt, tq, pq)
		}
		n := 64 * (int(pq) + 1)
		if len(seg) < 1+n {
			return fmt.Errorf("%w: JPEG DQT too short", ErrCorrupt)
		}
		for k := 0; k < 64; k++ {
			var q int32
			if pq == 0 {
				q = int32(seg[1+k])
			} else {
				q = int32(binary.BigEndian.Uint16(seg[1+2*k:]))
			}
			d.quant[tq][zigzag[k]] = q
		}
		d.haveQuant[tq] = true
		seg = seg[1+n:]
	}
	return nil
}

func (d *jpegDecoder) parseDHT(seg []byte) error {
	for len(seg) > 0 {
		if len(seg) < 17 {
			return fmt.Errorf("%w: JPEG DHT too short", ErrCorrupt)
		}
		tc, th := seg[0]>>4, int(seg[0]&15)
		if tc > 1 || th > 3 {
			return fmt.Errorf("%w: JPEG DHT class %d table %d", ErrCorrupt, tc, th)
		}
		var counts [17]int
		total := 0
		for l := 1; l <= 16; l++ {
			counts[l] = int(seg[l])
			total += counts[l]
		}
		if total > 256 || len(seg) < 17+total {
			return fmt.Errorf("%w: JPEG DHT with %d codes", ErrCorrupt, total)
		}
		t, err := newHuffTable(counts, seg[17:17+total])
		if err != nil {
			return err
		}
		if tc == 0 {
			d.dc[th] = t
		} else {
			d.ac[th] = t
		}
		seg = seg[17+total:]
	}
	return nil
}

// scanEnd returns the offset of the first marker after an entropy-coded
// segment that starts at pos (RSTn markers belong to the segment).
func scanEnd(data []byte, pos int) int {
	for i := pos; i+1 < len(data); i++ {
		if data[i] != 0xFF {
			continue
		}
		m := data[i+1]
		if m == 0 || m >= mRST0 && m <= mRST7 || m == 0xFF {
			if m == 0xFF {
				continue
			}
			i++
			continue
		}
		return i
	}
	return len(data)
}

func (d *jpegDecoder) parseScan(seg []byte, pos int) (int, error) {
	if !d.frameSeen {
		return 0, fmt.Errorf("%w: JPEG: SOS before SOF", ErrCorrupt)
	}
	if len(seg) < 1 {
		return 0, fmt.Errorf("%w: JPEG: empty SOS", ErrCorrupt)
	}
	ns := int(seg[0])
	if ns < 1 || ns > 4 || len(seg) != 4+2*ns {
		return 0, fmt.Errorf("%w: JPEG: SOS with %d components in %d bytes", ErrCorrupt, ns, len(seg))
	}
	sc := make([]*jpegComponent, ns)
	for i := 0; i < ns; i++ {
		id := seg[1+2*i]
		var c *jpegComponent
		for k := range d.comps {
			if d.comps[k].id == id {
				c = &d.comps[k]
			}
		}
		if c == nil {
			return 0, fmt.Errorf("%w: JPEG: scan names unknown component %d", ErrCorrupt, id)
		}
		c.td, c.ta = int(seg[2+2*i]>>4), int(seg[2+2*i]&15)
		if c.td > 3 || c.ta > 3 {
			return 0, fmt.Errorf("%w: JPEG: scan Huffman table %d/%d", ErrCorrupt, c.td, c.ta)
		}
		sc[i] = c
	}
	ss, se := int(seg[1+2*ns]), int(seg[2+2*ns])
	ah, al := int(seg[3+2*ns]>>4), int(seg[3+2*ns]&15)
	end := scanEnd(d.data, pos)
	br := bitReader{data: d.data[pos:end]}
	var err error
	if d.process == mSOF3 {
		if ss < 1 || ss > 7 || al >= d.precision {
			return 0, fmt.Errorf("%w: JPEG lossless predictor %d point transform %d", ErrCorrupt, ss, al)
		}
		err = d.decodeLossless(&br, sc, ss, al)
	} else {
		// Baseline/extended: Ss=0, Se=63, Ah=Al=0. Some encoders write other
		// values (libjpeg ignores them for sequential scans); so do we.
		_, _, _, _ = ss, se, ah, al
		err = d.decodeDCT(&br, sc)
	}
	if err != nil {
		return 0, err
	}
	return end, nil
}

// output converts the component planes into the little-endian,
// colour-by-pixel frame Params describes.
func (d *jpegDecoder) output(p Params) ([]byte, error) {
	if !d.frameSeen {
		return nil, fmt.Errorf("%w: JPEG: no frame header", ErrCorrupt)
	}
	n := len(d.comps)
	planes := make([][]int32, n)
	strides := make([]int, n)
	for i := range d.comps {
		c := &d.comps[i]
		if c.h == d.hmax && c.v == d.vmax {
			planes[i], strides[i] = c.plane, c.pw
			continue
		}
		planes[i], strides[i] = upsample(c, d.hmax, d.vmax, d.width, d.height)
	}
	bps := p.BitsAllocated / 8
	out := make([]byte, d.width*d.height*n*bps)
	o := 0
	for y := 0; y < d.height; y++ {
		for x := 0; x < d.width; x++ {
			for i := 0; i < n; i++ {
				v := planes[i][y*strides[i]+x]
				if bps == 1 {
					out[o] = byte(v)
				} else {
					out[o] = byte(v)
					out[o+1] = byte(v >> 8)
				}
				o += bps
			}
		}
	}
	return out, nil
}

var zigzag = [64]int{
	0, 1, 8, 16, 9, 2, 3, 10,
	17, 24, 32, 25, 18, 11, 4, 5,
	12, 19, 26, 33, 40, 48, 41, 34,
	27, 20, 13, 6, 7, 14, 21, 28,
	35, 42, 49, 56, 57, 50, 43, 36,
	29, 22, 15, 23, 30, 37, 44, 51,
	58, 59, 52, 45, 38, 31, 39, 46,
	53, 60, 61, 54, 47, 55, 62, 63,
}
