package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	dtag "github.com/suyashkumar/dicom/pkg/tag"

	"discdesk/burner/disc"
	"discdesk/burner/drive"
	"discdesk/internal/version"
	"discdesk/viewer/dcm"
)

// Exit codes of `discdesk disc` beyond 1 (error) and 2 (usage).
const (
	exitDiscNeedsAck     = 3 // a warning needs --ack-no-report
	exitDiscMissingKey   = 4 // a Type 1 key is missing: --supply it
	exitDiscSeriesTooBig = 5 // a series does not fit the medium
)

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(s string) error { *m = append(*m, s); return nil }

func init() {
	Register(&Command{
		Name:    "disc",
		Summary: "author a patient disc (DICOMDIR, IHE PDI pages, report) from studies as a folder or ISO image",
		Usage:   "--out PATH [--iso] [--media cd|dvd|dvd-dl|bd|usb] [--report FILE] [--no-viewer] [--no-web] [--radiologist NAME] [--facility-name NAME --facility-address TEXT --facility-phone TEL] STUDY-UID... | --files DIR|FILE...",
		Flags: func(fs *flag.FlagSet) func(context.Context, *Env, []string) error {
			out := fs.String("out", "", "output folder, or ISO file with --iso (several discs: _1, _2 ... are added)")
			iso := fs.Bool("iso", false, "write an ISO 9660 image (xorriso) instead of a folder")
			media := fs.String("media", "cd", "cd (700 MB), dvd (4.7 GB), dvd-dl (8.5 GB), bd (25 GB) or usb")
			profile := fs.String("profile", "", "jpeg or j2k: keep JPEG / JPEG 2000 objects as they are (DVD, BD, USB only)")
			report := fs.String("report", "", "report to add to the study: a PDF, or a text file made into a PDF")
			title := fs.String("report-title", "", "Document Title of the added report")
			noViewer := fs.Bool("no-viewer", false, "leave the viewer off the disc")
			noWeb := fs.Bool("no-web", false, "leave INDEX.HTM and IHE_PDI/ off the disc (DICOM ONLY)")
			viewerDir := fs.String("viewer-dir", "", "folder of the disc viewer binaries (default: $DISCDESK_VIEWER_DIR, else viewer/ beside discdesk)")
			filesMode := fs.Bool("files", false, "arguments are DICOM files or folders instead of Study Instance UIDs")
			ack := fs.String("ack-no-report", "", "acknowledge that a study has no report (your name, kept in the plan)")
			fsid := fs.String("file-set-id", "", "File-set ID and volume name (up to 16 of A-Z 0-9 _)")
			noVerify := fs.Bool("no-verify", false, "skip reading each written disc back (benchmarks only)")
			var supply multiFlag
			fs.Var(&supply, "supply", "value for a missing Type 1 key, KEYWORD=VALUE or (GGGG,EEEE)=VALUE; repeatable")
			by := fs.String("by", "", "staff member supplying values")
			who := discPeopleFlags(fs)
			return func(ctx context.Context, env *Env, args []string) error {
				if *out == "" || len(args) == 0 {
					return &ExitError{Code: 2, Err: errors.New("disc: give --out and at least one STUDY-UID (or --files and paths)")}
				}
				m, err := disc.ParseMedia(*media)
				if err != nil {
					return &ExitError{Code: 2, Err: err}
				}
				opts := disc.Options{Media: m, NoViewer: *noViewer, NoWeb: *noWeb, ViewerDir: *viewerDir, FileSetID: *fsid, Software: version.Software, Version: version.Version}
				switch *profile {
				case "":
				case "jpeg":
					opts.Profile = disc.JPEGProfile(m)
				case "j2k":
					opts.Profile = disc.J2KProfile(m)
				default:
					return &ExitError{Code: 2, Err: fmt.Errorf("disc: --profile must be jpeg or j2k, got %q", *profile)}
				}
				for _, s := range supply {
					sv, err := parseSupply(s)
					if err != nil {
						return &ExitError{Code: 2, Err: err}
					}
					sv.By = *by
					opts.Supplied = append(opts.Supplied, sv)
				}
				in, err := discInput(env, args, *filesMode, *report, who)
				if err != nil {
					return fmt.Errorf("disc: %w", err)
				}
				in.ReportTitle = *title
				plan, err := disc.NewPlan(ctx, in, opts)
				if err != nil {
					var mk *disc.MissingKeyError
					switch {
					case errors.As(err, &mk):
						hint := ""
						if mk.Tag != 0 {
							hint = fmt.Sprintf(" (give --supply %s=VALUE --by NAME)", mk.Tag.Name())
						}
						return &ExitError{Code: exitDiscMissingKey, Err: fmt.Errorf("%w%s", err, hint)}
					case errors.Is(err, disc.ErrSeriesTooLarge):
						return &ExitError{Code: exitDiscSeriesTooBig, Err: err}
					}
					return err
				}
				defer plan.Close()
				for _, w := range plan.Warnings {
					fmt.Fprintf(env.Stderr, "warning: %s\n", w)
				}
				for _, o := range plan.Offers {
					fmt.Fprintf(env.Stderr, "offer: %s would keep %d compressed objects as they are (saves about %d MB; --profile %s)\n",
						o.Profile, o.Objects, o.Saves>>20, strings.ToLower(string(o.Profile)[strings.LastIndexByte(string(o.Profile), '-')+1:]))
				}
				if *ack != "" {
					plan.Acknowledge(disc.WarnNoReport, *ack)
				}
				if un := plan.Unacknowledged(); len(un) > 0 {
					return &ExitError{Code: exitDiscNeedsAck, Err: fmt.Errorf("disc: %s (acknowledge with --ack-no-report NAME, or add --report FILE)", un[0].Message)}
				}
				trees, err := plan.Build(ctx, nil)
				if err != nil {
					return err
				}
				fmt.Fprintf(env.Stdout, "%d disc(s) of %s, profile %s, %d MB\n", plan.Count(), m, plan.Profile, plan.Size>>20)
				for i, t := range trees {
					target := *out
					if len(trees) > 1 {
						target = numbered(*out, i+1, *iso)
					}
					// burner/drive writes the target (xorriso for ISO files,
					// one -map per library file) and reads it back against
					// the tree's SHA-256 digests.
					spec := "dir:" + target
					if *iso {
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
					if *noVerify {
						fmt.Fprintf(env.Stdout, "disc %d of %d: %s (volume %s, %d files, NOT read back; manifest %s sha256 %s)\n",
							i+1, len(trees), target, t.VolumeID, len(t.Files), target+".sha256", disc.ManifestDigest(t))
					} else if _, err := dr.Verify(ctx, t, nil); err != nil {
						return fmt.Errorf("disc %d of %d: read-back check: %s", i+1, len(trees), drive.Message(err))
					}
					manifest := target + ".sha256"
					if err := os.WriteFile(manifest, disc.Manifest(t), 0o600); err != nil {
						return fmt.Errorf("disc: manifest: %w", err)
					}
					if !*noVerify {
						fmt.Fprintf(env.Stdout, "disc %d of %d: %s (volume %s, %d files, read back and verified; manifest %s sha256 %s)\n",
							i+1, len(trees), target, t.VolumeID, len(t.Files), manifest, disc.ManifestDigest(t))
					}
				}
				return nil
			}
		},
	})
}

func numbered(out string, n int, iso bool) string {
	if iso {
		ext := filepath.Ext(out)
		return fmt.Sprintf("%s_%d%s", strings.TrimSuffix(out, ext), n, ext)
	}
	return fmt.Sprintf("%s_%d", out, n)
}

// studyFiles resolves Study Instance UIDs to instance files in the library.
func studyFiles(env *Env, uids []string) ([]string, error) {
	lib, err := env.Library()
	if err != nil {
		return nil, err
	}
	var out []string
	for _, uid := range uids {
		fs, err := lib.Files(uid)
		if err != nil {
			return nil, err
		}
		out = append(out, fs...)
	}
	return out, nil
}

// expandFiles lists files, walking folders (hidden files and a DICOMDIR
// left out: the disc gets its own).
func expandFiles(args []string) ([]string, error) {
	var out []string
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
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("disc: %w", err)
		}
	}
	return out, nil
}

// parseSupply reads KEYWORD=VALUE or (GGGG,EEEE)=VALUE.
func parseSupply(s string) (disc.Supplied, error) {
	k, v, ok := strings.Cut(s, "=")
	if !ok || strings.TrimSpace(v) == "" {
		return disc.Supplied{}, fmt.Errorf("disc: --supply %q: want KEYWORD=VALUE", s)
	}
	k = strings.TrimSpace(k)
	if h := strings.Trim(strings.ReplaceAll(k, ",", ""), "()"); len(h) == 8 {
		if n, err := strconv.ParseUint(h, 16, 32); err == nil {
			return disc.Supplied{Tag: dcm.Tag(n), Value: v}, nil
		}
	}
	info, err := dtag.FindByName(k)
	if err != nil {
		return disc.Supplied{}, fmt.Errorf("disc: --supply %q: unknown attribute %q", s, k)
	}
	return disc.Supplied{Tag: dcm.T(info.Tag.Group, info.Tag.Element), Value: v}, nil
}
