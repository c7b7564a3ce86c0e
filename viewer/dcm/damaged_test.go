package dcm_test

import (
	"bytes"
	"compress/flate"
	"errors"
	"os"
	"strings"
	"testing"

	"discdesk/internal/corpus"
	"discdesk/viewer/dcm"
	"discdesk/viewer/dcm/dcmtest"
)

// A file cut at an element boundary inside an undefined-length item or
// sequence is truncated, with the offset of the cut; a file cut just before
// Pixel Data parses (the data set may end there) and is left to the
// importer's Image Pixel module check.
func TestCutInsideItemOrSequenceIsTruncated(t *testing.T) {
	p := dcmtest.CT(1, 8, 8)
	full := p.Bytes()
	if _, err := dcm.ParseBytes(full); err != nil {
		t.Fatalf("complete file: %v", err)
	}
	for name, cut := range map[string]int{
		"inside the item, before its first element": p.ItemOpen,
		"inside the item, after its last element":   p.ItemEnd,
		"after the item, before the sequence ends":  p.ItemEnd + 8,
	} {
		for _, skip := range []bool{false, true} {
			var opts []dcm.Option
			if skip {
				opts = append(opts, dcm.SkipPixelData())
			}
			_, err := dcm.ParseBytes(full[:cut], opts...)
			var pe *dcm.ParseError
			if !errors.Is(err, dcm.ErrTruncated) || !errors.As(err, &pe) {
				t.Errorf("%s: err = %v, want ErrTruncated", name, err)
				continue
			}
			if pe.Offset != int64(cut) && !(pe.Offset < int64(cut) && pe.Offset >= int64(p.ItemOpen)-8) {
				t.Errorf("%s: offset %d, cut at %d", name, pe.Offset, cut)
			}
			if !strings.Contains(err.Error(), "byte") {
				t.Errorf("%s: error does not say where: %v", name, err)
			}
		}
	}
	// The same cut in a deflated file (no size known to check against).
	meta := dcm.EncodeMeta(dcm.Meta{SOPClassUID: dcmtest.CTImageStorage, SOPInstanceUID: "1.2.3", TransferSyntaxUID: dcm.DeflatedExplicitVRLittleEndian})
	var z bytes.Buffer
	fw, _ := flate.NewWriter(&z, flate.DefaultCompression)
	fw.Write(full[len(p.Meta):p.ItemEnd])
	fw.Close()
	if _, err := dcm.ParseBytes(append(meta, z.Bytes()...)); !errors.Is(err, dcm.ErrTruncated) {
		t.Errorf("deflated, cut inside the item: err = %v, want ErrTruncated", err)
	}
	f, err := dcm.ParseBytes(full[:p.PixelData])
	if err != nil || f.DataSet.Has(dcm.PixelData) {
		t.Fatalf("cut before Pixel Data: %v", err)
	}
}

// Zero bytes after the last element are padding: the file parses and says
// how much was ignored. Zeros followed by other bytes are an error.
func TestTrailingZeroPaddingIsAccepted(t *testing.T) {
	for _, rel := range []string{"transfer_syntax/ct1_explicit_big_endian.dcm", "transfer_syntax/ct1_implicit_le.dcm"} {
		path := corpus.Path(t, rel)
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		padded := append(append([]byte(nil), b...), make([]byte, 2500000)...)
		for _, skip := range []bool{false, true} {
			var opts []dcm.Option
			if skip {
				opts = append(opts, dcm.SkipPixelData())
			}
			f, err := dcm.ParseBytes(padded, opts...)
			if err != nil {
				t.Fatalf("%s padded: %v", path, err)
			}
			if f.Padding != 2500000 || !f.DataSet.Has(dcm.PixelData) {
				t.Errorf("%s: padding %d, pixel data %v", path, f.Padding, f.DataSet.Has(dcm.PixelData))
			}
		}
		bad := append(append([]byte(nil), padded...), 1, 2, 3, 4)
		if _, err := dcm.ParseBytes(bad); !errors.Is(err, dcm.ErrTrailingData) {
			t.Errorf("zeros then data: err = %v, want ErrTrailingData", err)
		}
	}
	// Implicit VR too (where zeros would read as empty (0000,0000) elements).
	ct := dcmtest.CT(2, 4, 4).Bytes()
	f, err := dcm.ParseBytes(append(ct, make([]byte, 1000)...))
	if err != nil || f.Padding != 1000 {
		t.Fatalf("padded CT: %v, padding %d", err, f.Padding)
	}
}

// A 3 MB deflated file declaring three 1 GiB values is refused quickly,
// without holding the values: the limit error names the element.
func TestDeflateBombIsRefused(t *testing.T) {
	b := dcmtest.DeflateBomb(3, 3, 1<<30)
	if len(b) > 4<<20 {
		t.Fatalf("bomb is %d bytes", len(b))
	}
	for _, skip := range []bool{false, true} {
		var opts []dcm.Option
		if skip {
			opts = append(opts, dcm.SkipPixelData())
		}
		_, err := dcm.ParseBytes(b, opts...)
		if !errors.Is(err, dcm.ErrInflateLimit) || !strings.Contains(err.Error(), "(0041,1010)") {
			t.Errorf("err = %v, want ErrInflateLimit at (0041,1010)", err)
		}
	}
	// A small inflate bound stops the stream itself.
	small := dcmtest.DeflateBomb(4, 1, 8<<20)
	if _, err := dcm.ParseBytes(small, dcm.MaxInflated(1<<20), dcm.SkipPixelData()); !errors.Is(err, dcm.ErrInflateLimit) {
		t.Errorf("MaxInflated 1 MiB on 8 MiB: err = %v", err)
	}
	f, err := dcm.ParseBytes(small)
	if err != nil || f.Inflated < 8<<20 || len(f.DataSet.Raw(dcm.T(0x0041, 0x1010))) != 8<<20 {
		t.Fatalf("8 MiB deflated value: %v", err)
	}
}

func TestCheckUID(t *testing.T) {
	for _, ok := range []string{"1.2.840.10008.1.2", "2.25.133825049570754920038102709675647835059", "1.2.840.0010.1", "0"} {
		if err := dcm.CheckUID(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "1.2.\xff3", "1..2", ".1", "1.", "1.2.a", strings.Repeat("1", 65), "1 .2"} {
		if err := dcm.CheckUID(bad); !errors.Is(err, dcm.ErrBadUID) {
			t.Errorf("%q: err = %v", bad, err)
		}
	}
}

// Seeds for FuzzParse made from the damaged files above.
func damagedSeeds() [][]byte {
	p := dcmtest.CT(5, 2, 2)
	full := p.Bytes()
	return [][]byte{full[:p.ItemOpen], full[:p.ItemEnd], full[:p.PixelData],
		append(bytes.Clone(full), make([]byte, 64)...), dcmtest.DeflateBomb(6, 1, 64<<10)}
}

func FuzzParseDamaged(f *testing.F) {
	for _, b := range damagedSeeds() {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, opt := range [][]dcm.Option{nil, {dcm.SkipPixelData()}, {dcm.MaxInflated(1 << 20)}} {
			file, err := dcm.ParseBytes(b, opt...)
			if err != nil {
				var pe *dcm.ParseError
				if !errors.As(err, &pe) {
					t.Fatalf("error without offset: %v", err)
				}
				continue
			}
			file.DataSet.String(dcm.PatientName)
		}
	})
}
