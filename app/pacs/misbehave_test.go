package pacs

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"discdesk/app/pacs/dimse"
	"discdesk/internal/corpus"
)

const ctStorage = "1.2.840.10008.5.1.4.1.1.2"

// rawAssociate opens an association by hand (CT Image Storage, Explicit VR
// LE, context 1) and returns the bare connection for misbehaving.
func rawAssociate(t testing.TB, n Node) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", n.Addr())
	if err != nil {
		t.Fatal(err)
	}
	rq := &dimse.AssociateRQ{ProtocolVersion: 1, CalledAE: n.AETitle, CallingAE: callerAE, AppContext: dimse.ApplicationContext,
		Contexts: []dimse.ContextRQ{{ID: 1, AbstractSyntax: ctStorage, TransferSyntaxes: []string{dimse.ExplicitVRLittleEndian}}},
		UserInfo: dimse.UserInfo{MaxPDULength: 16384}}
	if _, err := conn.Write(rq.Encode()); err != nil {
		t.Fatal(err)
	}
	hdr := make([]byte, 6)
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.ReadFull(conn, hdr); err != nil || hdr[0] != byte(dimse.TypeAssociateAC) {
		t.Fatalf("raw associate: %v, PDU %x", err, hdr)
	}
	if _, err := io.CopyN(io.Discard, conn, int64(binary.BigEndian.Uint32(hdr[2:]))); err != nil {
		t.Fatal(err)
	}
	return conn
}

// expectAbort reads until the server's A-ABORT and checks its reason, then
// expects the connection closed.
func expectAbort(t testing.TB, conn net.Conn, source, reason byte) {
	t.Helper()
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	b, _ := io.ReadAll(conn) // the server closes after A-ABORT
	want := []byte{byte(dimse.TypeAbort), 0, 0, 0, 0, 4, 0, 0, source, reason}
	if !bytes.HasSuffix(b, want) {
		t.Fatalf("got % x, want A-ABORT % x", b, want)
	}
}

func TestGarbageBeforeAssociationIsAborted(t *testing.T) {
	_, n, _ := startServer(t, Config{})
	conn, err := net.Dial("tcp", n.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.Write([]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"))
	expectAbort(t, conn, dimse.AbortSourceProvider, dimse.AbortUnrecognizedPDU)
}

func TestOversizePDUIsAbortedWithoutAllocating(t *testing.T) {
	_, n, _ := startServer(t, Config{Limits: dimse.Limits{MaxPDU: 64 << 10}})
	conn := rawAssociate(t, n)
	defer conn.Close()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	// Announce a 2 GiB P-DATA-TF and send only its start.
	conn.Write([]byte{byte(dimse.TypePDataTF), 0, 0x7F, 0xFF, 0xFF, 0xF0, 0, 0, 0, 1})
	expectAbort(t, conn, dimse.AbortSourceProvider, dimse.AbortInvalidParmValue)
	runtime.ReadMemStats(&after)
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 32<<20 {
		t.Errorf("server allocated %d bytes for an oversize PDU", grew)
	}
}

func TestUnparseableDataSetIsRefusedAndNotStored(t *testing.T) {
	_, n, sink := startServer(t, Config{})
	a, err := dimse.Dial(context.Background(), n.Addr(), dimse.DialOptions{CallingAE: callerAE, CalledAE: ourAE,
		Contexts: []dimse.ContextRQ{{ID: 1, AbstractSyntax: ctStorage, TransferSyntaxes: []string{dimse.ExplicitVRLittleEndian}}}})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	pc, err := a.ContextFor(ctStorage)
	if err != nil {
		t.Fatal(err)
	}
	good := dataSetOf(t, corpus.Path(t, "generated", "ct_slice_variants", "ct_explicit_le_source.dcm"))
	m, _, _ := ReadMetaFile(corpus.Path(t, "generated", "ct_slice_variants", "ct_explicit_le_source.dcm"))
	cases := []struct {
		name   string
		data   []byte
		status uint16
	}{
		{"truncated in the pixel data", good[:len(good)-100], dimse.StatusCannotUnderstand},
		{"garbage", bytes.Repeat([]byte{0xFF}, 300), dimse.StatusCannotUnderstand},
		{"other instance than the command", append([]byte(nil), good...), dimse.StatusDataSetMismatch},
		{"the real thing", good, dimse.StatusSuccess},
	}
	for i, tc := range cases {
		inst := m.SOPInstanceUID
		if i == 2 {
			inst = "1.2.3.4"
		}
		cmd := &dimse.Command{Field: dimse.CStoreRQ, MessageID: a.NextMessageID(), AffectedSOPClass: ctStorage, AffectedSOPInstance: inst}
		if err := a.WriteMessage(pc, cmd, bytes.NewReader(tc.data), int64(len(tc.data))); err != nil {
			t.Fatal(err)
		}
		_, rsp, err := a.ReadCommand()
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if rsp.Status != tc.status {
			t.Errorf("%s: status %04X, want %04X", tc.name, rsp.Status, tc.status)
		}
	}
	a.Release()
	if got := countFiles(t, sink.Dir); got != 1 {
		t.Errorf("%d files stored, want only the good one", got)
	}
	assertSpoolEmpty(t, sink)
}

func assertSpoolEmpty(t testing.TB, sink FileSink) {
	t.Helper()
	spool := filepath.Join(filepath.Dir(sink.Dir), "spool")
	var left []os.DirEntry
	// The server deletes a spool file right after the association ends.
	for range 50 {
		left, _ = os.ReadDir(spool)
		if len(left) == 0 {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Errorf("spool folder holds %d leftover files", len(left))
}

// failingReader returns n bytes of r, then an error: a sender dying
// mid-transfer.
type failingReader struct {
	r io.Reader
	n int
}

var errSenderDied = errors.New("sender died")

func (f *failingReader) Read(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, errSenderDied
	}
	if len(p) > f.n {
		p = p[:f.n]
	}
	k, err := f.r.Read(p)
	f.n -= k
	return k, err
}

// disconnectMidTransfer sends half a CT slice and drops the connection.
func disconnectMidTransfer(t testing.TB, n Node, data []byte, inst string) {
	a, err := dimse.Dial(context.Background(), n.Addr(), dimse.DialOptions{CallingAE: callerAE, CalledAE: ourAE,
		Contexts: []dimse.ContextRQ{{ID: 1, AbstractSyntax: ctStorage, TransferSyntaxes: []string{dimse.ExplicitVRLittleEndian}}},
		Limits:   dimse.Limits{MaxPDU: 16384}})
	if err != nil {
		t.Error(err)
		return
	}
	pc, _ := a.ContextFor(ctStorage)
	cmd := &dimse.Command{Field: dimse.CStoreRQ, MessageID: 1, AffectedSOPClass: ctStorage, AffectedSOPInstance: inst}
	err = a.WriteMessage(pc, cmd, &failingReader{bytes.NewReader(data), len(data) / 2}, int64(len(data)))
	if !errors.Is(err, errSenderDied) {
		t.Errorf("write: %v", err)
	}
	a.Close()
}

func TestDisconnectMidTransferStoresNothing(t *testing.T) {
	_, n, sink := startServer(t, Config{})
	src := corpus.Path(t, "generated", "ct_slice_variants", "ct_explicit_le_source.dcm")
	m, _, _ := ReadMetaFile(src)
	disconnectMidTransfer(t, n, dataSetOf(t, src), m.SOPInstanceUID)
	assertSpoolEmpty(t, sink)
	if got := countFiles(t, sink.Dir); got != 0 {
		t.Errorf("%d files stored after a broken transfer", got)
	}
}

func TestSilentPeerIsDroppedAfterARTIM(t *testing.T) {
	_, n, _ := startServer(t, Config{Limits: dimse.Limits{ARTIM: 200 * time.Millisecond}})
	start := time.Now() // before the dial: the server's clock starts at its accept
	conn, err := net.Dial("tcp", n.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.ReadAll(conn); err != nil {
		t.Fatalf("read: %v (want close)", err)
	}
	if d := time.Since(start); d < 150*time.Millisecond || d > 3*time.Second {
		t.Errorf("closed after %v, want about the ARTIM timeout", d)
	}
}

func TestIdlePeerIsAborted(t *testing.T) {
	_, n, _ := startServer(t, Config{Limits: dimse.Limits{Idle: 200 * time.Millisecond}})
	conn := rawAssociate(t, n)
	defer conn.Close()
	expectAbort(t, conn, dimse.AbortSourceProvider, dimse.AbortNotSpecified)
}

func TestAssociationLimitRejectsTransiently(t *testing.T) {
	_, n, _ := startServer(t, Config{MaxAssociations: 1})
	held := rawAssociate(t, n)
	defer held.Close()
	err := (&Client{AETitle: callerAE}).Echo(context.Background(), n)
	var rj *dimse.RejectError
	want := dimse.Reject{Result: dimse.RejectTransient, Source: dimse.SourceServiceProviderPresentn, Reason: dimse.ReasonLocalLimitExceeded}
	if !errors.As(err, &rj) || rj.Reject != want {
		t.Fatalf("second association: %v, want %s", err, want.Describe())
	}
}

// TestTwentyAssociationsWhileOneMisbehaves stores from 20 concurrent
// associations (10 dcmtk storescu processes, 10 of our SCUs) while other
// peers send garbage, oversize PDUs, stall, and hang up mid-transfer.
func TestTwentyAssociationsWhileOneMisbehaves(t *testing.T) {
	// 24 connections from one host (loopback) at once: room for all of
	// them before their A-ASSOCIATE-RQ arrives, so that this test is about
	// misbehaving peers, not the per-host limit (TestIdleConnectionsDoNotLockPeersOut's). With
	// the default of 16, a loaded machine once evicted a storescu still
	// starting up.
	_, n, sink := startServer(t, Config{Limits: dimse.Limits{Idle: 2 * time.Second}, MaxPendingPerHost: 32})
	series, err := filepath.Glob(filepath.Join(corpus.Dir(t), "mr_series", "dcm4che_mr16", "*"))
	if err != nil || len(series) < 10 {
		t.Fatalf("mr series: %v, %d files", err, len(series))
	}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			files := series[i%len(series) : i%len(series)+1]
			if i%2 == 0 {
				args := append([]string{"-aet", callerAE, "-aec", ourAE, n.Host, portArg(n)}, files...)
				if out, err := tool(t, 30*time.Second, "storescu", args...); err != nil {
					errs <- errors.New("storescu: " + err.Error() + "\n" + out)
				}
				return
			}
			res, err := (&Client{AETitle: "OTHER"}).Store(context.Background(), n, files)
			if err == nil && (res[0].Err != nil || res[0].Status != 0) {
				err = res[0].Err
			}
			if err != nil {
				errs <- err
			}
		}()
	}
	src := corpus.Path(t, "generated", "ct_slice_variants", "ct_explicit_le_source.dcm")
	m, _, _ := ReadMetaFile(src)
	ds := dataSetOf(t, src)
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			switch i {
			case 0:
				c, err := net.Dial("tcp", n.Addr())
				if err == nil {
					c.Write(bytes.Repeat([]byte{0x42}, 100000))
					c.Close()
				}
			case 1:
				c := rawAssociate(t, n)
				c.Write([]byte{byte(dimse.TypePDataTF), 0, 0xFF, 0xFF, 0xFF, 0xFF})
				c.Close()
			case 2:
				c := rawAssociate(t, n) // stalls until the idle timeout
				io.ReadAll(c)
				c.Close()
			case 3:
				disconnectMidTransfer(t, n, ds, m.SOPInstanceUID)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got, want := countFiles(t, sink.Dir), min(20, len(series)); got != want {
		t.Errorf("%d distinct files stored, want %d", got, want)
	}
	checkArrivedDump(t, sink, series[:min(20, len(series))])
	if _, err := os.Stat(sink.Path("x", m.SOPInstanceUID)); err == nil {
		t.Error("the broken transfer was stored")
	}
	assertSpoolEmpty(t, sink)
}

// TestHostileMaxPDULengthAgainstServer (issue 15.1): A-ASSOCIATE-RQs with
// Maximum PDU Length 1..6 followed by a C-ECHO are refused with
// A-ASSOCIATE-RJ; the server keeps serving (echoscu still gets through).
func TestHostileMaxPDULengthAgainstServer(t *testing.T) {
	_, n, _ := startServer(t, Config{})
	for maxPDU := uint32(1); maxPDU <= 6; maxPDU++ {
		conn, err := net.Dial("tcp", n.Addr())
		if err != nil {
			t.Fatal(err)
		}
		rq := &dimse.AssociateRQ{ProtocolVersion: 1, CalledAE: n.AETitle, CallingAE: callerAE, AppContext: dimse.ApplicationContext,
			Contexts: []dimse.ContextRQ{{ID: 1, AbstractSyntax: VerificationSOPClass, TransferSyntaxes: []string{dimse.ImplicitVRLittleEndian}}},
			UserInfo: dimse.UserInfo{MaxPDULength: maxPDU}}
		echo := (&dimse.Command{Field: dimse.CEchoRQ, MessageID: 1, AffectedSOPClass: VerificationSOPClass}).Encode()
		pdu := binary.BigEndian.AppendUint32([]byte{byte(dimse.TypePDataTF), 0}, uint32(len(echo)+6))
		pdu = append(binary.BigEndian.AppendUint32(pdu, uint32(len(echo)+2)), 1, 3)
		conn.Write(append(append(rq.Encode(), pdu...), echo...))
		conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		b := make([]byte, 10) // the A-ASSOCIATE-RJ; then the server waits for us to close
		k, _ := io.ReadFull(conn, b)
		b = b[:k]
		conn.Close()
		want := dimse.Reject{Result: dimse.RejectPermanent, Source: dimse.SourceServiceProviderACSE, Reason: dimse.ReasonNoReason}.Encode()
		if !bytes.Equal(b, want) {
			t.Errorf("max PDU %d: got % x, want A-ASSOCIATE-RJ % x", maxPDU, b[:min(len(b), 32)], want)
		}
	}
	if out, err := tool(t, 10*time.Second, "echoscu", "-aet", callerAE, "-aec", ourAE, n.Host, portArg(n)); err != nil {
		t.Fatalf("echoscu after the hostile requests: %v\n%s", err, out)
	}
}

// TestHostileSCPMaxPDULength (issue 15.1, SCU side): an SCP that accepts
// with Maximum PDU Length 1..6 makes echo fail with an error, promptly.
func TestHostileSCPMaxPDULength(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var maxPDU atomic.Uint32
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				c.SetDeadline(time.Now().Add(5 * time.Second))
				hdr := make([]byte, 6)
				if _, err := io.ReadFull(c, hdr); err != nil {
					return
				}
				io.CopyN(io.Discard, c, int64(binary.BigEndian.Uint32(hdr[2:])))
				ac := &dimse.AssociateAC{ProtocolVersion: 1, CalledAE: "HOSTILE", CallingAE: ourAE, AppContext: dimse.ApplicationContext,
					Contexts: []dimse.ContextAC{{ID: 1, Result: dimse.ResultAcceptance, TransferSyntax: dimse.ExplicitVRLittleEndian}},
					UserInfo: dimse.UserInfo{MaxPDULength: maxPDU.Load()}}
				c.Write(ac.Encode())
				io.Copy(io.Discard, c)
			}()
		}
	}()
	node := Node{AETitle: "HOSTILE", Host: "127.0.0.1", Port: ln.Addr().(*net.TCPAddr).Port}
	for v := uint32(1); v <= 6; v++ {
		maxPDU.Store(v)
		start := time.Now()
		err := (&Client{AETitle: ourAE}).Echo(context.Background(), node)
		if !errors.Is(err, dimse.ErrPeerPDUTooSmall) {
			t.Errorf("max PDU %d: echo gave %v", v, err)
		}
		if d := time.Since(start); d > 3*time.Second {
			t.Errorf("max PDU %d: echo took %v", v, d)
		}
	}
}

// TestStartupRemovesSpoolLeftovers (issue 15.13, receive side): a serve
// killed mid-receive leaves .part files; the next start removes those of
// dead processes and keeps a live process's and anything else.
func TestStartupRemovesSpoolLeftovers(t *testing.T) {
	spool := t.TempDir()
	dead := exec.Command("true")
	must(t, dead.Run())
	leftover := filepath.Join(spool, fmt.Sprintf(".rx-%d-123.part", dead.Process.Pid))
	live := filepath.Join(spool, fmt.Sprintf(".rx-%d-456.part", os.Getppid()))
	other := filepath.Join(spool, "keep.dcm")
	for _, p := range []string{leftover, live, other} {
		must(t, os.WriteFile(p, []byte("partial"), 0o600))
	}
	if _, err := NewServer(Config{AETitles: []string{ourAE}, SpoolDir: spool}, FileSink{Dir: t.TempDir()}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(leftover); !os.IsNotExist(err) {
		t.Errorf("leftover of a dead process kept: %v", err)
	}
	for _, p := range []string{live, other} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s removed: %v", filepath.Base(p), err)
		}
	}
}

// TestStoreRefusesMissingOrInvalidStudyUID (issue 15.3): a data set
// without a Study Instance UID gets A900, one whose UID holds a 0xFF byte
// C000; neither is stored, and the log names the reason, not the patient.
func TestStoreRefusesMissingOrInvalidStudyUID(t *testing.T) {
	var logBuf syncBuffer
	_, n, sink := startServer(t, Config{Logger: slog.New(slog.NewTextHandler(&logBuf, nil))})
	src := corpus.Path(t, "generated", "ct_slice_variants", "ct_explicit_le_source.dcm")
	dir := t.TempDir()
	noStudy, badStudy := filepath.Join(dir, "no-study.dcm"), filepath.Join(dir, "bad-study.dcm")
	for _, p := range []string{noStudy, badStudy} {
		b, err := os.ReadFile(src)
		must(t, err)
		must(t, os.WriteFile(p, b, 0o600))
	}
	if out, err := tool(t, 10*time.Second, "dcmodify", "-nb", "-ea", "(0020,000D)", noStudy); err != nil {
		t.Fatalf("dcmodify: %v\n%s", err, out)
	}
	if out, err := tool(t, 10*time.Second, "dcmodify", "-nb", "-m", "(0020,000D)=1.2.3\xff4", badStudy); err != nil {
		t.Fatalf("dcmodify: %v\n%s", err, out)
	}
	res, err := (&Client{AETitle: callerAE}).Store(context.Background(), n, []string{noStudy, badStudy})
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Status != dimse.StatusDataSetMismatch || res[1].Status != dimse.StatusCannotUnderstand {
		t.Errorf("statuses %04X, %04X; want A900 (no study UID), C000 (invalid study UID)", res[0].Status, res[1].Status)
	}
	// dcmtk's storescu sees the failure too.
	out, _ := tool(t, 10*time.Second, "storescu", "-v", "-aet", callerAE, "-aec", ourAE, n.Host, portArg(n), badStudy)
	if !strings.Contains(out, "Error: CannotUnderstand") {
		t.Errorf("storescu did not report the failure:\n%s", lastLines(out, 8))
	}
	if got := countFiles(t, sink.Dir); got != 0 {
		t.Errorf("%d files stored", got)
	}
	logs := logBuf.String()
	for _, want := range []string{"no Study Instance UID (0020,000D)", "Study Instance UID (0020,000D): not a valid UID: byte 0xFF"} {
		if !strings.Contains(logs, want) {
			t.Errorf("log lacks %q:\n%s", want, logs)
		}
	}
	if strings.Contains(logs, "HEAD") {
		t.Errorf("log names the patient:\n%s", logs)
	}
}

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
