package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"text/tabwriter"

	"discdesk/app/pacs"
	"discdesk/app/retrieve"
)

// addFind adds the file's commands to the command list (cli.go).
func addFind(r registry) {
	r.add(&Command{
		Name:    "find",
		Summary: "search a PACS for studies, or the series of one study (C-FIND)",
		Usage:   "AE@HOST:PORT | DICOMWEB-BASE-URL | NODE-NAME",
		Flags: func(fs *flag.FlagSet) func(context.Context, *Env, []string) error {
			sc := scuFlags(fs)
			patient := fs.String("patient", "", "Patient ID (wildcards * ?)")
			name := fs.String("name", "", "Patient's Name (wildcards * ?)")
			accession := fs.String("accession", "", "Accession Number")
			study := fs.String("study", "", "Study Instance UID")
			date := fs.String("date", "", "Study Date, YYYYMMDD or a range YYYYMMDD-YYYYMMDD")
			series := fs.Bool("series", false, "list the series of --study instead of studies")
			model := fs.String("model", "study", "information model: study or patient (patient root needs --patient)")
			asJSON := fs.Bool("json", false, "print JSON")
			return func(ctx context.Context, env *Env, args []string) error {
				if len(args) != 1 {
					return &ExitError{Code: 2, Err: fmt.Errorf("find: want one NODE (AE@HOST:PORT, a DICOMweb base URL or a PACS node's name), got %d arguments", len(args))}
				}
				m := pacs.StudyRoot
				switch *model {
				case "study":
				case "patient":
					m = pacs.PatientRoot
				default:
					return &ExitError{Code: 2, Err: fmt.Errorf("find: --model %q: want study or patient", *model)}
				}
				if *series && *study == "" {
					return &ExitError{Code: 2, Err: fmt.Errorf("find: --series needs --study")}
				}
				r, c, err := sc.remote(env, "find", args[0], nil)
				if err != nil {
					return err
				}
				node := &retrieve.Node{Remote: r, SCU: c, Model: m}
				if *series {
					res, err := node.Series(ctx, *patient, *study)
					if err != nil {
						return err
					}
					return printSeries(env, res, *asJSON)
				}
				filter := retrieve.Filter{PatientID: *patient, PatientName: *name, AccessionNumber: *accession, StudyInstanceUID: *study, StudyDate: *date}
				res, err := node.Find(ctx, filter)
				if err != nil {
					return err
				}
				return printStudies(env, res, *asJSON)
			}
		},
	})
}

func printStudies(env *Env, res []pacs.Study, asJSON bool) error {
	if asJSON {
		return printJSON(env, res)
	}
	w := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "STUDY UID\tDATE\tPATIENT ID\tNAME\tACCESSION\tMODALITIES\tINSTANCES\tDESCRIPTION")
	for _, s := range res {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s.StudyInstanceUID, s.StudyDate, s.PatientID, s.PatientName, s.AccessionNumber, s.ModalitiesInStudy, count(s.Instances), s.StudyDescription)
	}
	return w.Flush()
}

func printSeries(env *Env, res []pacs.Series, asJSON bool) error {
	if asJSON {
		return printJSON(env, res)
	}
	w := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "SERIES UID\tMODALITY\tNUMBER\tINSTANCES\tDESCRIPTION")
	for _, s := range res {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", s.SeriesInstanceUID, s.Modality, s.SeriesNumber, count(s.Instances), s.SeriesDescription)
	}
	return w.Flush()
}

func count(n int) string {
	if n < 0 {
		return "-"
	}
	return fmt.Sprint(n)
}

func printJSON(env *Env, v any) error {
	enc := json.NewEncoder(env.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
