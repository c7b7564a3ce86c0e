package codec

import (
	"bytes"
	"compress/flate"
	"compress/zlib"
	"errors"
	"testing"
)

// Deflated Image Frame Compression (.8.1) and Encapsulated Uncompressed
// (.1.98) give back the native frame exactly, in every build; a short or
// corrupt frame is an error, never a guessed image.
func TestDeflatedAndEncapsulatedUncompressed(t *testing.T) {
	p := Params{Rows: 37, Columns: 53, SamplesPerPixel: 1, BitsAllocated: 16}
	native := make([]byte, p.FrameBytes())
	for i := range native {
		native[i] = byte(i*7 + i/53)
	}
	var raw, zl bytes.Buffer
	w, _ := flate.NewWriter(&raw, flate.BestCompression)
	w.Write(native)
	w.Close()
	z := zlib.NewWriter(&zl)
	z.Write(native)
	z.Close()
	for name, src := range map[string][]byte{"raw deflate": raw.Bytes(), "raw deflate, padded": append(raw.Bytes(), 0), "zlib": zl.Bytes()} {
		got, err := Decode(DeflatedImageFrame, src, p)
		if err != nil || !bytes.Equal(got, native) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := Decode(DeflatedImageFrame, raw.Bytes()[:raw.Len()/2], p); !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrFrameSize) {
		t.Errorf("truncated deflate: %v", err)
	}
	got, err := Decode(EncapsulatedUncompressed, append(append([]byte(nil), native...), 0), p)
	if err != nil || !bytes.Equal(got, native) {
		t.Errorf("encapsulated uncompressed: %v", err)
	}
	if _, err := Decode(EncapsulatedUncompressed, native[:100], p); !errors.Is(err, ErrFrameSize) {
		t.Errorf("short frame: %v", err)
	}
	for _, uid := range []string{DeflatedImageFrame, EncapsulatedUncompressed} {
		if !Supported(uid) {
			t.Errorf("%s not supported", uid)
		}
	}
}

func FuzzDecodeDeflatedFrame(f *testing.F) {
	var b bytes.Buffer
	w, _ := flate.NewWriter(&b, flate.DefaultCompression)
	w.Write(bytes.Repeat([]byte{1, 2, 3, 4}, 64))
	w.Close()
	f.Add(b.Bytes(), uint16(8), uint16(16), uint8(1), uint8(16))
	f.Add([]byte{0x78, 0x9c, 0x03, 0x00}, uint16(1), uint16(1), uint8(1), uint8(8))
	fuzzDecode(f, DeflatedImageFrame)
}
