package dimse

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"discdesk/internal/corpus"
)

func sampleRQ() *AssociateRQ {
	return &AssociateRQ{
		ProtocolVersion: 1, CalledAE: "DISCDESK", CallingAE: "MODALITY", AppContext: ApplicationContext,
		Contexts: []ContextRQ{
			{ID: 1, AbstractSyntax: "1.2.840.10008.1.1", TransferSyntaxes: []string{ImplicitVRLittleEndian}},
			{ID: 3, AbstractSyntax: "1.2.840.10008.5.1.4.1.1.2", TransferSyntaxes: []string{ExplicitVRLittleEndian, ImplicitVRLittleEndian}},
		},
		UserInfo: UserInfo{MaxPDULength: 16384, ImplClassUID: ImplClassUID, ImplVersion: ImplVersion,
			Roles: []RoleSelection{{SOPClassUID: "1.2.840.10008.5.1.4.1.1.2", SCP: true}}},
	}
}

func TestAssociatePDURoundTrip(t *testing.T) {
	rq := sampleRQ()
	b := rq.Encode()
	typ, body, err := readPDU(bytes.NewReader(b), 1<<20, nil)
	if err != nil || typ != TypeAssociateRQ {
		t.Fatalf("read: %v %v", typ, err)
	}
	got, err := DecodeAssociateRQ(body)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(rq, got); d != "" {
		t.Errorf("A-ASSOCIATE-RQ round trip (-want +got):\n%s", d)
	}
	ac := &AssociateAC{ProtocolVersion: 1, CalledAE: "DISCDESK", CallingAE: "MODALITY", AppContext: ApplicationContext,
		Contexts: []ContextAC{{ID: 1, Result: ResultAcceptance, TransferSyntax: ImplicitVRLittleEndian}, {ID: 3, Result: ResultAbstractNotSupported}},
		UserInfo: UserInfo{MaxPDULength: 32768, ImplClassUID: ImplClassUID}}
	_, body, _ = readPDU(bytes.NewReader(ac.Encode()), 1<<20, nil)
	gotAC, err := DecodeAssociateAC(body)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(ac, gotAC); d != "" {
		t.Errorf("A-ASSOCIATE-AC round trip (-want +got):\n%s", d)
	}
}

func TestReadPDULimits(t *testing.T) {
	cases := []struct {
		name string
		in   []byte
		want error
	}{
		{"over the limit", []byte{4, 0, 0, 1, 0, 1}, ErrPDUTooLarge},
		{"unknown type", []byte{9, 0, 0, 0, 0, 0}, ErrUnrecognizedPDU},
		{"truncated body", []byte{4, 0, 0, 0, 0, 10, 1, 2}, io.ErrUnexpectedEOF},
	}
	for _, tc := range cases {
		if _, _, err := readPDU(bytes.NewReader(tc.in), 1024, nil); !errorsIs(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
}

func TestCommandRoundTrip(t *testing.T) {
	c := &Command{Field: CMoveRSP, RespondingTo: 7, AffectedSOPClass: "1.2.840.10008.5.1.4.1.2.2.2", Status: StatusPending,
		HasCounts: true, Remaining: 3, Completed: 2, Failed: 1, Warning: 0, ErrorComment: "x"}
	got, err := DecodeCommand(c.Encode())
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(c, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

func errorsIs(err, target error) bool {
	for err != nil {
		if err == target {
			return true
		}
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			return false
		}
		err = u.Unwrap()
	}
	return false
}

// fuzzSeeds are complete byte streams a peer could send: a valid
// association with a C-ECHO and a C-STORE, plus corrupt variants.
func fuzzSeeds(t testing.TB) [][]byte {
	rq := sampleRQ().Encode()
	echo := (&Command{Field: CEchoRQ, MessageID: 1, AffectedSOPClass: "1.2.840.10008.1.1"}).Encode()
	store := (&Command{Field: CStoreRQ, MessageID: 2, AffectedSOPClass: "1.2.840.10008.5.1.4.1.1.2", AffectedSOPInstance: "1.2.3", HasData: true}).Encode()
	pdata := func(ctx, mch byte, data []byte) []byte {
		b := []byte{4, 0, 0, 0, 0, 0, 0, 0, 0, 0, ctx, mch}
		b[5] = byte(len(data) + 6)
		b[2], b[3], b[4] = 0, byte((len(data)+6)>>16), byte((len(data)+6)>>8)
		b[5] = byte(len(data) + 6)
		n := len(data) + 2
		b[6], b[7], b[8], b[9] = byte(n>>24), byte(n>>16), byte(n>>8), byte(n)
		return append(b, data...)
	}
	valid := append(append(append([]byte{}, rq...), pdata(1, 3, echo)...), pdata(3, 3, store)...)
	valid = append(valid, pdata(3, 2, []byte{8, 0, 0x16, 0, 'U', 'I', 2, 0, '1', 0})...)
	valid = append(valid, releaseRQ...)
	seeds := [][]byte{valid, rq, rq[:40], encodeAbort(0, 0), Reject{1, 1, 3}.Encode(), append(rq, 4, 0, 0, 0, 0, 2, 0, 0)}
	if p, err := filepath.Glob(filepath.Join(corpus.Dir(t), "malformed", "*")); err == nil && len(p) > 0 {
		if b, err := os.ReadFile(p[0]); err == nil && len(b) < 1<<16 {
			seeds = append(seeds, append(append([]byte{}, rq...), pdata(3, 2, b)...))
		}
	}
	return seeds
}

// FuzzDecode runs the PDU, command and data set decoders on arbitrary bytes.
func FuzzDecode(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		typ, body, err := readPDU(bytes.NewReader(in), 1<<16, nil)
		if err == nil {
			switch typ {
			case TypeAssociateRQ:
				if rq, err := DecodeAssociateRQ(body); err == nil {
					// What decodes must re-encode to something that decodes alike.
					_, body2, _ := readPDU(bytes.NewReader(rq.Encode()), 1<<20, nil)
					if _, err := DecodeAssociateRQ(body2); err != nil {
						t.Fatalf("re-encoded A-ASSOCIATE-RQ does not decode: %v", err)
					}
				}
			case TypeAssociateAC:
				DecodeAssociateAC(body)
			}
		}
		DecodeCommand(in)
		DecodeElements(in, false)
		DecodeElements(in, true)
	})
}
