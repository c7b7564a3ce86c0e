package cli

import (
	"context"
	"crypto/ed25519"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"discdesk/app/handoff"
	"discdesk/app/handoff/audit"
	"discdesk/app/settings"
)

// handoffSettings is what the handoff commands need of the settings (the
// store's, imported once from the former <data>/handoff.json by
// `discdesk config import`): the facility printed on documents, fee and
// due-date rules, and the audit collector.
type handoffSettings struct {
	settings.HandoffFile
	Facility settings.Facility // the settings' (HandoffFile's is the import format's)

	env *Env // for the log head every audit frame carries (sender)
}

func loadHandoffSettings(env *Env) (*handoffSettings, error) {
	db, err := env.DB()
	if err != nil {
		return nil, err
	}
	st, err := settings.Open(db)
	if err != nil {
		return nil, err
	}
	cur, err := st.Get()
	if err != nil {
		return nil, err
	}
	hs := handoffSettingsOf(cur)
	hs.env = env
	return hs, nil
}

func (s *handoffSettings) config() handoff.Config {
	c := handoff.DefaultConfig()
	if s.LegalDays > 0 {
		c.LegalDays = s.LegalDays
	}
	for u, h := range s.TargetHours {
		c.Targets[u] = time.Duration(h) * time.Hour
	}
	if s.Fees != nil {
		c.Fees = *s.Fees
	}
	return c
}

func (s *handoffSettings) sender() (*audit.Sender, error) {
	if s.SyslogAddr == "" {
		return nil, nil
	}
	snd := &audit.Sender{Addr: s.SyslogAddr}
	if env := s.env; env != nil {
		// Every audit frame carries the handoff log's head at send time
		// (after the event it reports), anchoring the chain at the collector.
		snd.Anchor = func() (string, int, error) {
			st, err := env.Handoff()
			if err != nil {
				return "", 0, err
			}
			return st.Head()
		}
	}
	if s.SyslogTLS {
		cfg := &tls.Config{MinVersion: tls.VersionTLS12}
		if s.SyslogCAFile != "" {
			pem, err := os.ReadFile(s.SyslogCAFile)
			if err != nil {
				return nil, fmt.Errorf("syslog CA file: %w", err)
			}
			cfg.RootCAs = x509.NewCertPool()
			if !cfg.RootCAs.AppendCertsFromPEM(pem) {
				return nil, fmt.Errorf("syslog CA file %s holds no PEM certificate", s.SyslogCAFile)
			}
		}
		snd.TLS = cfg
	}
	return snd, nil
}

// openHandoff opens the handoff log with the settings file applied, the
// library as study validator and the audit message builder.
func openHandoff(env *Env) (*handoff.Store, *handoffSettings, error) {
	set, err := loadHandoffSettings(env)
	if err != nil {
		return nil, nil, err
	}
	db, err := env.DB()
	if err != nil {
		return nil, nil, err
	}
	host, _ := os.Hostname()
	src := set.AuditSource
	if src == "" {
		src = "DISCDESK@" + host
	}
	opts := []handoff.Option{
		handoff.WithConfig(set.config()),
		handoff.WithAuditor(audit.ForHandoff(audit.Source{SourceID: src, SiteID: set.Facility.Name})),
		handoff.WithStudyValidator(func(uid string) error {
			lib, err := env.Library()
			if err != nil {
				return err
			}
			_, err = lib.Study(uid)
			return err
		}),
	}
	s, err := handoff.Open(db, opts...)
	return s, set, err
}

// actorFlags declares --staff and --workstation.
func actorFlags(fs *flag.FlagSet) func() handoff.Actor {
	staff := os.Getenv("DISCDESK_STAFF")
	if staff == "" {
		staff = os.Getenv("USER")
	}
	host, _ := os.Hostname()
	st := fs.String("staff", staff, "staff member recording the event (default $DISCDESK_STAFF, else $USER)")
	ws := fs.String("workstation", host, "workstation recording the event")
	return func() handoff.Actor { return handoff.Actor{Staff: *st, Workstation: *ws} }
}

// addLog adds the file's commands to the command list (cli.go).
func addLog(r registry) {
	r.add(&Command{
		Name:    "log",
		Summary: "show the handoff log (requests, burns, handoffs), oldest first",
		Usage:   "[--request ID | --disc UUID] [--json]",
		Flags: func(fs *flag.FlagSet) func(context.Context, *Env, []string) error {
			asJSON := fs.Bool("json", false, "one JSON object per event")
			req := fs.String("request", "", "only the events of this request")
			disc := fs.String("disc", "", "only the events of this disc")
			return func(ctx context.Context, env *Env, args []string) error {
				if len(args) > 0 {
					return &ExitError{Code: 2, Err: fmt.Errorf("log: unexpected argument %q (see log verify, log export)", args[0])}
				}
				s, _, err := openHandoff(env)
				if err != nil {
					return err
				}
				enc := json.NewEncoder(env.Stdout)
				show := func(ev handoff.Event) error {
					if *asJSON {
						return enc.Encode(ev)
					}
					_, err := fmt.Fprintf(env.Stdout, "%s  %-17s  request %s  %s@%s  %s\n",
						ev.Time.Local().Format("2006-01-02 15:04:05"), ev.Kind, ev.Request, ev.Staff, ev.Workstation, ev.Detail())
					return err
				}
				if *req != "" || *disc != "" {
					evs, err := s.Events(*req, *disc)
					if err != nil {
						return err
					}
					for _, ev := range evs {
						if err := show(ev); err != nil {
							return err
						}
					}
					return nil
				}
				return s.ForEachEvent(show)
			}
		},
	})
	r.add(&Command{
		Name:    "log verify",
		Summary: "check the handoff log's hash chain and replay it against the stored views",
		Usage:   "[--against CHECKPOINT] [--json]",
		Flags: func(fs *flag.FlagSet) func(context.Context, *Env, []string) error {
			asJSON := fs.Bool("json", false, "print the report as JSON")
			against := fs.String("against", "", "a signed checkpoint file (log checkpoint, log export): the log must still hold its head")
			return func(ctx context.Context, env *Env, args []string) error {
				s, _, err := openHandoff(env)
				if err != nil {
					return err
				}
				var rep handoff.VerifyReport
				if *against != "" {
					cp, err := handoff.ReadCheckpoint(*against)
					if err != nil {
						return &ExitError{Code: 2, Err: fmt.Errorf("log verify: %w", err)}
					}
					key, err := checkpointKey(env)
					if err != nil {
						return err
					}
					rep, err = s.VerifyAgainst(cp, key.Public().(ed25519.PublicKey))
					if err != nil {
						return &ExitError{Code: 3, Err: fmt.Errorf("log verify: FAILED: %w", err)}
					}
					if !*asJSON {
						fmt.Fprintf(env.Stdout, "log verify: checkpoint of %s holds: event %d has head %s\n", cp.Time.Local().Format(time.RFC3339), cp.Events, cp.Head)
					}
				} else {
					rep, err = s.Verify()
				}
				if err != nil {
					return &ExitError{Code: 3, Err: fmt.Errorf("log verify: FAILED: %w", err)}
				}
				if *asJSON {
					return json.NewEncoder(env.Stdout).Encode(rep)
				}
				fmt.Fprintf(env.Stdout, "log verify: OK: %d events, %d requests, head %s\n", rep.Events, rep.Requests, rep.Head)
				return nil
			}
		},
	})
	r.add(&Command{
		Name:    "log export",
		Summary: "export the handoff log as CSV for the compliance office",
		Usage:   "--csv FILE",
		Flags: func(fs *flag.FlagSet) func(context.Context, *Env, []string) error {
			out := fs.String("csv", "", "CSV file to write (created 0600)")
			return func(ctx context.Context, env *Env, args []string) error {
				if *out == "" {
					return &ExitError{Code: 2, Err: errors.New("log export: --csv FILE is required")}
				}
				s, _, err := openHandoff(env)
				if err != nil {
					return err
				}
				if err := writeFileAtomic(*out, func(f *os.File) error { return s.ExportCSV(f) }); err != nil {
					return err
				}
				// The export's head, signed and kept: the compliance office
				// files the printed line with the CSV.
				cp, path, err := keepCheckpoint(env, s)
				if err != nil {
					return err
				}
				fmt.Fprintf(env.Stdout, "log export: %d events, head %s (signed checkpoint %s)\n", cp.Events, cp.Head, path)
				return nil
			}
		},
	})
	r.add(&Command{
		Name:    "log checkpoint",
		Summary: "verify the handoff log and keep a signed checkpoint of its head",
		Usage:   "[--out FILE]",
		Flags: func(fs *flag.FlagSet) func(context.Context, *Env, []string) error {
			out := fs.String("out", "", "also write the checkpoint to FILE (0600), e.g. on another machine's share")
			return func(ctx context.Context, env *Env, args []string) error {
				s, _, err := openHandoff(env)
				if err != nil {
					return err
				}
				cp, path, err := keepCheckpoint(env, s)
				if err != nil {
					return &ExitError{Code: 3, Err: fmt.Errorf("log checkpoint: %w", err)}
				}
				if *out != "" {
					if err := handoff.WriteCheckpoint(*out, cp); err != nil {
						return fmt.Errorf("log checkpoint: %w", err)
					}
					path = *out
				}
				fmt.Fprintf(env.Stdout, "log checkpoint: %d events, head %s, signed %s (%s)\n", cp.Events, cp.Head, cp.Time.Local().Format(time.RFC3339), path)
				return nil
			}
		},
	})
}

// checkpointKey is the desk's checkpoint signing key: a file 0600 in the
// data folder beside the store file, created on first use.
func checkpointKey(env *Env) (ed25519.PrivateKey, error) {
	dir, err := env.DataDir()
	if err != nil {
		return nil, err
	}
	return handoff.LoadKey(filepath.Join(dir, handoff.KeyFileName))
}

// keepCheckpoint signs the log's head and keeps the checkpoint in the data
// folder's checkpoints folder (0700), named by its time.
func keepCheckpoint(env *Env, s *handoff.Store) (handoff.Checkpoint, string, error) {
	key, err := checkpointKey(env)
	if err != nil {
		return handoff.Checkpoint{}, "", err
	}
	cp, err := s.Checkpoint(key)
	if err != nil {
		return handoff.Checkpoint{}, "", err
	}
	dir, err := env.DataDir()
	if err != nil {
		return handoff.Checkpoint{}, "", err
	}
	dir = filepath.Join(dir, "checkpoints")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return handoff.Checkpoint{}, "", fmt.Errorf("checkpoints folder: %w", err)
	}
	path := filepath.Join(dir, cp.Time.Format("20060102T150405.000000000Z")+".json")
	if err := handoff.WriteCheckpoint(path, cp); err != nil {
		return handoff.Checkpoint{}, "", fmt.Errorf("keep checkpoint: %w", err)
	}
	return cp, path, nil
}

// writeFileAtomic writes path (0600) through a temporary file in the same
// folder, renamed into place only when write succeeded.
func writeFileAtomic(path string, write func(*os.File) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".discdesk-*.tmp")
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	defer os.Remove(f.Name())
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return fmt.Errorf("create %s: %w", path, err)
	}
	if err := write(f); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// Handoff opens the handoff log of the data folder with the settings of
// handoff.json, for commands such as `discdesk burn --request ID`, which
// records its disc with Store.RecordBurn.
func (e *Env) Handoff() (*handoff.Store, error) {
	s, _, err := openHandoff(e)
	return s, err
}
