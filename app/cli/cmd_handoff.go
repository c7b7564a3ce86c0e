package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"

	"discdesk/app/handoff"
)

// handoffOptions are the flags of `discdesk handoff`.
type handoffOptions struct {
	Handover   handoff.Handover
	Method     string
	ReceivedBy string
	Returned   string
	Spoiled    string
	JSON       bool
	Actor      func() handoff.Actor
}

func newHandoffCommand() *Command {
	return &Command{
		Name:    "handoff",
		Summary: "record a burned disc leaving the building (handed over at the desk or mailed), its receipt, its return, or that it is spoiled",
		Usage:   "DISC-UUID --to NAME --method pickup|mail [--id-check HOW | --carrier C --tracking N] | --received-by WHO | --returned WHY | --spoiled WHY",
		Flags: func(fs *flag.FlagSet) func(context.Context, *Env, []string) error {
			o := &handoffOptions{}
			fs.StringVar(&o.Handover.To, "to", "", "who received the disc, or the addressee")
			fs.StringVar(&o.Method, "method", "", "pickup (at the desk) or mail")
			fs.StringVar(&o.Handover.IdentityCheck, "id-check", "", "pickup: how the person was identified")
			fs.StringVar(&o.Handover.Carrier, "carrier", "", "mail: carrier (USPS, UPS, FedEx, ...)")
			fs.StringVar(&o.Handover.Tracking, "tracking", "", "mail: tracking number")
			fs.StringVar(&o.ReceivedBy, "received-by", "", "instead: record that the receiving practice confirmed receipt (who confirmed)")
			fs.StringVar(&o.Returned, "returned", "", "instead: record that the disc came back (reason)")
			fs.StringVar(&o.Spoiled, "spoiled", "", "instead: record that the disc must never leave the building (reason); burn --request then makes its replacement")
			fs.BoolVar(&o.JSON, "json", false, "print the event as JSON")
			o.Actor = actorFlags(fs)
			return func(ctx context.Context, env *Env, args []string) error { return runHandoff(ctx, env, o, args) }
		},
	}
}

func runHandoff(ctx context.Context, env *Env, o *handoffOptions, args []string) error {
	if len(args) != 1 {
		return &ExitError{Code: 2, Err: errors.New("handoff: give one disc UUID")}
	}
	st, err := env.Station()
	if err != nil {
		return err
	}
	var ev handoff.Event
	by := o.Actor()
	switch {
	case o.ReceivedBy != "":
		ev, err = st.ConfirmReceipt(args[0], o.ReceivedBy, by)
	case o.Returned != "":
		ev, err = st.Return(args[0], o.Returned, by)
	case o.Spoiled != "":
		ev, err = st.Spoil(args[0], o.Spoiled, by)
	case o.Method == "pickup" || o.Method == "mail":
		ev, err = st.HandOver(args[0], o.Method == "mail", o.Handover, by)
	default:
		return &ExitError{Code: 2, Err: fmt.Errorf("handoff: --method must be pickup or mail, got %q", o.Method)}
	}
	if err != nil {
		return err
	}
	if o.JSON {
		json.NewEncoder(env.Stdout).Encode(ev)
	} else {
		fmt.Fprintf(env.Stdout, "%s %s: disc %s of request %s: %s\n", ev.Kind, ev.ID, ev.Disc, ev.Request, ev.Detail())
	}
	if ev.Audit == "" {
		return nil
	}
	set, err := loadHandoffSettings(env)
	if err != nil {
		return err
	}
	snd, err := set.sender()
	if err != nil || snd == nil {
		return err
	}
	if err := snd.Send(ctx, []byte(ev.Audit)); err != nil {
		return &ExitError{Code: 4, Err: fmt.Errorf("handoff recorded and its audit message kept in the log, but not sent: %w", err)}
	}
	return nil
}
