package disc

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"strconv"
	"strings"

	"discdesk/viewer/codec"
	"discdesk/viewer/dcm"
)

// writeTranscoded writes o as a Part 10 file in o.Syntax: the data set in
// Explicit VR Little Endian with a new File Meta Information group, the
// pixel data decoded to native when the source syntax is compressed and
// the profile does not allow it, and the staff-supplied values added. The
// SOP Instance UID stays: a lossless decode is bit-exact.
func (o *Object) writeTranscoded(w io.Writer) error {
	f, err := dcm.ParseFile(o.Source)
	if err != nil {
		return fmt.Errorf("disc: transcode %s: %w", o.Source, err)
	}
	ds := f.DataSet
	if ds.BigEndian {
		// Values are swapped by the encoder; new elements added below are
		// little endian, so turn the whole set round first.
		var buf bytes.Buffer
		enc := dcm.NewEncoder(&buf)
		if err := enc.DataSet(ds); err != nil {
			return fmt.Errorf("disc: transcode %s: %w", o.Source, err)
		}
		if err := enc.Flush(); err != nil {
			return err
		}
		meta := dcm.EncodeMeta(dcm.Meta{SOPClassUID: o.SOPClassUID, SOPInstanceUID: o.SOPInstance, TransferSyntaxUID: dcm.ExplicitVRLittleEndian})
		le, err := dcm.ParseBytes(append(meta, buf.Bytes()...))
		if err != nil {
			return fmt.Errorf("disc: transcode %s: re-read little endian: %w", o.Source, err)
		}
		ds = le.DataSet
	}
	for _, t := range o.addEmpty {
		if !ds.Has(t) {
			ds.Set(dcm.NewElement(t, dcm.DictVR(t), nil))
		}
	}
	for _, s := range o.Supplied {
		ds.Set(dcm.Str(s.Tag, dcm.DictVR(s.Tag), s.Value))
	}
	ts := o.Syntax
	if pd := ds.Get(dcm.PixelData); pd != nil && pd.Fragments != nil && ts == dcm.ExplicitVRLittleEndian {
		if err := decodePixels(ds, pd, o.SourceSyntax, o.SourceSize); err != nil {
			return fmt.Errorf("disc: transcode %s: %w", o.Source, err)
		}
	}
	dropGroupLengths(ds)
	ds.Sort()
	if err := dcm.WriteExplicitLE(w, ds, ts); err != nil {
		return fmt.Errorf("disc: transcode %s: %w", o.Source, err)
	}
	return nil
}

// dropGroupLengths removes every group length (gggg,0000) from ds and its
// items. A rewritten object's groups change size (attributes added, pixels
// decoded, values swapped), so the source's lengths would be stale; outside
// the File Meta Information they are retired (PS3.5 7.2), so they are left
// out rather than recomputed. The meta group gets its own, true length.
func dropGroupLengths(ds *dcm.DataSet) {
	keep := ds.Elements[:0]
	for _, e := range ds.Elements {
		if e.Tag.Element() == 0x0000 {
			continue
		}
		for _, it := range e.Items {
			dropGroupLengths(it)
		}
		keep = append(keep, e)
	}
	ds.Elements = keep
}

// lossyMethod is the Lossy Image Compression Method (0028,2114) defined
// term of a lossy transfer syntax (PS3.3 C.7.6.1.1.5.1).
func lossyMethod(ts string) (string, bool) {
	switch ts {
	case dcm.JPEGBaseline8Bit, dcm.JPEGExtended12Bit:
		return "ISO_10918_1", true
	case dcm.JPEG2000:
		return "ISO_15444_1", true
	case dcm.JPEGLSNearLossless:
		return "ISO_14495_1", true
	}
	return "", false
}

// decodePixels replaces encapsulated pixel data with native samples.
func decodePixels(ds *dcm.DataSet, pd *dcm.Element, ts string, fileSize int64) error {
	rows, _ := ds.Int(dcm.Rows)
	cols, _ := ds.Int(dcm.Columns)
	spp, ok := ds.Int(dcm.SamplesPerPixel)
	if !ok {
		spp = 1
	}
	bits, _ := ds.Int(dcm.BitsAllocated)
	stored, _ := ds.Int(dcm.BitsStored)
	pr, _ := ds.Int(dcm.PixelRepresentation)
	frames := 1
	if n, ok := ds.Int(dcm.NumberOfFrames); ok && n > 0 {
		frames = n
	}
	p := codec.Params{Rows: rows, Columns: cols, SamplesPerPixel: spp, BitsAllocated: bits, BitsStored: stored, PixelRepresentation: pr}
	parts, err := splitFrames(pd.Fragments, frames, ts)
	if err != nil {
		return err
	}
	native := make([]byte, 0, p.FrameBytes()*frames)
	var compressed int
	for i, src := range parts {
		compressed += len(src)
		out, err := codec.Decode(ts, src, p)
		if err != nil {
			return fmt.Errorf("frame %d of %d: %w", i+1, frames, err)
		}
		native = append(native, out...)
	}
	vr := dcm.VR("OW")
	if bits <= 8 {
		vr = "OB"
	}
	ds.Set(dcm.NewElement(dcm.PixelData, vr, native))
	if spp == 3 {
		ds.Set(dcm.U16(dcm.PlanarConfiguration, 0))
		switch pi := ds.String(dcm.PhotometricInterpretation); {
		case pi == "YBR_FULL_422" || pi == "YBR_PARTIAL_422":
			// The JPEG decoder upsamples chroma to full resolution and
			// applies no colour transform.
			ds.Set(dcm.Str(dcm.PhotometricInterpretation, "CS", "YBR_FULL"))
		case pi == "YBR_RCT" || pi == "YBR_ICT":
			// JPEG 2000 applies its inverse component transform.
			ds.Set(dcm.Str(dcm.PhotometricInterpretation, "CS", "RGB"))
		}
	}
	if method, lossy := lossyMethod(ts); lossy || ds.String(dcm.LossyImageCompression) == "01" {
		// Lossy-derived pixels stay marked as such (PS3.3 C.7.6.1.1.5).
		ds.Set(dcm.Str(dcm.LossyImageCompression, "CS", "01"))
		if lossy && !strings.Contains(ds.String(dcm.LossyImageCompressionMethod), method) {
			ratio := float64(len(native)) / float64(max(compressed, 1))
			r := strconv.FormatFloat(ratio, 'f', 2, 64)
			if old := ds.String(dcm.LossyImageCompressionRatio); old != "" {
				r = old + `\` + r
			}
			m := method
			if old := ds.String(dcm.LossyImageCompressionMethod); old != "" {
				m = old + `\` + method
			}
			ds.Set(dcm.Str(dcm.LossyImageCompressionRatio, "DS", r))
			ds.Set(dcm.Str(dcm.LossyImageCompressionMethod, "CS", m))
		}
	}
	return nil
}

// splitFrames returns the compressed bytes of each frame (PS3.5 A.4): by
// the Basic Offset Table when present, one fragment per frame when the
// counts agree, all fragments for a single frame, else by the start
// markers of each frame's code stream.
func splitFrames(frags []dcm.Fragment, frames int, ts string) ([][]byte, error) {
	if len(frags) < 2 {
		return nil, fmt.Errorf("encapsulated pixel data has no fragments")
	}
	bot, data := frags[0], frags[1:]
	if frames == 1 {
		var b []byte
		for _, f := range data {
			b = append(b, f.Data...)
		}
		return [][]byte{b}, nil
	}
	if len(data) == frames {
		out := make([][]byte, frames)
		for i, f := range data {
			out[i] = f.Data
		}
		return out, nil
	}
	if len(bot.Data) >= 4*frames {
		// Offsets are from the first byte of the first fragment's item tag.
		starts := make([]int64, frames)
		for i := range starts {
			starts[i] = int64(binary.LittleEndian.Uint32(bot.Data[4*i:]))
		}
		out := make([][]byte, frames)
		var pos int64
		k := 0
		for _, f := range data {
			for k+1 < frames && pos >= starts[k+1] {
				k++
			}
			out[k] = append(out[k], f.Data...)
			pos += 8 + int64(len(f.Data))
		}
		return out, nil
	}
	var out [][]byte
	for _, f := range data {
		if len(out) == 0 || startsFrame(f.Data, ts) {
			out = append(out, nil)
		}
		out[len(out)-1] = append(out[len(out)-1], f.Data...)
	}
	if len(out) != frames {
		return nil, fmt.Errorf("found %d frames in %d fragments, Number of Frames says %d", len(out), len(data), frames)
	}
	return out, nil
}

func startsFrame(b []byte, ts string) bool {
	if len(b) < 2 || b[0] != 0xFF {
		return false
	}
	if ts == dcm.JPEG2000 || ts == dcm.JPEG2000Lossless {
		return b[1] == 0x4F // SOC
	}
	return b[1] == 0xD8 // SOI
}
