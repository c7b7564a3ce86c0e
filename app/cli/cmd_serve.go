package cli

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"discdesk/app/library"
	"discdesk/app/pacs"
	"discdesk/app/pacs/dimse"
)

func init() {
	Register(&Command{
		Name:    "serve",
		Summary: "run the DICOM Storage SCP headless: receive studies into the library",
		Usage:   "",
		Flags: func(fs *flag.FlagSet) func(context.Context, *Env, []string) error {
			ae := fs.String("ae", "DISCDESK", "this node's AE title")
			host := fs.String("host", "", "address to listen on (default all)")
			port := fs.Int("port", 11112, "TCP port (0 = any free port, printed)")
			allow := fs.String("allow", "", "calling AE titles allowed, AE[@HOST],... (required unless --any-caller)")
			any := fs.Bool("any-caller", false, "accept any calling AE title (testing only)")
			burnAE := fs.String("burn-ae", "", "extra called AE title for studies to burn, e.g. DISCDESK_BURN")
			maxAssoc := fs.Int("max-associations", 32, "concurrent associations")
			maxPDU := fs.Int("max-pdu", dimse.DefaultMaxPDU, "largest PDU accepted, bytes")
			idle := fs.Duration("idle", dimse.DefaultIdle, "abort an association silent this long")
			cert := fs.String("tls-cert", "", "PEM certificate: serve DICOM over TLS")
			key := fs.String("tls-key", "", "PEM private key for --tls-cert")
			quiet := fs.Duration("quiet", 2*time.Minute, "with --burn-ae: a study silent this long is complete")
			countFrom := fs.String("count-from", "", "with --burn-ae: PACS AE@HOST:PORT asked for Number of Study Related Instances")
			out := fs.String("out", "", "store received files in this folder instead of the library")
			verbose := fs.Bool("v", false, "log associations to stderr")
			return func(ctx context.Context, env *Env, args []string) error {
				if len(args) != 0 {
					return &ExitError{Code: 2, Err: fmt.Errorf("serve: unexpected arguments %q", args)}
				}
				callers, err := pacs.ParseCallers(*allow)
				if err != nil {
					return &ExitError{Code: 2, Err: fmt.Errorf("serve: --allow: %w", err)}
				}
				if len(callers) == 0 && !*any {
					return &ExitError{Code: 2, Err: errors.New("serve: name the senders with --allow AE[@HOST],... (or --any-caller)")}
				}
				cfg := pacs.Config{AETitles: []string{*ae}, Callers: callers, AnyCaller: *any, MaxAssociations: *maxAssoc,
					Limits: dimse.Limits{MaxPDU: uint32(*maxPDU), Idle: *idle}}
				if *burnAE != "" {
					cfg.AETitles = append(cfg.AETitles, *burnAE)
				}
				if *cert != "" {
					pair, err := tls.LoadX509KeyPair(*cert, *key)
					if err != nil {
						return fmt.Errorf("serve: TLS certificate: %w", err)
					}
					cfg.TLS = &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12}
				}
				if *verbose {
					cfg.Logger = slog.New(slog.NewTextHandler(env.Stderr, nil))
				}
				sink, spool, err := pacsSink(env, *out)
				if err != nil {
					return err
				}
				cfg.SpoolDir = spool
				if *burnAE != "" {
					ab := &pacs.AutoBurn{Next: sink, BurnAE: *burnAE, Quiet: *quiet, OnComplete: func(uid string) {
						fmt.Fprintf(env.Stdout, "study complete for burning: %s\n", uid)
					}}
					if *countFrom != "" {
						n, err := pacs.ParseNode(*countFrom)
						if err != nil {
							return &ExitError{Code: 2, Err: fmt.Errorf("serve: --count-from: %w", err)}
						}
						c := &pacs.Client{AETitle: *ae}
						ab.Count = func(ctx context.Context, uid string) (int, error) { return c.StudyInstanceCount(ctx, n, uid) }
					}
					sink = ab
				}
				srv, err := pacs.NewServer(cfg, sink)
				if err != nil {
					return err
				}
				ln, err := srv.Listen(netJoin(*host, *port))
				if err != nil {
					return err
				}
				fmt.Fprintf(env.Stdout, "listening on %s as %s\n", ln.Addr(), *ae)
				return serveUntilDone(ctx, srv, ln)
			}
		},
	})
}

func netJoin(host string, port int) string { return host + ":" + strconv.Itoa(port) }

// serveUntilDone serves on ln until ctx ends or the process gets SIGINT or
// SIGTERM, then closes the server (aborting open associations).
func serveUntilDone(ctx context.Context, srv *pacs.Server, ln net.Listener) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		srv.Close()
		return err
	case <-ctx.Done():
		srv.Close()
		return <-done
	}
}

// pacsSink returns where received objects go and the spool folder beside
// it: a FileSink in out, or, without out, the library of the data folder.
func pacsSink(env *Env, out string) (pacs.Sink, string, error) {
	if out != "" {
		if err := os.MkdirAll(out, 0o700); err != nil {
			return nil, "", fmt.Errorf("output folder: %w", err)
		}
		return pacs.FileSink{Dir: out}, filepath.Join(out, ".spool"), nil
	}
	lib, err := env.Library()
	if err != nil {
		return nil, "", err
	}
	dir, err := env.DataDir()
	if err != nil {
		return nil, "", err
	}
	return librarySink{lib}, filepath.Join(dir, "pacs-spool"), nil
}

// librarySink imports each received Part 10 file into the library, taking
// the spool file by rename when it needs no repair (the spool folder is in
// the data folder, on the library's file system).
type librarySink struct{ lib *library.Library }

// errLibraryRejected means the library refused a received object.
var errLibraryRejected = errors.New("library rejected the object")

func (s librarySink) Store(ctx context.Context, obj *pacs.ReceivedObject) error {
	rep, err := s.lib.Import(ctx, []string{obj.Part10Path()}, library.Options{Move: true})
	if err != nil {
		return fmt.Errorf("import received object: %w", err)
	}
	if rep.Conflicts > 0 {
		return fmt.Errorf("%w: %s", errLibraryRejected, rep.Problems[0].Reason)
	}
	if rep.Rejected > 0 {
		reason := ""
		if len(rep.Problems) > 0 {
			reason = rep.Problems[0].Reason
		}
		return fmt.Errorf("%w: %s", errLibraryRejected, reason)
	}
	return nil
}
