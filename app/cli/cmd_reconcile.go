package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"discdesk/app/handoff"
	"discdesk/app/pacs"
	"discdesk/app/reconcile"
	"discdesk/viewer/dcm"
)

// Exit code of `discdesk reconcile` when the disc has several patients and
// --outside-id does not pick one.
const exitReconcileWhichPatient = 3

// reconcileOptions are the flags of `discdesk reconcile`.
type reconcileOptions struct {
	PatientID   string // the local Patient ID ("" = show the disc and the matches)
	Issuer      string
	PatientName string
	OutsideID   string
	Accessions  multiFlag // OUTSIDE=LOCAL
	Sender      string
	PACS        string // AE@HOST:PORT
	CallingAE   string
	Receipt     string // also write the receipt to this file
	JSON        bool
	Actor       func() handoff.Actor
}

// addReconcile adds the file's commands to the command list (cli.go).
func addReconcile(r registry) {
	r.add(&Command{
		Name:    "reconcile",
		Summary: "import a patient's disc from another facility: match to a local patient, map IDs (originals kept), import, forward to the PACS, record the receipt",
		Usage:   "DISC-DIR [--patient-id LOCAL [--issuer I] [--accession OUTSIDE=LOCAL]... [--sender NAME] [--pacs AE@HOST:PORT] [--receipt FILE] --staff NAME]",
		Flags: func(fs *flag.FlagSet) func(context.Context, *Env, []string) error {
			o := &reconcileOptions{}
			fs.StringVar(&o.PatientID, "patient-id", "", "the local Patient ID to give the images (without it: show the disc and the matches)")
			fs.StringVar(&o.Issuer, "issuer", "", "the local Issuer of Patient ID (default none)")
			fs.StringVar(&o.PatientName, "patient-name", "", "the local patient's name for the log (default: the matched patient's)")
			fs.StringVar(&o.OutsideID, "outside-id", "", "which outside patient of the disc (when it holds several)")
			fs.Var(&o.Accessions, "accession", "OUTSIDE=LOCAL accession number mapping; repeatable")
			fs.StringVar(&o.Sender, "sender", "", "who made the disc (default: the disc's Institution Name)")
			fs.StringVar(&o.PACS, "pacs", "", "forward the coerced images to this PACS with C-STORE (AE@HOST:PORT)")
			fs.StringVar(&o.CallingAE, "calling-ae", "DISCDESK", "our AE title for --pacs")
			fs.StringVar(&o.Receipt, "receipt", "", "also write the patient's receipt to this text file (0600)")
			fs.BoolVar(&o.JSON, "json", false, "print JSON")
			o.Actor = actorFlags(fs)
			return func(ctx context.Context, env *Env, args []string) error { return runReconcile(ctx, env, o, args) }
		},
	})
}

func showDisc(env *Env, d *reconcile.Disc, asJSON bool) error {
	lib, err := env.Library()
	if err != nil {
		return err
	}
	type row struct {
		Patient reconcile.OutsidePatient `json:"patient"`
		Matches []reconcile.Match        `json:"matches"`
	}
	var rows []row
	for _, p := range d.Patients {
		ms, err := reconcile.Matches(lib, p)
		if err != nil {
			return err
		}
		for i := range p.Studies {
			p.Studies[i].Objects = nil
		}
		rows = append(rows, row{p, ms})
	}
	if asJSON {
		return printJSON(env, rows)
	}
	for _, r := range rows {
		fmt.Fprintf(env.Stdout, "outside patient %s (ID %s, issuer %q, born %s), %d study(ies):\n", r.Patient.Name, r.Patient.ID, r.Patient.Issuer, r.Patient.BirthDate, len(r.Patient.Studies))
		for _, s := range r.Patient.Studies {
			fmt.Fprintf(env.Stdout, "  %s %s %s accession %s from %s\n", s.Date, strings.Join(s.Modalities, "/"), s.Description, s.Accession, s.Institution)
		}
		if len(r.Matches) == 0 {
			fmt.Fprintln(env.Stdout, "  no local patient matches: create the patient in the RIS/EHR first, then --patient-id")
		}
		for _, m := range r.Matches {
			fmt.Fprintf(env.Stdout, "  match: local %s (ID %s, born %s) on %s, %d local study(ies)\n", m.Patient.Name, m.Patient.ID, m.Patient.BirthDate, strings.Join(m.Reasons, ", "), m.Studies)
		}
	}
	return nil
}

func runReconcile(ctx context.Context, env *Env, o *reconcileOptions, args []string) error {
	if len(args) != 1 {
		return &ExitError{Code: 2, Err: errors.New("reconcile: give the disc folder")}
	}
	lib, err := env.Library()
	if err != nil {
		return err
	}
	disc, err := reconcile.Scan(args[0])
	if err != nil {
		return err
	}
	for _, p := range disc.Problems {
		fmt.Fprintf(env.Stderr, "problem: %s\n", p)
	}
	if o.PatientID == "" {
		return showDisc(env, disc, o.JSON)
	}
	var p *reconcile.OutsidePatient
	for i := range disc.Patients {
		if o.OutsideID == "" && len(disc.Patients) == 1 || disc.Patients[i].ID == o.OutsideID {
			p = &disc.Patients[i]
		}
	}
	if p == nil {
		return &ExitError{Code: exitReconcileWhichPatient, Err: fmt.Errorf("reconcile: the disc holds %d patients; pick one with --outside-id", len(disc.Patients))}
	}
	m := reconcile.Mapping{PatientID: o.PatientID, Issuer: o.Issuer, Accessions: map[string]string{}}
	for _, a := range o.Accessions {
		o, l, ok := strings.Cut(a, "=")
		if !ok || strings.TrimSpace(o) == "" || strings.TrimSpace(l) == "" {
			return &ExitError{Code: 2, Err: fmt.Errorf("reconcile: --accession %q: want OUTSIDE=LOCAL", a)}
		}
		m.Accessions[strings.TrimSpace(o)] = strings.TrimSpace(l)
	}
	local := handoff.Patient{ID: o.PatientID, Name: o.PatientName, BirthDate: dcm.FormatDate(p.BirthDate)}
	if local.Name == "" {
		local.Name = dcm.PersonName(p.Name)
		if ms, err := reconcile.Matches(lib, *p); err == nil {
			for _, mt := range ms {
				if strings.TrimSpace(mt.Patient.ID) == strings.TrimSpace(o.PatientID) && strings.TrimSpace(mt.Patient.Issuer) == strings.TrimSpace(o.Issuer) {
					local.Name, local.BirthDate = dcm.PersonName(mt.Patient.Name), dcm.FormatDate(mt.Patient.BirthDate)
					break
				}
			}
		}
	}
	log, err := env.Handoff()
	if err != nil {
		return err
	}
	opt := reconcile.Options{Mapping: m, Sender: o.Sender, Log: log, Actor: o.Actor()}
	if set, err := loadHandoffSettings(env); err == nil {
		opt.Facility = set.Facility.Name
	}
	if o.PACS != "" {
		node, err := pacs.ParseNode(o.PACS)
		if err != nil {
			return &ExitError{Code: 2, Err: err}
		}
		c := &pacs.Client{AETitle: o.CallingAE}
		opt.PACSName = node.String()
		opt.Forward = reconcile.ForwardTo(c, node)
	}
	res, err := reconcile.Run(ctx, lib, *p, local, opt)
	if err != nil {
		return err
	}
	if o.Receipt != "" {
		if err := writeFileAtomic(o.Receipt, func(f *os.File) error { _, err := f.WriteString(res.Receipt + "\n"); return err }); err != nil {
			return err
		}
	}
	if o.JSON {
		return printJSON(env, res)
	}
	fmt.Fprintf(env.Stdout, "coerced %d, imported %d (duplicate %d), forwarded %d; record %s\n", res.Coerced, res.Import.Imported, res.Import.Duplicates, res.Forwarded, res.Record)
	for _, c := range res.Changes {
		fmt.Fprintf(env.Stdout, "  %s %s -> %s (original kept in Original Attributes Sequence)\n", c.Attribute, c.Outside, c.Local)
	}
	for _, p := range res.Problems {
		fmt.Fprintf(env.Stdout, "  problem: %s\n", p)
	}
	fmt.Fprintf(env.Stdout, "receipt for the patient:\n%s\nconfirm receipt to the sender, then: discdesk request tell %s\n", res.Receipt, res.Record)
	if len(res.Problems) > 0 {
		return &ExitError{Code: 4, Err: fmt.Errorf("reconcile: %d problem(s)", len(res.Problems))}
	}
	return nil
}
