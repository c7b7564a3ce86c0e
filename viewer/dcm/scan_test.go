package dcm

import (
	"bytes"
	"errors"
	"os"
	"testing"

	"discdesk/internal/corpus"
)

// scanAll scans b and returns its elements or the error.
func scanAll(b []byte, syn Syntax) ([]RawElement, error) {
	var out []RawElement
	s := NewScanner(b, syn)
	for s.Next() {
		out = append(out, s.Element())
	}
	return out, s.Err()
}

// TestScannerAgreesWithParse: on real files in every transfer syntax the
// Scanner finds the top-level elements Parse finds, with the same lengths
// and values: the two share one reading of PS3.5 7.
func TestScannerAgreesWithParse(t *testing.T) {
	for _, rel := range []string{
		"transfer_syntax/ct1_implicit_le.dcm", "transfer_syntax/ct1_explicit_big_endian.dcm",
		"transfer_syntax/report_deflate.dcm", "transfer_syntax/image_deflate.dcm",
		"transfer_syntax/ct1_jpegls_fragmented_bot.dcm", "transfer_syntax/mr_small_rle.dcm",
		"charset/chrSQEncoding1.dcm", "charset/chrH32.dcm", "rt/rtstruct.dcm", "dicomdir/pcir_3patients/DICOMDIR",
	} {
		path := corpus.Path(t, rel)
		f, err := ParseFile(path)
		if err != nil {
			t.Fatalf("%s: %v", rel, err)
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		b := raw[f.DataSetOffset : int64(len(raw))-f.Padding]
		if f.Syntax.Deflated {
			if b, err = InflateDataSet(b, 1<<30); err != nil {
				t.Fatalf("%s: %v", rel, err)
			}
		}
		got, err := scanAll(b, f.Syntax)
		if err != nil {
			t.Fatalf("%s: %v", rel, err)
		}
		if len(got) != len(f.DataSet.Elements) {
			t.Fatalf("%s: scanned %d elements, parsed %d", rel, len(got), len(f.DataSet.Elements))
		}
		base := f.DataSetOffset // Parse's offsets are the file's, or the inflated stream's
		if f.Syntax.Deflated {
			base = 0
		}
		for i, want := range f.DataSet.Elements {
			g := got[i]
			if g.Tag != want.Tag || g.Length != want.Length || base+int64(g.Offset) != want.Offset {
				t.Errorf("%s: element %d: scanned %v length %d at %d, parsed %v length %d at %d",
					rel, i, g.Tag, g.Length, g.Offset, want.Tag, want.Length, want.Offset)
			}
			if want.Value != nil && !bytes.Equal(g.Value, want.Value) {
				t.Errorf("%s: %v: scanned value differs from the parsed one", rel, want.Tag)
			}
			if !f.Syntax.Implicit && g.VR != want.VR && want.Items == nil {
				t.Errorf("%s: %v: VR %s, parsed %s", rel, want.Tag, g.VR, want.VR)
			}
		}
	}
}

// TestAppendScanRoundTrip: elements written with AppendElement scan back
// equal in each encoding, odd values padded as PS3.5 6.2 asks.
func TestAppendScanRoundTrip(t *testing.T) {
	type el struct {
		tag Tag
		vr  VR
		v   []byte
	}
	item := AppendElement(nil, SyntaxOf(ExplicitVRLittleEndian), T(0x0008, 0x1155), "UI", []byte("1.2.3"))
	in := []el{
		{SpecificCharacterSet, "CS", []byte("ISO_IR 192")},
		{StudyDate, "DA", []byte("20240131")},
		{PatientName, "PN", []byte("Doe^Jane")},
		{PatientID, "LO", []byte("P1")},
		{T(0x0028, 0x0010), "US", []byte{0, 2}},
		{T(0x0029, 0x1010), "OB", bytes.Repeat([]byte{7}, 70000)},
		{PixelData, "OW", []byte{1, 2, 3, 4}},
	}
	for _, ts := range []string{ImplicitVRLittleEndian, ExplicitVRLittleEndian, ExplicitVRBigEndian} {
		syn := SyntaxOf(ts)
		var b []byte
		for _, e := range in {
			b = AppendElement(b, syn, e.tag, e.vr, e.v)
		}
		if !syn.BigEndian {
			itemHdr := appendHeader(nil, syn, Item, "", uint32(len(item)))
			b = AppendElement(b[:0:0], syn, T(0x0008, 0x1199), "SQ", append(itemHdr, item...))
			for _, e := range in {
				b = AppendElement(b, syn, e.tag, e.vr, e.v)
			}
		}
		got, err := scanAll(b, syn)
		if err != nil {
			t.Fatalf("%s: %v", SyntaxName(ts), err)
		}
		if !syn.BigEndian {
			if got[0].Tag != T(0x0008, 0x1199) || (!syn.Implicit && got[0].VR != "SQ") {
				t.Errorf("%s: sequence scanned as %v %s", SyntaxName(ts), got[0].Tag, got[0].VR)
			}
			got = got[1:]
		}
		if len(got) != len(in) {
			t.Fatalf("%s: %d elements, want %d", SyntaxName(ts), len(got), len(in))
		}
		for i, e := range in {
			want := e.v
			if len(want)%2 == 1 {
				want = append(append([]byte(nil), want...), padByte(e.vr))
			}
			if got[i].Tag != e.tag || !bytes.Equal(got[i].Value, want) || !syn.Implicit && got[i].VR != e.vr {
				t.Errorf("%s: %v %s %q, want %v %s %q", SyntaxName(ts), got[i].Tag, got[i].VR, got[i].Value, e.tag, e.vr, want)
			}
		}
	}
}

// TestScannerAllocatesNothing: scanning, sequences included, allocates
// nothing (DIMSE decodes a command set per received instance with it).
func TestScannerAllocatesNothing(t *testing.T) {
	syn := SyntaxOf(ExplicitVRLittleEndian)
	item := AppendElement(nil, syn, T(0x0008, 0x1155), "UI", []byte("1.2.3"))
	b := AppendElement(nil, syn, StudyDate, "DA", []byte("20240131"))
	b = AppendElement(b, syn, T(0x0008, 0x1199), "SQ", append(appendHeader(nil, syn, Item, "", uint32(len(item))), item...))
	b = AppendElement(b, syn, PatientName, "PN", []byte("Doe^Jane"))
	n := testing.AllocsPerRun(100, func() {
		s := NewScanner(b, syn)
		for s.Next() {
		}
		if s.Err() != nil {
			t.Fatal(s.Err())
		}
	})
	if n != 0 {
		t.Errorf("%v allocations per scan, want 0", n)
	}
}

// TestScannerMalformed: structure errors are ParseErrors with the
// package's sentinels.
func TestScannerMalformed(t *testing.T) {
	syn := SyntaxOf(ExplicitVRLittleEndian)
	undefSQ := []byte{8, 0, 0x99, 0x11, 'S', 'Q', 0, 0, 0xFF, 0xFF, 0xFF, 0xFF}
	undefItem := []byte{0xFE, 0xFF, 0x00, 0xE0, 0xFF, 0xFF, 0xFF, 0xFF}
	var deep []byte
	for range MaxDepth + 2 {
		deep = append(append(deep, undefSQ...), undefItem...)
	}
	cases := []struct {
		name string
		in   []byte
		want error
	}{
		{"truncated header", []byte{8, 0, 0x20, 0, 'D'}, ErrTruncated},
		{"length past the end", []byte{8, 0, 0x20, 0, 'D', 'A', 8, 0, '2', '0'}, ErrBadLength},
		{"bad VR", []byte{8, 0, 0x20, 0, 'd', 'a', 0, 0}, ErrBadVR},
		{"too deep", deep, ErrTooDeep},
		{"unterminated", append(undefSQ, undefItem...), ErrTruncated},
		{"delimiter at top level", []byte{0xFE, 0xFF, 0x0D, 0xE0, 0, 0, 0, 0}, ErrBadSequence},
		{"fragment of undefined length", append([]byte{0xE0, 0x7F, 0x10, 0, 'O', 'B', 0, 0, 0xFF, 0xFF, 0xFF, 0xFF}, undefItem...), ErrBadLength},
	}
	for _, tc := range cases {
		_, err := scanAll(tc.in, syn)
		var pe *ParseError
		if !errors.Is(err, tc.want) || !errors.As(err, &pe) {
			t.Errorf("%s: %v, want a ParseError with %v", tc.name, err, tc.want)
		}
	}
}

// TestInflateLimit: a deflated set that inflates beyond the limit is
// refused with ErrInflateLimit; one within it comes back whole.
func TestInflateLimit(t *testing.T) {
	plain := bytes.Repeat([]byte("0123456789abcdef"), 4096)
	z := DeflateDataSet(plain)
	if got, err := InflateDataSet(z, int64(len(plain))); err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("inflate at the limit: %v (%d bytes)", err, len(got))
	}
	if _, err := InflateDataSet(z, int64(len(plain))-1); !errors.Is(err, ErrInflateLimit) {
		t.Errorf("inflate over the limit: %v, want ErrInflateLimit", err)
	}
	if _, err := InflateDataSet([]byte("not deflate at all"), 1<<20); err == nil {
		t.Error("garbage inflated without error")
	}
}

// FuzzScan scans arbitrary bytes in each transfer syntax (deflated ones
// through InflateDataSet). What scans must write again with AppendElement
// and scan back to the same tags and values.
func FuzzScan(f *testing.F) {
	for _, rel := range []string{"transfer_syntax/ct1_implicit_le.dcm", "charset/chrSQEncoding1.dcm", "rt/rtstruct.dcm", "transfer_syntax/ct1_explicit_big_endian.dcm"} {
		b, err := os.ReadFile(corpus.Path(f, rel))
		if err != nil {
			f.Fatal(err)
		}
		file, err := ParseBytes(b)
		if err != nil {
			f.Fatal(err)
		}
		b = b[file.DataSetOffset:]
		if len(b) > 16<<10 {
			b = b[:16<<10]
		}
		f.Add(b, uint8(0))
		f.Add(b, uint8(1))
		f.Add(b, uint8(2))
	}
	f.Add(DeflateDataSet(AppendElement(nil, SyntaxOf(ExplicitVRLittleEndian), PatientID, "LO", []byte("P1"))), uint8(3))
	tss := []string{ImplicitVRLittleEndian, ExplicitVRLittleEndian, ExplicitVRBigEndian, DeflatedExplicitVRLittleEndian}
	f.Fuzz(func(t *testing.T, b []byte, which uint8) {
		syn := SyntaxOf(tss[int(which)%len(tss)])
		if syn.Deflated {
			var err error
			if b, err = InflateDataSet(b, 1<<20); err != nil {
				return
			}
		}
		got, err := scanAll(b, syn)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error is not a ParseError: %v", err)
			}
			return
		}
		var again []byte
		for _, e := range got {
			again = AppendElement(again, syn, e.Tag, e.VR, e.Value)
		}
		back, err := scanAll(again, syn)
		if err != nil {
			t.Fatalf("re-written elements do not scan: %v", err)
		}
		if len(back) != len(got) {
			t.Fatalf("%d elements, %d after writing again", len(got), len(back))
		}
		for i := range got {
			if back[i].Tag != got[i].Tag || !bytes.HasPrefix(back[i].Value, got[i].Value) {
				t.Fatalf("%v differs after writing again", got[i].Tag)
			}
		}
	})
}
