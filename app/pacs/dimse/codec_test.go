package dimse

import (
	"bytes"
	"encoding/binary"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"discdesk/viewer/dcm"
)

// sampleCommands cover every field Encode writes.
var sampleCommands = []*Command{
	benchStoreRQ, benchStoreRSP,
	{Field: CEchoRQ, MessageID: 1, AffectedSOPClass: "1.2.840.10008.1.1"},
	{Field: CFindRQ, MessageID: 3, AffectedSOPClass: "1.2.840.10008.5.1.4.1.2.2.1", Priority: 2, HasData: true},
	{Field: CMoveRQ, MessageID: 4, AffectedSOPClass: "1.2.840.10008.5.1.4.1.2.2.2", MoveDestination: "DISCDESK", HasData: true},
	{Field: CMoveRSP, RespondingTo: 7, AffectedSOPClass: "1.2.840.10008.5.1.4.1.2.2.2", Status: StatusPending,
		HasCounts: true, Remaining: 3, Completed: 2, Failed: 1, Warning: 4, ErrorComment: "odd"},
	{Field: CStoreRQ, MessageID: 9, AffectedSOPClass: "1.2.840.10008.5.1.4.1.1.7", AffectedSOPInstance: "1.2.3",
		HasData: true, MoveOriginatorAE: "PACS", MoveOriginatorID: 4},
	{Field: CGetRQ, MessageID: 5, RequestedSOPClass: "1.2.3.4", AffectedSOPClass: "1.2.840.10008.5.1.4.1.2.2.3", HasData: true},
}

// referenceEncode is the command set built the way Encode did before it
// wrote straight into one buffer: through Elements, sorted by Set.
func referenceEncode(c *Command) []byte {
	var es Elements
	str := func(t Tag, vr, s string) {
		if s != "" {
			es.SetString(t, vr, s)
		}
	}
	str(tagAffectedSOPClass, "UI", c.AffectedSOPClass)
	str(tagRequestedSOPClass, "UI", c.RequestedSOPClass)
	es.SetUint16(tagCommandField, c.Field)
	if c.IsResponse() {
		es.SetUint16(tagRespondingTo, c.RespondingTo)
		es.SetUint16(tagStatus, c.Status)
		str(tagErrorComment, "LO", c.ErrorComment)
	} else {
		es.SetUint16(tagMessageID, c.MessageID)
		switch c.Field {
		case CStoreRQ, CFindRQ, CMoveRQ, CGetRQ:
			es.SetUint16(tagPriority, c.Priority)
		}
	}
	str(tagMoveDestination, "AE", c.MoveDestination)
	es.SetUint16(tagDataSetType, map[bool]uint16{true: dataSetPresent, false: dataSetAbsent}[c.HasData])
	str(tagAffectedSOPInstance, "UI", c.AffectedSOPInstance)
	if c.HasCounts {
		es.SetUint16(tagRemaining, c.Remaining)
		es.SetUint16(tagCompleted, c.Completed)
		es.SetUint16(tagFailed, c.Failed)
		es.SetUint16(tagWarning, c.Warning)
	}
	if c.MoveOriginatorAE != "" {
		str(tagMoveOriginatorAE, "AE", c.MoveOriginatorAE)
		es.SetUint16(tagMoveOriginatorID, c.MoveOriginatorID)
	}
	body := es.EncodeImplicit()
	b := []byte{0, 0, 0, 0, 4, 0, 0, 0}
	b = binary.LittleEndian.AppendUint32(b, uint32(len(body)))
	return append(b, body...)
}

// TestCommandEncodeDecode: Encode writes the same bytes as the Elements
// path (tags ascending, group length right), and what it writes decodes
// to the same command.
func TestCommandEncodeDecode(t *testing.T) {
	for _, c := range sampleCommands {
		b := c.Encode()
		if want := referenceEncode(c); !bytes.Equal(b, want) {
			t.Errorf("%#04x: Encode\n%x\nwant\n%x", c.Field, b, want)
		}
		got, err := DecodeCommand(b)
		if err != nil {
			t.Fatalf("%#04x: %v", c.Field, err)
		}
		if d := cmp.Diff(c, got); d != "" {
			t.Errorf("%#04x round trip (-want +got):\n%s", c.Field, d)
		}
	}
}

// TestCommandNoPerElementAllocs guards the C-STORE path: decoding a
// command set allocates the Command and the strings it keeps, encoding one
// buffer, however many elements there are.
func TestCommandNoPerElementAllocs(t *testing.T) {
	in := benchStoreRQ.Encode()
	if n := testing.AllocsPerRun(100, func() { DecodeCommand(in) }); n > 3 {
		t.Errorf("DecodeCommand: %v allocations, want <= 3 (Command, class and instance UIDs)", n)
	}
	if n := testing.AllocsPerRun(100, func() { benchStoreRSP.Encode() }); n > 1 {
		t.Errorf("Encode: %v allocations, want 1", n)
	}
}

// TestCommandFailedInstances: a Failed SOP Instance UID List a peer puts in
// the command set (Orthanc's C-GET-RSP) is read; other non-command
// elements are ignored.
func TestCommandFailedInstances(t *testing.T) {
	b := (&Command{Field: CGetRSP, RespondingTo: 1, Status: StatusWarningSubOps}).Encode()
	b = dcm.AppendElement(b, implicitLE, T(0x0008, 0x0054), "AE", []byte("X"))
	b = dcm.AppendElement(b, implicitLE, TagFailedSOPInstanceUIDList, "UI", []byte(`1.2.3\1.2.4`))
	c, err := DecodeCommand(b)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]string{"1.2.3", "1.2.4"}, c.FailedSOPInstances); d != "" {
		t.Errorf("failed list (-want +got):\n%s", d)
	}
}

// items encodes one item holding es, in syn (explicit or implicit LE),
// with a defined or undefined length.
func items(es Elements, syn dcm.Syntax, undefined bool) []byte {
	body := es.appendTo(nil, syn)
	if undefined {
		b := []byte{0xFE, 0xFF, 0x00, 0xE0, 0xFF, 0xFF, 0xFF, 0xFF}
		b = append(b, body...)
		return append(b, 0xFE, 0xFF, 0x0D, 0xE0, 0, 0, 0, 0)
	}
	b := binary.LittleEndian.AppendUint32([]byte{0xFE, 0xFF, 0x00, 0xE0}, uint32(len(body)))
	return append(b, body...)
}

// TestDataSetRoundTrip: an identifier with text, binary and sequence
// values encodes and decodes back equal in every transfer syntax DiscDesk
// negotiates.
func TestDataSetRoundTrip(t *testing.T) {
	for _, ts := range []string{ImplicitVRLittleEndian, ExplicitVRLittleEndian, ExplicitVRBigEndian, DeflatedExplicitVRLE} {
		syn := dcm.SyntaxOf(ts)
		var item Elements
		item.SetString(T(0x0008, 0x1150), "UI", "1.2.840.10008.5.1.4.1.1.2")
		item.SetString(T(0x0008, 0x1155), "UI", "1.2.3.4.5")
		es := benchIdentifier()
		es.SetUint16(T(0x0028, 0x0010), 512)
		es.Set(T(0x0020, 0x0013), "IS", []byte("7 "))
		if !syn.BigEndian {
			// Items keep their encoding: only byte orders alike nest them.
			es.Set(T(0x0008, 0x1199), "SQ", append(items(item, syn, false), items(item, syn, true)...))
		}
		if syn.Implicit {
			for i := range es {
				es[i].VR = "" // not encoded in Implicit VR
			}
		}
		b := es.Encode(ts)
		got, err := DecodeDataSet(b, ts)
		if err != nil {
			t.Fatalf("%s: %v", dcm.SyntaxName(ts), err)
		}
		if d := cmp.Diff(es, got); d != "" {
			t.Errorf("%s round trip (-want +got):\n%s", dcm.SyntaxName(ts), d)
		}
		if again := got.Encode(ts); !bytes.Equal(again, b) && !syn.Deflated {
			t.Errorf("%s: re-encoding the decoded set differs", dcm.SyntaxName(ts))
		}
	}
}

// TestDataSetUndefinedSequence: a sequence of undefined length comes back
// as its items, which encode again as a sequence of defined length that
// decodes alike.
func TestDataSetUndefinedSequence(t *testing.T) {
	var item Elements
	item.SetString(T(0x0010, 0x0020), "LO", "PID")
	b := dcm.AppendElement(nil, explicitLE, T(0x0008, 0x0052), "CS", []byte("STUDY "))
	b = append(b, 0x08, 0x00, 0x99, 0x11, 'S', 'Q', 0, 0, 0xFF, 0xFF, 0xFF, 0xFF)
	b = append(b, items(item, explicitLE, true)...)
	b = append(b, 0xFE, 0xFF, 0xDD, 0xE0, 0, 0, 0, 0)
	es, err := DecodeElements(b, true)
	if err != nil {
		t.Fatal(err)
	}
	sq := es.Get(T(0x0008, 0x1199))
	if sq == nil || sq.VR != "SQ" || !bytes.Equal(sq.Value, items(item, explicitLE, true)) {
		t.Fatalf("sequence = %+v", sq)
	}
	again, err := DecodeElements(es.EncodeExplicit(), true)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(es, again); d != "" {
		t.Errorf("(-first +again):\n%s", d)
	}
}

// TestDecodeMalformed: what a peer could send that does not parse gives
// ErrMalformedData saying what is wrong, never a panic.
func TestDecodeMalformed(t *testing.T) {
	hdr := func(g, e uint16, vr string, n uint16) []byte {
		b := binary.LittleEndian.AppendUint16(nil, g)
		b = binary.LittleEndian.AppendUint16(b, e)
		b = append(b, vr...)
		return binary.LittleEndian.AppendUint16(b, n)
	}
	undefSQ := func(g, e uint16) []byte {
		b := binary.LittleEndian.AppendUint16(nil, g)
		b = binary.LittleEndian.AppendUint16(b, e)
		return append(b, 'S', 'Q', 0, 0, 0xFF, 0xFF, 0xFF, 0xFF)
	}
	// a sequence of 8 bytes whose item declares 16
	overrun := []byte{8, 0, 0x99, 0x11, 'S', 'Q', 0, 0, 8, 0, 0, 0, 0xFE, 0xFF, 0x00, 0xE0, 16, 0, 0, 0}
	overrun = append(overrun, make([]byte, 16)...)
	undefItem := []byte{0xFE, 0xFF, 0x00, 0xE0, 0xFF, 0xFF, 0xFF, 0xFF}
	var deep []byte
	for range dcm.MaxDepth + 2 {
		deep = append(append(deep, undefSQ(0x0008, 0x1199)...), undefItem...)
	}
	cases := []struct {
		name     string
		in       []byte
		explicit bool
		want     string
	}{
		{"short header", []byte{8, 0, 0x20, 0}, true, "bytes left for an element header"},
		{"length past the end", append(hdr(8, 0x20, "DA", 100), "2024"...), true, "only 4 bytes left"},
		{"implicit length past the end", []byte{0, 0, 0, 1, 0xF0, 0xFF, 0xFF, 0x7F, 1, 0}, false, "bytes left"},
		{"bad VR", append(hdr(8, 0x20, "d1", 2), "20"...), true, "invalid value representation"},
		{"out of order", append(append(hdr(0x10, 0x10, "PN", 2), "A "...), append(hdr(8, 0x20, "DA", 2), "20"...)...), true, "out of order"},
		{"short VR, 0xFFFF", []byte{8, 0, 0x20, 0, 'D', 'A', 0xFF, 0xFF}, true, "65535 bytes declared"},
		{"undefined length UT", []byte{8, 0, 0x20, 0, 'U', 'T', 0, 0, 0xFF, 0xFF, 0xFF, 0xFF}, true, "undefined length on a UT"},
		{"unterminated sequence", append(undefSQ(8, 0x1199), undefItem...), true, "bytes left"},
		{"nested too deep", deep, true, "nested too deeply"},
		{"stray delimiter", []byte{0xFE, 0xFF, 0xDD, 0xE0, 0, 0, 0, 0}, false, "outside a sequence"},
		{"not an item", append(undefSQ(8, 0x1199), hdr(8, 0x20, "DA", 0)...), true, "where an item was expected"},
		{"item past its sequence", overrun, true, "item of 16 bytes, only 0 bytes left"},
	}
	for _, tc := range cases {
		_, err := DecodeElements(tc.in, tc.explicit)
		if !errors.Is(err, ErrMalformedData) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want ErrMalformedData with %q", tc.name, err, tc.want)
		}
	}
}

// FuzzDecodeDataSet: identifiers from the wire in every negotiated
// transfer syntax. What decodes must encode and decode back equal.
func FuzzDecodeDataSet(f *testing.F) {
	es := benchIdentifier()
	for _, ts := range []string{ImplicitVRLittleEndian, ExplicitVRLittleEndian, ExplicitVRBigEndian, DeflatedExplicitVRLE} {
		f.Add(es.Encode(ts), byte(0))
	}
	f.Add(append(benchIdentifier().EncodeExplicit(), items(es, explicitLE, true)...), byte(1))
	f.Add(benchStoreRQ.Encode(), byte(0))
	tss := []string{ImplicitVRLittleEndian, ExplicitVRLittleEndian, ExplicitVRBigEndian, DeflatedExplicitVRLE}
	f.Fuzz(func(t *testing.T, in []byte, which byte) {
		ts := tss[int(which)%len(tss)]
		got, err := DecodeDataSet(in, ts)
		if err != nil {
			if !errors.Is(err, ErrMalformedData) {
				t.Fatalf("error without ErrMalformedData: %v", err)
			}
			return
		}
		again, err := DecodeDataSet(got.Encode(ts), ts)
		if err != nil {
			t.Fatalf("re-encoded data set does not decode: %v", err)
		}
		if len(again) != len(got) {
			t.Fatalf("%d elements, %d after a round trip", len(got), len(again))
		}
		for i := range got {
			a, b := got[i], again[i]
			if a.Tag != b.Tag || !bytes.Equal(b.Value[:len(a.Value)], a.Value) {
				t.Fatalf("element %v differs after a round trip: %q / %q", a.Tag, a.Value, b.Value)
			}
		}
	})
}
