package cli

import (
	"context"
	"flag"
	"fmt"

	"discdesk/app/handoff"
	"discdesk/app/station"
)

// requestPayOptions are the flags of `discdesk request pay`.
type requestPayOptions struct {
	Amount, Method, Reference string
	Actor                     func() handoff.Actor
}

// requestWaiveOptions are the flags of `discdesk request waive`.
type requestWaiveOptions struct {
	Reason string
	Actor  func() handoff.Actor
}

// addPayment adds the file's commands to the command list (cli.go).
func addPayment(r registry) {
	r.add(&Command{
		Name:    "request pay",
		Summary: "record a payment of a request's fee (cash, card, check, money order)",
		Usage:   "ID --amount DOLLARS --method METHOD [--reference TEXT]",
		Flags: func(fs *flag.FlagSet) func(context.Context, *Env, []string) error {
			o := &requestPayOptions{}
			fs.StringVar(&o.Amount, "amount", "", "amount paid in dollars, e.g. 6.50 (default: the balance due)")
			fs.StringVar(&o.Method, "method", "", "cash, card, check or \"money order\"")
			fs.StringVar(&o.Reference, "reference", "", "check or money order number, card slip or receipt number (never a card number)")
			o.Actor = actorFlags(fs)
			return func(ctx context.Context, env *Env, args []string) error { return runRequestPay(env, o, args) }
		},
	})
	r.add(&Command{
		Name:    "request waive",
		Summary: "waive what is left of a request's fee, with a reason",
		Usage:   "ID --reason TEXT",
		Flags: func(fs *flag.FlagSet) func(context.Context, *Env, []string) error {
			o := &requestWaiveOptions{}
			fs.StringVar(&o.Reason, "reason", "", "why the fee is waived (logged with --staff)")
			o.Actor = actorFlags(fs)
			return func(ctx context.Context, env *Env, args []string) error { return runRequestWaive(env, o, args) }
		},
	})
}

func runRequestPay(env *Env, o *requestPayOptions, args []string) error {
	return paymentEvent(env, "request pay", args, func(st *station.Station, r handoff.Request) (handoff.Payment, error) {
		p := handoff.Payment{Cents: r.Balance(), Method: o.Method, Reference: o.Reference}
		if w := r.Waiver(); o.Amount == "" && w != nil {
			return p, fmt.Errorf("request pay: %s: waived by %s (%s): %w", r.ID, w.Staff, w.Reason, handoff.ErrFeeWaived)
		}
		if o.Amount == "" && p.Cents <= 0 {
			return p, fmt.Errorf("request pay: %s: the fee of %s is paid: %w", r.ID, r.Fee.Total, handoff.ErrNothingDue)
		}
		if o.Amount != "" {
			c, err := handoff.ParseDollars(o.Amount)
			if err != nil {
				return p, &ExitError{Code: 2, Err: fmt.Errorf("request pay: --amount: %w", err)}
			}
			p.Cents = c
		}
		return p, nil
	}, o.Actor)
}

func runRequestWaive(env *Env, o *requestWaiveOptions, args []string) error {
	return paymentEvent(env, "request waive", args, func(*station.Station, handoff.Request) (handoff.Payment, error) {
		return handoff.Payment{Waived: true, Reason: o.Reason}, nil
	}, o.Actor)
}

// paymentEvent records the payment build makes for the one request ID
// argument and prints the event and the balance after it.
func paymentEvent(env *Env, name string, args []string, build func(*station.Station, handoff.Request) (handoff.Payment, error), actor func() handoff.Actor) error {
	if len(args) != 1 {
		return &ExitError{Code: 2, Err: fmt.Errorf("%s: give one request ID", name)}
	}
	st, err := env.Station()
	if err != nil {
		return err
	}
	r, err := st.Log.Request(args[0])
	if err != nil {
		return err
	}
	p, err := build(st, r)
	if err != nil {
		return err
	}
	ev, err := st.RecordPayment(r.ID, p, actor())
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "%s %s: %s\n", ev.Kind, ev.ID, ev.Detail())
	if after, err := st.Log.Request(r.ID); err == nil {
		fmt.Fprintf(env.Stdout, "fee %s, paid %s, balance due %s\n", after.Fee.Total, after.Paid(), after.Balance())
	}
	return nil
}
