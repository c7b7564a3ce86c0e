package station_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"discdesk/app/burnqueue"
	"discdesk/burner/drive"
	"discdesk/burner/drive/drivetest"

	"discdesk/app/handoff"
	"discdesk/app/library"
	"discdesk/app/settings"
	"discdesk/app/station"
	"discdesk/app/station/stationtest"
	"discdesk/app/store/storetest"
	"discdesk/burner/disc"
)

// direct drives the station as a Go caller does.
type direct struct {
	st *station.Station
	by handoff.Actor
}

func (d direct) Station(*testing.T) *station.Station { return d.st }

func (d direct) Record(t *testing.T, in handoff.RequestInput) (string, error) {
	r, err := d.st.Record(in, d.by)
	return r.ID, err
}

func (d direct) Burn(t *testing.T, id string, acks []disc.WarningCode, by string) error {
	j, err := d.st.QueueRequest(context.Background(), id, station.Burn{Acks: acks, By: by})
	if err != nil {
		return err
	}
	_, _, err = d.st.Worker(nil, nil).RunJob(context.Background(), j.ID)
	return err
}

func (d direct) HandOver(t *testing.T, disc string, mail bool, h handoff.Handover) error {
	_, err := d.st.HandOver(disc, mail, h, d.by)
	return err
}

func (d direct) ConfirmReceipt(t *testing.T, disc, who string) error {
	_, err := d.st.ConfirmReceipt(disc, who, d.by)
	return err
}

func (d direct) Spoil(t *testing.T, disc, reason string) error {
	_, err := d.st.Spoil(disc, reason, d.by)
	return err
}

func (d direct) Cancel(t *testing.T, id, reason string) error {
	_, err := d.st.Cancel(id, reason, d.by)
	return err
}

func (d direct) Tell(t *testing.T, id, how string) error {
	_, err := d.st.TellPatient(id, how, d.by)
	return err
}

// newStation is a station on a new store holding the suite's study.
func newStation(t *testing.T) (*station.Station, library.Study) {
	t.Helper()
	dir := t.TempDir()
	db := storetest.MustOpen(t, dir)
	st, err := station.Open(db, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	return st, stationtest.Import(t, st.Lib)
}

func TestLifecycle(t *testing.T) {
	st, study := newStation(t)
	stationtest.Run(t, direct{st: st, by: handoff.Actor{Staff: "Ann", Workstation: "desk-1"}}, study, nil)
}

// A disc whose read-back fails is spoiled by the queue: never logged,
// refused at handover, and Reburn writes the job on a new blank disc.
func TestSpoiledInTheDriveIsNeverHandedOver(t *testing.T) {
	st, study := newStation(t)
	by := handoff.Actor{Staff: "Ann", Workstation: "desk-1"}
	r, err := st.Record(stationtest.Pickup(study), by)
	if err != nil {
		t.Fatal(err)
	}
	fake := drivetest.NewFake("fake0", drivetest.Corrupt)
	open := func(string, drive.MediaKind) (drive.Drive, error) { return fake, nil }
	j, err := st.QueueRequest(context.Background(), r.ID, station.Burn{Acks: []disc.WarningCode{disc.WarnNoReport}, By: "Ann", Target: "fake0"})
	if err != nil {
		t.Fatal(err)
	}
	w := st.Worker(open, nil)
	done, _, err := w.RunJob(context.Background(), j.ID)
	if err == nil || len(done.Discs) != 1 || done.Discs[0].State != burnqueue.Spoiled {
		t.Fatalf("corrupt read-back: %v %+v", err, done.Discs)
	}
	spoiled := done.Discs[0].UUID.String()
	if _, err := st.HandOver(spoiled, false, handoff.Handover{To: "Test, Patient", IdentityCheck: "driver licence"}, by); !errors.Is(err, station.ErrSpoiledDisc) {
		t.Fatalf("handover of a spoiled disc: %v", err)
	}
	if got, _ := st.Log.Request(r.ID); len(got.Discs) != 0 {
		t.Fatalf("a spoiled disc was logged: %+v", got.Discs)
	}
	fake.InsertBlank()
	if _, err := st.Reburn(j.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := w.RunJob(context.Background(), j.ID); err != nil {
		t.Fatal(err)
	}
	got, _ := st.Log.Request(r.ID)
	if len(got.Discs) != 1 || got.Discs[0].UUID == spoiled || got.CanHandOver(got.Discs[0].UUID, false) != nil {
		t.Fatalf("re-burn: %+v", got.Discs)
	}
}

func TestTargetJobUsesTheDefaultTargetOrISO(t *testing.T) {
	data := t.TempDir()
	s := settings.Default()
	j, err := station.TargetJob(s, data, "R1")
	if err != nil || j.Drive != "iso:"+filepath.Join(data, "iso", "R1.iso") || j.Media != "" {
		t.Fatalf("no target configured: %+v, %v", j, err)
	}
	if fi, err := os.Stat(filepath.Join(data, "iso")); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("ISO folder: %v %v", fi, err)
	}
	s.Targets = []settings.Target{{Name: "iso", Kind: settings.TargetISO, Path: "/x"}, {Name: "Burner", Kind: settings.TargetDevice, Path: "/dev/sr0"}}
	s.Target, s.Media = "Burner", "dvd"
	if j, err = station.TargetJob(s, data, "R1"); err != nil || j.Drive != "/dev/sr0" || j.Media != "dvd" {
		t.Fatalf("device target: %+v, %v", j, err)
	}
}

// A file changed behind the library (same size) is caught before the disc
// is queued, naming the file.
func TestChangedContentIsNotQueued(t *testing.T) {
	st, study := newStation(t)
	d, err := st.Lib.Study(study.UID)
	if err != nil {
		t.Fatal(err)
	}
	p := st.Lib.FilePath(d.Series[0].Instances[0])
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)-1] ^= 0xff // same size, same time: only the bytes tell
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(p, fi.ModTime(), fi.ModTime()); err != nil {
		t.Fatal(err)
	}
	r, err := st.Record(stationtest.Pickup(study), handoff.Actor{Staff: "Ann", Workstation: "desk-1"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = st.QueueRequest(context.Background(), r.ID, station.Burn{Acks: []disc.WarningCode{disc.WarnNoReport}, By: "Ann"})
	if !errors.Is(err, library.ErrContentChanged) || !strings.Contains(err.Error(), filepath.Base(p)) {
		t.Fatalf("changed file: %v", err)
	}
	if jobs, _ := st.Jobs(r.ID); len(jobs) != 0 {
		t.Fatalf("queued: %+v", jobs)
	}
}

// A study's plan names its file as it was imported, never by the library's
// object path, and says what the browser viewer costs on the disc (none
// with --no-viewer).
func TestPlanNamesImportedFilesAndTheWebViewerCost(t *testing.T) {
	st, study := newStation(t)
	p, err := st.PlanStudies(context.Background(), []string{study.UID}, station.PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if d := p.Objects[0].Describe(); !strings.HasPrefix(d, "file ct_explicit_le_source.dcm (") || !strings.Contains(d, `patient "HEAD"`) {
		t.Errorf("object described as %q", d)
	}
	if c := p.WebViewerCost(); !strings.HasPrefix(c, "browser viewer") || !strings.Contains(c, " MB on the disc") {
		t.Errorf("web viewer cost %q", c)
	}
	off, err := st.PlanStudies(context.Background(), []string{study.UID}, station.PlanOptions{NoViewer: true})
	if err != nil {
		t.Fatal(err)
	}
	defer off.Close()
	if c := off.WebViewerCost(); c != "" {
		t.Errorf("no viewer, cost %q", c)
	}
}
