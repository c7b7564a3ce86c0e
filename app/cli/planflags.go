package cli

import (
	"cmp"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	dtag "github.com/suyashkumar/dicom/pkg/tag"

	"discdesk/app/station"
	"discdesk/burner/disc"
	"discdesk/viewer/dcm"
	"discdesk/viewer/dicomdir"
)

// planFlags are the disc plan options `disc`, `burn` and `copy` share
// (station.PlanOptions), with the acknowledgement of a missing report.
type planFlags struct {
	media, profile, report, title, viewerDir, fsid string
	noViewer, noWeb                                bool
	supply                                         multiFlag
	by, ack                                        string
	facility                                       disc.Facility
	radiologist                                    string
}

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(s string) error { *m = append(*m, s); return nil }

// addPlanFlags declares the plan flags on fs; media is the --media default
// ("-": no --media flag, the medium is the command's).
func addPlanFlags(fs *flag.FlagSet, media string) *planFlags {
	p := &planFlags{}
	if media != "-" {
		fs.StringVar(&p.media, "media", media, "cd (700 MB), dvd (4.7 GB), dvd-dl (8.5 GB), bd (25 GB) or usb")
	}
	fs.StringVar(&p.profile, "profile", "", "jpeg or j2k: keep JPEG / JPEG 2000 objects as they are (DVD, BD, USB only)")
	fs.StringVar(&p.report, "report", "", "report to add to the study: a PDF, or a text file made into a PDF")
	fs.StringVar(&p.title, "report-title", "", "Document Title of the added report")
	fs.BoolVar(&p.noViewer, "no-viewer", false, "leave the viewer off the disc")
	fs.BoolVar(&p.noWeb, "no-web", false, "leave INDEX.HTM and IHE_PDI/ off the disc (DICOM ONLY)")
	fs.StringVar(&p.viewerDir, "viewer-dir", "", "folder of the disc viewer binaries (default: $DISCDESK_VIEWER_DIR, else viewer/ beside discdesk)")
	fs.StringVar(&p.fsid, "file-set-id", "", "File-set ID and volume name (up to 16 of A-Z 0-9 _)")
	fs.Var(&p.supply, "supply", "value for a missing or invalid Type 1 key, KEYWORD=VALUE or (GGGG,EEEE)=VALUE; FILE:KEYWORD=VALUE replaces it in that file only (its path, or the name it was imported as); repeatable")
	fs.StringVar(&p.by, "by", "", "staff member supplying values")
	fs.StringVar(&p.ack, "ack-no-report", "", "acknowledge that a study has no report (your name, kept in the plan)")
	fs.StringVar(&p.radiologist, "radiologist", "", "reading radiologist named on the disc, overriding the report and the study (free text, or Family^Given^^Prefix^Suffix)")
	fs.StringVar(&p.facility.Name, "facility-name", "", "facility name on the disc (default: the desk's settings)")
	fs.StringVar(&p.facility.Address, "facility-address", "", `facility address on the disc, lines separated by "\n" or newlines (default: the desk's settings)`)
	fs.StringVar(&p.facility.Phone, "facility-phone", "", "facility telephone on the disc (default: the desk's settings)")
	fs.StringVar(&p.facility.Email, "facility-email", "", "facility e-mail address on the disc (default: the desk's settings)")
	fs.StringVar(&p.facility.Contact, "facility-contact", "", `whom patients ask for with questions, e.g. "the radiology reading room"`)
	return p
}

// options returns the station's plan options.
func (p *planFlags) options() (station.PlanOptions, error) {
	o := station.PlanOptions{Profile: p.profile, NoViewer: p.noViewer, NoWeb: p.noWeb, ViewerDir: p.viewerDir, FileSetID: p.fsid,
		ReportTitle: p.title, Radiologist: p.radiologist, Facility: p.facility}
	if p.media != "" {
		m, err := disc.ParseMedia(p.media)
		if err != nil {
			return o, &ExitError{Code: 2, Err: err}
		}
		o.Media = m
	}
	switch strings.ToLower(p.profile) {
	case "", "jpeg", "j2k":
	default:
		return o, &ExitError{Code: 2, Err: fmt.Errorf("--profile must be jpeg or j2k, got %q", p.profile)}
	}
	if p.report != "" {
		abs, err := filepath.Abs(p.report)
		if err != nil {
			return o, err
		}
		o.Report = abs
	}
	for _, s := range p.supply {
		sv, err := parseSupply(s)
		if err != nil {
			return o, &ExitError{Code: 2, Err: err}
		}
		sv.By = p.by
		o.Supplied = append(o.Supplied, sv)
	}
	if len(o.Supplied) > 0 && strings.TrimSpace(p.by) == "" {
		return o, &ExitError{Code: 2, Err: errors.New("--supply needs --by NAME (kept with the supplied value)")}
	}
	return o, nil
}

// acknowledge applies --ack-no-report to a plan.
func (p *planFlags) acknowledge(pl *station.Plan) {
	if p.ack != "" {
		pl.Acknowledge(disc.WarnNoReport, p.ack)
	}
}

// planError adds the command that resolves a plan error; cmd is the
// command that planned ("disc", "burn", "copy").
func planError(cmd string, err error) error {
	var mks disc.MissingKeys
	switch {
	case errors.As(err, &mks):
		return &ExitError{Code: exitDiscMissingKey, Err: fmt.Errorf("%w\n%s", err, supplyHint(cmd, mks))}
	case errors.Is(err, disc.ErrSeriesTooLarge):
		return &ExitError{Code: exitDiscSeriesTooBig, Err: err}
	case errors.Is(err, station.ErrUnacknowledged):
		return &ExitError{Code: exitDiscNeedsAck, Err: fmt.Errorf("%w (acknowledge with --ack-no-report NAME, or add --report FILE)", err)}
	}
	return err
}

// supplyHint is the command line that supplies every missing or invalid
// key at once: the same command again with one --supply per value. A
// missing key is supplied for every object lacking it; an invalid value is
// replaced in its own file (named as staff imported it, Object.SupplyFile),
// an ACR-NEMA date already given in DICOM form.
func supplyHint(cmd string, mks disc.MissingKeys) string {
	var flags []string
	seen := map[string]bool{}
	for _, mk := range mks {
		if mk.Tag == 0 {
			continue
		}
		kw := mk.Tag.Name() // the keyword, else (GGGG,EEEE)
		value := "VALUE"
		switch dcm.DictVR(mk.Tag) {
		case "DA":
			value = cmp.Or(strings.ReplaceAll(dcm.FormatDate(mk.Value), "-", ""), "YYYYMMDD")
		case "TM":
			value = "HHMMSS"
		}
		f := kw + "=" + value
		if mk.Invalid && mk.File != "" {
			f = mk.File + ":" + f
		}
		if !seen[f] {
			seen[f] = true
			flags = append(flags, "--supply "+shellQuote(f))
		}
	}
	if len(flags) == 0 {
		return "fix the objects and plan again"
	}
	return fmt.Sprintf("run the same command again with these flags added (check each value, put your name for NAME):\n  discdesk %s %s --by NAME", cmd, strings.Join(flags, " "))
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.,:=/+@") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// printPlan prints a plan's warnings, offers and the browser viewer's cost on stderr.
func printPlan(env *Env, pl *station.Plan) {
	for _, w := range pl.Warnings {
		fmt.Fprintf(env.Stderr, "warning: %s\n", w)
	}
	for _, o := range pl.Offers {
		fmt.Fprintf(env.Stderr, "offer: %s would keep %d compressed objects as they are (saves about %d MB; --profile %s)\n",
			o.Profile, o.Objects, o.Saves>>20, strings.ToLower(string(o.Profile)[strings.LastIndexByte(string(o.Profile), '-')+1:]))
	}
	if c := pl.WebViewerCost(); c != "" {
		fmt.Fprintf(env.Stderr, "plan: %s\n", c)
	}
	if !pl.Facility.Configured() {
		fmt.Fprintln(env.Stderr, "warning: no facility details are configured (desk settings, `discdesk config set`, or --facility-name/--facility-address/--facility-phone): README.TXT will say so and give patients no one to contact")
	}
}

// parseSupply reads [FILE:]KEYWORD=VALUE or [FILE:](GGGG,EEEE)=VALUE; FILE
// is a file's path or the name it was imported into the library as.
func parseSupply(s string) (station.Supply, error) {
	k, v, ok := strings.Cut(s, "=")
	if !ok || strings.TrimSpace(v) == "" {
		return station.Supply{}, fmt.Errorf("--supply %q: want KEYWORD=VALUE", s)
	}
	file := ""
	if i := strings.LastIndexByte(k, ':'); i > 0 {
		// A file on disk (disc --files) is named by its absolute path;
		// anything else is the name a library file was imported as.
		file, k = k[:i], k[i+1:]
		if _, err := os.Stat(file); err == nil {
			abs, err := filepath.Abs(file)
			if err != nil {
				return station.Supply{}, err
			}
			file = abs
		}
	}
	k = strings.TrimSpace(k)
	if h := strings.Trim(strings.ReplaceAll(k, ",", ""), "()"); len(h) == 8 {
		if n, err := strconv.ParseUint(h, 16, 32); err == nil {
			return station.Supply{File: file, Tag: uint32(n), Value: v}, nil
		}
	}
	info, err := dtag.FindByName(k)
	if err != nil {
		return station.Supply{}, fmt.Errorf("--supply %q: unknown attribute %q", s, k)
	}
	return station.Supply{File: file, Tag: uint32(dcm.T(info.Tag.Group, info.Tag.Element)), Value: v}, nil
}

// folderVolumeID is the volume id of a disc folder: the File-set ID of its
// DICOMDIR, never the folder's name (which may name the patient).
func folderVolumeID(dir string) string {
	if d, err := dicomdir.Read(filepath.Join(dir, "DICOMDIR")); err == nil && d.FileSetID != "" {
		return d.FileSetID
	}
	return disc.FileSetID("")
}

// Station opens the lifecycle on the data folder.
func (e *Env) Station() (*station.Station, error) {
	if e.st != nil {
		return e.st, nil
	}
	db, err := e.DB()
	if err != nil {
		return nil, err
	}
	lib, err := e.Library()
	if err != nil {
		return nil, err
	}
	dir, err := e.DataDir()
	if err != nil {
		return nil, err
	}
	st, err := station.Open(db, dir, lib)
	if err != nil {
		return nil, err
	}
	e.st = st
	return st, nil
}
