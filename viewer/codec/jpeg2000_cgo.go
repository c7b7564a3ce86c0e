//go:build cgo && linux && !discviewer

package codec

/*
#cgo pkg-config: libopenjp2
#include <stdlib.h>
#include <string.h>
#include <openjpeg.h>

typedef struct { const unsigned char* data; OPJ_SIZE_T len; OPJ_SIZE_T pos; } dd_buf;

static OPJ_SIZE_T dd_read(void* dst, OPJ_SIZE_T n, void* user) {
	dd_buf* b = (dd_buf*)user;
	if (b->pos >= b->len) return (OPJ_SIZE_T)-1;
	if (n > b->len - b->pos) n = b->len - b->pos;
	memcpy(dst, b->data + b->pos, n);
	b->pos += n;
	return n;
}
static OPJ_OFF_T dd_skip(OPJ_OFF_T n, void* user) {
	dd_buf* b = (dd_buf*)user;
	if (n < 0) { if ((OPJ_SIZE_T)(-n) > b->pos) n = -(OPJ_OFF_T)b->pos; }
	else if ((OPJ_SIZE_T)n > b->len - b->pos) n = b->len - b->pos;
	b->pos += n;
	return n;
}
static OPJ_BOOL dd_seek(OPJ_OFF_T n, void* user) {
	dd_buf* b = (dd_buf*)user;
	if (n < 0 || (OPJ_SIZE_T)n > b->len) return OPJ_FALSE;
	b->pos = n;
	return OPJ_TRUE;
}
static void dd_quiet(const char* msg, void* user) { (void)msg; (void)user; }

// dd_j2k_decode decodes a codestream (or JP2 file); the caller frees the image.
static opj_image_t* dd_j2k_decode(const unsigned char* data, size_t len, int jp2) {
	dd_buf b = { data, len, 0 };
	opj_codec_t* codec = opj_create_decompress(jp2 ? OPJ_CODEC_JP2 : OPJ_CODEC_J2K);
	if (!codec) return NULL;
	opj_set_info_handler(codec, dd_quiet, NULL);
	opj_set_warning_handler(codec, dd_quiet, NULL);
	opj_set_error_handler(codec, dd_quiet, NULL);
	opj_dparameters_t params;
	opj_set_default_decoder_parameters(&params);
	opj_image_t* img = NULL;
	opj_stream_t* s = opj_stream_create(1 << 16, OPJ_TRUE);
	if (!s) { opj_destroy_codec(codec); return NULL; }
	opj_stream_set_user_data(s, &b, NULL);
	opj_stream_set_user_data_length(s, len);
	opj_stream_set_read_function(s, dd_read);
	opj_stream_set_skip_function(s, dd_skip);
	opj_stream_set_seek_function(s, dd_seek);
	if (!opj_setup_decoder(codec, &params) ||
	    !opj_read_header(s, codec, &img) ||
	    !opj_decode(codec, s, img) ||
	    !opj_end_decompress(codec, s)) {
		if (img) opj_image_destroy(img);
		img = NULL;
	}
	opj_stream_destroy(s);
	opj_destroy_codec(codec);
	return img;
}
static opj_image_comp_t* dd_comp(opj_image_t* img, int i) { return &img->comps[i]; }
*/
import "C"

import (
	"bytes"
	"fmt"
	"unsafe"
)

var decodeJPEG2000 DecodeFunc = decodeJ2KOpenJPEG

// decodeJ2KOpenJPEG decodes a JPEG 2000 frame (codestream or JP2) with
// OpenJPEG. OpenJPEG applies the inverse RCT/ICT, so colour comes back RGB.
func decodeJ2KOpenJPEG(src []byte, p Params) ([]byte, error) {
	if err := p.check(); err != nil {
		return nil, err
	}
	jp2 := 0
	switch {
	case len(src) >= 4 && bytes.Equal(src[:4], []byte{0xFF, 0x4F, 0xFF, 0x51}):
	case len(src) >= 12 && bytes.Equal(src[4:8], []byte("jP  ")):
		jp2 = 1
	default:
		return nil, fmt.Errorf("%w: JPEG 2000 frame starts with neither SOC+SIZ nor a JP2 signature", ErrCorrupt)
	}
	csrc := C.CBytes(src)
	defer C.free(csrc)
	img := C.dd_j2k_decode((*C.uchar)(csrc), C.size_t(len(src)), C.int(jp2))
	if img == nil {
		return nil, fmt.Errorf("%w: OpenJPEG could not decode the frame", ErrCorrupt)
	}
	defer C.opj_image_destroy(img)
	nc := int(img.numcomps)
	if nc != p.SamplesPerPixel {
		return nil, fmt.Errorf("%w: JPEG 2000 frame has %d components, image has %d samples per pixel", ErrFrameSize, nc, p.SamplesPerPixel)
	}
	bps := p.BitsAllocated / 8
	npix := p.Rows * p.Columns
	out := make([]byte, p.FrameBytes())
	for c := 0; c < nc; c++ {
		comp := C.dd_comp(img, C.int(c))
		if int(comp.w) != p.Columns || int(comp.h) != p.Rows || comp.dx != 1 || comp.dy != 1 {
			return nil, fmt.Errorf("%w: JPEG 2000 component %d is %dx%d (step %dx%d), image is %dx%d", ErrFrameSize, c, comp.w, comp.h, comp.dx, comp.dy, p.Columns, p.Rows)
		}
		if int(comp.prec) > p.BitsAllocated {
			return nil, fmt.Errorf("%w: JPEG 2000 precision %d above %d bits allocated", ErrFrameSize, comp.prec, p.BitsAllocated)
		}
		if comp.data == nil {
			return nil, fmt.Errorf("%w: JPEG 2000 component %d has no data", ErrCorrupt, c)
		}
		data := unsafe.Slice((*int32)(unsafe.Pointer(comp.data)), npix)
		for i, v := range data {
			o := (i*nc + c) * bps
			out[o] = byte(v)
			if bps == 2 {
				out[o+1] = byte(v >> 8)
			}
		}
	}
	return out, nil
}
