package render

import (
	"bytes"
	"errors"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"discdesk/internal/corpus"
	"discdesk/viewer/codec"
	"discdesk/viewer/dcm"
)

func grey16(vals ...uint16) []byte {
	b := make([]byte, 2*len(vals))
	for i, v := range vals {
		b[2*i], b[2*i+1] = byte(v), byte(v>>8)
	}
	return b
}

func renderGrey(t *testing.T, d *Description, frame []byte) []uint8 {
	t.Helper()
	img, err := Render(d, frame)
	if err != nil {
		t.Fatal(err)
	}
	return img.(*image.Gray).Pix
}

func TestVOIFunctions(t *testing.T) {
	base := Description{Rows: 1, Columns: 5, SamplesPerPixel: 1, BitsAllocated: 16, BitsStored: 12, HighBit: 11,
		Photometric: "MONOCHROME2", RescaleSlope: 1, RescaleIntercept: -1000, NumberOfFrames: 1,
		Windows: []Window{{Center: 40, Width: 400}}}
	frame := grey16(0, 840, 1040, 1240, 4095) // -1000, -160, 40, 240, 3095 HU
	cases := []struct {
		fn   string
		want []uint8
	}{
		{"", []uint8{0, 0, 128, 255, 255}},
		{"LINEAR_EXACT", []uint8{0, 0, 128, 255, 255}},
		{"SIGMOID", []uint8{0, 30, 128, 225, 255}},
	}
	for _, c := range cases {
		d := base
		d.VOIFunction = c.fn
		if got := renderGrey(t, &d, frame); !bytes.Equal(got, c.want) {
			t.Errorf("%s: got %v want %v", c.fn, got, c.want)
		}
	}
	// MONOCHROME1 and an INVERSE presentation shape each invert; both cancel.
	d := base
	d.Photometric = "MONOCHROME1"
	if got := renderGrey(t, &d, frame); got[0] != 255 || got[4] != 0 {
		t.Errorf("MONOCHROME1: %v", got)
	}
	d.PresentationLUTShape = "INVERSE"
	if got := renderGrey(t, &d, frame); got[0] != 0 || got[4] != 255 {
		t.Errorf("MONOCHROME1 + INVERSE: %v", got)
	}
}

func TestSignedAndLUTs(t *testing.T) {
	// 12 bits stored in 16, signed, with garbage above the high bit.
	d := Description{Rows: 1, Columns: 3, SamplesPerPixel: 1, BitsAllocated: 16, BitsStored: 12, HighBit: 11, Signed: true,
		Photometric: "MONOCHROME2", RescaleSlope: 1, NumberOfFrames: 1,
		ModalityLUT: &LUT{First: -2, Bits: 16, Data: []uint16{0, 100, 200, 300}},
		VOILUTs:     []LUT{{First: 0, Bits: 8, Data: []uint16{0, 50, 100, 255}}}}
	// Values -2 (0xFFE with junk 0xF000), 0, 5 (clamped to the last entry).
	frame := grey16(0xFFFE, 0x0000, 0xF005)
	// Modality: -2->0, 0->200, 5->300; VOI LUT clamps to entries 0 and 3.
	if got := renderGrey(t, &d, frame); !bytes.Equal(got, []uint8{0, 255, 255}) {
		t.Errorf("got %v", got)
	}
	d.VOILUTs = nil
	r, _ := New(&d)
	lo, hi, err := r.ValueRange(frame)
	if err != nil || lo != 0 || hi != 300 {
		t.Errorf("value range %v..%v %v", lo, hi, err)
	}
}

func TestBadDescriptions(t *testing.T) {
	ok := Description{Rows: 2, Columns: 2, SamplesPerPixel: 1, BitsAllocated: 8, BitsStored: 8, HighBit: 7, Photometric: "MONOCHROME2", NumberOfFrames: 1}
	if _, err := Render(&ok, []byte{1, 2, 3}); !errors.Is(err, ErrShortFrame) {
		t.Errorf("short frame: %v", err)
	}
	bad := ok
	bad.BitsStored = 12
	if _, err := New(&bad); !errors.Is(err, ErrBadDescription) {
		t.Errorf("bits stored > allocated: %v", err)
	}
	bad = ok
	bad.Photometric = "PALETTE COLOR"
	if _, err := New(&bad); !errors.Is(err, ErrBadDescription) {
		t.Errorf("palette missing: %v", err)
	}
	bad.Photometric = "YBR_PARTIAL_420"
	bad.SamplesPerPixel = 3
	if _, err := New(&bad); !errors.Is(err, ErrUnsupported) {
		t.Errorf("YBR_PARTIAL_420: %v", err)
	}
	// A palette shorter than its descriptor: an error from the LUT reader.
	if _, err := lutData(&dcm.DataSet{}, []byte{1, 0, 2, 0}, 256, 16); !errors.Is(err, ErrBadDescription) {
		t.Errorf("short palette: %v", err)
	}
}

func TestSegmentedPalette(t *testing.T) {
	// Discrete 0,10; linear to 50 over 4; indirect copy of the first segment.
	seg := []uint16{0, 2, 0, 10, 1, 4, 50, 2, 1, 0, 0}
	got, err := expandSegmented(seg, 8)
	if err != nil {
		t.Fatal(err)
	}
	want := []uint16{0, 10, 20, 30, 40, 50, 0, 10}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("got %v want %v", got, want)
		}
	}
	if _, err := expandSegmented([]uint16{0, 5, 1}, 8); err == nil {
		t.Error("truncated discrete segment: no error")
	}
	if _, err := expandSegmented([]uint16{2, 1, 0, 0}, 8); err == nil {
		t.Error("self-referencing indirect segment: no error")
	}
}

func TestFrameFragmentsLying(t *testing.T) {
	frags := []dcm.Fragment{{Data: []byte{0, 0, 0, 0, 99, 0, 0, 0}, Length: 8}, {Data: []byte{0xFF, 0xD8, 1, 2}, Length: 4}, {Data: []byte{0xFF, 0xD8, 3, 4}, Length: 4}}
	pix := &dcm.Element{Tag: dcm.PixelData, Fragments: frags}
	if _, err := frameFragments(&dcm.DataSet{}, pix, 2, 1, codec.JPEGBaseline8Bit); !errors.Is(err, ErrBadDescription) {
		t.Errorf("offset table pointing nowhere: %v", err)
	}
	pix.Fragments[0] = dcm.Fragment{}
	got, err := frameFragments(&dcm.DataSet{}, pix, 2, 1, codec.JPEGBaseline8Bit)
	if err != nil || !bytes.Equal(got, []byte{0xFF, 0xD8, 3, 4}) {
		t.Errorf("one fragment per frame: %v %v", got, err)
	}
}

// TestMultiFrameAndExport renders every frame of a fragmented multi-frame
// JPEG and exports a thumbnail as PNG.
func TestMultiFrameAndExport(t *testing.T) {
	f, err := dcm.ParseFile(corpus.Path(t, "multiframe/us_8f_jpeg_baseline_fragmented.dcm"))
	if err != nil {
		t.Fatal(err)
	}
	d, err := Describe(f.DataSet, f.Syntax.UID)
	if err != nil {
		t.Fatal(err)
	}
	if d.NumberOfFrames != 8 || d.Photometric != "YBR_FULL" {
		t.Fatalf("frames %d photometric %s", d.NumberOfFrames, d.Photometric)
	}
	r, _ := New(d)
	var last []byte
	for n := 0; n < d.NumberOfFrames; n++ {
		frame, err := Frame(f, d, n)
		if err != nil {
			t.Fatalf("frame %d: %v", n, err)
		}
		if bytes.Equal(frame, last) {
			t.Errorf("frame %d equals frame %d", n, n-1)
		}
		last = frame
		if _, err := r.Render(frame); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := Frame(f, d, 8); !errors.Is(err, ErrNoFrame) {
		t.Errorf("frame 8 of 8: %v", err)
	}
	img, _ := r.Render(last)
	out := filepath.Join(t.TempDir(), "thumb.png")
	if err := WriteFile(out, Thumbnail(img, 64)); err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(out)
	if st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", st.Mode())
	}
	b, _ := os.ReadFile(out)
	th, err := png.Decode(bytes.NewReader(b))
	if err != nil || th.Bounds().Dx() != 64 || th.Bounds().Dy() != 48 {
		t.Fatalf("thumbnail %v %v", th.Bounds(), err)
	}
}

// BenchmarkWindowLevel512 is window/level of a 512x512 16-bit CT frame to
// 8 bits with a reused destination (target <= 1 ms, 0 allocs).
func BenchmarkWindowLevel512(b *testing.B) {
	r, frame, err := Open(corpus.Path(b, "generated/ct_slice_variants/ct_explicit_le_source.dcm"), 0)
	if err != nil {
		b.Fatal(err)
	}
	dst := image.NewGray(image.Rect(0, 0, 512, 512))
	if err := r.RenderGrayInto(dst, frame); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := r.RenderGrayInto(dst, frame); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWindowChange includes rebuilding the table for a new window.
func BenchmarkWindowChange(b *testing.B) {
	r, frame, err := Open(corpus.Path(b, "generated/ct_slice_variants/ct_explicit_le_source.dcm"), 0)
	if err != nil {
		b.Fatal(err)
	}
	dst := image.NewGray(image.Rect(0, 0, 512, 512))
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		r.SetWindow(Window{Center: float64(i % 100), Width: 400})
		if err := r.RenderGrayInto(dst, frame); err != nil {
			b.Fatal(err)
		}
	}
}

// TestWindowLevelNoAlloc holds the zero-allocation promise in a test.
func TestWindowLevelNoAlloc(t *testing.T) {
	r, frame, err := Open(corpus.Path(t, "generated/ct_slice_variants/ct_explicit_le_source.dcm"), 0)
	if err != nil {
		t.Fatal(err)
	}
	dst := image.NewGray(image.Rect(0, 0, 512, 512))
	r.RenderGrayInto(dst, frame)
	if n := testing.AllocsPerRun(5, func() { r.RenderGrayInto(dst, frame) }); n != 0 {
		t.Errorf("%v allocations per frame", n)
	}
}

// BenchmarkFileToJPEG is the per-file work of the 500-slice benchmark:
// parse, extract, window, encode JPEG.
func BenchmarkFileToJPEG(b *testing.B) {
	path := corpus.Path(b, "generated/ct_slice_variants/ct_explicit_le_source.dcm")
	b.ReportAllocs()
	for b.Loop() {
		r, frame, err := Open(path, 0)
		if err != nil {
			b.Fatal(err)
		}
		img, _ := r.Render(frame)
		var buf bytes.Buffer
		if err := Encode(&buf, img, "jpg"); err != nil {
			b.Fatal(err)
		}
	}
}
