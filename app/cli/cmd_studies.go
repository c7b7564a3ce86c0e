package cli

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"

	"discdesk/app/library"
)

// studiesOptions are the flags of `discdesk studies` (the query's words are the arguments).
type studiesOptions struct {
	JSON  bool
	Query library.Query
}

// studyOptions are the flags of `discdesk study`.
type studyOptions struct {
	JSON bool
}

// addStudies adds the file's commands to the command list (cli.go).
func addStudies(r registry) {
	r.add(&Command{
		Name:    "studies",
		Summary: "list or search the library's studies, newest first",
		Usage:   "[QUERY]",
		Flags: func(fs *flag.FlagSet) func(context.Context, *Env, []string) error {
			o := &studiesOptions{}
			fs.BoolVar(&o.JSON, "json", false, "print JSON")
			fs.StringVar(&o.Query.PatientID, "patient-id", "", "exact patient ID")
			fs.StringVar(&o.Query.BirthDate, "birth-date", "", "patient birth date YYYYMMDD")
			fs.StringVar(&o.Query.Accession, "accession", "", "accession number (partial)")
			fs.StringVar(&o.Query.From, "from", "", "study date from YYYYMMDD")
			fs.StringVar(&o.Query.To, "to", "", "study date to YYYYMMDD")
			fs.StringVar(&o.Query.Modality, "modality", "", "modality, e.g. CT")
			fs.IntVar(&o.Query.Limit, "limit", 0, "at most this many studies")
			return func(ctx context.Context, env *Env, args []string) error { return runStudies(env, o, args) }
		},
	})
	r.add(&Command{
		Name:    "study",
		Summary: "show one study with its series and instances",
		Usage:   "STUDY-UID",
		Flags: func(fs *flag.FlagSet) func(context.Context, *Env, []string) error {
			o := &studyOptions{}
			fs.BoolVar(&o.JSON, "json", false, "print JSON")
			return func(ctx context.Context, env *Env, args []string) error { return runStudy(env, o, args) }
		},
	})
}

func runStudies(env *Env, o *studiesOptions, args []string) error {
	q := o.Query
	q.Text = strings.Join(args, " ")
	lib, err := env.Library()
	if err != nil {
		return err
	}
	res, err := lib.Search(q)
	if err != nil {
		return err
	}
	if o.JSON {
		if res == nil {
			res = []library.Study{}
		}
		return printJSON(env, res)
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "DATE\tPATIENT\tID\tBIRTH\tMOD\tDESCRIPTION\tOBJECTS\tREPORT\tSTUDY UID")
	for _, s := range res {
		rp := ""
		if s.HasReport {
			rp = "yes"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\n", s.Date, s.Patient.Name, s.Patient.ID, s.Patient.BirthDate,
			strings.Join(s.Modalities, ","), s.Description, s.InstanceCount, rp, s.UID)
	}
	tw.Flush()
	return nil
}

func runStudy(env *Env, o *studyOptions, args []string) error {
	if len(args) != 1 {
		return &ExitError{Code: 2, Err: fmt.Errorf("study: give one Study Instance UID")}
	}
	lib, err := env.Library()
	if err != nil {
		return err
	}
	d, err := lib.Study(args[0])
	if err != nil {
		return err
	}
	if o.JSON {
		return printJSON(env, d)
	}
	w := env.Stdout
	fmt.Fprintf(w, "Patient:     %s (ID %s, born %s, sex %s)\n", d.Patient.Name, d.Patient.ID, d.Patient.BirthDate, d.Patient.Sex)
	fmt.Fprintf(w, "Study:       %s %s %s\n", d.Date, d.Time, d.Description)
	fmt.Fprintf(w, "Accession:   %s   Study ID: %s\n", d.AccessionNumber, d.StudyID)
	fmt.Fprintf(w, "Referring:   %s\nInstitution: %s\n", d.ReferringPhysician, d.Institution)
	fmt.Fprintf(w, "Objects:     %d in %d series; report: %v\n", d.InstanceCount, d.SeriesCount, d.HasReport)
	for _, s := range d.Series {
		fmt.Fprintf(w, "  series %d %s %q: %d objects\n", s.Number, s.Modality, s.Description, len(s.Instances))
	}
	for _, p := range d.Problems {
		fmt.Fprintf(w, "problem: %s\n", p)
	}
	return nil
}
