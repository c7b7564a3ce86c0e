package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	"discdesk/app/handoff"
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

// feedOptions are the flags that override the settings' discharge feed.
type feedOptions struct {
	CSVDir string
	Quiet  time.Duration
	Rules  multiFlag
}

func (f *feedOptions) addFlags(fs *flag.FlagSet) {
	fs.StringVar(&f.CSVDir, "csv-dir", "", "folder of the hospital's discharge lists (*.csv; default: the settings, config key offers.csv_dir)")
	fs.DurationVar(&f.Quiet, "quiet", 0, "quiet time after which a study counts as complete (default: the settings, else 10m)")
	fs.Var(&f.Rules, "rule", "discharge rule TAG equals|contains VALUE, e.g. \"StudyDescription contains discharge\"; repeatable")
}

func (f *feedOptions) open(env *Env) (*offers.Desk, error) {
	return openOffers(env, f.CSVDir, f.Rules, f.Quiet)
}

// offersOptions are the flags of `discdesk offers`.
type offersOptions struct {
	Feed feedOptions
	JSON bool
}

// offerActionOptions are the flags of `discdesk offers offer` and `offers
// decline`.
type offerActionOptions struct {
	Feed    feedOptions
	Note    string // offer: what was offered
	Reason  string // decline: why (required)
	Request string // the handoff request saved from the offer
	Actor   func() handoff.Actor
	Decline bool
}

// offersFlagOptions are the flags of `discdesk offers flag`.
type offersFlagOptions struct {
	Note  string
	Actor func() handoff.Actor
}

// addOffers adds the file's commands to the command list (cli.go).
func addOffers(r registry) {
	r.add(&Command{
		Name:    "offers",
		Summary: "today's proactive offers: studies completed today and patients being discharged, with prepared requests",
		Usage:   "[--csv-dir DIR] [--rule RULE]... [--json]",
		Flags: func(fs *flag.FlagSet) func(context.Context, *Env, []string) error {
			o := &offersOptions{}
			o.Feed.addFlags(fs)
			fs.BoolVar(&o.JSON, "json", false, "print the list as JSON")
			return func(ctx context.Context, env *Env, args []string) error { return runOffers(ctx, env, o) }
		},
	})
	for _, decline := range []bool{false, true} {
		name, summary := "offers offer", "record that a patient on today's list was offered a copy (\"offer a disc\")"
		if decline {
			name, summary = "offers decline", "record that a patient on today's list declined a copy"
		}
		r.add(&Command{
			Name:    name,
			Summary: summary,
			Usage:   "KEY|PATIENT-ID [--staff NAME --workstation WS]",
			Flags: func(fs *flag.FlagSet) func(context.Context, *Env, []string) error {
				o := &offerActionOptions{Decline: decline}
				o.Feed.addFlags(fs)
				o.Actor = actorFlags(fs)
				fs.StringVar(&o.Note, "note", "", "what was offered (offer)")
				fs.StringVar(&o.Reason, "reason", "", "why the patient declined (decline; required)")
				fs.StringVar(&o.Request, "request", "", "the handoff request saved from the offer, if any")
				return func(ctx context.Context, env *Env, args []string) error { return runOfferAction(ctx, env, o, args) }
			},
		})
	}
	r.add(&Command{
		Name:    "offers flag",
		Summary: "flag a study for discharge so today's list offers its patient a copy",
		Usage:   "STUDY-UID [--note TEXT] [--staff NAME --workstation WS]",
		Flags: func(fs *flag.FlagSet) func(context.Context, *Env, []string) error {
			o := &offersFlagOptions{}
			o.Actor = actorFlags(fs)
			fs.StringVar(&o.Note, "note", "", "why")
			return func(ctx context.Context, env *Env, args []string) error { return runOffersFlag(env, o, args) }
		},
	})
}

func runOffers(ctx context.Context, env *Env, o *offersOptions) error {
	d, err := o.Feed.open(env)
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
	if o.JSON {
		return printJSON(env, list)
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

func runOfferAction(ctx context.Context, env *Env, o *offerActionOptions, args []string) error {
	name := "offers offer"
	if o.Decline {
		name = "offers decline"
	}
	if len(args) != 1 {
		return &ExitError{Code: 2, Err: fmt.Errorf("%s: give one candidate key or patient ID (see discdesk offers)", name)}
	}
	if o.Decline && strings.TrimSpace(o.Reason) == "" {
		return &ExitError{Code: 2, Err: errors.New("offers decline: give --reason")}
	}
	d, err := o.Feed.open(env)
	if err != nil {
		return err
	}
	c, err := d.Find(ctx, args[0])
	if err != nil {
		return err
	}
	var a offers.Action
	if o.Decline {
		a, err = d.Decline(c, o.Reason, o.Actor())
	} else {
		a, err = d.Offer(c, o.Note, o.Request, o.Actor())
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "%s: %s (%s) recorded %s by %s\n", a.Kind, c.Patient.Name, c.Key, a.Time.Format(time.RFC3339), a.Staff)
	return nil
}

func runOffersFlag(env *Env, o *offersFlagOptions, args []string) error {
	if len(args) != 1 {
		return &ExitError{Code: 2, Err: errors.New("offers flag: give one Study Instance UID")}
	}
	d, err := openOffers(env, "", nil, 0)
	if err != nil {
		return err
	}
	a, err := d.Flag(args[0], o.Note, o.Actor())
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "flagged %s by %s\n", args[0], a.Staff)
	return nil
}
