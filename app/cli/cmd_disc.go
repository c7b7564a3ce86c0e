package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"discdesk/app/station"
	"discdesk/burner/disc"
	"discdesk/burner/drive"
)

// Exit codes of `discdesk disc` beyond 1 (error) and 2 (usage).
const (
	exitDiscNeedsAck     = 3 // a warning needs --ack-no-report
	exitDiscMissingKey   = 4 // a Type 1 key is missing: --supply it
	exitDiscSeriesTooBig = 5 // a series does not fit the medium
)

// discOptions are the flags of `discdesk disc`.
type discOptions struct {
	Out      string
	ISO      bool
	Files    bool
	NoVerify bool
	Plan     *planFlags
}

func newDiscCommand() *Command {
	return &Command{
		Name:    "disc",
		Summary: "author a patient disc (DICOMDIR, IHE PDI pages, report) from studies as a folder or ISO image",
		Usage:   "--out PATH [--iso] [plan flags: --media --profile --report --no-viewer --no-web --viewer-dir --file-set-id --supply --radiologist --facility-*] STUDY-UID... | --files DIR|FILE...",
		Flags: func(fs *flag.FlagSet) func(context.Context, *Env, []string) error {
			o := &discOptions{}
			fs.StringVar(&o.Out, "out", "", "output folder, or ISO file with --iso (several discs: _1, _2 ... are added)")
			fs.BoolVar(&o.ISO, "iso", false, "write an ISO 9660 image (xorriso) instead of a folder")
			fs.BoolVar(&o.Files, "files", false, "arguments are DICOM files or folders instead of Study Instance UIDs")
			fs.BoolVar(&o.NoVerify, "no-verify", false, "skip reading each written disc back (benchmarks only)")
			o.Plan = addPlanFlags(fs, "cd")
			return func(ctx context.Context, env *Env, args []string) error { return runDisc(ctx, env, o, args) }
		},
	}
}

// planArgs plans the arguments (study UIDs, or files with files set) with
// the plan flags through the station. Files need no store when the
// --facility-* flags name the facility (the running desk holds the store).
func planArgs(ctx context.Context, env *Env, args []string, files bool, pf *planFlags, opts station.PlanOptions) (*station.Plan, error) {
	st, err := env.Station()
	if err != nil {
		if !files || strings.TrimSpace(pf.facility.Name) == "" {
			return nil, fmt.Errorf("facility settings: %w (or give --files, --facility-name and the other --facility-* flags)", err)
		}
		fmt.Fprintf(env.Stderr, "warning: facility settings not read (%v): using the --facility-* flags only\n", err)
		st = station.New(nil, nil, nil, nil, "")
	}
	if !files {
		return st.PlanStudies(ctx, args, opts)
	}
	paths, names, err := expandFiles(args)
	if err != nil {
		return nil, err
	}
	return st.PlanFiles(ctx, paths, names, opts)
}

func runDisc(ctx context.Context, env *Env, o *discOptions, args []string) error {
	if o.Out == "" || len(args) == 0 {
		return &ExitError{Code: 2, Err: errors.New("disc: give --out and at least one STUDY-UID (or --files and paths)")}
	}
	opts, err := o.Plan.options()
	if err != nil {
		return err
	}
	plan, err := planArgs(ctx, env, args, o.Files, o.Plan, opts)
	if err != nil {
		return planError("disc", fmt.Errorf("disc: %w", err))
	}
	defer plan.Close()
	printPlan(env, plan)
	o.Plan.acknowledge(plan)
	if err := plan.Check(); err != nil {
		return planError("disc", fmt.Errorf("disc: %w", err))
	}
	trees, err := plan.Build(ctx, nil)
	if err != nil {
		return err
	}
	m := plan.Options.Media
	fmt.Fprintf(env.Stdout, "%d disc(s) of %s, profile %s, %d MB\n", plan.Count(), m, plan.Profile, plan.Size>>20)
	for i, t := range trees {
		target := o.Out
		if len(trees) > 1 {
			target = numbered(o.Out, i+1, o.ISO)
		}
		// burner/drive writes the target (xorriso for ISO files, one -map
		// per library file) and reads it back against the tree's digests.
		spec := "dir:" + target
		if o.ISO {
			spec = "iso:" + target
		}
		dk, _ := drive.ParseMediaKind(string(m))
		dr, err := drive.Open(spec, drive.Options{Media: dk, Capacity: plan.Options.Capacity})
		if err != nil {
			return err
		}
		if err := dr.Burn(ctx, t, nil); err != nil {
			return fmt.Errorf("disc %d of %d: %s", i+1, len(trees), drive.Message(err))
		}
		if !o.NoVerify {
			if _, err := dr.Verify(ctx, t, nil); err != nil {
				return fmt.Errorf("disc %d of %d: read-back check: %s", i+1, len(trees), drive.Message(err))
			}
		}
		manifest := target + ".sha256"
		if err := os.WriteFile(manifest, disc.Manifest(t), 0o600); err != nil {
			return fmt.Errorf("disc: manifest: %w", err)
		}
		how := "read back and verified"
		if o.NoVerify {
			how = "NOT read back"
		}
		fmt.Fprintf(env.Stdout, "disc %d of %d: %s (volume %s, %d files, %s; manifest %s sha256 %s)\n",
			i+1, len(trees), target, t.VolumeID, len(t.Files), how, manifest, disc.ManifestDigest(t))
	}
	return nil
}

func numbered(out string, n int, iso bool) string {
	if iso {
		ext := filepath.Ext(out)
		return fmt.Sprintf("%s_%d%s", strings.TrimSuffix(out, ext), n, ext)
	}
	return fmt.Sprintf("%s_%d", out, n)
}

// expandFiles lists files, walking folders (hidden files and a DICOMDIR
// left out: the disc gets its own), with the path each was given as.
func expandFiles(args []string) ([]string, map[string]string, error) {
	var out []string
	names := map[string]string{}
	for _, a := range args {
		err := filepath.WalkDir(a, func(p string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			name := d.Name()
			if d.IsDir() {
				if strings.HasPrefix(name, ".") && p != a {
					return filepath.SkipDir
				}
				return nil
			}
			if strings.HasPrefix(name, ".") || strings.EqualFold(name, "DICOMDIR") {
				return nil
			}
			abs, err := filepath.Abs(p)
			if err != nil {
				return err
			}
			out = append(out, abs)
			names[abs] = filepath.ToSlash(p) // as staff typed it: messages name it so
			return nil
		})
		if err != nil {
			return nil, nil, fmt.Errorf("disc: %w", err)
		}
	}
	return out, names, nil
}
