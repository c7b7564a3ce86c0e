package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"

	"discdesk/app/ecopy"
	"discdesk/app/handoff"
	"discdesk/burner/disc"
)

// copyOptions are the flags of `discdesk copy`.
type copyOptions struct {
	To      string
	Files   bool
	Request string
	Plan    *planFlags
	Actor   func() handoff.Actor
}

func newCopyCommand() *Command {
	return &Command{
		Name:    "copy",
		Summary: "electronic copy instead of a disc: the disc's tree as a ZIP or ISO file in a folder the patient chooses, or on a USB stick; read back and logged",
		Usage:   "--to zip:FILE|iso:FILE|usb:PATH [--request ID --staff NAME --workstation WS] [plan flags as for disc] STUDY-UID... | --files PATH...",
		Flags: func(fs *flag.FlagSet) func(context.Context, *Env, []string) error {
			o := &copyOptions{}
			fs.StringVar(&o.To, "to", "", "zip:FILE (a ZIP of the disc tree), iso:FILE (an ISO image) or usb:PATH (a mounted stick)")
			fs.BoolVar(&o.Files, "files", false, "arguments are DICOM files or folders instead of Study Instance UIDs")
			fs.StringVar(&o.Request, "request", "", "handoff request the copy fulfils: the log records it like a disc")
			o.Plan = addPlanFlags(fs, "-")
			o.Actor = actorFlags(fs)
			return func(ctx context.Context, env *Env, args []string) error { return runCopy(ctx, env, o, args) }
		},
	}
}

func runCopy(ctx context.Context, env *Env, o *copyOptions, args []string) error {
	_, err := ecopy.Format(o.To)
	if err != nil || len(args) == 0 {
		if err == nil {
			err = errors.New("copy: give at least one STUDY-UID (or --files and paths)")
		}
		return &ExitError{Code: 2, Err: err}
	}
	if o.Request != "" && strings.TrimSpace(o.Actor().Staff) == "" {
		return &ExitError{Code: 2, Err: errors.New("copy: --request needs --staff NAME")}
	}
	opts, err := o.Plan.options()
	if err != nil {
		return err
	}
	// A file or stick has no fixed size: the USB media rules (PS3.11
	// STD-GEN-USB) give one complete file-set.
	opts.Media = disc.USB
	plan, err := planArgs(ctx, env, args, o.Files, o.Plan, opts)
	if err != nil {
		return planError("copy", fmt.Errorf("copy: %w", err))
	}
	defer plan.Close()
	printPlan(env, plan)
	o.Plan.acknowledge(plan)
	if err := plan.Check(); err != nil {
		return planError("copy", fmt.Errorf("copy: %w", err))
	}
	trees, err := plan.Build(ctx, nil)
	if err != nil {
		return err
	}
	eo := ecopy.Options{Studies: plan.Studies, Done: func(c ecopy.Copy) {
		fmt.Fprintf(env.Stdout, "copy %d of %d: %s %s (volume %s, %d files, read back and verified; manifest sha256 %s)\n",
			c.N, c.M, c.Format.Label(), c.Dest, c.VolumeID, c.Files, c.Digest)
		if c.Event != "" {
			fmt.Fprintf(env.Stdout, "logged as disc %s (event %s)\n", c.DiscUUID, c.Event)
		}
	}}
	if o.Request != "" {
		st, err := env.Station()
		if err != nil {
			return err
		}
		eo.Log, eo.Request, eo.Actor = st.Log, o.Request, o.Actor()
	}
	_, err = ecopy.Write(ctx, trees, o.To, eo)
	return err
}
