package drivetest

import (
	"context"
	"errors"
	"strings"
	"testing"

	"discdesk/burner"
	"discdesk/burner/drive"
)

// A Harness adapts one backend to Suite.
type Harness struct {
	// New returns a target with blank media, new for each call, opened with
	// opt (Capacity set by the suite for the too-small test).
	New func(t *testing.T, opt drive.Options) drive.Drive
	// Corrupt flips one byte of the written copy of discPath on d.
	Corrupt func(t *testing.T, d drive.Drive, discPath string)
	// Fault returns a target on which the fault really happens, or nil when
	// this backend cannot produce it (the Fake produces every fault).
	Fault func(t *testing.T, f Fault) drive.Drive
}

// faultWant is the sentinel each injectable fault must end in.
var faultWant = map[Fault]error{
	ToolMissing: drive.ErrToolMissing,
	NoDrive:     drive.ErrNoDrive,
	NoMedia:     drive.ErrNoMedia,
	NotBlank:    drive.ErrMediaNotBlank,
	TooSmall:    drive.ErrCapacityExceeded,
	WriteError:  drive.ErrWrite,
	Ejected:     drive.ErrEjected,
}

// Suite runs the tests every drive backend must pass.
func Suite(t *testing.T, h Harness) {
	tree := CorpusTree(t)
	ctx := context.Background()

	t.Run("RoundTrip", func(t *testing.T) {
		d := h.New(t, drive.Options{})
		m, err := d.Media(ctx)
		if err != nil {
			t.Fatalf("Media: %v", err)
		}
		if m.State != drive.StateBlank || m.Free < drive.ImageSize(tree) {
			t.Fatalf("fresh target: %v, want blank with room for %d bytes", m, drive.ImageSize(tree))
		}
		var events []drive.Progress
		if err := d.Burn(ctx, tree, func(p drive.Progress) { events = append(events, p) }); err != nil {
			t.Fatalf("Burn: %v (%s)", err, drive.Message(err))
		}
		checkProgress(t, events)
		rep, err := d.Verify(ctx, Manifest(tree), nil)
		if err != nil {
			t.Fatalf("Verify: %v", err)
		}
		if !rep.OK || rep.Files != len(tree.Files) || rep.Bytes != tree.Size() || rep.VolumeID != tree.VolumeID || len(rep.Problems) != 0 {
			t.Fatalf("report %+v, want OK with %d files, %d bytes", rep, len(tree.Files), tree.Size())
		}
		if m, err := d.Media(ctx); err != nil || m.State == drive.StateBlank {
			t.Fatalf("after burn: %v, %v; want a used medium", m, err)
		}
		// A second burn on the same medium is refused: not blank.
		err = d.Burn(ctx, tree, nil)
		wantFault(t, err, drive.ErrMediaNotBlank)
		// The manifest differs from the media: a missing and an extra file.
		other := Manifest(tree)
		other.Files[0].Path = "OTHER"
		rep, err = d.Verify(ctx, other, nil)
		if !errors.Is(err, drive.ErrVerifyMismatch) || rep == nil || !hasProblem(rep, "missing", "OTHER") || !hasProblem(rep, "extra", tree.Files[0].Path) {
			t.Fatalf("Verify with other manifest: %v, %+v; want missing OTHER and extra %s", err, rep, tree.Files[0].Path)
		}
	})

	t.Run("VerifyMismatch", func(t *testing.T) {
		d := h.New(t, drive.Options{})
		if err := d.Burn(ctx, tree, nil); err != nil {
			t.Fatalf("Burn: %v", err)
		}
		victim := tree.Files[len(tree.Files)-1].Path
		for _, f := range tree.Files {
			if f.Source != "" {
				victim = f.Path
				break
			}
		}
		h.Corrupt(t, d, victim)
		rep, err := d.Verify(ctx, Manifest(tree), nil)
		wantFault(t, err, drive.ErrVerifyMismatch)
		if rep == nil || rep.OK || !hasProblem(rep, "sha256", victim) || len(rep.Problems) != 1 {
			t.Fatalf("report %+v: want one sha256 problem on %s", rep, victim)
		}
	})

	t.Run("TooSmall", func(t *testing.T) {
		d := h.New(t, drive.Options{Capacity: 64 * 1024, Media: drive.KindCD})
		err := d.Burn(ctx, tree, nil)
		wantFault(t, err, drive.ErrCapacityExceeded)
		if msg := drive.Message(err); !strings.Contains(msg, "needs") {
			t.Errorf("message %q does not say what the study needs", msg)
		}
		if m, err := d.Media(ctx); err != nil || m.State != drive.StateBlank {
			t.Fatalf("after refusal: %v, %v; want still blank", m, err)
		}
	})

	t.Run("BadTree", func(t *testing.T) {
		d := h.New(t, drive.Options{})
		bad := &burner.Tree{VolumeID: tree.VolumeID, Files: append([]burner.File(nil), tree.Files...)}
		bad.Files[0].Path = "dicom/lower"
		wantFault(t, d.Burn(ctx, bad, nil), drive.ErrBadTree)
		bad = &burner.Tree{VolumeID: "not-a-volid", Files: tree.Files}
		wantFault(t, d.Burn(ctx, bad, nil), drive.ErrBadTree)
		if m, err := d.Media(ctx); err != nil || m.State != drive.StateBlank {
			t.Fatalf("after refusal: %v, %v; want still blank", m, err)
		}
	})

	t.Run("Cancel", func(t *testing.T) {
		d := h.New(t, drive.Options{})
		cctx, cancel := context.WithCancel(ctx)
		defer cancel()
		err := d.Burn(cctx, tree, func(p drive.Progress) {
			if p.Phase == drive.PhaseWriting {
				cancel()
			}
		})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Burn after cancel: %v, want context.Canceled", err)
		}
		if msg := drive.Message(err); !strings.Contains(msg, "cancelled") {
			t.Errorf("message %q", msg)
		}
		// Retry on new media succeeds.
		d2 := h.New(t, drive.Options{})
		if err := d2.Burn(ctx, tree, nil); err != nil {
			t.Fatalf("retry after cancel: %v", err)
		}
		if _, err := d2.Verify(ctx, Manifest(tree), nil); err != nil {
			t.Fatalf("verify retry: %v", err)
		}
	})

	t.Run("Busy", func(t *testing.T) {
		d := h.New(t, drive.Options{})
		var second, verify error
		asked := false
		err := d.Burn(ctx, tree, func(p drive.Progress) {
			if !asked {
				asked = true
				second = d.Burn(ctx, tree, nil)
				_, verify = d.Verify(ctx, Manifest(tree), nil)
			}
		})
		if err != nil {
			t.Fatalf("first Burn: %v", err)
		}
		wantFault(t, second, drive.ErrBusy)
		wantFault(t, verify, drive.ErrBusy)
		if _, err := d.Verify(ctx, Manifest(tree), nil); err != nil {
			t.Fatalf("Verify once free: %v", err)
		}
	})

	t.Run("Faults", func(t *testing.T) {
		for _, f := range []Fault{ToolMissing, NoDrive, NoMedia, WriteError, Ejected} {
			t.Run(strings.ReplaceAll(f.String(), " ", "_"), func(t *testing.T) {
				d := h.Fault(t, f)
				if d == nil {
					t.Logf("%v cannot be produced on this backend; covered by the Fake", f)
					return
				}
				wantFault(t, d.Burn(ctx, tree, nil), faultWant[f])
			})
		}
	})
}

func wantFault(t *testing.T, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("error %v, want %v", err, want)
	}
	msg := drive.Message(err)
	if msg == "" || strings.Contains(msg, "report it to IT") && !errors.Is(want, drive.ErrBadTree) {
		t.Fatalf("no specific staff message for %v: %q", err, msg)
	}
}

func hasProblem(r *drive.Report, kind, path string) bool {
	for _, p := range r.Problems {
		if p.Kind == kind && p.Path == path {
			return true
		}
	}
	return false
}

// checkProgress: phases in order, bytes never going back within a phase,
// writing seen, a final event with Done == Total.
func checkProgress(t *testing.T, ev []drive.Progress) {
	t.Helper()
	if len(ev) < 2 {
		t.Fatalf("only %d progress events", len(ev))
	}
	order := map[drive.Phase]int{drive.PhasePreparing: 0, drive.PhaseWriting: 1, drive.PhaseClosing: 2, drive.PhaseVerifying: 3, drive.PhaseDone: 4}
	sawWriting := false
	for i, p := range ev {
		if p.Phase == drive.PhaseWriting {
			sawWriting = true
		}
		if p.Done < 0 || p.Total > 0 && p.Done > p.Total {
			t.Fatalf("event %d: %+v out of range", i, p)
		}
		if i > 0 {
			q := ev[i-1]
			if order[p.Phase] < order[q.Phase] || p.Phase == q.Phase && p.Done < q.Done {
				t.Fatalf("event %d %+v after %+v goes back", i, p, q)
			}
		}
	}
	last := ev[len(ev)-1]
	if !sawWriting || last.Phase != drive.PhaseDone || last.Done != last.Total || last.Total == 0 {
		t.Fatalf("events %+v: want writing then done with Done == Total", ev)
	}
}
