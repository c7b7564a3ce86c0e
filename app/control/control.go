package control

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"sync"
)

// SocketName is the control socket's file name in the data folder.
const SocketName = "control.sock"

// Errors of the control socket.
var (
	// ErrNoServer means no DiscDesk process listens on the data folder's
	// control socket.
	ErrNoServer = errors.New("control: no running DiscDesk process answers on this data folder")
	// ErrUnknownOp means the running process does not know the operation.
	ErrUnknownOp = errors.New("control: the running DiscDesk process does not know this operation")
	// ErrNotOwner means a caller of another user ID was refused.
	ErrNotOwner = errors.New("control: caller is not the data folder's owner")
)

// Path is the control socket's path in a data folder.
func Path(dataDir string) string { return filepath.Join(dataDir, SocketName) }

// A Handler runs one operation, writing what a person should read to out.
type Handler func(ctx context.Context, args json.RawMessage, out io.Writer) error

type request struct {
	Op   string          `json:"op"`
	Args json.RawMessage `json:"args,omitempty"`
}

type reply struct {
	Out   string `json:"out,omitempty"`
	Done  bool   `json:"done,omitempty"`
	Error string `json:"error,omitempty"`
}

// Server answers requests on a data folder's control socket.
type Server struct {
	ln   net.Listener
	ops  map[string]Handler
	path string
	wg   sync.WaitGroup
	ctx  context.Context
	stop context.CancelFunc
}

// Listen starts the control socket of dataDir with the given operations.
// A socket file left by a dead process is replaced; one that a live
// process answers on is not (the error says so).
func Listen(dataDir string, ops map[string]Handler) (*Server, error) {
	p := Path(dataDir)
	if c, err := net.Dial("unix", p); err == nil {
		c.Close()
		return nil, fmt.Errorf("control: another DiscDesk process already answers on %s", SocketName)
	}
	_ = os.Remove(p) // stale
	old := umask(0o177)
	ln, err := net.Listen("unix", p)
	umask(old)
	if err != nil {
		return nil, fmt.Errorf("control: listen: %w", err)
	}
	if err := os.Chmod(p, 0o600); err != nil {
		ln.Close()
		return nil, fmt.Errorf("control: %w", err)
	}
	ctx, stop := context.WithCancel(context.Background())
	s := &Server{ln: ln, ops: ops, path: p, ctx: ctx, stop: stop}
	s.wg.Add(1)
	go s.serve()
	return s, nil
}

func (s *Server) serve() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer c.Close()
			s.handle(c)
		}()
	}
}

// lineWriter sends each Write as one output reply.
type lineWriter struct {
	mu  sync.Mutex
	enc *json.Encoder
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.enc.Encode(reply{Out: string(p)}); err != nil {
		return 0, err
	}
	return len(p), nil
}

func (s *Server) handle(c net.Conn) {
	enc := json.NewEncoder(c)
	if err := checkPeer(c); err != nil {
		_ = enc.Encode(reply{Done: true, Error: err.Error()})
		return
	}
	var req request
	dec := json.NewDecoder(io.LimitReader(c, 1<<20))
	if err := dec.Decode(&req); err != nil {
		_ = enc.Encode(reply{Done: true, Error: "control: bad request: " + err.Error()})
		return
	}
	h := s.ops[req.Op]
	if h == nil {
		_ = enc.Encode(reply{Done: true, Error: fmt.Sprintf("%v: %q", ErrUnknownOp, req.Op)})
		return
	}
	w := &lineWriter{enc: enc}
	err := h(s.ctx, req.Args, w)
	w.mu.Lock()
	defer w.mu.Unlock()
	r := reply{Done: true}
	if err != nil {
		r.Error = err.Error()
	}
	_ = enc.Encode(r)
}

// Close stops listening, cancels running operations, waits for them and
// removes the socket file.
func (s *Server) Close() error {
	err := s.ln.Close()
	s.stop()
	s.wg.Wait()
	_ = os.Remove(s.path)
	return err
}

// RemoteError is an operation's failure reported by the running process.
type RemoteError struct{ Msg string }

func (e *RemoteError) Error() string { return e.Msg }

// Call asks the process owning dataDir to run op with args, copying its
// output to out as it arrives. It returns ErrNoServer when nobody answers,
// and the operation's own failure as a *RemoteError.
func Call(ctx context.Context, dataDir, op string, args any, out io.Writer) error {
	var d net.Dialer
	c, err := d.DialContext(ctx, "unix", Path(dataDir))
	if err != nil {
		return fmt.Errorf("%w (%v)", ErrNoServer, err)
	}
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	raw, err := json.Marshal(args)
	if err != nil {
		return fmt.Errorf("control: %s: %w", op, err)
	}
	if err := json.NewEncoder(c).Encode(request{Op: op, Args: raw}); err != nil {
		return fmt.Errorf("control: %s: %w", op, err)
	}
	sc := bufio.NewScanner(c)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		var r reply
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return fmt.Errorf("control: %s: bad reply: %w", op, err)
		}
		if r.Out != "" {
			if _, err := io.WriteString(out, r.Out); err != nil {
				return err
			}
		}
		if r.Done {
			if r.Error != "" {
				return &RemoteError{Msg: r.Error}
			}
			return nil
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return fmt.Errorf("control: %s: the running process closed the connection before it finished (%v)", op, sc.Err())
}
