package render

import (
	"encoding/binary"
	"fmt"
	"strings"

	"discdesk/viewer/codec"
	"discdesk/viewer/dcm"
)

// Tags of the pixel, LUT and palette modules not named in viewer/dcm.
var (
	tagWindowExplanation     = dcm.T(0x0028, 0x1055)
	tagVOILUTFunction        = dcm.T(0x0028, 0x1056)
	tagModalityLUTSequence   = dcm.T(0x0028, 0x3000)
	tagLUTDescriptor         = dcm.T(0x0028, 0x3002)
	tagLUTExplanation        = dcm.T(0x0028, 0x3003)
	tagLUTData               = dcm.T(0x0028, 0x3006)
	tagVOILUTSequence        = dcm.T(0x0028, 0x3010)
	tagPresentationLUTShape  = dcm.T(0x2050, 0x0020)
	tagExtendedOffsetTable   = dcm.T(0x7FE0, 0x0001)
	tagPaletteDescriptor     = [3]dcm.Tag{dcm.T(0x0028, 0x1101), dcm.T(0x0028, 0x1102), dcm.T(0x0028, 0x1103)}
	tagPaletteData           = [3]dcm.Tag{dcm.T(0x0028, 0x1201), dcm.T(0x0028, 0x1202), dcm.T(0x0028, 0x1203)}
	tagSegmentedPaletteData  = [3]dcm.Tag{dcm.T(0x0028, 0x1221), dcm.T(0x0028, 0x1222), dcm.T(0x0028, 0x1223)}
	maxLUTEntries            = 65536
	maxSegmentedIndirections = 4
)

// Describe builds the Description of an image data set. syntax is the
// transfer syntax UID of the file: for compressed frames the description
// is that of the decoded frame (colour-by-pixel; JPEG YBR_FULL_422 decodes
// to full-resolution YBR_FULL; JPEG 2000 YBR_RCT/ICT decodes to RGB).
func Describe(ds *dcm.DataSet, syntax string) (*Description, error) {
	geti := func(t dcm.Tag, def int) int {
		if v, ok := ds.Int(t); ok {
			return v
		}
		return def
	}
	pix := ds.Get(dcm.PixelData)
	if pix == nil {
		return nil, ErrNoPixels
	}
	d := &Description{
		Rows:                 geti(dcm.Rows, 0),
		Columns:              geti(dcm.Columns, 0),
		SamplesPerPixel:      geti(dcm.SamplesPerPixel, 1),
		BitsAllocated:        geti(dcm.BitsAllocated, 0),
		Signed:               geti(dcm.PixelRepresentation, 0) == 1,
		Photometric:          strings.ToUpper(strings.TrimSpace(ds.String(dcm.PhotometricInterpretation))),
		PlanarConfiguration:  geti(dcm.PlanarConfiguration, 0),
		NumberOfFrames:       geti(dcm.NumberOfFrames, 1),
		Modality:             ds.String(dcm.Modality),
		RescaleSlope:         1,
		VOIFunction:          strings.ToUpper(ds.String(tagVOILUTFunction)),
		PresentationLUTShape: strings.ToUpper(ds.String(tagPresentationLUTShape)),
	}
	d.BitsStored = geti(dcm.BitsStored, d.BitsAllocated)
	d.HighBit = geti(dcm.HighBit, d.BitsStored-1)
	if d.NumberOfFrames < 1 {
		d.NumberOfFrames = 1
	}
	if v, ok := ds.Float(dcm.RescaleSlope); ok && v != 0 {
		d.RescaleSlope = v
	}
	if v, ok := ds.Float(dcm.RescaleIntercept); ok {
		d.RescaleIntercept = v
	}
	if items := ds.Seq(tagModalityLUTSequence); len(items) > 0 {
		l, err := readLUT(items[0], d.Signed)
		if err != nil {
			return nil, fmt.Errorf("render: Modality LUT Sequence: %w", err)
		}
		d.ModalityLUT = l
	}
	centers, widths := ds.Floats(dcm.WindowCenter), ds.Floats(dcm.WindowWidth)
	expl := ds.Strings(tagWindowExplanation)
	for i := 0; i < len(centers) && i < len(widths); i++ {
		w := Window{Center: centers[i], Width: widths[i]}
		if i < len(expl) {
			w.Explanation = expl[i]
		}
		if w.Width > 0 {
			d.Windows = append(d.Windows, w)
		}
	}
	for i, it := range ds.Seq(tagVOILUTSequence) {
		l, err := readLUT(it, d.Signed && d.ModalityLUT == nil && d.RescaleSlope == 1 && d.RescaleIntercept == 0)
		if err != nil {
			return nil, fmt.Errorf("VOI LUT Sequence item %d: %w", i+1, err)
		}
		d.VOILUTs = append(d.VOILUTs, *l)
	}
	if d.Photometric == "PALETTE COLOR" {
		p, err := readPalette(ds)
		if err != nil {
			return nil, err
		}
		d.Palette = p
	}
	if dcm.SyntaxOf(syntax).Encapsulated {
		d.PlanarConfiguration = 0
		switch syntax {
		case codec.JPEGBaseline8Bit, codec.JPEGExtended12Bit, codec.JPEGXLJPEGRecompression:
			// The JPEG decoder (also of the JPEG rebuilt from JPEG XL)
			// upsamples chroma and applies no colour transform.
			if d.Photometric == "YBR_FULL_422" || d.Photometric == "YBR_PARTIAL_422" {
				d.Photometric = "YBR_FULL"
			}
		case codec.JPEG2000, codec.JPEG2000Lossless, codec.HTJ2K, codec.HTJ2KLossless, codec.HTJ2KRPCLLossless:
			if d.Photometric == "YBR_RCT" || d.Photometric == "YBR_ICT" {
				d.Photometric = "RGB"
			}
		}
	}
	if err := d.Check(); err != nil {
		return nil, err
	}
	return d, nil
}

func words(ds *dcm.DataSet, raw []byte) []uint16 {
	var bo binary.ByteOrder = binary.LittleEndian
	if ds.BigEndian {
		bo = binary.BigEndian
	}
	out := make([]uint16, len(raw)/2)
	for i := range out {
		out[i] = bo.Uint16(raw[2*i:])
	}
	return out
}

// descriptor reads a LUT descriptor: entries (0 = 65536), first mapped
// value (signed when the input is), bits per entry (PS3.3 C.11.1.1).
func descriptor(ds *dcm.DataSet, t dcm.Tag, signedInput bool) (n, first, bits int, err error) {
	v := ds.Floats(t)
	if len(v) != 3 {
		return 0, 0, 0, fmt.Errorf("%w: LUT descriptor %s has %d values", ErrBadDescription, t, len(v))
	}
	n, first, bits = int(v[0]), int(v[1]), int(v[2])
	if n == 0 {
		n = maxLUTEntries
	}
	if signedInput && first > 32767 {
		first -= 65536
	}
	if bits < 1 || bits > 16 || n < 0 || n > maxLUTEntries {
		return 0, 0, 0, fmt.Errorf("%w: LUT descriptor %d entries, %d bits", ErrBadDescription, n, bits)
	}
	return n, first, bits, nil
}

func lutData(ds *dcm.DataSet, raw []byte, n, bits int) ([]uint16, error) {
	var data []uint16
	if bits <= 8 && len(raw) == n || bits <= 8 && len(raw) == n+1 && n%2 == 1 {
		// 8-bit entries packed one per byte.
		data = make([]uint16, n)
		for i := range data {
			data[i] = uint16(raw[i])
		}
		return data, nil
	}
	data = words(ds, raw)
	if len(data) < n {
		return nil, fmt.Errorf("%w: LUT has %d entries, descriptor says %d", ErrBadDescription, len(data), n)
	}
	return data[:n], nil
}

func readLUT(it *dcm.DataSet, signedInput bool) (*LUT, error) {
	n, first, bits, err := descriptor(it, tagLUTDescriptor, signedInput)
	if err != nil {
		return nil, err
	}
	data, err := lutData(it, it.Raw(tagLUTData), n, bits)
	if err != nil {
		return nil, err
	}
	return &LUT{First: first, Bits: bits, Data: data, Explanation: it.String(tagLUTExplanation)}, nil
}

func readPalette(ds *dcm.DataSet) (*Palette, error) {
	var p Palette
	for k, l := range []*LUT{&p.Red, &p.Green, &p.Blue} {
		n, first, bits, err := descriptor(ds, tagPaletteDescriptor[k], false)
		if err != nil {
			return nil, fmt.Errorf("palette: %w", err)
		}
		var data []uint16
		if seg := ds.Raw(tagSegmentedPaletteData[k]); seg != nil && ds.Raw(tagPaletteData[k]) == nil {
			data, err = expandSegmented(words(ds, seg), n)
		} else {
			data, err = lutData(ds, ds.Raw(tagPaletteData[k]), n, bits)
		}
		if err != nil {
			return nil, fmt.Errorf("palette: %w", err)
		}
		*l = LUT{First: first, Bits: bits, Data: data}
	}
	return &p, nil
}

// expandSegmented expands Segmented Palette Color LUT data (PS3.3 C.7.9.2)
// to n entries.
func expandSegmented(seg []uint16, n int) ([]uint16, error) {
	out := make([]uint16, 0, n)
	if err := segments(seg, 0, len(seg), -1, &out, n, 0); err != nil {
		return nil, err
	}
	if len(out) < n {
		return nil, fmt.Errorf("%w: segmented palette gives %d entries, descriptor says %d", ErrBadDescription, len(out), n)
	}
	return out[:n], nil
}

func segments(seg []uint16, pos, end, count int, out *[]uint16, n, depth int) error {
	bad := func(what string) error {
		return fmt.Errorf("%w: segmented palette: %s", ErrBadDescription, what)
	}
	for pos < end && count != 0 && len(*out) <= n {
		if pos+2 > len(seg) {
			return bad("truncated segment")
		}
		op, l := seg[pos], int(seg[pos+1])
		pos += 2
		switch op {
		case 0:
			if pos+l > len(seg) {
				return bad("discrete segment past the end")
			}
			*out = append(*out, seg[pos:pos+l]...)
			pos += l
		case 1:
			if len(*out) == 0 || pos >= len(seg) {
				return bad("linear segment without a start")
			}
			y0, y1 := float64((*out)[len(*out)-1]), float64(seg[pos])
			pos++
			for i := 1; i <= l; i++ {
				*out = append(*out, uint16(y0+(y1-y0)*float64(i)/float64(l)+0.5))
			}
		case 2:
			if depth >= maxSegmentedIndirections || pos+2 > len(seg) {
				return bad("indirect segment nesting or length")
			}
			off := int(seg[pos]) | int(seg[pos+1])<<16
			pos += 2
			// The offset counts bytes from the start of the data.
			if off%2 != 0 || off/2 >= len(seg) {
				return bad("indirect segment offset")
			}
			if err := segments(seg, off/2, len(seg), l, out, n, depth+1); err != nil {
				return err
			}
		default:
			return bad(fmt.Sprintf("opcode %d", op))
		}
		if count > 0 {
			count--
		}
	}
	return nil
}

// Frame returns frame n (from 0) of an image as little-endian stored
// samples: native data cut out (and byte-swapped for big endian), or
// compressed fragments located by the Extended or Basic Offset Table, one
// fragment per frame, or frame starts, then decoded by viewer/codec. A
// syntax codec cannot decode returns an error wrapping
// codec.ErrUnsupportedSyntax.
func Frame(f *dcm.File, d *Description, n int) ([]byte, error) {
	if n < 0 || n >= d.NumberOfFrames {
		return nil, fmt.Errorf("%w: frame %d of %d", ErrNoFrame, n, d.NumberOfFrames)
	}
	pix := f.DataSet.Get(dcm.PixelData)
	if pix == nil {
		return nil, ErrNoPixels
	}
	syntax := f.Syntax.UID
	if !f.Syntax.Encapsulated || pix.Fragments == nil {
		in, swap, err := nativeFrame(f, pix, d, n)
		if err != nil {
			return nil, err
		}
		out := append([]byte(nil), in...)
		if swap {
			for i := 0; i+1 < len(out); i += 2 {
				out[i], out[i+1] = out[i+1], out[i]
			}
		}
		return out, nil
	}
	frag, err := frameFragments(f.DataSet, pix, d.NumberOfFrames, n, syntax)
	if err != nil {
		return nil, err
	}
	p := codec.Params{Rows: d.Rows, Columns: d.Columns, SamplesPerPixel: d.SamplesPerPixel, BitsAllocated: d.BitsAllocated, BitsStored: d.BitsStored}
	if d.Signed {
		p.PixelRepresentation = 1
	}
	return codec.Decode(syntax, frag, p)
}

// nativeFrame returns frame n of native pixel data in place, and whether
// its 16-bit words must be swapped to little endian.
func nativeFrame(f *dcm.File, pix *dcm.Element, d *Description, n int) (frame []byte, swap bool, err error) {
	size := d.FrameBytes()
	if len(pix.Value) < (n+1)*size {
		return nil, false, fmt.Errorf("%w: pixel data has %d bytes, frame %d ends at %d", ErrShortFrame, len(pix.Value), n, (n+1)*size)
	}
	return pix.Value[n*size : (n+1)*size], f.DataSet.BigEndian && (d.BitsAllocated == 16 || pix.VR == "OW"), nil
}

// frameView is Frame without the copy when the frame can be read in place
// (native little-endian pixel data): the result may share f's memory and
// must not be modified.
func frameView(f *dcm.File, d *Description, n int) ([]byte, error) {
	pix := f.DataSet.Get(dcm.PixelData)
	if n >= 0 && n < d.NumberOfFrames && pix != nil && (!f.Syntax.Encapsulated || pix.Fragments == nil) {
		if in, swap, err := nativeFrame(f, pix, d, n); err == nil && !swap {
			return in, nil
		}
	}
	return Frame(f, d, n)
}

// frameFragments joins the fragments of frame n.
func frameFragments(ds *dcm.DataSet, pix *dcm.Element, frames, n int, syntax string) ([]byte, error) {
	if len(pix.Fragments) < 2 {
		return nil, fmt.Errorf("%w: encapsulated pixel data without fragments", ErrShortFrame)
	}
	frags := pix.Fragments[1:]
	for _, fr := range frags {
		if fr.Data == nil && fr.Length > 0 {
			return nil, fmt.Errorf("%w: fragments not loaded (parsed with SkipPixelData)", ErrNoPixels)
		}
	}
	join := func(fs []dcm.Fragment) []byte {
		var out []byte
		for _, fr := range fs {
			out = append(out, fr.Data...)
		}
		return out
	}
	if frames == 1 {
		return join(frags), nil
	}
	// Offsets from the Extended Offset Table (64-bit) or the Basic Offset
	// Table (32-bit), relative to the first fragment's item tag.
	var offs []uint64
	if eot := ds.Raw(tagExtendedOffsetTable); len(eot) >= 8*frames {
		for i := 0; i < frames; i++ {
			offs = append(offs, binary.LittleEndian.Uint64(eot[8*i:]))
		}
	} else if bot := pix.Fragments[0].Data; len(bot) > 0 {
		if len(bot) < 4*frames {
			return nil, fmt.Errorf("%w: Basic Offset Table has %d entries for %d frames", ErrBadDescription, len(bot)/4, frames)
		}
		for i := 0; i < frames; i++ {
			offs = append(offs, uint64(binary.LittleEndian.Uint32(bot[4*i:])))
		}
	}
	if offs != nil {
		start := make(map[uint64]int, len(frags))
		var pos uint64
		for i, fr := range frags {
			start[pos] = i
			pos += 8 + uint64(fr.Length)
		}
		first, ok := start[offs[n]]
		if !ok || (n > 0 && offs[n] <= offs[n-1]) {
			return nil, fmt.Errorf("%w: offset table entry %d (%d) is not a fragment start", ErrBadDescription, n, offs[n])
		}
		last := len(frags)
		if n+1 < frames {
			l, ok := start[offs[n+1]]
			if !ok || l <= first {
				return nil, fmt.Errorf("%w: offset table entry %d (%d) is not a later fragment start", ErrBadDescription, n+1, offs[n+1])
			}
			last = l
		}
		return join(frags[first:last]), nil
	}
	if len(frags) == frames {
		return frags[n].Data, nil
	}
	// No table, more fragments than frames: a frame starts with a fragment
	// that starts with the codestream's start marker.
	var marker []byte
	switch syntax {
	case codec.JPEG2000, codec.JPEG2000Lossless:
		marker = []byte{0xFF, 0x4F}
	case codec.RLELossless:
		return nil, fmt.Errorf("%w: %d RLE fragments for %d frames and no offset table", ErrBadDescription, len(frags), frames)
	default:
		marker = []byte{0xFF, 0xD8}
	}
	var starts []int
	for i, fr := range frags {
		if len(fr.Data) >= 2 && fr.Data[0] == marker[0] && fr.Data[1] == marker[1] {
			starts = append(starts, i)
		}
	}
	if len(starts) != frames || starts[0] != 0 {
		return nil, fmt.Errorf("%w: found %d frame starts in %d fragments, need %d", ErrBadDescription, len(starts), len(frags), frames)
	}
	end := len(frags)
	if n+1 < frames {
		end = starts[n+1]
	}
	return join(frags[starts[n]:end]), nil
}

func parseFile(path string) (*dcm.File, error) { return dcm.ParseFile(path) }
