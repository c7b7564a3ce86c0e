package cli

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"discdesk/app/burnqueue"
	"discdesk/app/handoff"
	"discdesk/app/intake"
	"discdesk/app/pacs"
	"discdesk/app/pacs/dimse"
	"discdesk/app/retrieve"
	"discdesk/app/staff"
	"discdesk/app/station"
	"discdesk/burner/drive"
)

// serveOptions are the flags of `discdesk serve`.
type serveOptions struct {
	AE, Host        string
	Port            int
	Allow           string // calling AE titles, AE[@HOST],...
	AnyCaller       bool
	BurnAE          string
	MaxAssociations int
	MaxPDU          int
	Idle            time.Duration
	TLSCert, TLSKey string
	Quiet           time.Duration // with BurnAE: a study silent this long is complete
	CountFrom       string        // with BurnAE: PACS asked for the instance count
	Out             string        // received files go here instead of the library
	QueueOnly       bool
	Verbose         bool
}

// addServe adds the file's commands to the command list (cli.go).
func addServe(r registry) {
	r.add(&Command{
		Name:    "serve",
		Summary: "run the DICOM Storage SCP headless: receive studies into the library",
		Usage:   "",
		Flags: func(fs *flag.FlagSet) func(context.Context, *Env, []string) error {
			o := &serveOptions{}
			fs.StringVar(&o.AE, "ae", "DISCDESK", "this node's AE title")
			fs.StringVar(&o.Host, "host", "", "address to listen on (default all)")
			fs.IntVar(&o.Port, "port", 11112, "TCP port (0 = any free port, printed)")
			fs.StringVar(&o.Allow, "allow", "", "calling AE titles allowed, AE[@HOST],... (required unless --any-caller)")
			fs.BoolVar(&o.AnyCaller, "any-caller", false, "accept any calling AE title (testing only)")
			fs.StringVar(&o.BurnAE, "burn-ae", "", "extra called AE title: studies sent to it are queued for a disc once complete and burned on the settings' default target, e.g. DISCDESK_BURN")
			fs.IntVar(&o.MaxAssociations, "max-associations", 32, "concurrent associations")
			fs.IntVar(&o.MaxPDU, "max-pdu", dimse.DefaultMaxPDU, "largest PDU accepted, bytes")
			fs.DurationVar(&o.Idle, "idle", dimse.DefaultIdle, "abort an association silent this long")
			fs.StringVar(&o.TLSCert, "tls-cert", "", "PEM certificate: serve DICOM over TLS")
			fs.StringVar(&o.TLSKey, "tls-key", "", "PEM private key for --tls-cert")
			fs.DurationVar(&o.Quiet, "quiet", 2*time.Minute, "with --burn-ae: a study silent this long is complete")
			fs.StringVar(&o.CountFrom, "count-from", "", "with --burn-ae: PACS AE@HOST:PORT asked for Number of Study Related Instances")
			fs.StringVar(&o.Out, "out", "", "store received files in this folder instead of the library")
			fs.BoolVar(&o.QueueOnly, "queue-only", false, "with --burn-ae: queue the discs, leave burning to the desk")
			fs.BoolVar(&o.Verbose, "v", false, "log associations to stderr")
			return func(ctx context.Context, env *Env, args []string) error { return runServe(ctx, env, o, args) }
		},
	})
}

func netJoin(host string, port int) string { return host + ":" + strconv.Itoa(port) }

// serveUntilDone serves until ctx ends, the process gets SIGINT or
// SIGTERM, or the receiver fails, then stops it (aborting open
// associations).
func serveUntilDone(ctx context.Context, r *intake.Receiver) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	select {
	case <-r.Done():
	case <-ctx.Done():
	}
	return r.Stop()
}

// pacsSink returns where received objects go and the spool folder beside
// it: a FileSink in out, or, without out, the library of the data folder.
func pacsSink(env *Env, out string) (pacs.Sink, string, error) {
	// Where received files go is retrieve's one rule, as for a retrieve.
	if out != "" {
		into, err := retrieve.Folder(out)
		return into.Sink, into.SpoolDir, err
	}
	lib, err := env.Library()
	if err != nil {
		return nil, "", err
	}
	dir, err := env.DataDir()
	if err != nil {
		return nil, "", err
	}
	into := retrieve.Library(lib, dir)
	return into.Sink, into.SpoolDir, nil
}

// serveBurner is `serve --burn-ae`: complete studies become same-day
// pickup requests and burn jobs (app/intake through app/station), and,
// since this process owns the store, the burn queue runs here too, the
// station logging each verified disc.
type serveBurner struct {
	env *Env
	st  *station.Station
}

func newServeBurner(env *Env, r *intake.Receiver, burnAE string, quiet time.Duration, countFrom string) (*serveBurner, error) {
	st, err := env.Station()
	if err != nil {
		return nil, err
	}
	b := &serveBurner{env: env, st: st}
	r.Lib, r.Station = st.Lib, st
	cur, err := st.Settings.Get()
	if err != nil {
		return nil, err
	}
	for _, n := range cur.Nodes { // a sender that is a configured node is asked for the count
		if n.IsDICOMweb() {
			continue // not a DICOM sender
		}
		r.Nodes = append(r.Nodes, pacs.Node{AETitle: n.AETitle, Host: n.Host, Port: n.Port})
	}
	if countFrom != "" {
		n, err := pacs.ParseNode(countFrom)
		if err != nil {
			return nil, &ExitError{Code: 2, Err: fmt.Errorf("serve: --count-from: %w", err)}
		}
		r.CountNode = &n
	}
	r.BurnAE, r.Quiet = burnAE, quiet
	r.Queued = func(q intake.Queued) {
		req := "no request"
		if q.Request != nil {
			req = "request " + staff.RequestCode(q.Request.ID)
		}
		fmt.Fprintf(env.Stdout, "study complete for burning: %s: queued job %s (%s) to %s\n", q.StudyUID, q.Job.ID, req, q.Job.Drive)
		if q.Problem != nil {
			fmt.Fprintf(env.Stderr, "job %s has no request: %v\n", q.Job.ID, q.Problem)
		}
	}
	r.Problem = func(uid string, err error) {
		fmt.Fprintf(env.Stderr, "study complete for burning: %s: not queued: %v\n", uid, err)
	}
	st.Logged = func(j burnqueue.Job, d burnqueue.Disc, ev handoff.Event, err error) {
		if err != nil {
			fmt.Fprintf(env.Stderr, "job %s: record the burn in the handoff log: %v\n", j.ID, err)
		}
	}
	return b, nil
}

// event prints each verified disc. (A drive reports "done" when it
// finished writing, too; only the queue's "done" for a disc it verified
// counts.)
func (b *serveBurner) event(ev burnqueue.Event) {
	if ev.Progress.Phase == drive.PhaseDone && ev.Disc.State == burnqueue.Done {
		fmt.Fprintf(b.env.Stdout, "job %s: disc %d of %d verified: %s\n", ev.Job, ev.Disc.Index, ev.Disc.Of, ev.Disc.Target)
	}
}

// run runs the burn queue until ctx ends or the returned stop is called.
func (b *serveBurner) run(ctx context.Context) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	w := b.st.Worker(nil, b.event)
	go func() {
		defer close(done)
		if err := w.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
			fmt.Fprintf(b.env.Stderr, "burn queue stopped: %v\n", err)
		}
	}()
	return func() { cancel(); <-done }
}

func (b *serveBurner) close() { b.st.Close() }

func runServe(ctx context.Context, env *Env, o *serveOptions, args []string) error {
	if len(args) != 0 {
		return &ExitError{Code: 2, Err: fmt.Errorf("serve: unexpected arguments %q", args)}
	}
	callers, err := pacs.ParseCallers(o.Allow)
	if err != nil {
		return &ExitError{Code: 2, Err: fmt.Errorf("serve: --allow: %w", err)}
	}
	if len(callers) == 0 && !o.AnyCaller {
		return &ExitError{Code: 2, Err: errors.New("serve: name the senders with --allow AE[@HOST],... (or --any-caller)")}
	}
	cfg := pacs.Config{AETitles: []string{o.AE}, Callers: callers, AnyCaller: o.AnyCaller, MaxAssociations: o.MaxAssociations,
		Limits: dimse.Limits{MaxPDU: uint32(o.MaxPDU), Idle: o.Idle}}
	if o.TLSCert != "" {
		pair, err := tls.LoadX509KeyPair(o.TLSCert, o.TLSKey)
		if err != nil {
			return fmt.Errorf("serve: TLS certificate: %w", err)
		}
		cfg.TLS = &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12}
	}
	if o.Verbose {
		cfg.Logger = slog.New(slog.NewTextHandler(env.Stderr, nil))
	}
	sink, spool, err := pacsSink(env, o.Out)
	if err != nil {
		return err
	}
	cfg.SpoolDir = spool
	r := &intake.Receiver{Options: intake.Options{Server: cfg, Listen: netJoin(o.Host, o.Port)}, Sink: sink, Logger: cfg.Logger}
	var burn *serveBurner
	if o.BurnAE != "" {
		if o.Out != "" {
			return &ExitError{Code: 2, Err: errors.New("serve: --burn-ae burns from the library: drop --out")}
		}
		if burn, err = newServeBurner(env, r, o.BurnAE, o.Quiet, o.CountFrom); err != nil {
			return err
		}
		defer burn.close()
	}
	if err := r.Start(ctx); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "listening on %s as %s\n", r.Addr(), o.AE)
	if o.Out == "" {
		// This process owns the library: a retrieve started beside it
		// asks it over the control socket, with our receiver as the
		// C-MOVE destination.
		ctl, err := StartControl(env, func() string { return o.AE })
		if err != nil {
			return err
		}
		defer ctl.Close()
	}
	if burn != nil && !o.QueueOnly {
		stop := burn.run(ctx)
		defer stop()
	}
	return serveUntilDone(ctx, r)
}
