//go:build cgo && linux && !discviewer

package codec

/*
#cgo pkg-config: libjxl
#include <stdlib.h>
#include <string.h>
#include <jxl/decode.h>

// dd_jxl_decode decodes a JPEG XL code stream. With want_jpeg set and a
// stream that carries JPEG reconstruction data, it returns the original
// JPEG bytes in *jpeg (kind 2); otherwise the pixels in *pix (kind 1) as
// uint8 or uint16 little-endian, colour-by-pixel. bits is the stream's
// bits per sample. Returns 0 on success.
static int dd_jxl_decode(const unsigned char* data, size_t len, int want_jpeg,
	int* width, int* height, int* channels, int* bits, int* kind,
	unsigned char** pix, size_t* pixlen, unsigned char** jpeg, size_t* jpeglen) {
	JxlDecoder* dec = JxlDecoderCreate(NULL);
	if (!dec) return -1;
	int events = JXL_DEC_BASIC_INFO | JXL_DEC_FULL_IMAGE;
	if (want_jpeg) events |= JXL_DEC_JPEG_RECONSTRUCTION;
	int rc = -2;
	JxlBasicInfo info;
	JxlPixelFormat fmt = {1, JXL_TYPE_UINT8, JXL_LITTLE_ENDIAN, 0};
	size_t jcap = 0;
	*pix = NULL; *jpeg = NULL; *pixlen = 0; *jpeglen = 0; *kind = 0;
	if (JxlDecoderSubscribeEvents(dec, events) != JXL_DEC_SUCCESS) goto done;
	if (JxlDecoderSetKeepOrientation(dec, JXL_TRUE) != JXL_DEC_SUCCESS) goto done;
	if (JxlDecoderSetInput(dec, data, len) != JXL_DEC_SUCCESS) goto done;
	JxlDecoderCloseInput(dec);
	for (;;) {
		JxlDecoderStatus st = JxlDecoderProcessInput(dec);
		if (st == JXL_DEC_ERROR || st == JXL_DEC_NEED_MORE_INPUT) { rc = -3; goto done; }
		if (st == JXL_DEC_BASIC_INFO) {
			if (JxlDecoderGetBasicInfo(dec, &info) != JXL_DEC_SUCCESS) goto done;
			*width = info.xsize; *height = info.ysize; *bits = info.bits_per_sample;
			*channels = info.num_color_channels;
			fmt.num_channels = info.num_color_channels;
			fmt.data_type = info.bits_per_sample > 8 ? JXL_TYPE_UINT16 : JXL_TYPE_UINT8;
			if (info.exponent_bits_per_sample != 0 || info.bits_per_sample > 16) { rc = -4; goto done; }
		} else if (st == JXL_DEC_JPEG_RECONSTRUCTION) {
			jcap = len * 4 + 65536;
			*jpeg = malloc(jcap);
			if (!*jpeg) goto done;
			if (JxlDecoderSetJPEGBuffer(dec, *jpeg, jcap) != JXL_DEC_SUCCESS) goto done;
		} else if (st == JXL_DEC_JPEG_NEED_MORE_OUTPUT) {
			size_t left = JxlDecoderReleaseJPEGBuffer(dec);
			size_t used = jcap - left;
			unsigned char* bigger = realloc(*jpeg, jcap * 2);
			if (!bigger) goto done;
			*jpeg = bigger;
			if (JxlDecoderSetJPEGBuffer(dec, *jpeg + used, jcap * 2 - used) != JXL_DEC_SUCCESS) goto done;
			jcap *= 2;
		} else if (st == JXL_DEC_NEED_IMAGE_OUT_BUFFER) {
			size_t n = 0;
			if (JxlDecoderImageOutBufferSize(dec, &fmt, &n) != JXL_DEC_SUCCESS) goto done;
			*pix = malloc(n);
			if (!*pix) goto done;
			*pixlen = n;
			if (JxlDecoderSetImageOutBuffer(dec, &fmt, *pix, n) != JXL_DEC_SUCCESS) goto done;
		} else if (st == JXL_DEC_FULL_IMAGE) {
			if (*jpeg) {
				*jpeglen = jcap - JxlDecoderReleaseJPEGBuffer(dec);
				*kind = 2;
			} else {
				*kind = 1;
			}
			rc = 0;
			goto done;
		} else if (st == JXL_DEC_SUCCESS) {
			rc = *kind ? 0 : -5;
			goto done;
		}
	}
done:
	JxlDecoderDestroy(dec);
	if (rc != 0) { free(*pix); free(*jpeg); *pix = NULL; *jpeg = NULL; }
	return rc;
}
*/
import "C"

import (
	"fmt"
	"unsafe"
)

var decodeJPEGXL DecodeFunc = func(src []byte, p Params) ([]byte, error) { return decodeJXL(src, p, false) }

// decodeJPEGXLRecompressed decodes JPEG XL JPEG Recompression (.111): the
// original JPEG is rebuilt from the stream and decoded by this package's
// JPEG decoder, so the samples are those of the JPEG the modality made
// (YBR stays YBR, as for JPEG Baseline).
var decodeJPEGXLRecompressed DecodeFunc = func(src []byte, p Params) ([]byte, error) { return decodeJXL(src, p, true) }

// decodeJXL decodes a JPEG XL code stream (ISO/IEC 18181) with libjxl.
// libjxl 0.7 (Debian 12) returns samples of 9 to 16 bits in uint16 at the
// stream's own bit depth, as stored pixel data holds them; the tests fail
// should a libjxl release scale them to the full 16-bit range.
func decodeJXL(src []byte, p Params, wantJPEG bool) ([]byte, error) {
	if err := p.check(); err != nil {
		return nil, err
	}
	if len(src) < 2 {
		return nil, fmt.Errorf("%w: JPEG XL frame of %d bytes", ErrCorrupt, len(src))
	}
	csrc := C.CBytes(src)
	defer C.free(csrc)
	var w, h, ch, bits, kind C.int
	var pix, jpeg *C.uchar
	var pixlen, jpeglen C.size_t
	want := C.int(0)
	if wantJPEG {
		want = 1
	}
	rc := C.dd_jxl_decode((*C.uchar)(csrc), C.size_t(len(src)), want, &w, &h, &ch, &bits, &kind, &pix, &pixlen, &jpeg, &jpeglen)
	if rc != 0 {
		return nil, fmt.Errorf("%w: libjxl could not decode the frame (%d)", ErrCorrupt, int(rc))
	}
	defer C.free(unsafe.Pointer(pix))
	defer C.free(unsafe.Pointer(jpeg))
	if int(w) != p.Columns || int(h) != p.Rows || int(ch) != p.SamplesPerPixel {
		return nil, fmt.Errorf("%w: JPEG XL frame is %dx%d with %d channels, image is %dx%d with %d", ErrFrameSize, w, h, ch, p.Columns, p.Rows, p.SamplesPerPixel)
	}
	if kind == 2 {
		return DecodeJPEG(C.GoBytes(unsafe.Pointer(jpeg), C.int(jpeglen)), p)
	}
	if int(bits) > p.BitsAllocated {
		return nil, fmt.Errorf("%w: JPEG XL has %d bits per sample, above %d bits allocated", ErrFrameSize, bits, p.BitsAllocated)
	}
	raw := unsafe.Slice((*byte)(unsafe.Pointer(pix)), int(pixlen))
	n := p.Rows * p.Columns * p.SamplesPerPixel
	out := make([]byte, p.FrameBytes())
	if bits <= 8 {
		if len(raw) < n {
			return nil, fmt.Errorf("%w: JPEG XL gave %d bytes", ErrFrameSize, len(raw))
		}
		if p.BitsAllocated == 8 {
			copy(out, raw[:n])
		} else {
			for i := 0; i < n; i++ {
				out[2*i] = raw[i]
			}
		}
		return out, nil
	}
	if len(raw) < 2*n || p.BitsAllocated != 16 {
		return nil, fmt.Errorf("%w: JPEG XL gave %d bytes for %d-bit samples", ErrFrameSize, len(raw), bits)
	}
	copy(out, raw[:2*n])
	return out, nil
}
