package dimse

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"testing"
	"time"
)

// scriptConn is a connection whose peer's bytes are given in advance; what
// this side writes is counted and dropped. Deadlines are ignored: the
// script ends with io.EOF instead of a timeout.
type scriptConn struct {
	r       *bytes.Reader
	written int64
}

func (c *scriptConn) Read(p []byte) (int, error) { return c.r.Read(p) }
func (c *scriptConn) Write(p []byte) (int, error) {
	c.written += int64(len(p))
	if c.written > 64<<20 {
		return 0, errWroteTooMuch
	}
	return len(p), nil
}
func (c *scriptConn) Close() error        { return nil }
func (c *scriptConn) LocalAddr() net.Addr { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 104} }
func (c *scriptConn) RemoteAddr() net.Addr {
	return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 40000}
}
func (c *scriptConn) SetDeadline(time.Time) error      { return nil }
func (c *scriptConn) SetReadDeadline(time.Time) error  { return nil }
func (c *scriptConn) SetWriteDeadline(time.Time) error { return nil }

// errWroteTooMuch stops a side that writes without end (the Maximum PDU
// Length 6 loop of empty PDVs).
var errWroteTooMuch = errors.New("side wrote more than 64 MiB for a small input")

// echoPDU is a P-DATA-TF carrying a C-ECHO-RQ on context 1.
func echoPDU(field uint16) []byte {
	cmd := (&Command{Field: field, MessageID: 1, RespondingTo: 1, AffectedSOPClass: "1.2.840.10008.1.1"}).Encode()
	b := []byte{byte(TypePDataTF), 0}
	b = binary.BigEndian.AppendUint32(b, uint32(len(cmd)+6))
	b = binary.BigEndian.AppendUint32(b, uint32(len(cmd)+2))
	b = append(b, 1, 3) // context 1, command, last
	return append(b, cmd...)
}

func rqWithMaxPDU(n uint32) []byte {
	rq := sampleRQ()
	rq.UserInfo.MaxPDULength = n
	return rq.Encode()
}

func acWithMaxPDU(n uint32) []byte {
	ac := &AssociateAC{ProtocolVersion: 1, CalledAE: "DISCDESK", CallingAE: "MODALITY", AppContext: ApplicationContext,
		Contexts: []ContextAC{{ID: 1, Result: ResultAcceptance, TransferSyntax: ImplicitVRLittleEndian}},
		UserInfo: UserInfo{MaxPDULength: n, ImplClassUID: "1.2.3"}}
	return ac.Encode()
}

// hostileMaxPDUs are the Maximum PDU Lengths of issue 15.1 (1..6 broke the
// writer) and the edges around them.
var hostileMaxPDUs = []uint32{0, 1, 2, 3, 4, 5, 6, 7, 12, MinPeerPDU - 1, MinPeerPDU, 0xFFFFFFFF}

// runBounded fails the test when fn does not return within 10 s.
func runBounded(t *testing.T, fn func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { defer close(done); fn() }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("did not return within 10 s (a loop)")
	}
}

// acceptorSide serves a scripted peer the way the Storage SCP does: accept,
// then answer every request until the peer releases, aborts or breaks off.
func acceptorSide(t *testing.T, data []byte) *scriptConn {
	conn := &scriptConn{r: bytes.NewReader(data)}
	acc := &Acceptor{
		Abstract: func(string) bool { return true },
		Transfer: func(_, ts string) bool { return ts == ImplicitVRLittleEndian || ts == ExplicitVRLittleEndian },
	}
	runBounded(t, func() {
		a, err := acc.Accept(conn)
		if err != nil {
			return
		}
		for {
			pc, cmd, err := a.ReadCommand()
			if errors.Is(err, ErrReleased) {
				a.ReplyRelease()
				return
			}
			if err != nil {
				return
			}
			if cmd.HasData {
				if _, err := a.ReadData(pc, io.Discard); err != nil {
					return
				}
			}
			if cmd.IsResponse() {
				a.Abort()
				return
			}
			rsp := &Command{Field: cmd.Field | 0x8000, RespondingTo: cmd.MessageID, AffectedSOPClass: pc.AbstractSyntax}
			if err := a.WriteMessage(pc, rsp, bytes.NewReader(bytes.Repeat([]byte{0}, 3000)), 3000); err != nil {
				if errors.Is(err, errWroteTooMuch) {
					t.Fatal(err)
				}
				return
			}
		}
	})
	return conn
}

// requestorSide runs the SCU against a scripted acceptor: associate, send a
// C-ECHO-RQ with a data set, read the answer, release.
func requestorSide(t *testing.T, data []byte) {
	conn := &scriptConn{r: bytes.NewReader(data)}
	o := DialOptions{CallingAE: "DISCDESK", CalledAE: "PACS", Contexts: []ContextRQ{{ID: 1, AbstractSyntax: "1.2.840.10008.1.1", TransferSyntaxes: []string{ImplicitVRLittleEndian}}}}
	runBounded(t, func() {
		a, err := associate(context.Background(), conn, Limits{}.withDefaults(), o)
		if err != nil {
			return
		}
		defer a.Close()
		pc, err := a.ContextFor("1.2.840.10008.1.1")
		if err != nil {
			return
		}
		cmd := &Command{Field: CEchoRQ, MessageID: a.NextMessageID(), AffectedSOPClass: pc.AbstractSyntax}
		if err := a.WriteMessage(pc, cmd, bytes.NewReader(make([]byte, 5000)), 5000); err != nil {
			if errors.Is(err, errWroteTooMuch) {
				t.Fatal(err)
			}
			return
		}
		for range 4 {
			rpc, rsp, err := a.ReadCommand()
			if err != nil {
				return
			}
			if rsp.HasData {
				if _, err := a.ReadData(rpc, io.Discard); err != nil {
					return
				}
			}
		}
		a.Release()
	})
}

// TestHostileMaxPDULengthAcceptor: a requestor announcing Maximum PDU
// Length 1..1023 is rejected (not answered with PDUs of zero or negative
// room); 0, 1024 and 2^32-1 get a working association.
func TestHostileMaxPDULengthAcceptor(t *testing.T) {
	for _, n := range hostileMaxPDUs {
		conn := acceptorSide(t, append(rqWithMaxPDU(n), echoPDU(CEchoRQ)...))
		acc := &Acceptor{Abstract: func(string) bool { return true }, Transfer: func(_, ts string) bool { return true }}
		_, err := acc.Accept(&scriptConn{r: bytes.NewReader(rqWithMaxPDU(n))})
		refused := n != 0 && n < MinPeerPDU
		if refused != errors.Is(err, ErrPeerPDUTooSmall) || refused && !errors.Is(err, ErrRejected) {
			t.Errorf("max PDU %d: accept gave %v", n, err)
		}
		if !refused && conn.written < 3000 {
			t.Errorf("max PDU %d: only %d bytes answered", n, conn.written)
		}
	}
}

// TestHostileMaxPDULengthRequestor: an acceptor announcing Maximum PDU
// Length 1..1023 makes the SCU abort with ErrPeerPDUTooSmall.
func TestHostileMaxPDULengthRequestor(t *testing.T) {
	o := DialOptions{CallingAE: "DISCDESK", CalledAE: "PACS", Contexts: []ContextRQ{{ID: 1, AbstractSyntax: "1.2.840.10008.1.1", TransferSyntaxes: []string{ImplicitVRLittleEndian}}}}
	for _, n := range hostileMaxPDUs {
		requestorSide(t, append(acWithMaxPDU(n), echoPDU(CEchoRSP)...))
		_, err := associate(context.Background(), &scriptConn{r: bytes.NewReader(acWithMaxPDU(n))}, Limits{}.withDefaults(), o)
		refused := n != 0 && n < MinPeerPDU
		if refused != errors.Is(err, ErrPeerPDUTooSmall) || !refused && err != nil {
			t.Errorf("max PDU %d: associate gave %v", n, err)
		}
	}
}

// FuzzAcceptor feeds arbitrary bytes to the acceptor side (association
// negotiation, then the PDU and PDV reader and the command decoder): it
// must neither panic nor loop.
func FuzzAcceptor(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	for _, n := range hostileMaxPDUs {
		f.Add(append(rqWithMaxPDU(n), echoPDU(CEchoRQ)...))
	}
	f.Add(append(append(rqWithMaxPDU(16384), echoPDU(CEchoRQ)...), releaseRQ...))
	f.Add([]byte("GET / HTTP/1.1\r\n\r\n"))
	f.Add(append(rqWithMaxPDU(16384), byte(TypePDataTF), 0, 0, 0, 0, 6, 0, 0, 0, 2, 1, 3))
	f.Fuzz(func(t *testing.T, data []byte) { acceptorSide(t, data) })
}

// FuzzRequestor feeds arbitrary bytes as the acceptor's answers to the SCU
// side: A-ASSOCIATE-AC/RJ decoding, the PDU reader and response commands.
func FuzzRequestor(f *testing.F) {
	for _, n := range hostileMaxPDUs {
		f.Add(append(acWithMaxPDU(n), echoPDU(CEchoRSP)...))
	}
	f.Add(Reject{RejectPermanent, SourceServiceUser, ReasonCalledAENotRecognized}.Encode())
	f.Add(append(append(acWithMaxPDU(16384), echoPDU(CEchoRSP)...), releaseRP...))
	f.Add(append(acWithMaxPDU(16384), encodeAbort(2, 6)...))
	f.Fuzz(func(t *testing.T, data []byte) { requestorSide(t, data) })
}

// FuzzDecodeCommand: command sets from the wire, including elements
// outside group 0000 (issue 16.2).
func FuzzDecodeCommand(f *testing.F) {
	f.Add((&Command{Field: CGetRSP, RespondingTo: 1, Status: StatusWarningSubOps, HasCounts: true, Completed: 3, Failed: 1}).Encode())
	f.Add(echoPDU(CEchoRQ)[12:])
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := DecodeCommand(data)
		if err != nil {
			return
		}
		if _, err := DecodeCommand(c.Encode()); err != nil {
			t.Fatalf("re-encoded command does not decode: %v", err)
		}
	})
}
