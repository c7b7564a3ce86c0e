//go:build cgo && linux && !discviewer

package codec

/*
#cgo pkg-config: charls
#include <stdlib.h>
#include <charls/charls.h>

static int dd_jls_decode(const void* src, size_t srclen, void* dst, size_t dstlen,
	int* width, int* height, int* bits, int* comps, int* ilv, size_t* need) {
	charls_jpegls_decoder* d = charls_jpegls_decoder_create();
	if (!d) return -1;
	int rc = charls_jpegls_decoder_set_source_buffer(d, src, srclen);
	if (!rc) rc = charls_jpegls_decoder_read_header(d);
	charls_frame_info fi;
	if (!rc) rc = charls_jpegls_decoder_get_frame_info(d, &fi);
	if (!rc) {
		*width = fi.width; *height = fi.height; *bits = fi.bits_per_sample; *comps = fi.component_count;
		charls_interleave_mode m;
		rc = charls_jpegls_decoder_get_interleave_mode(d, &m);
		*ilv = m;
	}
	if (!rc) rc = charls_jpegls_decoder_get_destination_size(d, 0, need);
	if (!rc) {
		if (*need != dstlen) rc = -2;
		else rc = charls_jpegls_decoder_decode_to_buffer(d, dst, dstlen, 0);
	}
	charls_jpegls_decoder_destroy(d);
	return rc;
}

static const char* dd_jls_msg(int rc) { return charls_get_error_message(rc); }
*/
import "C"

import (
	"fmt"
	"unsafe"
)

var decodeJPEGLS DecodeFunc = decodeJPEGLSCharLS

// decodeJPEGLSCharLS decodes a JPEG-LS frame (lossless or near-lossless)
// with CharLS.
func decodeJPEGLSCharLS(src []byte, p Params) ([]byte, error) {
	if err := p.check(); err != nil {
		return nil, err
	}
	if len(src) < 4 {
		return nil, fmt.Errorf("%w: JPEG-LS frame of %d bytes", ErrCorrupt, len(src))
	}
	// CharLS 2.4 can take many seconds to reject a truncated stream: check
	// that it ends with EOI (after at most one byte of fragment padding).
	end := src
	if end[len(end)-1] == 0 {
		end = end[:len(end)-1]
	}
	if len(end) < 2 || end[len(end)-2] != 0xFF || end[len(end)-1] != 0xD9 {
		return nil, fmt.Errorf("%w: JPEG-LS frame does not end with EOI (truncated)", ErrCorrupt)
	}
	bps := p.BitsAllocated / 8
	n := p.FrameBytes()
	dst := make([]byte, n)
	csrc := C.CBytes(src)
	defer C.free(csrc)
	var w, h, bits, comps, ilv C.int
	var need C.size_t
	rc := C.dd_jls_decode(csrc, C.size_t(len(src)), unsafe.Pointer(&dst[0]), C.size_t(n), &w, &h, &bits, &comps, &ilv, &need)
	if rc == -1 {
		return nil, fmt.Errorf("%w: CharLS decoder not created", ErrCorrupt)
	}
	if w != 0 && (int(w) != p.Columns || int(h) != p.Rows || int(comps) != p.SamplesPerPixel) {
		return nil, fmt.Errorf("%w: JPEG-LS frame is %dx%d with %d components, image is %dx%d with %d", ErrFrameSize, w, h, comps, p.Columns, p.Rows, p.SamplesPerPixel)
	}
	if bits != 0 && (int(bits) > p.BitsAllocated || (int(bits) > 8) != (bps == 2)) {
		return nil, fmt.Errorf("%w: JPEG-LS precision %d with %d bits allocated", ErrFrameSize, bits, p.BitsAllocated)
	}
	if rc == -2 {
		return nil, fmt.Errorf("%w: JPEG-LS frame needs %d bytes, image has %d", ErrFrameSize, need, n)
	}
	if rc != 0 {
		return nil, fmt.Errorf("%w: CharLS: %s", ErrCorrupt, C.GoString(C.dd_jls_msg(rc)))
	}
	if comps > 1 && ilv == 0 {
		// Interleave mode none: component planes; convert to colour-by-pixel.
		dst = interleavePlanes(dst, int(comps), bps)
	}
	return dst, nil
}

// interleavePlanes turns planar samples into colour-by-pixel.
func interleavePlanes(src []byte, comps, bps int) []byte {
	out := make([]byte, len(src))
	plane := len(src) / comps
	npix := plane / bps
	for c := 0; c < comps; c++ {
		for i := 0; i < npix; i++ {
			copy(out[(i*comps+c)*bps:(i*comps+c+1)*bps], src[c*plane+i*bps:c*plane+(i+1)*bps])
		}
	}
	return out
}
