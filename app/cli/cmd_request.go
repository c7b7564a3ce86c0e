package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"discdesk/app/handoff"
	"discdesk/app/handoff/docs"
	"discdesk/app/station"
)

// requestNewOptions are the flags of `discdesk request new` (the request as RequestInput, its enumerations and address as typed).
type requestNewOptions struct {
	In                                                       handoff.RequestInput
	Kind, Format, Delivery, Urgency, FeeMethod, Studies, Due string // parsed into In
	AddressText                                              string // one text, lines separated by ';'
	Address                                                  handoff.Address
	Postage                                                  int64  // cents
	Form                                                     string // also write the request form PDF here
	JSON                                                     bool
	Actor                                                    func() handoff.Actor
}

// requestListOptions are the flags of `discdesk request list`.
type requestListOptions struct {
	Overdue, Tell           bool
	Patient, Issuer, Search string
	JSON                    bool
}

// requestInvoiceOptions are the flags of `discdesk request invoice`.
type requestInvoiceOptions struct {
	Out, Number string
}

// requestFormOptions are the flags of `discdesk request form`.
type requestFormOptions struct {
	Out string
}

// addRequest adds the file's commands to the command list (cli.go).
func addRequest(r registry) {
	r.add(&Command{
		Name:    "request new",
		Summary: "record a patient's (or representative's, office's) request for a copy of imaging",
		Usage:   "--patient NAME --id-method HOW (--studies UID,... | --from DATE --to DATE) [flags]",
		Flags: func(fs *flag.FlagSet) func(context.Context, *Env, []string) error {
			o := &requestNewOptions{}
			fs.StringVar(&o.In.Patient.Name, "patient", "", "patient name")
			fs.StringVar(&o.In.Patient.BirthDate, "birth-date", "", "patient birth date YYYY-MM-DD")
			fs.StringVar(&o.In.Patient.ID, "patient-id", "", "medical record number")
			fs.StringVar(&o.In.Patient.Issuer, "patient-issuer", "", "issuer of the patient ID (0010,0021), when known")
			fs.StringVar(&o.Kind, "requester-kind", "patient", "patient, representative, physician or facility")
			fs.StringVar(&o.In.Requester.Name, "requester", "", "requester name (default: the patient)")
			fs.StringVar(&o.In.Requester.Relationship, "relationship", "", "representative's relationship to the patient")
			fs.StringVar(&o.In.Requester.Organization, "organization", "", "physician's office or facility")
			fs.StringVar(&o.In.Requester.Phone, "phone", "", "requester phone")
			fs.StringVar(&o.In.Requester.Email, "email", "", "requester email")
			fs.StringVar(&o.In.Requester.State, "requester-state", "", "requester's US state (two letters), when a state fee rule depends on it (default: the mailing address's state)")
			fs.StringVar(&o.In.Identity.Method, "id-method", "", "how identity or authority was checked (e.g. \"driver licence\")")
			fs.StringVar(&o.In.Identity.CheckedBy, "id-checked-by", "", "who checked it (default: --staff)")
			fs.StringVar(&o.Studies, "studies", "", "comma-separated Study Instance UIDs")
			fs.StringVar(&o.In.Studies.From, "from", "", "all imaging from this date (YYYY-MM-DD)")
			fs.StringVar(&o.In.Studies.To, "to", "", "... to this date (YYYY-MM-DD)")
			fs.StringVar(&o.Format, "format", "CD", "CD, DVD, USB, ISO or ZIP")
			fs.IntVar(&o.In.Copies, "copies", 1, "number of copies")
			fs.StringVar(&o.In.Recipient, "recipient", "", "who receives the copy (default: the requester)")
			fs.StringVar(&o.Delivery, "delivery", "pickup", "pickup, mail, overnight, two-day or physician")
			fs.StringVar(&o.AddressText, "address", "", "mailing address as one text (lines separated by ';'), instead of the parts")
			fs.StringVar(&o.Address.Street, "street", "", "street and number")
			fs.StringVar(&o.Address.Suite, "suite", "", "suite, floor")
			fs.StringVar(&o.Address.City, "city", "", "city")
			fs.StringVar(&o.Address.Region, "region", "", "state or region")
			fs.StringVar(&o.Address.PostalCode, "postal-code", "", "ZIP or postal code")
			fs.StringVar(&o.Address.Country, "country", "", "ISO country code (default US)")
			fs.StringVar(&o.Urgency, "urgency", "routine", "routine, expedited, same-day or discharge")
			fs.StringVar(&o.Due, "due", "", "due date YYYY-MM-DD or YYYY-MM-DDTHH:MM (default: by urgency)")
			fs.StringVar(&o.FeeMethod, "fee-method", "", "flat, actual or average (default: facility's)")
			fs.IntVar(&o.In.Costs.LabourMinutes, "labour-minutes", 0, "actual cost: minutes of copying labour")
			fs.IntVar(&o.In.Costs.MediaCount, "media-count", 0, "actual cost: number of discs or sticks")
			fs.Int64Var(&o.Postage, "postage-cents", 0, "actual postage or shipping in cents (default: facility's)")
			fs.StringVar(&o.In.Notes, "notes", "", "free-text notes")
			fs.StringVar(&o.Form, "form", "", "also write the pre-filled request form PDF to this file")
			fs.BoolVar(&o.JSON, "json", false, "print the request as JSON")
			o.Actor = actorFlags(fs)
			return func(ctx context.Context, env *Env, args []string) error { return runRequestNew(ctx, env, o, args) }
		},
	})
	r.add(&Command{
		Name:    "request list",
		Summary: "list open requests by due date (overdue first), or those to tell, a patient's history, a search",
		Usage:   "[--overdue | --tell | --patient ID [--issuer ISSUER] | --search WORDS] [--json]",
		Flags: func(fs *flag.FlagSet) func(context.Context, *Env, []string) error {
			o := &requestListOptions{}
			fs.BoolVar(&o.Overdue, "overdue", false, "only requests past their due date")
			fs.BoolVar(&o.Tell, "tell", false, "arrived or ready for pickup: tell the patient")
			fs.StringVar(&o.Patient, "patient", "", "every request of the patient with exactly this medical record number (case counts)")
			fs.StringVar(&o.Issuer, "issuer", "", "with --patient: the issuer of that patient ID, when the requests name one")
			fs.StringVar(&o.Search, "search", "", "requests matching these words (name, ID, tracking, disc UUID)")
			fs.BoolVar(&o.JSON, "json", false, "print JSON")
			return func(ctx context.Context, env *Env, args []string) error { return runRequestList(env, o) }
		},
	})
	r.add(&Command{
		Name:    "request cancel",
		Summary: "cancel a request, with a reason",
		Usage:   "ID --reason TEXT",
		Flags: func(fs *flag.FlagSet) func(context.Context, *Env, []string) error {
			o := &requestCancelOptions{}
			fs.StringVar(&o.Reason, "reason", "", "why the request is cancelled")
			o.Actor = actorFlags(fs)
			return func(ctx context.Context, env *Env, args []string) error { return runRequestCancel(env, o, args) }
		},
	})
	r.add(&Command{
		Name:    "request tell",
		Summary: "record that the patient was told the copy arrived or is ready",
		Usage:   "ID --how TEXT",
		Flags: func(fs *flag.FlagSet) func(context.Context, *Env, []string) error {
			o := &requestTellOptions{}
			fs.StringVar(&o.How, "how", "phone", "how the patient was told (phone, portal, letter)")
			o.Actor = actorFlags(fs)
			return func(ctx context.Context, env *Env, args []string) error { return runRequestTell(env, o, args) }
		},
	})
	r.add(&Command{
		Name:    "request invoice",
		Summary: "write the itemized invoice of a request as PDF",
		Usage:   "ID --out FILE [--number N]",
		Flags: func(fs *flag.FlagSet) func(context.Context, *Env, []string) error {
			o := &requestInvoiceOptions{}
			fs.StringVar(&o.Out, "out", "", "PDF file to write")
			fs.StringVar(&o.Number, "number", "", "invoice number (default: INV- and the request code, as the desk prints it)")
			return func(ctx context.Context, env *Env, args []string) error { return runRequestInvoice(env, o, args) }
		},
	})
	r.add(&Command{
		Name:    "request form",
		Summary: "write the blank Patient Record Request Form (facility address pre-filled) as PDF",
		Usage:   "--out FILE",
		Flags: func(fs *flag.FlagSet) func(context.Context, *Env, []string) error {
			o := &requestFormOptions{}
			fs.StringVar(&o.Out, "out", "", "PDF file to write")
			return func(ctx context.Context, env *Env, args []string) error { return runRequestForm(env, o) }
		},
	})
}

// requestCancelOptions are the flags of `discdesk request cancel`.
type requestCancelOptions struct {
	Reason string
	Actor  func() handoff.Actor
}

// requestTellOptions are the flags of `discdesk request tell`.
type requestTellOptions struct {
	How   string
	Actor func() handoff.Actor
}

func runRequestCancel(env *Env, o *requestCancelOptions, args []string) error {
	return requestEvent(env, "request cancel", args, func(st *station.Station, id string) (handoff.Event, error) {
		return st.Cancel(id, o.Reason, o.Actor())
	})
}

func runRequestTell(env *Env, o *requestTellOptions, args []string) error {
	return requestEvent(env, "request tell", args, func(st *station.Station, id string) (handoff.Event, error) {
		return st.TellPatient(id, o.How, o.Actor())
	})
}

// requestEvent runs step (a lifecycle step) on the one request ID argument,
// printing the event.
func requestEvent(env *Env, name string, args []string, step func(st *station.Station, id string) (handoff.Event, error)) error {
	if len(args) != 1 {
		return &ExitError{Code: 2, Err: fmt.Errorf("%s: give one request ID", name)}
	}
	st, err := env.Station()
	if err != nil {
		return err
	}
	ev, err := step(st, args[0])
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "%s %s: %s\n", ev.Kind, ev.ID, ev.Detail())
	return nil
}

func parseDue(s string) (time.Time, error) {
	for _, layout := range []string{"2006-01-02T15:04", time.DateOnly} {
		if t, err := time.ParseInLocation(layout, s, time.Local); err == nil {
			if layout == time.DateOnly {
				t = t.Add(23*time.Hour + 59*time.Minute)
			}
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("--due %q: want YYYY-MM-DD or YYYY-MM-DDTHH:MM", s)
}

func printRequest(w io.Writer, r *handoff.Request) {
	fmt.Fprintf(w, "request %s\n", r.ID)
	pid := r.Patient.ID
	if r.Patient.Issuer != "" {
		pid += " (issuer " + r.Patient.Issuer + ")"
	}
	fmt.Fprintf(w, "patient   %s  %s  %s\n", r.Patient.Name, r.Patient.BirthDate, pid)
	fmt.Fprintf(w, "requester %s %s %s\n", r.Requester.Kind, r.Requester.Name, strings.TrimSpace(r.Requester.Relationship+" "+r.Requester.Organization))
	fmt.Fprintf(w, "studies   %s\n", r.Studies.String())
	fmt.Fprintf(w, "format    %s x%d, %s to %s\n", r.Format, r.Copies, r.Delivery.Label(), r.Recipient)
	if r.Address != nil {
		fmt.Fprintf(w, "address   %s\n", strings.Join(r.Address.Lines(), "; "))
	}
	fmt.Fprintf(w, "due       %s (%s)\n", r.Due.Local().Format("2006-01-02 15:04"), r.Urgency)
	fmt.Fprintf(w, "fee       %s (%s) - tell the requester before burning\n", r.Fee.Total, r.Fee.Method)
	for _, it := range r.Fee.Items {
		fmt.Fprintf(w, "          %-40s %3d x %8s = %8s\n", it.Desc, it.Qty, it.UnitCents, it.Cents)
	}
	for _, p := range r.Payments {
		fmt.Fprintf(w, "payment   %s (%s)\n", p, p.Time.Local().Format(time.DateOnly))
	}
	if len(r.Payments) > 0 {
		fmt.Fprintf(w, "balance   %s due\n", r.Balance())
	}
	if owed := r.Refundable(); owed > 0 {
		fmt.Fprintf(w, "refund    %s owed to the requester (request refund)\n", owed)
	}
}

func runRequestNew(ctx context.Context, env *Env, o *requestNewOptions, args []string) error {
	if len(args) > 0 {
		return &ExitError{Code: 2, Err: fmt.Errorf("request new: unexpected argument %q", args[0])}
	}
	in, addr := o.In, o.Address
	by := o.Actor()
	in.Requester.Kind = handoff.RequesterKind(o.Kind)
	in.Format = handoff.Format(strings.ToUpper(o.Format))
	in.Delivery = handoff.Delivery(o.Delivery)
	in.Urgency = handoff.Urgency(o.Urgency)
	in.FeeMethod = handoff.FeeMethod(o.FeeMethod)
	in.Costs.Postage = handoff.Cents(o.Postage)
	if in.Identity.CheckedBy == "" {
		in.Identity.CheckedBy = by.Staff
	}
	if o.Studies != "" {
		in.Studies.UIDs = strings.Split(o.Studies, ",")
	}
	switch {
	case o.AddressText != "":
		a, err := handoff.ParseAddress(o.AddressText)
		if err != nil {
			return err
		}
		in.Address = &a
	case addr != handoff.Address{}:
		in.Address = &addr
	}
	if o.Due != "" {
		t, err := parseDue(o.Due)
		if err != nil {
			return &ExitError{Code: 2, Err: err}
		}
		in.Due = t
	}
	s, set, err := openHandoff(env)
	if err != nil {
		return err
	}
	r, err := s.NewRequest(in, by)
	if err != nil {
		return err
	}
	if o.Form != "" {
		err := writeFileAtomic(o.Form, func(f *os.File) error { return docs.RequestForm(f, set.Facility, &r, r.Created) })
		if err != nil {
			return err
		}
	}
	if o.JSON {
		return json.NewEncoder(env.Stdout).Encode(r)
	}
	printRequest(env.Stdout, &r)
	return nil
}

func runRequestList(env *Env, o *requestListOptions) error {
	s, _, err := openHandoff(env)
	if err != nil {
		return err
	}
	now := time.Now()
	var list []handoff.Request
	switch {
	case o.Tell:
		list, err = s.ToTell()
	case o.Patient != "":
		list, err = s.PatientHistory(handoff.Patient{ID: o.Patient, Issuer: o.Issuer}.Key())
	case o.Search != "":
		list, err = s.Search(o.Search)
	default:
		list, err = s.OpenRequests(now, o.Overdue)
	}
	if err != nil {
		return err
	}
	if o.JSON {
		if list == nil {
			list = []handoff.Request{}
		}
		return printJSON(env, list)
	}
	for i := range list {
		r := &list[i]
		flag := "  "
		if r.Overdue(now) {
			flag = "! "
		}
		fmt.Fprintf(env.Stdout, "%s%s  due %s  %-9s  %-10s  %s  (%s, %s, %s)\n", flag, r.ID, r.Due.Local().Format("2006-01-02 15:04"),
			r.Status, r.Urgency, r.Patient.Name, r.Requester.Kind, r.Format, r.Delivery)
	}
	if len(list) == 0 {
		fmt.Fprintln(env.Stdout, "no requests")
	}
	return nil
}

func runRequestInvoice(env *Env, o *requestInvoiceOptions, args []string) error {
	if len(args) != 1 || o.Out == "" {
		return &ExitError{Code: 2, Err: errors.New("request invoice: give one request ID and --out FILE")}
	}
	s, set, err := openHandoff(env)
	if err != nil {
		return err
	}
	r, err := s.Request(args[0])
	if err != nil {
		return err
	}
	n := o.Number
	if n == "" {
		n = docs.InvoiceNumber(r.ID) // the desk's number too
	}
	return writeFileAtomic(o.Out, func(f *os.File) error { return docs.Invoice(f, set.Facility, r, n, time.Now()) })
}

func runRequestForm(env *Env, o *requestFormOptions) error {
	if o.Out == "" {
		return &ExitError{Code: 2, Err: errors.New("request form: --out FILE is required")}
	}
	set, err := loadHandoffSettings(env)
	if err != nil {
		return err
	}
	return writeFileAtomic(o.Out, func(f *os.File) error { return docs.RequestForm(f, set.Facility, nil, time.Now()) })
}
