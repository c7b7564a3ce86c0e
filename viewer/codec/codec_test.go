package codec

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"discdesk/internal/corpus"
)

// exactCase pairs a compressed corpus file with its reference decode: an
// uncompressed corpus file holding the same pixels, or a DCMTK/GDCM tool.
type exactCase struct {
	file string
	ref  string   // corpus file with the same pixels, or ""
	tool []string // external decoder used when ref is ""
	cgo  bool     // needs the cgo build (CharLS, OpenJPEG)
}

var exactCases = []exactCase{
	{file: "generated/ct_slice_variants/ct_gdcm_rle.dcm", ref: "generated/ct_slice_variants/ct_explicit_le_source.dcm"},
	{file: "generated/ct_slice_variants/ct_gdcm_jpeg_lossless.dcm", ref: "generated/ct_slice_variants/ct_explicit_le_source.dcm"},
	{file: "generated/ct_slice_variants/ct_gdcm_jpegls.dcm", ref: "generated/ct_slice_variants/ct_explicit_le_source.dcm", cgo: true},
	{file: "generated/ct_slice_variants/ct_gdcm_j2k.dcm", ref: "generated/ct_slice_variants/ct_explicit_le_source.dcm", cgo: true},
	{file: "generated/ct_slice_variants/ct_gdcm_j2k_lossy_r10.dcm", tool: []string{"gdcmconv"}, cgo: true},
	{file: "generated/ct_slice_variants/ct_dcmtk_jpeg_extended_lossy.dcm", tool: []string{"dcmdjpeg", "+cn"}},
	{file: "transfer_syntax/mr_ts/4.dcm", ref: "transfer_syntax/mr_ts/1.dcm"},
	{file: "transfer_syntax/mr_ts/5.dcm", ref: "transfer_syntax/mr_ts/1.dcm"},
	{file: "transfer_syntax/mr_ts/6.dcm", ref: "transfer_syntax/mr_ts/1.dcm"},
	{file: "transfer_syntax/mr_ts/7.dcm", ref: "transfer_syntax/mr_ts/1.dcm", cgo: true},
	{file: "transfer_syntax/mr_ts/8.dcm", ref: "transfer_syntax/mr_ts/1.dcm", cgo: true},
	{file: "transfer_syntax/mr_ts/9.dcm", ref: "transfer_syntax/mr_ts/1.dcm", cgo: true},
	{file: "transfer_syntax/mr_small_rle.dcm", tool: []string{"dcmdrle"}},
	{file: "transfer_syntax/sc_rgb_rle.dcm", tool: []string{"dcmdrle"}},
	{file: "transfer_syntax/mr_small_jpegls_lossless.dcm", tool: []string{"gdcmconv"}, cgo: true},
	{file: "transfer_syntax/jpegls_near_lossless_16.dcm", tool: []string{"gdcmconv"}, cgo: true},
	{file: "transfer_syntax/mr_small_j2k_lossless.dcm", tool: []string{"gdcmconv"}, cgo: true},
	{file: "transfer_syntax/us1_j2k_lossy.dcm", tool: []string{"gdcmconv"}, cgo: true},
	{file: "transfer_syntax/ct1_jpegls_fragmented_bot.dcm", tool: []string{"dcmdjpls"}, cgo: true},
	{file: "transfer_syntax/nm_jpeg_lossless_sv1_16bit.dcm", tool: []string{"dcmdjpeg"}},
	{file: "transfer_syntax/us_jpeg_lossless_sv1_8bit.dcm", tool: []string{"dcmdjpeg"}},
	{file: "transfer_syntax/nm_jpeg_extended_12bit.dcm", tool: []string{"dcmdjpeg", "+cn"}},
	{file: "transfer_syntax/sc_rgb_jpeg_baseline_dcmtk.dcm", tool: []string{"dcmdjpeg", "+cn", "+px"}},
	{file: "transfer_syntax/sc_jpeg_no_color_transform.dcm", tool: []string{"dcmdjpeg", "+cn", "+px"}},
	{file: "multiframe/emri_small_10f_rle.dcm", ref: "multiframe/emri_small_10f.dcm"},
	{file: "multiframe/ect_2f_rle.dcm", tool: []string{"dcmdrle"}},
	{file: "multiframe/ect_2f_jpeg_lossless_sv1_fragmented.dcm", tool: []string{"dcmdjpeg"}},
	{file: "multiframe/ect_2f_jpegls_fragmented.dcm", tool: []string{"dcmdjpls"}, cgo: true},
	{file: "multiframe/us_10f_jpegls_palette.dcm", tool: []string{"gdcmconv"}, cgo: true},
	{file: "multiframe/us_30f_jpeg_baseline.dcm", tool: []string{"dcmdjpeg", "+cn", "+px"}},
	{file: "multiframe/us_8f_jpeg_baseline_fragmented.dcm", tool: []string{"dcmdjpeg", "+cn", "+px"}},
}

// TestDecodeExact decodes every compressed corpus image and compares every
// stored sample with the uncompressed original or the reference tool.
func TestDecodeExact(t *testing.T) {
	cgoBuild := Supported(JPEGLSLossless)
	for _, tc := range exactCases {
		t.Run(filepath.Base(tc.file), func(t *testing.T) {
			path := corpus.Path(t, tc.file)
			img := readTestImage(t, path)
			if tc.cgo && !cgoBuild {
				_, err := Decode(img.syntax, img.frame(t, 0), img.params)
				if !errors.Is(err, ErrUnsupportedSyntax) {
					t.Fatalf("non-cgo build: got %v, want ErrUnsupportedSyntax", err)
				}
				return
			}
			var ref *testImage
			if tc.ref != "" {
				ref = readTestImage(t, corpus.Path(t, tc.ref))
				if ref.native == nil {
					// ct1_implicit_le is implicit VR: fall back to the tool.
					ref = nil
				}
			}
			if ref == nil {
				ref = toolDecode(t, path, tc.tool...)
			}
			for f := 0; f < img.frames; f++ {
				got, err := Decode(img.syntax, img.frame(t, f), img.params)
				if err != nil {
					t.Fatalf("frame %d: %v", f, err)
				}
				want := ref.nativeFrame(t, f)
				if img.params.BitsStored > 0 && img.params.BitsStored < 16 && img.params.BitsAllocated == 16 {
					// Compare stored bits only: encoders drop bits above High Bit.
					got, want = maskBits(got, img.params.BitsStored), maskBits(want, img.params.BitsStored)
				}
				if !bytes.Equal(got, want) {
					t.Fatalf("frame %d: %s", f, firstDiff(got, want, img.params))
				}
			}
			t.Logf("%s: %d frame(s) %dx%d x%d, %d bits: bit-exact", Name(img.syntax), img.frames, img.params.Columns, img.params.Rows, img.params.SamplesPerPixel, img.params.BitsAllocated)
		})
	}
}

func maskBits(b []byte, bits int) []byte {
	out := make([]byte, len(b))
	m := uint16(1)<<bits - 1
	for i := 0; i+1 < len(b); i += 2 {
		v := (uint16(b[i]) | uint16(b[i+1])<<8) & m
		out[i], out[i+1] = byte(v), byte(v>>8)
	}
	return out
}

func firstDiff(got, want []byte, p Params) string {
	if len(got) != len(want) {
		return fmt.Sprintf("length %d, want %d", len(got), len(want))
	}
	n := 0
	first := -1
	for i := range got {
		if got[i] != want[i] {
			if first < 0 {
				first = i
			}
			n++
		}
	}
	bps := p.BitsAllocated / 8
	px := first / bps / p.SamplesPerPixel
	return fmt.Sprintf("%d bytes differ; first at byte %d (x=%d y=%d): got %d want %d", n, first, px%p.Columns, px/p.Columns, got[first], want[first])
}

func TestUnsupportedSyntaxNamed(t *testing.T) {
	_, err := Decode("1.2.840.10008.1.2.4.100", []byte{0, 0, 1, 0xB3}, Params{Rows: 1, Columns: 1, SamplesPerPixel: 1, BitsAllocated: 8})
	if !errors.Is(err, ErrUnsupportedSyntax) {
		t.Fatalf("MPEG2: got %v, want ErrUnsupportedSyntax", err)
	}
	if want := "MPEG2 Main Profile"; !bytes.Contains([]byte(err.Error()), []byte(want)) {
		t.Errorf("error %q does not name %q", err, want)
	}
	_, err = Decode("1.2.3.4.5", []byte{1, 2, 3}, Params{Rows: 1, Columns: 1, SamplesPerPixel: 1, BitsAllocated: 8})
	if !errors.Is(err, ErrUnsupportedSyntax) || !bytes.Contains([]byte(err.Error()), []byte("1.2.3.4.5")) {
		t.Fatalf("unknown UID: %v", err)
	}
	if runtime.GOOS == "linux" && !Supported(JPEG2000) {
		t.Logf("this build has no cgo: JPEG-LS and JPEG 2000 unsupported")
	}
}

// TestBadInput feeds truncated and corrupted frames to every decoder: each
// must return an error (never panic, never a frame of the wrong size).
func TestBadInput(t *testing.T) {
	files := []string{
		"generated/ct_slice_variants/ct_gdcm_rle.dcm",
		"generated/ct_slice_variants/ct_gdcm_jpeg_lossless.dcm",
		"generated/ct_slice_variants/ct_dcmtk_jpeg_extended_lossy.dcm",
		"transfer_syntax/sc_rgb_jpeg_baseline_dcmtk.dcm",
	}
	if Supported(JPEGLSLossless) {
		files = append(files, "generated/ct_slice_variants/ct_gdcm_jpegls.dcm", "generated/ct_slice_variants/ct_gdcm_j2k.dcm")
	}
	for _, f := range files {
		img := readTestImage(t, corpus.Path(t, f))
		frame := img.frame(t, 0)
		for _, cut := range []int{0, 1, 10, 64, len(frame) / 2} {
			if _, err := Decode(img.syntax, frame[:cut], img.params); err == nil {
				t.Errorf("%s cut to %d bytes: no error", filepath.Base(f), cut)
			}
		}
		// Wrong geometry: the image description says more rows than the frame has.
		p := img.params
		p.Rows++
		if _, err := Decode(img.syntax, frame, p); err == nil {
			t.Errorf("%s with one row too many: no error", filepath.Base(f))
		}
		p = img.params
		p.BitsAllocated = 32
		if _, err := Decode(img.syntax, frame, p); !errors.Is(err, ErrParams) {
			t.Errorf("%s with 32 bits allocated: %v, want ErrParams", filepath.Base(f), err)
		}
	}
	// An RLE header whose offsets point outside the frame.
	rle := make([]byte, 80)
	rle[0] = 1
	rle[4] = 200
	if _, err := DecodeRLE(rle, Params{Rows: 4, Columns: 4, SamplesPerPixel: 1, BitsAllocated: 8}); !errors.Is(err, ErrCorrupt) {
		t.Errorf("RLE with offset past end: %v, want ErrCorrupt", err)
	}
}

// TestRLESynthetic checks segment order and byte placement on a hand-made
// 2x2 16-bit RGB frame (PS3.5 G.2: most significant byte segment first).
func TestRLESynthetic(t *testing.T) {
	p := Params{Rows: 1, Columns: 2, SamplesPerPixel: 3, BitsAllocated: 16}
	var hdr [64]byte
	hdr[0] = 6
	var body []byte
	for seg := 0; seg < 6; seg++ {
		off := 64 + len(body)
		hdr[4+4*seg] = byte(off)
		// Literal run of 2 bytes: value seg*16+pixel.
		body = append(body, 1, byte(seg*16), byte(seg*16+1))
	}
	got, err := DecodeRLE(append(hdr[:], body...), p)
	if err != nil {
		t.Fatal(err)
	}
	// Pixel 0, sample 0: high byte from segment 0 (0x00), low from segment 1 (0x10).
	want := []byte{0x10, 0x00, 0x30, 0x20, 0x50, 0x40, 0x11, 0x01, 0x31, 0x21, 0x51, 0x41}
	if !bytes.Equal(got, want) {
		t.Fatalf("got % x\nwant % x", got, want)
	}
}

func TestMain(m *testing.M) {
	os.Exit(m.Run())
}
