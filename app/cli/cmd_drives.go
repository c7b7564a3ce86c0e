package cli

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"discdesk/burner/drive"
)

// addDrives adds the file's commands to the command list (cli.go).
func addDrives(r registry) {
	r.add(&Command{
		Name:    "drives",
		Summary: "list the disc burners and what they can write",
		Usage:   "",
		Flags: func(fs *flag.FlagSet) func(context.Context, *Env, []string) error {
			return func(ctx context.Context, env *Env, args []string) error { return runDrives(ctx, env) } // no flags
		},
	})
}

func runDrives(ctx context.Context, env *Env) error {
	list, err := drive.List(ctx, drive.Options{})
	if err != nil {
		return fmt.Errorf("drives: %s (%w)", drive.Message(err), err)
	}
	if len(list) == 0 {
		fmt.Fprintln(env.Stdout, "No disc burners found.")
	}
	for _, d := range list {
		var kinds []string
		for _, k := range d.Writes {
			kinds = append(kinds, k.String())
		}
		fmt.Fprintf(env.Stdout, "%-12s %s %s (%s) writes %s\n", d.Spec, d.Vendor, d.Product, d.Backend, strings.Join(kinds, ", "))
		if dr, err := drive.Open(d.Spec, drive.Options{}); err == nil {
			if m, err := dr.Media(ctx); err == nil {
				fmt.Fprintf(env.Stdout, "%-12s media: %s\n", "", m)
			} else {
				fmt.Fprintf(env.Stdout, "%-12s media: %s\n", "", drive.Message(err))
			}
		}
	}
	fmt.Fprintln(env.Stdout, "Other targets: stdio:FILE (xorriso pseudo-drive), iso:FILE, zip:FILE, dir:FOLDER, usb:MOUNTED-FOLDER")
	return nil
}
