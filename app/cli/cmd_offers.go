package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	"discdesk/app/offers"
	"discdesk/app/settings"
)

// openOffers opens the desk list with the settings' discharge feed,
// overridden by flags.
func openOffers(env *Env, csvDir string, rules []string, quiet time.Duration) (*offers.Desk, error) {
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
	cfg, err := cur.Offers.Config(rules...)
	if err != nil {
		return nil, &ExitError{Code: 2, Err: err}
	}
	if csvDir != "" {
		cfg.CSVDir = csvDir
	}
	if quiet > 0 {
		cfg.Quiet = quiet
	}
	lib, err := env.Library()
	if err != nil {
		return nil, err
	}
	return offers.Open(db, lib, cfg, nil)
}

// feedFlags declares the flags that override the settings' discharge feed.
func feedFlags(fs *flag.FlagSet) func(env *Env) (*offers.Desk, error) {
	csvDir := fs.String("csv-dir", "", "folder of the hospital's discharge lists (*.csv; default: the settings, config key offers.csv_dir)")
	quiet := fs.Duration("quiet", 0, "quiet time after which a study counts as complete (default: the settings, else 10m)")
	var rules multiFlag
	fs.Var(&rules, "rule", "discharge rule TAG equals|contains VALUE, e.g. \"StudyDescription contains discharge\"; repeatable")
	return func(env *Env) (*offers.Desk, error) { return openOffers(env, *csvDir, rules, *quiet) }
}

// addOffers adds the file's commands to the command list (cli.go).
func addOffers(r registry) {
	r.add(&Command{
		Name:    "offers",
		Summary: "today's proactive offers: studies completed today and patients being discharged, with prepared requests",
		Usage:   "[--csv-dir DIR] [--rule RULE]... [--json]",
		Flags: func(fs *flag.FlagSet) func(context.Context, *Env, []string) error {
			open := feedFlags(fs)
			asJSON := fs.Bool("json", false, "print the list as JSON")
			return func(ctx context.Context, env *Env, args []string) error {
				d, err := open(env)
				if err != nil {
					return err
				}
				list, probs, err := d.List(ctx)
				if err != nil {
					return err
				}
				for _, p := range probs {
					fmt.Fprintf(env.Stderr, "problem: %s: %s\n", p.Source, p.Reason)
				}
				if *asJSON {
					enc := json.NewEncoder(env.Stdout)
					enc.SetIndent("", "  ")
					return enc.Encode(list)
				}
				if len(list) == 0 {
					fmt.Fprintln(env.Stdout, "no one to offer a copy to today")
				}
				for _, c := range list {
					when := ""
					if !c.Discharge.IsZero() {
						when = " discharge " + c.Discharge.Local().Format("15:04")
					}
					fmt.Fprintf(env.Stdout, "%-9s %s (ID %s, born %s)%s: %d study(ies); %s\n  key %s\n",
						c.Status, c.Patient.Name, c.Patient.ID, c.Patient.BirthDate, when, len(c.Studies), strings.Join(c.Reasons, "; "), c.Key)
					if c.Notes != "" {
						fmt.Fprintf(env.Stdout, "  notes: %s\n", strings.ReplaceAll(c.Notes, "\n", " / "))
					}
					for _, p := range c.Prepared {
						fmt.Fprintf(env.Stdout, "  prepared request (not saved; confirm with discdesk request new): %s %s to %s by %s, %s\n",
							p.Format, p.Requester.Kind, p.Requester.Name, p.Delivery, p.Urgency)
					}
				}
				return nil
			}
		},
	})
	action := func(name, summary string, decline bool) {
		r.add(&Command{
			Name:    name,
			Summary: summary,
			Usage:   "KEY|PATIENT-ID [--staff NAME --workstation WS]",
			Flags: func(fs *flag.FlagSet) func(context.Context, *Env, []string) error {
				open := feedFlags(fs)
				actor := actorFlags(fs)
				note := fs.String("note", "", "what was offered (offer)")
				reason := fs.String("reason", "", "why the patient declined (decline; required)")
				req := fs.String("request", "", "the handoff request saved from the offer, if any")
				return func(ctx context.Context, env *Env, args []string) error {
					if len(args) != 1 {
						return &ExitError{Code: 2, Err: fmt.Errorf("%s: give one candidate key or patient ID (see discdesk offers)", name)}
					}
					if decline && strings.TrimSpace(*reason) == "" {
						return &ExitError{Code: 2, Err: errors.New("offers decline: give --reason")}
					}
					d, err := open(env)
					if err != nil {
						return err
					}
					c, err := d.Find(ctx, args[0])
					if err != nil {
						return err
					}
					var a offers.Action
					if decline {
						a, err = d.Decline(c, *reason, actor())
					} else {
						a, err = d.Offer(c, *note, *req, actor())
					}
					if err != nil {
						return err
					}
					fmt.Fprintf(env.Stdout, "%s: %s (%s) recorded %s by %s\n", a.Kind, c.Patient.Name, c.Key, a.Time.Format(time.RFC3339), a.Staff)
					return nil
				}
			},
		})
	}
	action("offers offer", "record that a patient on today's list was offered a copy (\"offer a disc\")", false)
	action("offers decline", "record that a patient on today's list declined a copy", true)
	r.add(&Command{
		Name:    "offers flag",
		Summary: "flag a study for discharge so today's list offers its patient a copy",
		Usage:   "STUDY-UID [--note TEXT] [--staff NAME --workstation WS]",
		Flags: func(fs *flag.FlagSet) func(context.Context, *Env, []string) error {
			actor := actorFlags(fs)
			note := fs.String("note", "", "why")
			return func(ctx context.Context, env *Env, args []string) error {
				if len(args) != 1 {
					return &ExitError{Code: 2, Err: errors.New("offers flag: give one Study Instance UID")}
				}
				d, err := openOffers(env, "", nil, 0)
				if err != nil {
					return err
				}
				a, err := d.Flag(args[0], *note, actor())
				if err != nil {
					return err
				}
				fmt.Fprintf(env.Stdout, "flagged %s by %s\n", args[0], a.Staff)
				return nil
			}
		},
	})
}
