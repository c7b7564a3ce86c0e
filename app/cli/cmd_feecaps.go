package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"time"

	"discdesk/app/handoff"
)

// feecapsShowOptions are the flags of `discdesk feecaps show`.
type feecapsShowOptions struct {
	RequesterState string
	Date           string
}

// addFeecaps adds the file's commands to the command list (cli.go).
func addFeecaps(r registry) {
	r.add(&Command{
		Name:    "feecaps example",
		Summary: "print the example state fee-cap table (EXAMPLE DATA, not legal advice) to adapt into handoff.json fees.caps",
		Usage:   "",
		Flags: func(fs *flag.FlagSet) func(context.Context, *Env, []string) error {
			return func(ctx context.Context, env *Env, args []string) error { return runFeecapsExample(env) } // no flags
		},
	})
	r.add(&Command{
		Name:    "feecaps show",
		Summary: "check the fee-cap table of handoff.json and show the rule that governs a quote",
		Usage:   "[--requester-state XX] [--date YYYY-MM-DD]",
		Flags: func(fs *flag.FlagSet) func(context.Context, *Env, []string) error {
			o := &feecapsShowOptions{}
			fs.StringVar(&o.RequesterState, "requester-state", "", "the requester's US state")
			fs.StringVar(&o.Date, "date", "", "the day of the quote (default today)")
			return func(ctx context.Context, env *Env, args []string) error { return runFeecapsShow(env, o) }
		},
	})
}

func runFeecapsShow(env *Env, o *feecapsShowOptions) error {
	set, err := loadHandoffSettings(env)
	if err != nil {
		return err
	}
	p := set.config().Fees
	if p.Caps == nil {
		fmt.Fprintln(env.Stdout, "no fee-cap table in handoff.json (fees.caps); see discdesk feecaps example")
		return nil
	}
	if err := p.Caps.Check(); err != nil {
		return err
	}
	day := time.Now()
	if o.Date != "" {
		if day, err = time.Parse(time.DateOnly, o.Date); err != nil {
			return &ExitError{Code: 2, Err: fmt.Errorf("feecaps show: --date %q: want YYYY-MM-DD", o.Date)}
		}
	}
	if p.Caps.Notice != "" {
		fmt.Fprintf(env.Stdout, "NOTICE: %s\n", p.Caps.Notice)
	}
	r, basis := p.Caps.Governing(p.State, o.RequesterState, day)
	if r == nil {
		fmt.Fprintf(env.Stdout, "facility state %q: no rule in force on %s\n", p.State, day.Format(time.DateOnly))
		return nil
	}
	b, _ := json.MarshalIndent(r, "", "  ")
	fmt.Fprintf(env.Stdout, "rule in force on %s (%s): %s\n%s\n", day.Format(time.DateOnly), basis, r.Name, b)
	return nil
}

func runFeecapsExample(env *Env) error {
	_, err := env.Stdout.Write(handoff.ExampleFeeCapsJSON())
	return err
}
