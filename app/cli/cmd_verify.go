package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"github.com/google/uuid"

	"discdesk/app/burnqueue"
	"discdesk/burner/drive"
)

// verifyOptions are the flags of `discdesk verify`.
type verifyOptions struct {
	Drive string
}

// addVerify adds the file's commands to the command list (cli.go).
func addVerify(r registry) {
	r.add(&Command{
		Name:    "verify",
		Summary: "read a burned disc back and check it against the manifest recorded for its disc UUID",
		Usage:   "--drive DEVICE|stdio:FILE|iso:FILE|dir:PATH|usb:PATH DISC-UUID",
		Flags: func(fs *flag.FlagSet) func(context.Context, *Env, []string) error {
			o := &verifyOptions{}
			fs.StringVar(&o.Drive, "drive", "", "where the disc is: a burner, stdio:FILE, iso:FILE, dir:PATH or usb:PATH")
			return func(ctx context.Context, env *Env, args []string) error { return runVerify(ctx, env, o, args) }
		},
	})
}

func runVerify(ctx context.Context, env *Env, o *verifyOptions, args []string) error {
	if o.Drive == "" || len(args) != 1 {
		return &ExitError{Code: 2, Err: errors.New("verify: give --drive and one DISC-UUID")}
	}
	id, err := uuid.Parse(args[0])
	if err != nil {
		return &ExitError{Code: 2, Err: fmt.Errorf("verify: %q is not a disc UUID: %w", args[0], err)}
	}
	db, err := env.DB()
	if err != nil {
		return err
	}
	q, err := burnqueue.New(db)
	if err != nil {
		return err
	}
	m, err := q.Manifest(id)
	if err != nil {
		return fmt.Errorf("verify: no manifest recorded for disc %s: %w", id, err)
	}
	d, err := drive.Open(o.Drive, drive.Options{})
	if err != nil {
		return fmt.Errorf("verify: %s (%w)", drive.Message(err), err)
	}
	rep, verr := d.Verify(ctx, m.Tree(), nil)
	if rep != nil {
		if err := q.AddReport(id, *rep); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "disc %s on %s: %s\n", id, o.Drive, rep.Summary())
		for _, p := range rep.Problems {
			fmt.Fprintf(env.Stdout, "  %s %s: %s\n", p.Kind, p.Path, p.Detail)
		}
	}
	if verr != nil {
		return &ExitError{Code: exitVerifyFailed, Err: fmt.Errorf("verify: %s (%w)", drive.Message(verr), verr)}
	}
	return nil
}
