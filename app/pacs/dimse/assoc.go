package dimse

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"discdesk/viewer/dcm"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"slices"
	"sync/atomic"
	"time"
)

// Implementation identity sent in every A-ASSOCIATE (PS3.7 D.3.3.2): the
// same as in the files DiscDesk writes.
const (
	ImplClassUID = dcm.DiscDeskImplementationClassUID
	ImplVersion  = dcm.DiscDeskImplementationVersion
)

// Defaults for the limits.
const (
	DefaultMaxPDU  = 256 << 10 // the largest PDU we accept, announced to peers
	DefaultARTIM   = 10 * time.Second
	DefaultRequest = 3 * time.Second
	DefaultIdle    = 60 * time.Second
	maxCommandSize = 64 << 10
	maxAssocPDU    = 256 << 10 // A-ASSOCIATE-RQ/AC bodies
	minPDU         = 4096
	maxPDUCeiling  = 16 << 20 // the largest receive limit this side will use

	// MinPeerPDU is the smallest Maximum PDU Length (PS3.8 D.1) a peer may
	// announce. Anything lower (1..5 cannot even carry a PDV header; 6 a
	// PDV without data) is refused: as acceptor with A-ASSOCIATE-RJ, as
	// requestor with A-ABORT. Zero means "no limit" and is allowed.
	MinPeerPDU = 1024
)

// Limits bound what a peer can make this side wait for or allocate.
type Limits struct {
	MaxPDU uint32        // largest P-DATA-TF accepted and announced; 0 = DefaultMaxPDU
	ARTIM  time.Duration // wait for association set-up and release; 0 = DefaultARTIM
	Idle   time.Duration // longest silence while associated; 0 = DefaultIdle
	// Request bounds how long an acceptor waits, after the connection
	// (and any TLS handshake) opened, for the whole A-ASSOCIATE-RQ; 0 =
	// DefaultRequest, and never longer than ARTIM. Kept short so idle or
	// trickling connections cannot hold the listener's room.
	Request time.Duration
}

func (l Limits) withDefaults() Limits {
	if l.MaxPDU == 0 {
		l.MaxPDU = DefaultMaxPDU
	}
	if l.MaxPDU < minPDU {
		l.MaxPDU = minPDU
	}
	if l.MaxPDU > maxPDUCeiling {
		l.MaxPDU = maxPDUCeiling
	}
	if l.ARTIM == 0 {
		l.ARTIM = DefaultARTIM
	}
	if l.Idle == 0 {
		l.Idle = DefaultIdle
	}
	if l.Request == 0 {
		l.Request = DefaultRequest
	}
	l.Request = min(l.Request, l.ARTIM)
	return l
}

// PresentationContext is an accepted presentation context.
type PresentationContext struct {
	ID             byte
	AbstractSyntax string
	TransferSyntax string
}

// Association is one open DICOM association over a connection. It is used
// by one goroutine at a time.
type Association struct {
	conn      net.Conn
	br        *bufio.Reader
	limits    Limits
	maxSend   uint32 // the peer's maximum PDU length (0 = none)
	CallingAE string
	CalledAE  string
	// Contexts holds the accepted presentation contexts by ID.
	Contexts map[byte]*PresentationContext
	// Roles holds the role selections the acceptor agreed to.
	Roles []RoleSelection

	rbuf   []byte // current P-DATA-TF body
	rpos   int
	wbuf   []byte
	closed bool
	intr   atomic.Bool
	msgID  uint16
	stop   func() bool
}

// RemoteAddr is the peer's network address.
func (a *Association) RemoteAddr() net.Addr { return a.conn.RemoteAddr() }

// NextMessageID returns a fresh Message ID for a request.
func (a *Association) NextMessageID() uint16 {
	a.msgID++
	if a.msgID == 0 {
		a.msgID = 1
	}
	return a.msgID
}

// ContextFor returns the first accepted context for the abstract syntax,
// preferring the given transfer syntaxes in order when any are given.
func (a *Association) ContextFor(abstract string, prefer ...string) (*PresentationContext, error) {
	var best *PresentationContext
	rank := len(prefer) + 1
	for _, pc := range a.sortedContexts() {
		if pc.AbstractSyntax != abstract {
			continue
		}
		r := slices.Index(prefer, pc.TransferSyntax)
		if r < 0 {
			r = len(prefer)
		}
		if r < rank {
			best, rank = pc, r
		}
	}
	if best == nil {
		return nil, fmt.Errorf("%w for %s", ErrNoContext, abstract)
	}
	return best, nil
}

func (a *Association) sortedContexts() []*PresentationContext {
	out := make([]*PresentationContext, 0, len(a.Contexts))
	for _, pc := range a.Contexts {
		out = append(out, pc)
	}
	slices.SortFunc(out, func(x, y *PresentationContext) int { return int(x.ID) - int(y.ID) })
	return out
}

// DialOptions describe an association this side requests (as SCU).
type DialOptions struct {
	CallingAE, CalledAE string
	Contexts            []ContextRQ
	Roles               []RoleSelection
	Limits              Limits
	TLS                 *tls.Config // nil = plain TCP
}

// Dial opens a connection to addr and negotiates an association (PS3.8
// 7.1). A rejection gives a *RejectError.
func Dial(ctx context.Context, addr string, o DialOptions) (*Association, error) {
	l := o.Limits.withDefaults()
	d := net.Dialer{Timeout: l.ARTIM}
	var conn net.Conn
	var err error
	if o.TLS != nil {
		td := tls.Dialer{NetDialer: &d, Config: o.TLS}
		conn, err = td.DialContext(ctx, "tcp", addr)
	} else {
		conn, err = d.DialContext(ctx, "tcp", addr)
	}
	if err != nil {
		return nil, fmt.Errorf("associate with %s: %w", addr, err)
	}
	a, err := associate(ctx, conn, l, o)
	if err != nil {
		return nil, fmt.Errorf("associate with %s as %s: %w", addr, o.CalledAE, err)
	}
	return a, nil
}

// associate runs the requestor side of association establishment on an
// open connection; on error the connection is closed.
func associate(ctx context.Context, conn net.Conn, l Limits, o DialOptions) (*Association, error) {
	a := newAssociation(conn, l)
	a.CallingAE, a.CalledAE = o.CallingAE, o.CalledAE
	a.watch(ctx)
	if err := a.request(o); err != nil {
		a.Close()
		return nil, err
	}
	return a, nil
}

func newAssociation(conn net.Conn, l Limits) *Association {
	return &Association{conn: conn, br: bufio.NewReaderSize(conn, 64<<10), limits: l, Contexts: map[byte]*PresentationContext{}}
}

// watch closes the connection's deadlines when ctx ends, so a blocked read
// or write returns.
func (a *Association) watch(ctx context.Context) {
	a.stop = context.AfterFunc(ctx, func() { a.conn.SetDeadline(time.Unix(1, 0)) })
}

func (a *Association) request(o DialOptions) error {
	rq := &AssociateRQ{
		ProtocolVersion: 1, CalledAE: o.CalledAE, CallingAE: o.CallingAE,
		AppContext: ApplicationContext, Contexts: o.Contexts,
		UserInfo: UserInfo{MaxPDULength: a.limits.MaxPDU, ImplClassUID: ImplClassUID, ImplVersion: ImplVersion, Roles: o.Roles},
	}
	if err := a.write(rq.Encode(), a.limits.ARTIM); err != nil {
		return err
	}
	a.conn.SetReadDeadline(time.Now().Add(a.limits.ARTIM))
	t, body, err := readPDU(a.br, maxAssocPDU, nil)
	if err != nil {
		return err
	}
	switch t {
	case TypeAssociateAC:
		ac, err := DecodeAssociateAC(body)
		if err != nil {
			a.abortLocal(AbortInvalidParmValue)
			return err
		}
		if err := checkPeerPDU(ac.UserInfo.MaxPDULength); err != nil {
			a.abortLocal(AbortInvalidParmValue)
			return err
		}
		proposed := map[byte]ContextRQ{}
		for _, c := range o.Contexts {
			proposed[c.ID] = c
		}
		for _, c := range ac.Contexts {
			p, ok := proposed[c.ID]
			if !ok || c.Result != ResultAcceptance {
				continue
			}
			if !slices.Contains(p.TransferSyntaxes, c.TransferSyntax) {
				a.abortLocal(AbortInvalidParmValue)
				return fmt.Errorf("%w: context %d accepted with transfer syntax %s that was not proposed", ErrProtocol, c.ID, c.TransferSyntax)
			}
			a.Contexts[c.ID] = &PresentationContext{ID: c.ID, AbstractSyntax: p.AbstractSyntax, TransferSyntax: c.TransferSyntax}
		}
		a.maxSend = ac.UserInfo.MaxPDULength
		a.Roles = ac.UserInfo.Roles
		return nil
	case TypeAssociateRJ:
		v, err := decodeFour(t, body)
		if err != nil {
			return err
		}
		return &RejectError{Reject{Result: v[1], Source: v[2], Reason: v[3]}}
	case TypeAbort:
		v, _ := decodeFour(t, body)
		return &AbortError{Source: v[2], Reason: v[3]}
	}
	a.abortLocal(AbortUnexpectedPDU)
	return fmt.Errorf("%w: %v in answer to A-ASSOCIATE-RQ", ErrProtocol, t)
}

// Acceptor decides on association requests (as SCP).
type Acceptor struct {
	// Check returns nil to go on, or the rejection to send (calling or
	// called AE title not recognized, local limit exceeded, ...).
	Check func(rq *AssociateRQ, remote net.Addr) *Reject
	// Abstract reports whether an abstract syntax is supported.
	Abstract func(uid string) bool
	// Transfer reports whether a transfer syntax is accepted for an
	// abstract syntax; the peer's first acceptable proposal wins.
	Transfer func(abstract, ts string) bool
	// Received, when set, is called once the A-ASSOCIATE-RQ has arrived
	// whole and decoded, before Check.
	Received func()
	Limits   Limits
}

// Accept runs the acceptor side of association establishment on conn: it
// waits for an A-ASSOCIATE-RQ no longer than the ARTIM timeout, then answers
// with A-ASSOCIATE-AC or -RJ. On rejection or error the connection is closed.
func (acc *Acceptor) Accept(conn net.Conn) (*Association, error) {
	l := acc.Limits.withDefaults()
	a := newAssociation(conn, l)
	conn.SetReadDeadline(time.Now().Add(l.Request))
	t, body, err := readPDU(a.br, maxAssocPDU, nil)
	if err != nil {
		if r, ok := abortReason(err); ok {
			a.abortLocal(r)
		} else {
			a.Close()
		}
		return nil, fmt.Errorf("accept association: %w", err)
	}
	if t != TypeAssociateRQ {
		a.abortLocal(AbortUnexpectedPDU)
		return nil, fmt.Errorf("accept association: %w: %v before A-ASSOCIATE-RQ", ErrProtocol, t)
	}
	rq, err := DecodeAssociateRQ(body)
	if err != nil {
		a.abortLocal(AbortInvalidParmValue)
		return nil, fmt.Errorf("accept association: %w", err)
	}
	if acc.Received != nil {
		acc.Received()
	}
	a.CallingAE, a.CalledAE = rq.CallingAE, rq.CalledAE
	if err := checkPeerPDU(rq.UserInfo.MaxPDULength); err != nil {
		rj := Reject{RejectPermanent, SourceServiceProviderACSE, ReasonNoReason}
		a.write(rj.Encode(), l.ARTIM)
		a.drainFor(l.Request)
		return nil, fmt.Errorf("accept association from %q: %w: %w", rq.CallingAE, &RejectError{rj}, err)
	}
	rj := acc.check(rq, conn.RemoteAddr())
	if rj != nil {
		a.write(rj.Encode(), l.ARTIM)
		a.drainFor(l.Request)
		return nil, fmt.Errorf("accept association from %q: %w", rq.CallingAE, &RejectError{*rj})
	}
	ac := &AssociateAC{
		ProtocolVersion: 1, CalledAE: rq.CalledAE, CallingAE: rq.CallingAE, AppContext: ApplicationContext,
		UserInfo: UserInfo{MaxPDULength: l.MaxPDU, ImplClassUID: ImplClassUID, ImplVersion: ImplVersion},
	}
	for _, pc := range rq.Contexts {
		res := ContextAC{ID: pc.ID, Result: ResultAbstractNotSupported}
		if acc.Abstract(pc.AbstractSyntax) {
			res.Result = ResultTransferNotSupported
			for _, ts := range pc.TransferSyntaxes {
				if acc.Transfer(pc.AbstractSyntax, ts) {
					res.Result, res.TransferSyntax = ResultAcceptance, ts
					a.Contexts[pc.ID] = &PresentationContext{ID: pc.ID, AbstractSyntax: pc.AbstractSyntax, TransferSyntax: ts}
					break
				}
			}
		}
		ac.Contexts = append(ac.Contexts, res)
	}
	a.maxSend = rq.UserInfo.MaxPDULength
	if err := a.write(ac.Encode(), l.ARTIM); err != nil {
		a.Close()
		return nil, fmt.Errorf("accept association: %w", err)
	}
	return a, nil
}

func (acc *Acceptor) check(rq *AssociateRQ, remote net.Addr) *Reject {
	if rq.ProtocolVersion&1 == 0 {
		return &Reject{RejectPermanent, SourceServiceProviderACSE, ReasonProtocolVersion}
	}
	if rq.AppContext != ApplicationContext {
		return &Reject{RejectPermanent, SourceServiceUser, ReasonAppContextNotSupported}
	}
	if acc.Check != nil {
		return acc.Check(rq, remote)
	}
	return nil
}

// drain waits (ARTIM) for the peer to close after a rejection, abort or
// release reply, then closes (PS3.8 9.2, states Sta13).
func (a *Association) drain() { a.drainFor(a.limits.ARTIM) }

// drainFor is drain with its own wait: a rejected requestor gets only the
// short request timeout, so rejected connections do not pile up.
func (a *Association) drainFor(d time.Duration) {
	a.conn.SetReadDeadline(time.Now().Add(d))
	io.Copy(io.Discard, io.LimitReader(a.br, 1<<20))
	a.Close()
}

func (a *Association) write(b []byte, timeout time.Duration) error {
	a.conn.SetWriteDeadline(time.Now().Add(timeout))
	_, err := a.conn.Write(b)
	if err != nil {
		return fmt.Errorf("write PDU: %w", err)
	}
	return nil
}

// Close closes the connection without any PDU.
func (a *Association) Close() error {
	if a.closed {
		return nil
	}
	a.closed = true
	if a.stop != nil {
		a.stop()
	}
	return a.conn.Close()
}

// Abort sends A-ABORT (source service user) and closes.
func (a *Association) Abort() {
	if !a.closed {
		a.write(encodeAbort(AbortSourceUser, AbortNotSpecified), time.Second)
	}
	a.Close()
}

// abortLocal sends A-ABORT as service provider with the reason and closes.
func (a *Association) abortLocal(reason byte) {
	if !a.closed {
		a.write(encodeAbort(AbortSourceProvider, reason), time.Second)
	}
	a.Close()
}

// Release asks the peer to release the association and waits (ARTIM) for
// A-RELEASE-RP (PS3.8 7.2).
func (a *Association) Release() error {
	if a.closed {
		return nil
	}
	defer a.Close()
	if err := a.write(releaseRQ, a.limits.ARTIM); err != nil {
		return fmt.Errorf("release: %w", err)
	}
	for {
		a.conn.SetReadDeadline(time.Now().Add(a.limits.ARTIM))
		t, body, err := readPDU(a.br, a.limits.MaxPDU, a.rbuf[:0])
		if err != nil {
			return fmt.Errorf("release: %w", err)
		}
		switch t {
		case TypeReleaseRP:
			return nil
		case TypePDataTF:
			continue // late data from the peer: PS3.8 allows it before RP
		case TypeAbort:
			v, _ := decodeFour(t, body)
			return fmt.Errorf("release: %w", &AbortError{Source: v[2], Reason: v[3]})
		case TypeReleaseRQ:
			// Release collision (PS3.8 9.2, Sta9-12): the requestor answers.
			a.write(releaseRP, a.limits.ARTIM)
		default:
			a.abortLocal(AbortUnexpectedPDU)
			return fmt.Errorf("release: %w: %v", ErrProtocol, t)
		}
	}
}

// ReplyRelease answers a peer's A-RELEASE-RQ (after ReadCommand returned
// ErrReleased) and closes once the peer has (ARTIM).
func (a *Association) ReplyRelease() {
	if a.closed {
		return
	}
	a.write(releaseRP, a.limits.ARTIM)
	a.drain()
}

type pdv struct {
	ctx     byte
	command bool
	last    bool
	data    []byte
}

// nextPDV returns the next PDV, reading P-DATA-TF PDUs as needed. Any other
// PDU ends the exchange: A-RELEASE-RQ gives ErrReleased, A-ABORT an
// *AbortError, anything else aborts the association.
func (a *Association) nextPDV() (pdv, error) {
	for a.rpos >= len(a.rbuf) {
		if a.intr.Load() {
			return pdv{}, a.fail(AbortNotSpecified, ErrInterrupted)
		}
		a.conn.SetReadDeadline(time.Now().Add(a.limits.Idle))
		if a.br.Buffered() == 0 {
			quickAck(a.conn)
		}
		t, body, err := readPDU(a.br, a.limits.MaxPDU, a.rbuf[:0])
		if err != nil {
			if r, ok := abortReason(err); ok {
				return pdv{}, a.fail(r, err)
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() || errors.Is(err, os.ErrDeadlineExceeded) {
				return pdv{}, a.fail(AbortNotSpecified, fmt.Errorf("idle timeout: %w", err))
			}
			a.Close()
			return pdv{}, err
		}
		switch t {
		case TypePDataTF:
			if len(body) == 0 {
				return pdv{}, a.fail(AbortInvalidParmValue, fmt.Errorf("%w: empty P-DATA-TF", ErrMalformedPDU))
			}
			a.rbuf, a.rpos = body, 0
		case TypeReleaseRQ:
			a.rbuf, a.rpos = body[:0], 0
			return pdv{}, ErrReleased
		case TypeAbort:
			v, _ := decodeFour(t, body)
			a.Close()
			return pdv{}, &AbortError{Source: v[2], Reason: v[3]}
		default:
			return pdv{}, a.fail(AbortUnexpectedPDU, fmt.Errorf("%w: %v during data transfer", ErrProtocol, t))
		}
	}
	b := a.rbuf[a.rpos:]
	if len(b) < 6 {
		return pdv{}, a.fail(AbortInvalidParmValue, fmt.Errorf("%w: %d bytes left for a PDV", ErrMalformedPDU, len(b)))
	}
	n := binary.BigEndian.Uint32(b)
	if n < 2 || uint64(n) > uint64(len(b)-4) {
		return pdv{}, a.fail(AbortInvalidParmValue, fmt.Errorf("%w: PDV length %d with %d bytes left", ErrMalformedPDU, n, len(b)-4))
	}
	p := pdv{ctx: b[4], command: b[5]&1 != 0, last: b[5]&2 != 0, data: b[6 : 4+n]}
	a.rpos += 4 + int(n)
	if _, ok := a.Contexts[p.ctx]; !ok {
		return pdv{}, a.fail(AbortInvalidParmValue, fmt.Errorf("%w: PDV on presentation context %d that was not accepted", ErrProtocol, p.ctx))
	}
	return p, nil
}

// fail aborts the association as service provider and returns the error.
func (a *Association) fail(reason byte, cause error) error {
	a.abortLocal(reason)
	return &AbortError{Source: AbortSourceProvider, Reason: reason, Local: true, Cause: cause}
}

// ReadCommand reads the next command set. It returns the presentation
// context and the command; when cmd.HasData the caller must read the data
// set with ReadData next.
func (a *Association) ReadCommand() (*PresentationContext, *Command, error) {
	var buf []byte
	var ctx byte
	for {
		p, err := a.nextPDV()
		if err != nil {
			return nil, nil, err
		}
		if !p.command {
			return nil, nil, a.fail(AbortUnexpectedParm, fmt.Errorf("%w: data PDV where a command was expected", ErrProtocol))
		}
		if buf != nil && p.ctx != ctx {
			return nil, nil, a.fail(AbortUnexpectedParm, fmt.Errorf("%w: command fragments on contexts %d and %d", ErrProtocol, ctx, p.ctx))
		}
		ctx = p.ctx
		if len(buf)+len(p.data) > maxCommandSize {
			return nil, nil, a.fail(AbortInvalidParmValue, ErrCommandTooLarge)
		}
		buf = append(buf, p.data...)
		if p.last {
			break
		}
	}
	cmd, err := DecodeCommand(buf)
	if err != nil {
		return nil, nil, a.fail(AbortInvalidParmValue, err)
	}
	return a.Contexts[ctx], cmd, nil
}

// ReadData copies the data set following a command to w, PDV by PDV.
func (a *Association) ReadData(pc *PresentationContext, w io.Writer) (int64, error) {
	var total int64
	for {
		p, err := a.nextPDV()
		if err != nil {
			return total, err
		}
		if p.command || p.ctx != pc.ID {
			return total, a.fail(AbortUnexpectedParm, fmt.Errorf("%w: command PDV or context %d inside a data set on context %d", ErrProtocol, p.ctx, pc.ID))
		}
		n, err := w.Write(p.data)
		total += int64(n)
		if err != nil {
			return total, fmt.Errorf("read data set: %w", err)
		}
		if p.last {
			return total, nil
		}
	}
}

// checkPeerPDU refuses a peer's Maximum PDU Length below MinPeerPDU.
func checkPeerPDU(n uint32) error {
	if n != 0 && n < MinPeerPDU {
		return fmt.Errorf("%w: peer announced Maximum PDU Length %d, below the minimum %d", ErrPeerPDUTooSmall, n, MinPeerPDU)
	}
	return nil
}

// maxData is the largest PDV value that fits the peer's maximum PDU length
// (the PDU carries a 6-byte PDV header: length, context, control). A peer
// with no limit, or a higher one than ours, gets PDUs of our own size.
func (a *Association) maxData() int {
	m := a.maxSend
	if m == 0 || m > a.limits.MaxPDU {
		m = a.limits.MaxPDU
	}
	if m < MinPeerPDU {
		m = MinPeerPDU // never reached: negotiation refuses such peers
	}
	return int(m) - 6
}

// WriteMessage sends a command and, when data is not nil, the data set of
// size bytes read from data.
func (a *Association) WriteMessage(pc *PresentationContext, cmd *Command, data io.Reader, size int64) error {
	cmd.HasData = data != nil
	if err := a.writePDVs(pc.ID, true, newBytesReader(cmd.Encode())); err != nil {
		return err
	}
	if data == nil {
		return nil
	}
	return a.writePDVs(pc.ID, false, io.LimitReader(data, size))
}

type sizedReader interface {
	io.Reader
	Len() int
}

func (a *Association) writePDVs(ctx byte, command bool, r io.Reader) error {
	max := a.maxData()
	if max <= 0 {
		return fmt.Errorf("write message: %w: no room for data in a PDU", ErrPeerPDUTooSmall)
	}
	if cap(a.wbuf) < max+12 {
		a.wbuf = make([]byte, max+12)
	}
	buf := a.wbuf[:max+12]
	// Read one chunk ahead so the last fragment is known before it is sent.
	n, err := io.ReadFull(r, buf[12:])
	for {
		last := false
		switch {
		case err == io.EOF || err == io.ErrUnexpectedEOF:
			last = true
		case err != nil:
			return fmt.Errorf("write message: read data: %w", err)
		default:
			// A full chunk: last only if nothing follows.
			if br, ok := r.(sizedReader); ok && br.Len() == 0 {
				last = true
			} else if lr, ok := r.(*io.LimitedReader); ok && lr.N == 0 {
				last = true
			}
		}
		mch := byte(0)
		if command {
			mch |= 1
		}
		if last {
			mch |= 2
		}
		buf[0] = byte(TypePDataTF)
		buf[1] = 0
		binary.BigEndian.PutUint32(buf[2:], uint32(n+6))
		binary.BigEndian.PutUint32(buf[6:], uint32(n+2))
		buf[10], buf[11] = ctx, mch
		if werr := a.write(buf[:12+n], a.limits.Idle); werr != nil {
			a.Close()
			return werr
		}
		if last {
			return nil
		}
		n, err = io.ReadFull(r, buf[12:])
		if err == io.EOF {
			// The previous chunk ended exactly at the end but was not flagged:
			// send an empty last fragment.
			n, err = 0, io.EOF
		}
	}
}

func newBytesReader(b []byte) io.Reader { return bytes.NewReader(b) }

// AbortWith aborts the association as service provider with the reason
// (PS3.8 Table 9-26) and returns an *AbortError carrying cause.
func (a *Association) AbortWith(reason byte, cause error) error { return a.fail(reason, cause) }

// Interrupt makes a blocked or later read on the association fail, so the
// goroutine serving it aborts. Unlike the other methods it is safe to call
// from another goroutine.
func (a *Association) Interrupt() {
	a.intr.Store(true)
	a.conn.SetReadDeadline(time.Unix(1, 0))
}

// abortReason maps a PDU reader error to the A-ABORT reason of PS3.8 Table
// 9-26; ok is false for transport errors.
func abortReason(err error) (byte, bool) {
	switch {
	case errors.Is(err, ErrUnrecognizedPDU):
		return AbortUnrecognizedPDU, true
	case errors.Is(err, ErrPDUTooLarge), errors.Is(err, ErrMalformedPDU):
		return AbortInvalidParmValue, true
	}
	return 0, false
}
