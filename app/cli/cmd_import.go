package cli

import (
	"context"
	"flag"
	"fmt"

	"discdesk/app/library"
)

// importOptions are the flags of `discdesk import`.
type importOptions struct {
	JSON, InPlace bool
}

// addImport adds the file's commands to the command list (cli.go).
func addImport(r registry) {
	r.add(&Command{
		Name:    "import",
		Summary: "import DICOM files, folders, ZIP archives or patient discs into the library",
		Usage:   "PATH...",
		Flags: func(fs *flag.FlagSet) func(context.Context, *Env, []string) error {
			o := &importOptions{}
			fs.BoolVar(&o.JSON, "json", false, "print the report as JSON")
			fs.BoolVar(&o.InPlace, "in-place", false, "index files where they lie instead of copying them (for folders that stay)")
			return func(ctx context.Context, env *Env, args []string) error { return runImport(ctx, env, o, args) }
		},
	})
}

func runImport(ctx context.Context, env *Env, o *importOptions, args []string) error {
	if len(args) == 0 {
		return &ExitError{Code: 2, Err: fmt.Errorf("import: name at least one file or folder")}
	}
	lib, err := env.Library()
	if err != nil {
		return err
	}
	rep, err := lib.Import(ctx, args, library.Options{InPlace: o.InPlace})
	if rep != nil {
		printImport(env, rep, o.JSON)
	}
	if err != nil {
		return err
	}
	if rep.Rejected > 0 {
		return &ExitError{Code: 3}
	}
	return nil
}

func printImport(env *Env, rep *library.Report, asJSON bool) {
	if asJSON {
		printJSON(env, rep)
		return
	}
	fmt.Fprintf(env.Stdout, "imported %d, duplicate %d, conflict %d, rejected %d\n", rep.Imported, rep.Duplicates, rep.Conflicts, rep.Rejected)
	for _, n := range rep.Notes {
		fmt.Fprintf(env.Stdout, "note: %s\n", n)
	}
	for _, p := range rep.Problems {
		fmt.Fprintf(env.Stdout, "%s: %s: %s\n", p.Kind, p.File, p.Reason)
	}
}
