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

// addRequest adds the file's commands to the command list (cli.go).
func addRequest(r registry) {
	r.add(&Command{
		Name:    "request new",
		Summary: "record a patient's (or representative's, office's) request for a copy of imaging",
		Usage:   "--patient NAME --id-method HOW (--studies UID,... | --from DATE --to DATE) [flags]",
		Flags: func(fs *flag.FlagSet) func(context.Context, *Env, []string) error {
			var in handoff.RequestInput
			var addrText, studies, due, kind, format, delivery, urgency, feeMethod string
			var addr handoff.Address
			fs.StringVar(&in.Patient.Name, "patient", "", "patient name")
			fs.StringVar(&in.Patient.BirthDate, "birth-date", "", "patient birth date YYYY-MM-DD")
			fs.StringVar(&in.Patient.ID, "patient-id", "", "medical record number")
			fs.StringVar(&kind, "requester-kind", "patient", "patient, representative, physician or facility")
			fs.StringVar(&in.Requester.Name, "requester", "", "requester name (default: the patient)")
			fs.StringVar(&in.Requester.Relationship, "relationship", "", "representative's relationship to the patient")
			fs.StringVar(&in.Requester.Organization, "organization", "", "physician's office or facility")
			fs.StringVar(&in.Requester.Phone, "phone", "", "requester phone")
			fs.StringVar(&in.Requester.Email, "email", "", "requester email")
			fs.StringVar(&in.Requester.State, "requester-state", "", "requester's US state (two letters), when a state fee rule depends on it (default: the mailing address's state)")
			fs.StringVar(&in.Identity.Method, "id-method", "", "how identity or authority was checked (e.g. \"driver licence\")")
			fs.StringVar(&in.Identity.CheckedBy, "id-checked-by", "", "who checked it (default: --staff)")
			fs.StringVar(&studies, "studies", "", "comma-separated Study Instance UIDs")
			fs.StringVar(&in.Studies.From, "from", "", "all imaging from this date (YYYY-MM-DD)")
			fs.StringVar(&in.Studies.To, "to", "", "... to this date (YYYY-MM-DD)")
			fs.StringVar(&format, "format", "CD", "CD, DVD, USB, ISO or ZIP")
			fs.IntVar(&in.Copies, "copies", 1, "number of copies")
			fs.StringVar(&in.Recipient, "recipient", "", "who receives the copy (default: the requester)")
			fs.StringVar(&delivery, "delivery", "pickup", "pickup, mail, overnight, two-day or physician")
			fs.StringVar(&addrText, "address", "", "mailing address as one text (lines separated by ';'), instead of the parts")
			fs.StringVar(&addr.Street, "street", "", "street and number")
			fs.StringVar(&addr.Suite, "suite", "", "suite, floor")
			fs.StringVar(&addr.City, "city", "", "city")
			fs.StringVar(&addr.Region, "region", "", "state or region")
			fs.StringVar(&addr.PostalCode, "postal-code", "", "ZIP or postal code")
			fs.StringVar(&addr.Country, "country", "", "ISO country code (default US)")
			fs.StringVar(&urgency, "urgency", "routine", "routine, expedited, same-day or discharge")
			fs.StringVar(&due, "due", "", "due date YYYY-MM-DD or YYYY-MM-DDTHH:MM (default: by urgency)")
			fs.StringVar(&feeMethod, "fee-method", "", "flat, actual or average (default: facility's)")
			fs.IntVar(&in.Costs.LabourMinutes, "labour-minutes", 0, "actual cost: minutes of copying labour")
			fs.IntVar(&in.Costs.MediaCount, "media-count", 0, "actual cost: number of discs or sticks")
			postage := fs.Int64("postage-cents", 0, "actual postage or shipping in cents (default: facility's)")
			fs.StringVar(&in.Notes, "notes", "", "free-text notes")
			form := fs.String("form", "", "also write the pre-filled request form PDF to this file")
			asJSON := fs.Bool("json", false, "print the request as JSON")
			actor := actorFlags(fs)
			return func(ctx context.Context, env *Env, args []string) error {
				if len(args) > 0 {
					return &ExitError{Code: 2, Err: fmt.Errorf("request new: unexpected argument %q", args[0])}
				}
				by := actor()
				in.Requester.Kind = handoff.RequesterKind(kind)
				in.Format = handoff.Format(strings.ToUpper(format))
				in.Delivery = handoff.Delivery(delivery)
				in.Urgency = handoff.Urgency(urgency)
				in.FeeMethod = handoff.FeeMethod(feeMethod)
				in.Costs.Postage = handoff.Cents(*postage)
				if in.Identity.CheckedBy == "" {
					in.Identity.CheckedBy = by.Staff
				}
				if studies != "" {
					in.Studies.UIDs = strings.Split(studies, ",")
				}
				switch {
				case addrText != "":
					a, err := handoff.ParseAddress(addrText)
					if err != nil {
						return err
					}
					in.Address = &a
				case addr != handoff.Address{}:
					in.Address = &addr
				}
				if due != "" {
					t, err := parseDue(due)
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
				if *form != "" {
					err := writeFileAtomic(*form, func(f *os.File) error { return docs.RequestForm(f, set.Facility, &r, r.Created) })
					if err != nil {
						return err
					}
				}
				if *asJSON {
					return json.NewEncoder(env.Stdout).Encode(r)
				}
				printRequest(env.Stdout, &r)
				return nil
			}
		},
	})
	r.add(&Command{
		Name:    "request list",
		Summary: "list open requests by due date (overdue first), or those to tell, a patient's history, a search",
		Usage:   "[--overdue | --tell | --patient ID | --search WORDS] [--json]",
		Flags: func(fs *flag.FlagSet) func(context.Context, *Env, []string) error {
			overdue := fs.Bool("overdue", false, "only requests past their due date")
			tell := fs.Bool("tell", false, "arrived or ready for pickup: tell the patient")
			patient := fs.String("patient", "", "every request of the patient with this medical record number")
			search := fs.String("search", "", "requests matching these words (name, ID, tracking, disc UUID)")
			asJSON := fs.Bool("json", false, "print JSON")
			return func(ctx context.Context, env *Env, args []string) error {
				s, _, err := openHandoff(env)
				if err != nil {
					return err
				}
				now := time.Now()
				var list []handoff.Request
				switch {
				case *tell:
					list, err = s.ToTell()
				case *patient != "":
					list, err = s.PatientHistory(handoff.Patient{ID: *patient}.Key())
				case *search != "":
					list, err = s.Search(*search)
				default:
					list, err = s.OpenRequests(now, *overdue)
				}
				if err != nil {
					return err
				}
				if *asJSON {
					if list == nil {
						list = []handoff.Request{}
					}
					enc := json.NewEncoder(env.Stdout)
					enc.SetIndent("", "  ")
					return enc.Encode(list)
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
		},
	})
	r.add(&Command{
		Name:    "request cancel",
		Summary: "cancel a request, with a reason",
		Usage:   "ID --reason TEXT",
		Flags: func(fs *flag.FlagSet) func(context.Context, *Env, []string) error {
			reason := fs.String("reason", "", "why the request is cancelled")
			actor := actorFlags(fs)
			return requestEvent("request cancel", actor, func(st *station.Station, id string, by handoff.Actor) (handoff.Event, error) {
				return st.Cancel(id, *reason, by)
			})
		},
	})
	r.add(&Command{
		Name:    "request tell",
		Summary: "record that the patient was told the copy arrived or is ready",
		Usage:   "ID --how TEXT",
		Flags: func(fs *flag.FlagSet) func(context.Context, *Env, []string) error {
			how := fs.String("how", "phone", "how the patient was told (phone, portal, letter)")
			actor := actorFlags(fs)
			return requestEvent("request tell", actor, func(st *station.Station, id string, by handoff.Actor) (handoff.Event, error) {
				return st.TellPatient(id, *how, by)
			})
		},
	})
	r.add(&Command{
		Name:    "request invoice",
		Summary: "write the itemized invoice of a request as PDF",
		Usage:   "ID --out FILE [--number N]",
		Flags: func(fs *flag.FlagSet) func(context.Context, *Env, []string) error {
			out := fs.String("out", "", "PDF file to write")
			number := fs.String("number", "", "invoice number (default: INV- and the request code, as the desk prints it)")
			return func(ctx context.Context, env *Env, args []string) error {
				if len(args) != 1 || *out == "" {
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
				n := *number
				if n == "" {
					n = docs.InvoiceNumber(r.ID) // the desk's number too
				}
				return writeFileAtomic(*out, func(f *os.File) error { return docs.Invoice(f, set.Facility, r, n, time.Now()) })
			}
		},
	})
	r.add(&Command{
		Name:    "request form",
		Summary: "write the blank Patient Record Request Form (facility address pre-filled) as PDF",
		Usage:   "--out FILE",
		Flags: func(fs *flag.FlagSet) func(context.Context, *Env, []string) error {
			out := fs.String("out", "", "PDF file to write")
			return func(ctx context.Context, env *Env, args []string) error {
				if *out == "" {
					return &ExitError{Code: 2, Err: errors.New("request form: --out FILE is required")}
				}
				set, err := loadHandoffSettings(env)
				if err != nil {
					return err
				}
				return writeFileAtomic(*out, func(f *os.File) error { return docs.RequestForm(f, set.Facility, nil, time.Now()) })
			}
		},
	})
}

// requestEvent runs fn (a lifecycle step) on the one request ID argument,
// printing the event.
func requestEvent(name string, actor func() handoff.Actor, fn func(*station.Station, string, handoff.Actor) (handoff.Event, error)) func(context.Context, *Env, []string) error {
	return func(ctx context.Context, env *Env, args []string) error {
		if len(args) != 1 {
			return &ExitError{Code: 2, Err: fmt.Errorf("%s: give one request ID", name)}
		}
		st, err := env.Station()
		if err != nil {
			return err
		}
		ev, err := fn(st, args[0], actor())
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "%s %s: %s\n", ev.Kind, ev.ID, ev.Detail())
		return nil
	}
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
	fmt.Fprintf(w, "patient   %s  %s  %s\n", r.Patient.Name, r.Patient.BirthDate, r.Patient.ID)
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
}
