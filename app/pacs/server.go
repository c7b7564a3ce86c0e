package pacs

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"discdesk/app/pacs/dimse"
)

// Caller is a peer allowed to open associations: its calling AE title and,
// when Host is set, the address it must come from (an IP or a host name
// resolved at check time).
type Caller struct {
	AETitle string
	Host    string
}

// ParseCallers parses "AE[@HOST],AE[@HOST]..." as given on the command line.
func ParseCallers(s string) ([]Caller, error) {
	var out []Caller
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		ae, host, _ := strings.Cut(f, "@")
		if err := checkAETitle(ae); err != nil {
			return nil, err
		}
		out = append(out, Caller{AETitle: ae, Host: host})
	}
	return out, nil
}

// ErrBadAETitle means an AE title is empty, too long or has a backslash or
// control character (PS3.5 6.2, VR AE).
var ErrBadAETitle = errors.New("invalid AE title")

func checkAETitle(ae string) error {
	if ae == "" || len(ae) > 16 || strings.TrimSpace(ae) == "" {
		return fmt.Errorf("%w: %q", ErrBadAETitle, ae)
	}
	for _, c := range ae {
		if c < 0x20 || c == '\\' || c > 0x7E {
			return fmt.Errorf("%w: %q", ErrBadAETitle, ae)
		}
	}
	return nil
}

// Config configures the Storage SCP.
type Config struct {
	// AETitles are the called AE titles this node answers to; the first is
	// its own, others (such as an auto-burn AE, DISCDESK_BURN) are aliases.
	AETitles []string
	// Callers may open associations; an empty list rejects everyone unless
	// AnyCaller is set.
	Callers   []Caller
	AnyCaller bool
	// TLS, when set, makes the listener speak TLS (PS3.15 B.1).
	TLS *tls.Config
	// MaxAssociations bounds concurrent associations (default 32). When a
	// caller is listed with a Host, a quarter of them (at least one) is
	// kept for connections from those hosts.
	MaxAssociations int
	// MaxPending bounds connections, from hosts not named in Callers, that
	// have not yet sent a whole A-ASSOCIATE-RQ (default 64); a new one
	// beyond it closes the oldest of them. MaxPendingPerHost bounds them
	// per remote address, allowlisted hosts included (default 16): a new
	// connection beyond it closes that host's oldest. So idle or garbage
	// connections can neither lock out a new peer nor pile up; how long
	// one may stay pending is Limits.Request.
	MaxPending, MaxPendingPerHost int
	// Limits bounds PDU size, set-up/release time (ARTIM) and idle time.
	Limits dimse.Limits
	// SpoolDir receives objects while they arrive; put it on the sink's file
	// system so MoveTo is a rename. Default os.TempDir().
	SpoolDir string
	// Logger receives association events without patient data; nil is silent.
	Logger *slog.Logger
}

// Server is the Storage and Verification SCP.
type Server struct {
	cfg  Config
	recv receiver

	mu          sync.Mutex
	ln          net.Listener
	active      map[*dimse.Association]struct{}
	open        int // connections being served (handshake included)
	pending     map[net.Conn]*pendingConn
	pendingHost map[string]int
	strangers   int             // pending connections from hosts not allowlisted
	seq         uint64          // accept order of pending connections
	allowHosts  map[string]bool // addresses of the Callers that name a Host
	reserved    int             // association slots kept for allowlisted hosts
	closed      bool
	wg          sync.WaitGroup
	ctx         context.Context
	cancel      context.CancelFunc
}

// NewServer checks cfg and returns a server that hands objects to sink.
func NewServer(cfg Config, sink Sink) (*Server, error) {
	if len(cfg.AETitles) == 0 {
		return nil, fmt.Errorf("new server: %w: no AE title", ErrBadAETitle)
	}
	for _, ae := range cfg.AETitles {
		if err := checkAETitle(ae); err != nil {
			return nil, fmt.Errorf("new server: %w", err)
		}
	}
	if cfg.MaxAssociations <= 0 {
		cfg.MaxAssociations = 32
	}
	if cfg.MaxPending <= 0 {
		cfg.MaxPending = 64
	}
	if cfg.MaxPendingPerHost <= 0 {
		cfg.MaxPendingPerHost = 16
	}
	if cfg.SpoolDir == "" {
		cfg.SpoolDir = os.TempDir()
	}
	if err := os.MkdirAll(cfg.SpoolDir, 0o700); err != nil {
		return nil, fmt.Errorf("new server: spool folder: %w", err)
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if n, err := cleanSpool(cfg.SpoolDir); err != nil {
		log.Warn("spool: leftovers not removed", "err", err)
	} else if n > 0 {
		log.Info("spool: removed partly received objects left by an earlier run", "files", n)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{
		cfg:    cfg,
		recv:   receiver{spoolDir: cfg.SpoolDir, spool: newSpoolAhead(ctx, cfg.SpoolDir), sink: sink, log: log},
		active: map[*dimse.Association]struct{}{},
		ctx:    ctx, cancel: cancel,
		pending: map[net.Conn]*pendingConn{}, pendingHost: map[string]int{},
		allowHosts: allowlistedHosts(ctx, cfg.Callers),
	}
	if len(s.allowHosts) > 0 {
		s.reserved = max(1, cfg.MaxAssociations/4)
	}
	return s, nil
}

// pendingConn is a connection whose A-ASSOCIATE-RQ has not arrived yet.
type pendingConn struct {
	conn    net.Conn
	host    string
	seq     uint64
	allowed bool
}

// allowlistedHosts resolves the hosts named in callers (an IP as is, a
// name by a lookup bounded to two seconds).
func allowlistedHosts(ctx context.Context, callers []Caller) map[string]bool {
	out := map[string]bool{}
	for _, c := range callers {
		if c.Host == "" {
			continue
		}
		if ip := net.ParseIP(c.Host); ip != nil {
			out[ip.String()] = true
			continue
		}
		lctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		addrs, err := net.DefaultResolver.LookupHost(lctx, c.Host)
		cancel()
		if err == nil {
			for _, a := range addrs {
				out[a] = true
			}
		}
	}
	return out
}

func hostOf(a net.Addr) string {
	if ta, ok := a.(*net.TCPAddr); ok {
		return ta.IP.String()
	}
	h, _, _ := net.SplitHostPort(a.String())
	return h
}

// hardConnLimit bounds open connections of any kind (file descriptors);
// pending ones are bounded far below it by eviction.
const hardConnLimit = 1024

// admit registers a new connection as pending, closing the oldest pending
// connection of its host, or of the strangers, to make room. It reports
// false when the connection was refused. Called with s.mu held.
func (s *Server) admit(conn net.Conn) bool {
	if s.closed || s.open >= hardConnLimit {
		return false
	}
	host := hostOf(conn.RemoteAddr())
	allowed := s.allowHosts[host]
	if s.pendingHost[host] >= s.cfg.MaxPendingPerHost {
		s.evictOldest(func(p *pendingConn) bool { return p.host == host })
	} else if !allowed && s.strangers >= s.cfg.MaxPending {
		s.evictOldest(func(p *pendingConn) bool { return !p.allowed })
	}
	s.seq++
	s.pending[conn] = &pendingConn{conn: conn, host: host, seq: s.seq, allowed: allowed}
	s.pendingHost[host]++
	if !allowed {
		s.strangers++
	}
	return true
}

// evictOldest closes the oldest pending connection that match selects.
func (s *Server) evictOldest(match func(*pendingConn) bool) {
	var old *pendingConn
	for _, p := range s.pending {
		if match(p) && (old == nil || p.seq < old.seq) {
			old = p
		}
	}
	if old != nil {
		s.unpend(old.conn)
		old.conn.Close()
	}
}

// unpend removes a connection from the pending set (once its request has
// arrived, or when it ends). Called with s.mu held.
func (s *Server) unpend(conn net.Conn) {
	p := s.pending[conn]
	if p == nil {
		return
	}
	delete(s.pending, conn)
	if s.pendingHost[p.host]--; s.pendingHost[p.host] <= 0 {
		delete(s.pendingHost, p.host)
	}
	if !p.allowed {
		s.strangers--
	}
}

// ListenAndServe listens on addr ("127.0.0.1:11112") and serves until Close.
func (s *Server) ListenAndServe(addr string) error {
	ln, err := s.Listen(addr)
	if err != nil {
		return err
	}
	return s.Serve(ln)
}

// Listen opens the listening socket (TLS when configured) without serving,
// so a caller can learn the port before Serve.
func (s *Server) Listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	return ln, nil
}

// Serve accepts connections on ln until Close. It returns nil after Close.
func (s *Server) Serve(ln net.Listener) error {
	if s.cfg.TLS != nil {
		ln = tls.NewListener(ln, s.cfg.TLS)
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		ln.Close()
		return nil
	}
	s.ln = ln
	s.mu.Unlock()
	var backoff time.Duration
	for {
		conn, err := ln.Accept()
		if err != nil {
			s.mu.Lock()
			closed := s.closed
			s.mu.Unlock()
			if closed {
				return nil
			}
			if errors.Is(err, net.ErrClosed) {
				return fmt.Errorf("serve: %w", err)
			}
			// Out of file descriptors or a connection reset before it was
			// accepted: wait a little and go on, as net/http does.
			backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
			s.recv.log.Warn("accept failed; retrying", "err", err, "in", backoff)
			time.Sleep(backoff)
			continue
		}
		backoff = 0
		s.mu.Lock()
		if !s.admit(conn) {
			s.mu.Unlock()
			conn.Close()
			continue
		}
		s.open++
		s.wg.Add(1)
		s.mu.Unlock()
		go s.serveConn(conn)
	}
}

// Addr is the listening address (nil before Serve).
func (s *Server) Addr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln == nil {
		return nil
	}
	return s.ln.Addr()
}

// Close stops accepting, aborts open associations and waits for them.
func (s *Server) Close() error {
	s.mu.Lock()
	s.closed = true
	var err error
	if s.ln != nil {
		err = s.ln.Close()
	}
	for a := range s.active {
		a.Interrupt()
	}
	s.mu.Unlock()
	s.cancel()
	s.wg.Wait()
	s.recv.spool.wait()
	return err
}

func (s *Server) serveConn(conn net.Conn) {
	defer func() {
		s.mu.Lock()
		s.unpend(conn)
		s.open--
		s.mu.Unlock()
		s.wg.Done()
	}()
	acc := &dimse.Acceptor{
		Check:    s.check,
		Abstract: func(uid string) bool { return uid == VerificationSOPClass || IsStorageSOPClass(uid) },
		Transfer: func(abstract, ts string) bool {
			if abstract == VerificationSOPClass {
				return ts == dimse.ImplicitVRLittleEndian || ts == dimse.ExplicitVRLittleEndian
			}
			return transferSet[ts]
		},
		Received: func() {
			s.mu.Lock()
			s.unpend(conn)
			s.mu.Unlock()
		},
		Limits: s.cfg.Limits,
	}
	a, err := acc.Accept(conn)
	if err != nil {
		s.recv.log.Info("association refused", "remote", conn.RemoteAddr().String(), "err", err)
		s.release(nil)
		return
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		a.Abort()
		s.release(nil)
		return
	}
	s.active[a] = struct{}{}
	s.mu.Unlock()
	s.recv.log.Info("association accepted", "calling", a.CallingAE, "called", a.CalledAE, "remote", conn.RemoteAddr().String())
	err = s.serveAssociation(a)
	s.release(a)
	if err != nil && !errors.Is(err, dimse.ErrReleased) {
		s.recv.log.Info("association ended", "calling", a.CallingAE, "err", err)
	}
}

func (s *Server) release(a *dimse.Association) {
	if a == nil {
		return
	}
	s.mu.Lock()
	delete(s.active, a)
	s.mu.Unlock()
}

// check applies the called and calling AE title rules and the association
// limit (PS3.8 Table 9-21 reasons).
func (s *Server) check(rq *dimse.AssociateRQ, remote net.Addr) *dimse.Reject {
	if !slices.Contains(s.cfg.AETitles, rq.CalledAE) {
		return &dimse.Reject{Result: dimse.RejectPermanent, Source: dimse.SourceServiceUser, Reason: dimse.ReasonCalledAENotRecognized}
	}
	if !s.callerAllowed(rq.CallingAE, remote) {
		return &dimse.Reject{Result: dimse.RejectPermanent, Source: dimse.SourceServiceUser, Reason: dimse.ReasonCallingAENotRecognized}
	}
	s.mu.Lock()
	limit := s.cfg.MaxAssociations
	if !s.allowHosts[hostOf(remote)] {
		limit -= s.reserved
	}
	full := len(s.active) >= limit
	s.mu.Unlock()
	if full {
		return &dimse.Reject{Result: dimse.RejectTransient, Source: dimse.SourceServiceProviderPresentn, Reason: dimse.ReasonLocalLimitExceeded}
	}
	return nil
}

func (s *Server) callerAllowed(ae string, remote net.Addr) bool {
	if s.cfg.AnyCaller {
		return true
	}
	host, _, _ := net.SplitHostPort(remote.String())
	for _, c := range s.cfg.Callers {
		if c.AETitle != ae {
			continue
		}
		if c.Host == "" || c.Host == host {
			return true
		}
		if addrs, err := net.LookupHost(c.Host); err == nil && slices.Contains(addrs, host) {
			return true
		}
	}
	return false
}

func (s *Server) serveAssociation(a *dimse.Association) error {
	for {
		pc, cmd, err := a.ReadCommand()
		if errors.Is(err, dimse.ErrReleased) {
			a.ReplyRelease()
			return nil
		}
		if err != nil {
			return err
		}
		switch cmd.Field {
		case dimse.CEchoRQ:
			err = a.WriteMessage(pc, &dimse.Command{Field: dimse.CEchoRSP, RespondingTo: cmd.MessageID, AffectedSOPClass: pc.AbstractSyntax}, nil, 0)
		case dimse.CStoreRQ:
			_, err = s.recv.handleStore(s.ctx, a, pc, cmd)
		default:
			err = answerUnsupported(a, pc, cmd)
		}
		if err != nil {
			a.Close()
			return err
		}
	}
}

// answerUnsupported answers a request this SCP does not perform with status
// 0211 (unrecognized operation, PS3.7 C.4.2) after reading its data set.
func answerUnsupported(a *dimse.Association, pc *dimse.PresentationContext, cmd *dimse.Command) error {
	if cmd.IsResponse() || cmd.Field == dimse.CCancelRQ {
		return a.AbortWith(dimse.AbortUnexpectedParm, fmt.Errorf("%w: unexpected command 0x%04X", dimse.ErrProtocol, cmd.Field))
	}
	if cmd.HasData {
		if _, err := a.ReadData(pc, io.Discard); err != nil {
			return err
		}
	}
	return a.WriteMessage(pc, &dimse.Command{Field: cmd.Field | 0x8000, RespondingTo: cmd.MessageID, AffectedSOPClass: pc.AbstractSyntax, Status: 0x0211}, nil, 0)
}
