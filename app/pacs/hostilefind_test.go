package pacs

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"discdesk/app/pacs/dimse"
)

// hostileFindSCP accepts one association and answers a C-FIND with a
// pending response whose identifier never ends (it streams P-DATA until
// the caller hangs up); it returns the node and how many identifier bytes
// it managed to send.
func hostileFindSCP(t *testing.T) (Node, func() int64) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	sent := make(chan int64, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			sent <- 0
			return
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(20 * time.Second))
		pdu := func() (byte, []byte, error) {
			hdr := make([]byte, 6)
			if _, err := io.ReadFull(c, hdr); err != nil {
				return 0, nil, err
			}
			body := make([]byte, binary.BigEndian.Uint32(hdr[2:]))
			_, err := io.ReadFull(c, body)
			return hdr[0], body, err
		}
		if _, _, err := pdu(); err != nil { // A-ASSOCIATE-RQ
			sent <- 0
			return
		}
		ac := &dimse.AssociateAC{ProtocolVersion: 1, CalledAE: "HOSTILE", CallingAE: ourAE, AppContext: dimse.ApplicationContext,
			Contexts: []dimse.ContextAC{{ID: 1, Result: dimse.ResultAcceptance, TransferSyntax: dimse.ExplicitVRLittleEndian}},
			UserInfo: dimse.UserInfo{MaxPDULength: 16384}}
		c.Write(ac.Encode())
		// The C-FIND-RQ: its command, then its identifier's last fragment.
		var cmd []byte
		for done := false; !done; {
			typ, body, err := pdu()
			if err != nil || typ != 0x04 {
				sent <- 0
				return
			}
			for len(body) >= 6 {
				n := binary.BigEndian.Uint32(body)
				ctrl, data := body[5], body[6:4+n]
				if ctrl&1 != 0 {
					cmd = append(cmd, data...)
				} else if ctrl&2 != 0 {
					done = true
				}
				body = body[4+n:]
			}
		}
		rq, err := dimse.DecodeCommand(cmd)
		if err != nil {
			sent <- 0
			return
		}
		pdv := func(ctrl byte, data []byte) []byte {
			b := []byte{0x04, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, ctrl}
			binary.BigEndian.PutUint32(b[2:], uint32(6+len(data)))
			binary.BigEndian.PutUint32(b[6:], uint32(2+len(data)))
			return append(b, data...)
		}
		rsp := &dimse.Command{Field: dimse.CFindRSP, RespondingTo: rq.MessageID, AffectedSOPClass: rq.AffectedSOPClass, Status: dimse.StatusPending, HasData: true}
		if _, err := c.Write(pdv(0x03, rsp.Encode())); err != nil {
			sent <- 0
			return
		}
		chunk := pdv(0x00, bytes.Repeat([]byte{'A'}, 16000)) // data, never the last fragment
		var n int64
		for {
			if _, err := c.Write(chunk); err != nil {
				sent <- n
				return
			}
			n += 16000
			if n > 1<<30 {
				sent <- n
				return
			}
		}
	}()
	node := Node{AETitle: "HOSTILE", Host: "127.0.0.1", Port: ln.Addr().(*net.TCPAddr).Port}
	return node, func() int64 { return <-sent }
}

// A PACS answering a query with an identifier that never ends gets an
// error once it passes maxIdentifier; the desk does not hold it in memory.
func TestFindRefusesAnEndlessIdentifier(t *testing.T) {
	node, sent := hostileFindSCP(t)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	_, err := (&Client{AETitle: ourAE}).FindStudies(ctx, node, StudyRoot, StudyFilter{PatientID: "X"})
	if !errors.Is(err, errIdentifierTooLarge) {
		t.Fatalf("find gave %v, want the identifier refused as too large", err)
	}
	if n := sent(); n > 4*maxIdentifier {
		t.Fatalf("the peer sent %d bytes before the find gave up (limit %d)", n, maxIdentifier)
	}
}
