package disc

import (
	"encoding/binary"
	"strconv"
	"strings"

	"discdesk/viewer/codec"
	"discdesk/viewer/dcm"
)

// lossyMethod is the Lossy Image Compression Method (0028,2114) defined
// term of a transfer syntax that can compress with loss (PS3.3
// C.7.6.1.1.5.1), and "" for syntaxes that are lossless by definition.
func lossyMethod(ts string) string {
	switch ts {
	case dcm.JPEGBaseline8Bit, dcm.JPEGExtended12Bit, codec.JPEGXLJPEGRecompression:
		// JPEG XL JPEG recompression is lossless over a lossy JPEG: the
		// loss is the JPEG's.
		return "ISO_10918_1"
	case dcm.JPEG2000:
		return "ISO_15444_1"
	case codec.HTJ2K:
		return "ISO_15444_15"
	case dcm.JPEGLSNearLossless:
		return "ISO_14495_1"
	case codec.JPEGXL:
		return "ISO_18181_1"
	}
	return ""
}

// lossyCodestream reports whether the compressed frames of a syntax that
// may be lossy or lossless lost information, when the stream says so: a
// JPEG 2000 (or HTJ2K) code stream with the irreversible 9-7 wavelet is
// lossy, a JPEG-LS scan is lossy exactly when NEAR is above 0; baseline
// and extended JPEG always lose. ok is false when the stream does not
// tell (a reversible 5-3 stream may still have been truncated; JPEG XL),
// and the object's own flag decides.
func lossyCodestream(ts string, frame []byte) (lossy, ok bool) {
	switch ts {
	case dcm.JPEGBaseline8Bit, dcm.JPEGExtended12Bit, codec.JPEGXLJPEGRecompression:
		return true, true
	case dcm.JPEG2000, codec.HTJ2K:
		if irreversible, ok := j2kIrreversible(frame); ok && irreversible {
			return true, true
		}
		return false, false
	case dcm.JPEGLSNearLossless:
		return jlsNear(frame)
	}
	return false, false
}

// j2kIrreversible reads the COD marker of a JPEG 2000 code stream (ISO/IEC
// 15444-1 A.6.1): transformation 0 is the irreversible 9-7 filter.
func j2kIrreversible(b []byte) (bool, bool) {
	if len(b) < 4 || b[0] != 0xFF || b[1] != 0x4F {
		return false, false
	}
	for i := 2; i+4 <= len(b); {
		if b[i] != 0xFF {
			return false, false
		}
		m := b[i+1]
		n := int(binary.BigEndian.Uint16(b[i+2:]))
		if m == 0x90 || n < 2 { // SOT: the main header is over
			return false, false
		}
		if m == 0x52 { // COD: Scod, progression, layers(2), MCT, levels, cbw, cbh, style, transform
			if i+2+n > len(b) || n < 12 {
				return false, false
			}
			return b[i+13] == 0, true
		}
		i += 2 + n
	}
	return false, false
}

// jlsNear reads NEAR from the first SOS of a JPEG-LS stream (ISO/IEC
// 14495-1 C.2.3).
func jlsNear(b []byte) (bool, bool) {
	for i := 2; i+4 <= len(b); {
		if b[i] != 0xFF {
			return false, false
		}
		m := b[i+1]
		n := int(binary.BigEndian.Uint16(b[i+2:]))
		if m == 0xDA {
			if i+2+n > len(b) || n < 6 {
				return false, false
			}
			ns := int(b[i+4])
			at := i + 5 + 2*ns
			if at >= len(b) {
				return false, false
			}
			return b[at] > 0, true
		}
		i += 2 + n
	}
	return false, false
}

// recordLossy keeps ds's lossy compression history true after the object
// is rewritten (PS3.3 C.7.6.1.1.5): Lossy Image Compression stays "01" when
// it was, and when the pixels of the source syntax were compressed with
// loss (frame is the first compressed frame, ratio native/compressed
// bytes) that compression is recorded once, one Ratio value for one Method
// value. A compression the source already records is not added again; a
// source Ratio without its Method gets the Method of the syntax. It
// reports whether the pixels are lossy.
func recordLossy(ds *dcm.DataSet, ts string, frame []byte, ratio float64) bool {
	flagged := ds.String(dcm.LossyImageCompression) == "01"
	method := lossyMethod(ts)
	happened := false
	if method != "" {
		if lossy, ok := lossyCodestream(ts, frame); ok {
			happened = lossy
		} else {
			happened = flagged || ts == codec.JPEGXL && ds.String(dcm.LossyImageCompression) != "00"
		}
	}
	if !happened {
		return flagged
	}
	ds.Set(dcm.Str(dcm.LossyImageCompression, "CS", "01"))
	ratios := values(ds.String(dcm.LossyImageCompressionRatio))
	methods := values(ds.String(dcm.LossyImageCompressionMethod))
	switch {
	case flagged && len(ratios) > 0 && len(methods) == len(ratios)-1:
		// The source records its compression without the method: the
		// syntax names it.
		methods = append(methods, method)
	case flagged && (len(ratios) > 0 || len(methods) > 0):
		// Already recorded (or a history this station cannot complete):
		// nothing is added.
		return true
	default:
		ratios = append(ratios, strconv.FormatFloat(ratio, 'f', 2, 64))
		methods = append(methods, method)
	}
	if len(ratios) != len(methods) {
		return true
	}
	ds.Set(dcm.Str(dcm.LossyImageCompressionRatio, "DS", strings.Join(ratios, `\`)))
	ds.Set(dcm.Str(dcm.LossyImageCompressionMethod, "CS", strings.Join(methods, `\`)))
	return true
}

func values(s string) []string {
	var out []string
	for _, v := range strings.Split(s, `\`) {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// lossyHeader reports from a header alone (at plan time) whether an
// object's images were compressed with loss before they reached the desk.
func lossyHeader(h *dcm.DataSet, ts string) bool {
	if h.String(dcm.LossyImageCompression) == "01" {
		return true
	}
	switch ts {
	case dcm.JPEGBaseline8Bit, dcm.JPEGExtended12Bit, codec.JPEGXLJPEGRecompression:
		return true
	}
	return false
}
