package cli

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"os"
	"time"

	"discdesk/app/pacs"
	"discdesk/app/pacs/dicomweb"
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

// web builds the DICOMweb client for a base URL node argument.
func (s *scu) web(verb, base string) (*dicomweb.Client, error) {
	c, err := dicomweb.NewClient(base, *s.user, os.Getenv("DISCDESK_DICOMWEB_PASSWORD"), os.Getenv("DISCDESK_DICOMWEB_TOKEN"), *s.tlsCA)
	if err != nil {
		return nil, &ExitError{Code: 2, Err: fmt.Errorf("%s: %w", verb, err)}
	}
	return c, nil
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
