package audit

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"
)

// Sender sends audit messages to a syslog collector: one RFC 5424 message
// per audit message, octet-counted (RFC 6587 3.4.1; RFC 5425 4.3 for TLS),
// on a new connection each time (hand-offs are minutes apart).
type Sender struct {
	Addr     string      // host:port of the collector (6514 for TLS by convention)
	TLS      *tls.Config // nil: plain TCP
	Hostname string      // HOSTNAME field; default os.Hostname()
	AppName  string      // APP-NAME; default "discdesk"
	Timeout  time.Duration
	MaxSize  int // largest message accepted (default 64 KiB)
	// Anchor, when set, gives the handoff log's head hash and event count
	// at send time; every frame then carries them as RFC 5424 structured
	// data ([handoffHead@32473 head="..." events="N"]), so the collector
	// holds a copy of the chain's head outside the desk's store.
	Anchor func() (head string, events int, err error)
}

// AnchorSDID is the structured-data ID of the log head in each frame. 32473
// is the private enterprise number RFC 5612 sets aside for examples; a
// facility with its own number may rename it.
const AnchorSDID = "handoffHead@32473"

// Facility 10 (security/authorization), severity 5 (notice): PRI 85.
const auditPRI = 10*8 + 5

// Frame returns the octet-counted RFC 5424 frame of msg (an XML audit
// message) as sent at time t. MSGID is "IHE+RFC-3881" as IHE ITI ATNA
// and DICOM collectors expect; the MSG is UTF-8 with a BOM (RFC 5424 6.4).
func (s *Sender) Frame(msg []byte, t time.Time) []byte {
	host := s.Hostname
	if host == "" {
		host, _ = os.Hostname()
	}
	app := s.AppName
	if app == "" {
		app = "discdesk"
	}
	head := fmt.Sprintf("<%d>1 %s %s %s %d IHE+RFC-3881 %s \xEF\xBB\xBF",
		auditPRI, t.UTC().Format("2006-01-02T15:04:05.000000Z07:00"), field(host), field(app), os.Getpid(), s.structuredData())
	n := len(head) + len(msg)
	out := make([]byte, 0, n+8)
	out = strconv.AppendInt(out, int64(n), 10)
	out = append(out, ' ')
	out = append(out, head...)
	return append(out, msg...)
}

// structuredData is the frame's STRUCTURED-DATA: the log head from Anchor,
// or "-" (none, or the head could not be read: the message still goes).
func (s *Sender) structuredData() string {
	if s.Anchor == nil {
		return "-"
	}
	h, n, err := s.Anchor()
	if err != nil || h == "" || strings.Trim(h, "0123456789abcdef") != "" {
		return "-"
	}
	return fmt.Sprintf(`[%s head="%s" events="%d"]`, AnchorSDID, h, n)
}

// field makes s a valid RFC 5424 header field: printable US-ASCII, no
// spaces, at most 48 characters, "-" when empty.
func field(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s) && len(b) < 48; i++ {
		if c := s[i]; c > 32 && c < 127 {
			b = append(b, c)
		}
	}
	if len(b) == 0 {
		return "-"
	}
	return string(b)
}

// Send delivers one message. It returns when the frame was written (TCP
// gives no application-level acknowledgement in RFC 6587/5425).
func (s *Sender) Send(ctx context.Context, msg []byte) error {
	if s == nil || s.Addr == "" {
		return ErrNoCollector
	}
	limit := s.MaxSize
	if limit == 0 {
		limit = 64 << 10
	}
	if len(msg) > limit {
		return fmt.Errorf("audit: %d bytes (limit %d): %w", len(msg), limit, ErrTooLarge)
	}
	timeout := s.Timeout
	if timeout == 0 {
		timeout = 5 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var conn net.Conn
	var err error
	if s.TLS != nil {
		d := tls.Dialer{Config: s.TLS}
		conn, err = d.DialContext(ctx, "tcp", s.Addr)
	} else {
		var d net.Dialer
		conn, err = d.DialContext(ctx, "tcp", s.Addr)
	}
	if err != nil {
		return fmt.Errorf("audit: connect to syslog collector %s: %w", s.Addr, err)
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	if _, err := conn.Write(s.Frame(msg, time.Now())); err != nil {
		return fmt.Errorf("audit: send to syslog collector %s: %w", s.Addr, err)
	}
	if err := conn.Close(); err != nil {
		return fmt.Errorf("audit: close syslog connection %s: %w", s.Addr, err)
	}
	return nil
}
