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
	"strconv"
	"strings"

	"discdesk/app/pacs/dimse"
)

// Node is a remote DICOM application entity.
type Node struct {
	AETitle string
	Host    string
	Port    int
}

// ErrBadNode means a node is not written AE@HOST:PORT.
var ErrBadNode = errors.New("node must be AE@HOST:PORT")

// ParseNode parses "AE@HOST:PORT".
func ParseNode(s string) (Node, error) {
	ae, hostport, ok := strings.Cut(s, "@")
	if !ok {
		return Node{}, fmt.Errorf("%w: %q", ErrBadNode, s)
	}
	host, port, err := net.SplitHostPort(hostport)
	if err != nil {
		return Node{}, fmt.Errorf("%w: %q: %v", ErrBadNode, s, err)
	}
	p, err := strconv.Atoi(port)
	if err != nil || p <= 0 || p > 65535 {
		return Node{}, fmt.Errorf("%w: %q: bad port", ErrBadNode, s)
	}
	if err := checkAETitle(ae); err != nil {
		return Node{}, err
	}
	return Node{AETitle: ae, Host: host, Port: p}, nil
}

// Addr is host:port.
func (n Node) Addr() string { return net.JoinHostPort(n.Host, strconv.Itoa(n.Port)) }

func (n Node) String() string { return n.AETitle + "@" + n.Addr() }

// Client is the SCU side: C-ECHO, C-STORE, C-FIND, C-MOVE and C-GET.
type Client struct {
	AETitle string      // our calling AE title
	TLS     *tls.Config // nil = plain TCP
	Limits  dimse.Limits
	// SpoolDir holds objects arriving by C-GET before the sink takes them.
	SpoolDir string
	Logger   *slog.Logger
	// QueryCharset is the Specific Character Set a C-FIND with non-ASCII
	// values is sent in: "" or "ISO_IR 192" (UTF-8), or a single-byte set
	// such as "ISO_IR 100" for a PACS that matches raw Latin-1 bytes.
	QueryCharset string
	// Have, when set, tells a C-MOVE that must fall back to moving a
	// study instance by instance which instances already arrived.
	Have func(sopInstanceUID string) bool
	// Pending, when set, is called with the counts so far and the
	// sub-operations the PACS says remain after each pending C-MOVE or
	// C-GET response that carries counts (and after each instance of a
	// move done instance by instance), from the goroutine retrieving: a
	// C-MOVE to another Storage SCP shows its progress only this way.
	Pending func(sofar RetrieveResult, remaining int)
}

// ErrStatus is a DIMSE failure status; errors.As gives *StatusError.
var ErrStatus = errors.New("DIMSE failure status")

// StatusError is a response status other than success or pending.
type StatusError struct {
	Op      string
	Status  uint16
	Comment string
}

func (e *StatusError) Error() string {
	s := fmt.Sprintf("%s: status %04X", e.Op, e.Status)
	if e.Comment != "" {
		s += " (" + e.Comment + ")"
	}
	return s
}

// Is makes errors.Is(err, ErrStatus) true.
func (e *StatusError) Is(t error) bool { return t == ErrStatus }

func (c *Client) dial(ctx context.Context, n Node, contexts []dimse.ContextRQ, roles []dimse.RoleSelection) (*dimse.Association, error) {
	return dimse.Dial(ctx, n.Addr(), dimse.DialOptions{
		CallingAE: c.AETitle, CalledAE: n.AETitle, Contexts: contexts, Roles: roles, Limits: c.Limits, TLS: c.TLS,
	})
}

func contextsFor(abstracts ...string) []dimse.ContextRQ {
	out := make([]dimse.ContextRQ, len(abstracts))
	for i, a := range abstracts {
		out[i] = dimse.ContextRQ{ID: byte(2*i + 1), AbstractSyntax: a, TransferSyntaxes: []string{dimse.ExplicitVRLittleEndian, dimse.ImplicitVRLittleEndian}}
	}
	return out
}

// Echo sends C-ECHO (PS3.4 A) and returns nil on success.
func (c *Client) Echo(ctx context.Context, n Node) error {
	a, err := c.dial(ctx, n, contextsFor(VerificationSOPClass), nil)
	if err != nil {
		return fmt.Errorf("echo %s: %w", n, err)
	}
	defer a.Close()
	pc, err := a.ContextFor(VerificationSOPClass)
	if err != nil {
		a.Abort()
		return fmt.Errorf("echo %s: %w", n, err)
	}
	rsp, err := request(a, pc, &dimse.Command{Field: dimse.CEchoRQ, AffectedSOPClass: VerificationSOPClass}, nil)
	if err != nil {
		return fmt.Errorf("echo %s: %w", n, err)
	}
	if rsp.Status != dimse.StatusSuccess {
		a.Release()
		return &StatusError{Op: "echo " + n.String(), Status: rsp.Status, Comment: rsp.ErrorComment}
	}
	return a.Release()
}

// request sends a request with an optional identifier and reads the first
// response command (no data set expected).
func request(a *dimse.Association, pc *dimse.PresentationContext, cmd *dimse.Command, data []byte) (*dimse.Command, error) {
	cmd.MessageID = a.NextMessageID()
	var r io.Reader
	if data != nil {
		r = strings.NewReader(string(data))
	}
	if err := a.WriteMessage(pc, cmd, r, int64(len(data))); err != nil {
		return nil, err
	}
	_, rsp, err := a.ReadCommand()
	if err != nil {
		return nil, err
	}
	if rsp.Field != cmd.Field|0x8000 || rsp.RespondingTo != cmd.MessageID {
		return nil, a.AbortWith(dimse.AbortUnexpectedParm, fmt.Errorf("%w: response 0x%04X to message %d", dimse.ErrProtocol, rsp.Field, rsp.RespondingTo))
	}
	if rsp.HasData {
		if _, err := a.ReadData(pc, io.Discard); err != nil {
			return nil, err
		}
	}
	return rsp, nil
}

// StoreResult is the outcome of sending one file.
type StoreResult struct {
	Path   string
	Status uint16 // 0 success, B000-BFFF warning, else failure
	Err    error  // file unreadable, no context, association failure
}

// Store sends the Part 10 files with C-STORE (PS3.4 B), proposing one
// presentation context per SOP class and transfer syntax found. Files that
// are not Part 10 come back with Err set. The error return is for failures
// that stop the whole transfer.
func (c *Client) Store(ctx context.Context, n Node, paths []string) ([]StoreResult, error) {
	type file struct {
		path string
		meta Meta
		off  int64
		res  int
	}
	results := make([]StoreResult, len(paths))
	var files []file
	for i, p := range paths {
		results[i].Path = p
		m, off, err := storeMeta(p)
		if err != nil {
			results[i].Err = err
			continue
		}
		files = append(files, file{p, m, off, i})
	}
	// At most 128 presentation contexts per association (odd IDs 1-255).
	for len(files) > 0 {
		var contexts []dimse.ContextRQ
		index := map[[2]string]bool{}
		var batch []file
		for _, f := range files {
			k := [2]string{f.meta.SOPClassUID, f.meta.TransferSyntaxUID}
			if !index[k] {
				if len(contexts) == 128 {
					break
				}
				index[k] = true
				ts := []string{f.meta.TransferSyntaxUID}
				contexts = append(contexts, dimse.ContextRQ{ID: byte(2*len(contexts) + 1), AbstractSyntax: k[0], TransferSyntaxes: ts})
			}
			batch = append(batch, f)
		}
		files = files[len(batch):]
		a, err := c.dial(ctx, n, contexts, nil)
		if err != nil {
			return results, fmt.Errorf("store to %s: %w", n, err)
		}
		for _, f := range batch {
			res := &results[f.res]
			pc, err := a.ContextFor(f.meta.SOPClassUID, f.meta.TransferSyntaxUID)
			if err != nil || pc.TransferSyntax != f.meta.TransferSyntaxUID {
				res.Err = fmt.Errorf("store %s: %w for %s in %s", f.path, dimse.ErrNoContext, f.meta.SOPClassUID, f.meta.TransferSyntaxUID)
				continue
			}
			res.Status, res.Err = c.storeOne(a, pc, f.path, f.meta, f.off)
			if res.Err != nil && (errors.Is(res.Err, dimse.ErrAborted) || errors.Is(res.Err, net.ErrClosed)) {
				a.Close()
				return results, fmt.Errorf("store to %s: %w", n, res.Err)
			}
		}
		if err := a.Release(); err != nil {
			return results, fmt.Errorf("store to %s: %w", n, err)
		}
	}
	return results, nil
}

func (c *Client) storeOne(a *dimse.Association, pc *dimse.PresentationContext, path string, m Meta, off int64) (uint16, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, fmt.Errorf("store %s: %w", path, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return 0, fmt.Errorf("store %s: %w", path, err)
	}
	cmd := &dimse.Command{Field: dimse.CStoreRQ, MessageID: a.NextMessageID(), AffectedSOPClass: m.SOPClassUID, AffectedSOPInstance: m.SOPInstanceUID}
	if err := a.WriteMessage(pc, cmd, io.NewSectionReader(f, off, st.Size()-off), st.Size()-off); err != nil {
		return 0, fmt.Errorf("store %s: %w", path, err)
	}
	_, rsp, err := a.ReadCommand()
	if err != nil {
		return 0, fmt.Errorf("store %s: %w", path, err)
	}
	if rsp.Field != dimse.CStoreRSP || rsp.RespondingTo != cmd.MessageID {
		return 0, a.AbortWith(dimse.AbortUnexpectedParm, fmt.Errorf("%w: response 0x%04X to C-STORE %d", dimse.ErrProtocol, rsp.Field, rsp.RespondingTo))
	}
	if rsp.Status != dimse.StatusSuccess && rsp.Status&0xF000 != 0xB000 {
		return rsp.Status, &StatusError{Op: "store " + path, Status: rsp.Status, Comment: rsp.ErrorComment}
	}
	return rsp.Status, nil
}

// storeMeta reads a file's meta and takes the SOP class and instance from
// its data set when they are there, as the C-STORE command must carry the
// data set's UIDs (real files sometimes disagree with their meta).
func storeMeta(path string) (Meta, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return Meta{}, 0, fmt.Errorf("store %s: %w", path, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return Meta{}, 0, fmt.Errorf("store %s: %w", path, err)
	}
	m, off, info, err := parseObject(f, st.Size())
	if err != nil {
		return m, 0, fmt.Errorf("store %s: %w", path, err)
	}
	if info.SOPClassUID != "" && info.SOPInstanceUID != "" {
		m.SOPClassUID, m.SOPInstanceUID = info.SOPClassUID, info.SOPInstanceUID
	}
	return m, off, nil
}
