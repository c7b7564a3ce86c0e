package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"discdesk/app/ecopy"
	"discdesk/app/settings"
	"discdesk/burner/disc"
	"discdesk/internal/version"
)

func init() {
	Register(&Command{
		Name:    "copy",
		Summary: "electronic copy instead of a disc: the disc's tree as a ZIP or ISO file in a folder the patient chooses, or on a USB stick; read back and logged",
		Usage:   "--to zip:FILE|iso:FILE|usb:PATH [--request ID --staff NAME --workstation WS] [--report FILE] [--ack-no-report NAME] [--radiologist NAME] [--facility-name NAME ...] STUDY-UID... | --files PATH...",
		Flags: func(fs *flag.FlagSet) func(context.Context, *Env, []string) error {
			to := fs.String("to", "", "zip:FILE (a ZIP of the disc tree), iso:FILE (an ISO image) or usb:PATH (a mounted stick)")
			report := fs.String("report", "", "report to add to the study: a PDF, or a text file made into a PDF")
			noViewer := fs.Bool("no-viewer", false, "leave the viewer off the copy")
			viewerDir := fs.String("viewer-dir", "", "folder of the disc viewer binaries (default as for discdesk disc)")
			ack := fs.String("ack-no-report", "", "acknowledge that a study has no report (your name)")
			filesMode := fs.Bool("files", false, "arguments are DICOM files or folders instead of Study Instance UIDs")
			reqID := fs.String("request", "", "handoff request the copy fulfils: the log records it like a disc")
			who := discPeopleFlags(fs)
			actor := actorFlags(fs)
			return func(ctx context.Context, env *Env, args []string) error {
				_, err := ecopy.Format(*to)
				if err != nil || len(args) == 0 {
					if err == nil {
						err = errors.New("copy: give at least one STUDY-UID (or --files and paths)")
					}
					return &ExitError{Code: 2, Err: err}
				}
				if *reqID != "" && strings.TrimSpace(actor().Staff) == "" {
					return &ExitError{Code: 2, Err: errors.New("copy: --request needs --staff NAME")}
				}
				in, err := discInput(env, args, *filesMode, *report, who)
				if err != nil {
					return fmt.Errorf("copy: %w", err)
				}
				// A file or stick has no fixed size: the USB media rules
				// (PS3.11 STD-GEN-USB) give one complete file-set.
				plan, err := disc.NewPlan(ctx, in, disc.Options{Media: disc.USB, NoViewer: *noViewer, ViewerDir: *viewerDir, Software: version.Software, Version: version.Version})
				if err != nil {
					return fmt.Errorf("copy: %w (see discdesk disc for the options that resolve it)", err)
				}
				defer plan.Close()
				for _, w := range plan.Warnings {
					fmt.Fprintf(env.Stderr, "warning: %s\n", w)
				}
				if *ack != "" {
					plan.Acknowledge(disc.WarnNoReport, *ack)
				}
				if un := plan.Unacknowledged(); len(un) > 0 {
					return &ExitError{Code: exitDiscNeedsAck, Err: fmt.Errorf("copy: %s (acknowledge with --ack-no-report NAME, or add --report FILE)", un[0].Message)}
				}
				trees, err := plan.Build(ctx, nil)
				if err != nil {
					return err
				}
				opt := ecopy.Options{Studies: treeStudies(args, *filesMode), Done: func(c ecopy.Copy) {
					fmt.Fprintf(env.Stdout, "copy %d of %d: %s %s (volume %s, %d files, read back and verified; manifest sha256 %s)\n",
						c.N, c.M, c.Format.Label(), c.Dest, c.VolumeID, c.Files, c.Digest)
					if c.Event != "" {
						fmt.Fprintf(env.Stdout, "logged as disc %s (event %s)\n", c.DiscUUID, c.Event)
					}
				}}
				if *reqID != "" {
					if opt.Log, err = env.Handoff(); err != nil {
						return err
					}
					opt.Request, opt.Actor = *reqID, actor()
				}
				_, err = ecopy.Write(ctx, trees, *to, opt)
				return err
			}
		},
	})
}

func treeStudies(args []string, files bool) []string {
	if files {
		return nil
	}
	return append([]string(nil), args...)
}

// discInput gathers what a disc plan needs: the files of the studies (or
// of the paths, with files set), the report file (a PDF, or text made into
// one), the facility (see discPeople.facility) and the reading radiologist.
// It warns on env.Stderr when no facility detail is known.
func discInput(env *Env, args []string, files bool, report string, who *discPeople) (disc.Input, error) {
	var in disc.Input
	var err error
	if files {
		in.Files, err = expandFiles(args)
	} else {
		in.Files, err = studyFiles(env, args)
	}
	if err != nil {
		return in, err
	}
	if report != "" {
		b, err := os.ReadFile(report)
		if err != nil {
			return in, fmt.Errorf("report: %w", err)
		}
		if strings.HasPrefix(string(b), "%PDF-") {
			in.ReportPDF = report
		} else {
			in.ReportText = string(b)
		}
	}
	if in.Facility, err = who.facility(env); err != nil {
		return in, err
	}
	if !in.Facility.Configured() {
		fmt.Fprintln(env.Stderr, "warning: no facility details are configured (desk settings, or --facility-name/--facility-address/--facility-phone): README.TXT will say so and give patients no one to contact")
	}
	in.ReadingPhysician = strings.TrimSpace(who.radiologist)
	return in, nil
}

// discPeople are the flags disc, burn and copy share: the facility printed
// on the disc, each flag given replacing the desk's setting, and the
// reading radiologist.
type discPeople struct {
	name, address, phone, email, contact string
	radiologist                          string
}

func discPeopleFlags(fs *flag.FlagSet) *discPeople {
	d := &discPeople{}
	fs.StringVar(&d.radiologist, "radiologist", "", "reading radiologist named on the disc, overriding the report and the study (free text, or Family^Given^^Prefix^Suffix)")
	fs.StringVar(&d.name, "facility-name", "", "facility name on the disc (default: the desk's settings)")
	fs.StringVar(&d.address, "facility-address", "", `facility address on the disc, lines separated by "\n" or newlines (default: the desk's settings)`)
	fs.StringVar(&d.phone, "facility-phone", "", "facility telephone on the disc (default: the desk's settings)")
	fs.StringVar(&d.email, "facility-email", "", "facility e-mail address on the disc (default: the desk's settings)")
	fs.StringVar(&d.contact, "facility-contact", "", `whom patients ask for with questions, e.g. "the radiology reading room"`)
	return d
}

// facility is the facility for the disc: the desk's settings (app/settings
// in the store; handoff.json's facility when the settings have none), each
// --facility-* flag given replacing its field. When the store is in use by
// the running desk, the flags alone do if they name the facility.
func (d *discPeople) facility(env *Env) (disc.Facility, error) {
	var f disc.Facility
	db, err := env.DB()
	switch {
	case err == nil:
		st, err := settings.Open(db)
		if err != nil {
			return f, err
		}
		s, err := st.Get()
		if err != nil {
			return f, err
		}
		sf := s.Facility
		f = disc.Facility{Name: sf.Name, Address: sf.Address, Phone: sf.Phone, Email: sf.Email}
	case strings.TrimSpace(d.name) != "":
		fmt.Fprintf(env.Stderr, "warning: facility settings not read (%v): using the --facility-* flags only\n", err)
	default:
		return f, fmt.Errorf("facility settings: %w (or give --facility-name and the other --facility-* flags)", err)
	}
	if !f.Configured() {
		if hs, err := loadHandoffSettings(env); err == nil {
			hf := hs.facility()
			// An empty handoff.Address still gives a "," line: keep only
			// lines that say something.
			var lines []string
			for _, l := range hf.Address.Lines() {
				if strings.Trim(l, ", ") != "" {
					lines = append(lines, l)
				}
			}
			f = disc.Facility{Name: hf.Name, Address: strings.Join(lines, "\n"), Phone: hf.Phone, Email: hf.Email}
		}
	}
	return d.override(f), nil
}

// override replaces each field of f whose flag was given. An address given
// on one line takes "\n" (backslash n) as a line break.
func (d *discPeople) override(f disc.Facility) disc.Facility {
	set := func(field *string, v string) {
		if v = strings.TrimSpace(v); v != "" {
			*field = v
		}
	}
	set(&f.Name, d.name)
	set(&f.Address, strings.ReplaceAll(d.address, `\n`, "\n"))
	set(&f.Phone, d.phone)
	set(&f.Email, d.email)
	set(&f.Contact, d.contact)
	return f
}
