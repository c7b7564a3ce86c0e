package cli

import (
	"context"
	"flag"
	"fmt"
	"os"

	"discdesk/app/handoff"
	"discdesk/app/staff"
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
	PIN    *string // the --staff member's PIN: waiving is a supervisor's
	Actor  func() handoff.Actor
}

// requestRefundOptions are the flags of `discdesk request refund`.
type requestRefundOptions struct {
	Amount, Method, Reference, Reason string
	PIN                               *string
	Actor                             func() handoff.Actor
}

// pinFlag adds --pin: the PIN of the --staff member, who must be allowed
// to waive and refund (a supervisor). The default is $DISCDESK_PIN, so a
// PIN need not stand in the shell's history.
func pinFlag(fs *flag.FlagSet) *string {
	return fs.String("pin", os.Getenv("DISCDESK_PIN"), "PIN of the --staff member, a supervisor (default $DISCDESK_PIN)")
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
		Summary: "waive what is left of a request's fee, with a reason (a supervisor)",
		Usage:   "ID --reason TEXT --staff NAME --pin PIN",
		Flags: func(fs *flag.FlagSet) func(context.Context, *Env, []string) error {
			o := &requestWaiveOptions{}
			fs.StringVar(&o.Reason, "reason", "", "why the fee is waived (logged with --staff)")
			o.PIN = pinFlag(fs)
			o.Actor = actorFlags(fs)
			return func(ctx context.Context, env *Env, args []string) error { return runRequestWaive(env, o, args) }
		},
	})
	r.add(&Command{
		Name:    "request refund",
		Summary: "give money back on a cancelled request, or one whose fee was lowered, with a reason (a supervisor)",
		Usage:   "ID --method METHOD --reason TEXT [--amount DOLLARS] [--reference TEXT] --staff NAME --pin PIN",
		Flags: func(fs *flag.FlagSet) func(context.Context, *Env, []string) error {
			o := &requestRefundOptions{}
			fs.StringVar(&o.Amount, "amount", "", "amount given back in dollars (default: all that may be refunded)")
			fs.StringVar(&o.Method, "method", "", "how it was given back: cash, card, check or \"money order\"")
			fs.StringVar(&o.Reference, "reference", "", "check number, card slip or receipt number (never a card number)")
			fs.StringVar(&o.Reason, "reason", "", "why the money is given back (logged with --staff)")
			o.PIN = pinFlag(fs)
			o.Actor = actorFlags(fs)
			return func(ctx context.Context, env *Env, args []string) error { return runRequestRefund(env, o, args) }
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
	}, o.Actor, nil)
}

func runRequestWaive(env *Env, o *requestWaiveOptions, args []string) error {
	return paymentEvent(env, "request waive", args, func(*station.Station, handoff.Request) (handoff.Payment, error) {
		return handoff.Payment{Waived: true, Reason: o.Reason}, nil
	}, o.Actor, o.PIN)
}

func runRequestRefund(env *Env, o *requestRefundOptions, args []string) error {
	return paymentEvent(env, "request refund", args, func(st *station.Station, r handoff.Request) (handoff.Payment, error) {
		p := handoff.Payment{Refund: true, Cents: r.Refundable(), Method: o.Method, Reference: o.Reference, Reason: o.Reason}
		if o.Amount == "" && p.Cents <= 0 {
			return p, fmt.Errorf("request refund: %s: %s paid of a fee of %s (%s): %w", r.ID, r.Paid(), r.Fee.Total, r.Status, handoff.ErrNothingToRefund)
		}
		if o.Amount != "" {
			c, err := handoff.ParseDollars(o.Amount)
			if err != nil {
				return p, &ExitError{Code: 2, Err: fmt.Errorf("request refund: --amount: %w", err)}
			}
			p.Cents = c
		}
		return p, nil
	}, o.Actor, o.PIN)
}

// paymentEvent records the payment build makes for the one request ID
// argument and prints the event and the balance after it. With pin (a
// waiver, a refund) the --staff member signs in by name and PIN first, so
// the station can check their role; a payment needs no PIN.
func paymentEvent(env *Env, name string, args []string, build func(*station.Station, handoff.Request) (handoff.Payment, error), actor func() handoff.Actor, pin *string) error {
	if len(args) != 1 {
		return &ExitError{Code: 2, Err: fmt.Errorf("%s: give one request ID", name)}
	}
	st, err := env.Station()
	if err != nil {
		return err
	}
	a := actor()
	by := staff.Member{Name: a.Staff}
	if pin != nil {
		if *pin == "" {
			return &ExitError{Code: 2, Err: fmt.Errorf("%s: a supervisor's decision: give --staff NAME and --pin (or $DISCDESK_PIN)", name)}
		}
		db, err := env.DB()
		if err != nil {
			return err
		}
		members, err := staff.Open(db)
		if err != nil {
			return err
		}
		if by, err = members.SignInName(a.Staff, *pin); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	r, err := st.Log.Request(args[0])
	if err != nil {
		return err
	}
	p, err := build(st, r)
	if err != nil {
		return err
	}
	var ev handoff.Event
	if p.Refund {
		ev, err = st.RecordRefund(r.ID, p, by, a.Workstation)
	} else {
		ev, err = st.RecordPayment(r.ID, p, by, a.Workstation)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "%s %s: %s\n", ev.Kind, ev.ID, ev.Detail())
	if after, err := st.Log.Request(r.ID); err == nil {
		fmt.Fprintf(env.Stdout, "fee %s, paid %s, balance due %s", after.Fee.Total, after.Paid(), after.Balance())
		if owed := after.Refundable(); owed > 0 {
			fmt.Fprintf(env.Stdout, ", refundable %s", owed)
		}
		fmt.Fprintln(env.Stdout)
	}
	return nil
}
