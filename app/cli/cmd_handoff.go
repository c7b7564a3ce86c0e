package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"

	"discdesk/app/handoff"
)

func init() {
	Register(&Command{
		Name:    "handoff",
		Summary: "record a burned disc leaving the building: handed over at the desk or mailed",
		Usage:   "DISC-UUID --to NAME --method pickup|mail [--id-check HOW | --carrier C --tracking N]",
		Flags: func(fs *flag.FlagSet) func(context.Context, *Env, []string) error {
			var h handoff.Handover
			fs.StringVar(&h.To, "to", "", "who received the disc, or the addressee")
			method := fs.String("method", "", "pickup (at the desk) or mail")
			fs.StringVar(&h.IdentityCheck, "id-check", "", "pickup: how the person was identified")
			fs.StringVar(&h.Carrier, "carrier", "", "mail: carrier (USPS, UPS, FedEx, ...)")
			fs.StringVar(&h.Tracking, "tracking", "", "mail: tracking number")
			receivedBy := fs.String("received-by", "", "instead: record that the receiving practice confirmed receipt (who confirmed)")
			returned := fs.String("returned", "", "instead: record that the disc came back (reason)")
			asJSON := fs.Bool("json", false, "print the event as JSON")
			actor := actorFlags(fs)
			return func(ctx context.Context, env *Env, args []string) error {
				if len(args) != 1 {
					return &ExitError{Code: 2, Err: errors.New("handoff: give one disc UUID")}
				}
				s, set, err := openHandoff(env)
				if err != nil {
					return err
				}
				var ev handoff.Event
				switch {
				case *receivedBy != "":
					ev, err = s.ConfirmReceipt(args[0], *receivedBy, actor())
				case *returned != "":
					ev, err = s.Return(args[0], *returned, actor())
				case *method == "pickup" || *method == "mail":
					ev, err = s.HandOver(args[0], *method == "mail", h, actor())
				default:
					return &ExitError{Code: 2, Err: fmt.Errorf("handoff: --method must be pickup or mail, got %q", *method)}
				}
				if err != nil {
					return err
				}
				if *asJSON {
					json.NewEncoder(env.Stdout).Encode(ev)
				} else {
					fmt.Fprintf(env.Stdout, "%s %s: disc %s of request %s: %s\n", ev.Kind, ev.ID, ev.Disc, ev.Request, ev.Detail())
				}
				if ev.Audit == "" {
					return nil
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
		},
	})
}
