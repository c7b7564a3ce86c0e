package cli

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"discdesk/app/pacs"
	"discdesk/app/pacs/dicomweb"
	"discdesk/app/settings"
)

// addEcho adds the file's commands to the command list (cli.go).
func addEcho(r registry) {
	r.add(&Command{
		Name:    "echo",
		Summary: "check a DICOM node answers (C-ECHO)",
		Usage:   "AE@HOST:PORT",
		Flags: func(fs *flag.FlagSet) func(context.Context, *Env, []string) error {
			sc := scuFlags(fs)
			return func(ctx context.Context, env *Env, args []string) error {
				n, c, err := sc.node("echo", args, 1)
				if err != nil {
					return err
				}
				start := time.Now()
				if err := c.Echo(ctx, n); err != nil {
					return err
				}
				fmt.Fprintf(env.Stdout, "%s answered C-ECHO in %d ms\n", n, time.Since(start).Milliseconds())
				return nil
			}
		},
	})
}

// scu holds the flags every SCU command shares.
type scu struct {
	ae      *string
	tlsCA   *string
	user    *string
	charset *string
}

func scuFlags(fs *flag.FlagSet) *scu {
	return &scu{
		ae:      fs.String("ae", "DISCDESK", "our (calling) AE title"),
		tlsCA:   fs.String("tls-ca", "", "PEM CA certificate: connect over TLS and verify the node against it"),
		user:    fs.String("user", "", "DICOMweb node: user name for HTTP Basic authentication (password in $DISCDESK_DICOMWEB_PASSWORD; a Bearer token in $DISCDESK_DICOMWEB_TOKEN instead)"),
		charset: fs.String("charset", "", "Specific Character Set of queries with non-ASCII values: ISO_IR 192 (UTF-8, the default) or a single-byte set such as ISO_IR 100"),
	}
}

// remote resolves a NODE argument: AE@HOST:PORT (DIMSE), a DICOMweb base
// URL (credentials from --user and the environment, --tls-ca), or the name
// of a PACS node in the settings (DIMSE or DICOMweb as configured there;
// getenv gives a DICOMweb secret the node's file does not). The client is
// the DIMSE SCU with this command's flags.
func (s *scu) remote(env *Env, verb, arg string, getenv func(string) string) (dicomweb.Remote, *pacs.Client, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	switch {
	case dicomweb.IsURL(arg):
		c, err := dicomweb.NewClient(arg, *s.user, getenv(dicomweb.EnvPassword), getenv(dicomweb.EnvToken), *s.tlsCA)
		if err != nil {
			return dicomweb.Remote{}, nil, &ExitError{Code: 2, Err: fmt.Errorf("%s: %w", verb, err)}
		}
		return dicomweb.Remote{Name: arg, Web: c}, nil, nil
	case strings.Contains(arg, "@"):
		n, c, err := s.node(verb, []string{arg}, 1)
		return dicomweb.Remote{Name: arg, DIMSE: n}, c, err
	}
	db, err := env.DB()
	if err != nil {
		return dicomweb.Remote{}, nil, fmt.Errorf("%s: PACS node %q: the settings: %w (or give the node as AE@HOST:PORT or a DICOMweb base URL)", verb, arg, err)
	}
	st, err := settings.Open(db)
	if err != nil {
		return dicomweb.Remote{}, nil, err
	}
	cur, err := st.Get()
	if err != nil {
		return dicomweb.Remote{}, nil, err
	}
	r, err := dicomweb.Named(cur, arg, getenv)
	if errors.Is(err, dicomweb.ErrNoNode) {
		var names []string
		for _, n := range cur.Nodes {
			names = append(names, n.Name)
		}
		return r, nil, &ExitError{Code: 2, Err: fmt.Errorf("%s: %w: %q (configured: %s; or give AE@HOST:PORT or a DICOMweb base URL)", verb, dicomweb.ErrNoNode, arg, orNone(strings.Join(names, ", ")))}
	}
	if err != nil {
		return r, nil, &ExitError{Code: 2, Err: fmt.Errorf("%s: %w", verb, err)}
	}
	if r.IsWeb() {
		return r, nil, nil
	}
	_, c, err := s.node(verb, []string{r.DIMSE.String()}, 1)
	return r, c, err
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// node parses the NODE argument (the first of want positional arguments)
// and builds the client.
func (s *scu) node(verb string, args []string, want int) (pacs.Node, *pacs.Client, error) {
	if len(args) != want {
		return pacs.Node{}, nil, &ExitError{Code: 2, Err: fmt.Errorf("%s: want %d argument(s), got %d", verb, want, len(args))}
	}
	n, err := pacs.ParseNode(args[0])
	if err != nil {
		return n, nil, &ExitError{Code: 2, Err: fmt.Errorf("%s: %w", verb, err)}
	}
	c := &pacs.Client{AETitle: *s.ae, QueryCharset: *s.charset}
	if *s.tlsCA != "" {
		pem, err := os.ReadFile(*s.tlsCA)
		if err != nil {
			return n, nil, fmt.Errorf("%s: TLS CA: %w", verb, err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return n, nil, fmt.Errorf("%s: TLS CA %s: %w", verb, *s.tlsCA, errNoCertificates)
		}
		c.TLS = &tls.Config{RootCAs: pool, ServerName: n.Host, MinVersion: tls.VersionTLS12}
	}
	return n, c, nil
}

// errNoCertificates means a PEM file held no certificate.
var errNoCertificates = errors.New("no certificate in file")
