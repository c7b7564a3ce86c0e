//go:build discviewer

package codec

import (
	"errors"
	"strings"
	"testing"
)

// In the disc viewer build (no codec libraries) every syntax it cannot
// decode is named on screen, with its UID and what the patient can do;
// the syntaxes of the STD-GEN-*-JPEG profiles and the pure-Go ones decode.
func TestDiscViewerSaysWhichSyntax(t *testing.T) {
	p := Params{Rows: 1, Columns: 1, SamplesPerPixel: 1, BitsAllocated: 8}
	for _, uid := range []string{JPEGLSLossless, JPEGLSNearLossless, JPEG2000Lossless, JPEG2000, HTJ2KLossless, HTJ2K, JPEGXLLossless, JPEGXLJPEGRecompression, JPEGXL} {
		_, err := Decode(uid, []byte{0xFF, 0x4F}, p)
		if !errors.Is(err, ErrUnsupportedSyntax) {
			t.Errorf("%s: err = %v, want ErrUnsupportedSyntax", uid, err)
			continue
		}
		msg := err.Error()
		for _, want := range []string{Name(uid), uid, "this disc viewer cannot show"} {
			if !strings.Contains(msg, want) {
				t.Errorf("%s: message %q lacks %q", uid, msg, want)
			}
		}
	}
	for _, uid := range []string{JPEGBaseline8Bit, JPEGExtended12Bit, JPEGLosslessSV1, JPEGLossless, RLELossless, DeflatedImageFrame, EncapsulatedUncompressed} {
		if !Supported(uid) {
			t.Errorf("the disc viewer build does not decode %s (%s)", Name(uid), uid)
		}
	}
}
