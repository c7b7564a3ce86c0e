package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"discdesk/app/facility"
)

// dbFlags declares the connection flags every db command shares. The
// password never comes from the command line: --password-file, else
// $DISCDESK_DB_PASSWORD (or libpq's PGPASSWORD / ~/.pgpass).
func dbFlags(fs *flag.FlagSet) func() (facility.Config, error) {
	to := fs.String("to", "", "the facility database: a postgres:// URL or libpq connection string without a password (default $DISCDESK_DB)")
	pwFile := fs.String("password-file", "", "file holding the database password (mode 600), instead of $"+facility.PasswordEnv)
	caFile := fs.String("ca-file", "", "PEM file of the CA that signed the server's certificate: connect with TLS, verifying the host name")
	return func() (facility.Config, error) {
		c := facility.Config{URL: *to, PasswordFile: *pwFile, CAFile: *caFile}
		if c.URL == "" {
			c.URL = os.Getenv("DISCDESK_DB")
		}
		if c.URL == "" {
			return c, &ExitError{Code: 2, Err: errors.New("give the facility database with --to URL or $DISCDESK_DB")}
		}
		if host, err := os.Hostname(); err == nil {
			c.Desk = host
		}
		return c, nil
	}
}

// addDb adds the file's commands to the command list (cli.go).
func addDb(r registry) {
	r.add(&Command{
		Name:    "db setup",
		Summary: "create or update the facility database's tables, the append-only trigger and the desks' role (run as the database owner)",
		Usage:   "--to URL",
		Flags: func(fs *flag.FlagSet) func(context.Context, *Env, []string) error {
			conf := dbFlags(fs)
			return func(ctx context.Context, env *Env, args []string) error {
				c, err := conf()
				if err != nil {
					return err
				}
				if err := facility.Setup(ctx, c); err != nil {
					return err
				}
				fmt.Fprintf(env.Stdout, "facility database ready: %s\n", c.Redacted())
				return nil
			}
		},
	})
	r.add(&Command{
		Name:    "db add-desk",
		Summary: "create a desk's database login (member of " + facility.DeskRole + ": may add handoff events, never change them); its password is read from a file",
		Usage:   "--to URL --desk-password-file FILE NAME",
		Flags: func(fs *flag.FlagSet) func(context.Context, *Env, []string) error {
			conf := dbFlags(fs)
			deskPW := fs.String("desk-password-file", "", "file holding the new desk login's password (mode 600)")
			return func(ctx context.Context, env *Env, args []string) error {
				c, err := conf()
				if err != nil {
					return err
				}
				if len(args) != 1 || *deskPW == "" {
					return &ExitError{Code: 2, Err: errors.New("db add-desk: give --desk-password-file and one NAME")}
				}
				pw, err := facility.ReadPasswordFile(*deskPW)
				if err != nil {
					return err
				}
				pg, err := facility.OpenPG(ctx, c)
				if err != nil {
					return err
				}
				defer pg.Close()
				if err := facility.AddDesk(ctx, pg.Pool(), args[0], pw); err != nil {
					return err
				}
				fmt.Fprintf(env.Stdout, "desk login %s can reach %s\n", args[0], c.Redacted())
				return nil
			}
		},
	})
	r.add(&Command{
		Name:    "db migrate",
		Summary: "copy this desk's store (requests, handoff log with its chain re-verified, staff, settings) into the facility database; safe to run again or after an interruption",
		Usage:   "--to URL [--as NAME]",
		Flags: func(fs *flag.FlagSet) func(context.Context, *Env, []string) error {
			conf := dbFlags(fs)
			as := fs.String("as", "", "label of this desk's chain in the facility database (default: the host name)")
			return func(ctx context.Context, env *Env, args []string) error {
				c, err := conf()
				if err != nil {
					return err
				}
				db, err := env.DB()
				if err != nil {
					return err
				}
				name := *as
				if name == "" {
					name = c.Desk
				}
				fmt.Fprintf(env.Stdout, "migrating into %s\n", c.Redacted())
				rep, err := facility.Migrate(ctx, db, c, facility.MigrateOptions{Name: name, Progress: func(copied, total int64) {
					fmt.Fprintf(env.Stdout, "  %d of %d events\n", copied, total)
				}})
				if err != nil {
					return err
				}
				fmt.Fprintf(env.Stdout, "desk chain %d (%s): %d events copied now, %d in all; %d staff members added; settings: %s\n",
					rep.Segment, rep.Name, rep.Copied, rep.Events, rep.Staff, rep.Settings)
				fmt.Fprintf(env.Stdout, "facility log verified: %d events, %d requests, head %s\n", rep.Verified.Events, rep.Verified.Requests, rep.Verified.Head)
				return nil
			}
		},
	})
	r.add(&Command{
		Name:    "db use",
		Summary: "make this data folder's desk one desk of the facility database (written to " + FacilityFile + "; --off: back to the desk's own store)",
		Usage:   "--to URL [--password-file FILE] [--ca-file FILE] | --off",
		Flags: func(fs *flag.FlagSet) func(context.Context, *Env, []string) error {
			conf := dbFlags(fs)
			off := fs.Bool("off", false, "stop using the facility database")
			return func(ctx context.Context, env *Env, args []string) error {
				dir, err := env.DataDir()
				if err != nil {
					return err
				}
				path := filepath.Join(dir, FacilityFile)
				if *off {
					if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
						return err
					}
					fmt.Fprintln(env.Stdout, "this desk keeps everything in its own store again")
					return nil
				}
				c, err := conf()
				if err != nil {
					return err
				}
				pg, err := facility.OpenPG(ctx, c)
				if pg != nil {
					pg.Close()
				}
				if err != nil {
					return fmt.Errorf("%s: %w", c.Redacted(), err)
				}
				raw, _ := json.MarshalIndent(FacilitySetting{URL: c.URL, PasswordFile: c.PasswordFile, CAFile: c.CAFile}, "", "  ")
				if err := os.MkdirAll(dir, 0o700); err != nil {
					return err
				}
				if err := os.WriteFile(path, append(raw, '\n'), 0o600); err != nil {
					return err
				}
				fmt.Fprintf(env.Stdout, "this desk now uses the facility database %s\n", c.Redacted())
				return nil
			}
		},
	})
	r.add(&Command{
		Name:    "db status",
		Summary: "say whether the facility database answers, and where its handoff chain ends",
		Usage:   "--to URL",
		Flags: func(fs *flag.FlagSet) func(context.Context, *Env, []string) error {
			conf := dbFlags(fs)
			return func(ctx context.Context, env *Env, args []string) error {
				c, err := conf()
				if err != nil {
					return err
				}
				pg, err := facility.OpenPG(ctx, c)
				if err != nil {
					return fmt.Errorf("%s: %w", c.Redacted(), err)
				}
				defer pg.Close()
				h, err := pg.Head(ctx)
				if err != nil {
					return err
				}
				fmt.Fprintf(env.Stdout, "%s answers; handoff chain: %d events, head %s\n", c.Redacted(), h.Count, strings.ToLower(h.Hash))
				return nil
			}
		},
	})
}
