package reconcile

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"discdesk/app/handoff"
	"discdesk/app/library"
	"discdesk/viewer/dcm"
)

// Options of one reconciliation.
type Options struct {
	Mapping Mapping
	// Sender is who made the disc (default: the disc's Institution Name).
	Sender string
	// Facility is the receiving practice, named in the receipt.
	Facility string
	// WorkDir receives the coerced copies (a private folder is made inside;
	// "" = os.TempDir()). The copies are removed when Run returns.
	WorkDir string
	// System is the Modifying System (default "DISCDESK").
	System string
	// Forward, when set, sends the coerced files to the PACS (C-STORE) and
	// returns one error per file (nil = stored) and the destination's name.
	Forward   func(ctx context.Context, paths []string) ([]error, error)
	PACSName  string
	Log       *handoff.Store // when set, the receipt is recorded
	Actor     handoff.Actor
	Now       func() time.Time
	Location  *time.Location // for the receipt's date (nil = time.Local)
	OnlyStudy []string       // Study Instance UIDs to take (empty = all of the patient)
}

// A Result is what Run did.
type Result struct {
	Coerced   int                 `json:"coerced"`
	Changes   []handoff.IDMapping `json:"changes"`
	Import    *library.Report     `json:"import"`
	Forwarded int                 `json:"forwarded"`
	Problems  []string            `json:"problems,omitempty"`
	Studies   []string            `json:"studies"` // studies of which at least one object is now held here
	Offered   int                 `json:"offered"` // objects of the chosen studies on the disc
	Held      int                 `json:"held"`    // of those, now in the library (imported, or already here)
	Receipt   string              `json:"receipt"`
	Record    string              `json:"record,omitempty"` // handoff record ID
}

// Run reconciles one outside patient of the disc: coerces its objects with
// opt.Mapping, imports them into lib, forwards them when configured, and
// records the receipt. local is the local identity the staff confirmed.
func Run(ctx context.Context, lib *library.Library, p OutsidePatient, local handoff.Patient, opt Options) (*Result, error) {
	if strings.TrimSpace(opt.Mapping.PatientID) == "" {
		return nil, fmt.Errorf("reconcile: %w", ErrNoMapping)
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.System == "" {
		opt.System = "DISCDESK"
	}
	if opt.Location == nil {
		opt.Location = time.Local
	}
	sender := strings.TrimSpace(opt.Sender)
	if sender == "" {
		for _, s := range p.Studies {
			if s.Institution != "" {
				sender = s.Institution
				break
			}
		}
	}
	if sender == "" {
		return nil, fmt.Errorf("reconcile: sender (who made the disc): %w", ErrMissing)
	}
	if opt.Log != nil && (strings.TrimSpace(opt.Actor.Staff) == "" || strings.TrimSpace(opt.Actor.Workstation) == "") {
		return nil, fmt.Errorf("reconcile: staff and workstation: %w", ErrMissing)
	}
	work, err := os.MkdirTemp(opt.WorkDir, "discdesk-reconcile-")
	if err != nil {
		return nil, fmt.Errorf("reconcile: work folder: %w", err)
	}
	defer os.RemoveAll(work)
	now := opt.Now()
	res := &Result{}
	var chosen []string // the studies taken from the disc, in disc order
	var paths []string
	studyOf := map[string]string{} // coerced file -> its study
	changed := map[handoff.IDMapping]bool{}
	take := map[string]bool{}
	for _, u := range opt.OnlyStudy {
		take[u] = true
	}
	for _, st := range p.Studies {
		if len(take) > 0 && !take[st.UID] {
			continue
		}
		for i, o := range st.Objects {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			res.Offered++
			dst := filepath.Join(work, fmt.Sprintf("S%04d", len(chosen)), fmt.Sprintf("I%06d.dcm", i))
			ch, err := Coerce(o.Path, dst, opt.Mapping, Coercion{Time: now, System: opt.System, Source: sender})
			if err != nil {
				res.Problems = append(res.Problems, err.Error())
				continue
			}
			for _, c := range ch {
				changed[handoff.IDMapping{Attribute: c.Attribute, Outside: c.Outside, Local: c.Local}] = true
			}
			paths = append(paths, dst)
			studyOf[dst] = st.UID
		}
		chosen = append(chosen, st.UID)
	}
	res.Coerced = len(paths)
	if len(paths) == 0 {
		return res, fmt.Errorf("reconcile: %w: none of the %d objects could be read (%d problems)", ErrNoObjects, res.Offered, len(res.Problems))
	}
	for m := range changed {
		res.Changes = append(res.Changes, m)
	}
	sort.Slice(res.Changes, func(i, j int) bool {
		a, b := res.Changes[i], res.Changes[j]
		return a.Attribute+a.Outside < b.Attribute+b.Outside
	})
	if res.Import, err = lib.Import(ctx, []string{work}, library.Options{}); err != nil {
		return res, fmt.Errorf("reconcile: import: %w", err)
	}
	refused := map[string]bool{}
	for _, pr := range res.Import.Problems {
		res.Problems = append(res.Problems, fmt.Sprintf("import %s: %s", filepath.Base(pr.File), pr.Reason))
		if pr.Kind == "rejected" || pr.Kind == "conflict" {
			refused[pr.File] = true
		}
	}
	held := map[string]bool{}
	for _, p := range paths {
		if !refused[p] {
			held[studyOf[p]] = true
		}
	}
	for _, u := range chosen {
		if held[u] {
			res.Studies = append(res.Studies, u)
		}
	}
	res.Held = res.Import.Imported + res.Import.Duplicates
	if res.Held == 0 {
		// Nothing is here: no receipt may say otherwise, and nothing goes
		// on the tell-the-patient list.
		return res, fmt.Errorf("reconcile: %w: all %d objects were refused (%d problems)", ErrNoObjects, res.Offered, len(res.Problems))
	}
	if opt.Forward != nil {
		errs, err := opt.Forward(ctx, paths)
		if err != nil {
			res.Problems = append(res.Problems, "forward to PACS: "+err.Error())
		}
		for i, e := range errs {
			if e == nil {
				res.Forwarded++
			} else if i < len(paths) {
				res.Problems = append(res.Problems, fmt.Sprintf("forward %s: %v", filepath.Base(paths[i]), e))
			}
		}
	}
	res.Receipt = receipt(now.In(opt.Location), sender, opt.Facility, p, res)
	if opt.Log != nil {
		in := handoff.Intake{Sender: sender, Received: now, Studies: res.Studies, Instances: res.Held,
			Mappings: res.Changes, Receipt: res.Receipt, Problems: res.Problems}
		if opt.Forward != nil {
			in.Forwarded = opt.PACSName
		}
		r, err := opt.Log.RecordOutsideDisc(local, in, opt.Actor)
		if err != nil {
			return res, fmt.Errorf("reconcile: record receipt: %w", err)
		}
		res.Record = r.ID
	}
	return res, nil
}

// receipt is the text given to the patient: what was received, and, when
// not everything could be taken, how much and that staff have the reasons.
// It claims only what happened: the studies listed are those with images
// now held here.
func receipt(day time.Time, sender, facility string, p OutsidePatient, res *Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Your images were received on %s from %s", day.Format("Monday, 2 January 2006"), sender)
	if facility != "" {
		fmt.Fprintf(&b, " by %s", facility)
	}
	n := res.Held
	fmt.Fprintf(&b, ": %d %s, %d %s.", len(res.Studies), plural(len(res.Studies), "study", "studies"), n, plural(n, "image or document", "images and documents"))
	for _, s := range p.Studies {
		for _, u := range res.Studies {
			if u == s.UID {
				fmt.Fprintf(&b, "\n  - %s %s %s", cmp.Or(dcm.FormatDate(s.Date), s.Date), strings.Join(s.Modalities, "/"), strings.TrimSpace(s.Description))
			}
		}
	}
	if k := res.Offered - n; k > 0 {
		fmt.Fprintf(&b, "\n%d of the %d %s on the disc could not be taken; the staff have the reasons and may ask the sender for a new copy.",
			k, res.Offered, plural(res.Offered, "image or document", "images and documents"))
	}
	b.WriteString("\nThe images listed above are now part of your record here; your doctor can look at them.")
	if res.Forwarded > 0 {
		b.WriteString(" They were also sent to the imaging archive (PACS).")
	}
	return b.String()
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
