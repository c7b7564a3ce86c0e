package ecopy

import (
	"archive/zip"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"discdesk/app/handoff"
	"discdesk/app/store/storetest"
	"discdesk/burner/disc"
	"discdesk/internal/corpus"
)

func TestTargets(t *testing.T) {
	for spec, want := range map[string]handoff.Format{"zip:/a/b.zip": handoff.FormatZIP, "iso:x.iso": handoff.FormatISO, "usb:/media/stick": handoff.FormatUSB} {
		if got, err := Format(spec); err != nil || got != want {
			t.Errorf("Format(%q) = %q, %v; want %q", spec, got, err, want)
		}
	}
	for _, bad := range []string{"", "zip:", "dir:/tmp/x", "cd:/dev/sr0", "/tmp/x.zip"} {
		if _, err := Format(bad); !errors.Is(err, ErrBadTarget) {
			t.Errorf("Format(%q): %v, want ErrBadTarget", bad, err)
		}
	}
	if s, err := Spec(handoff.FormatZIP, "/home/p/OneDrive", "DOE-1"); err != nil || s != "zip:"+filepath.Join("/home/p/OneDrive", "DOE-1.zip") {
		t.Errorf("zip spec %q %v", s, err)
	}
	if s, _ := Spec(handoff.FormatUSB, "/media/stick", "x"); s != "usb:/media/stick" {
		t.Errorf("usb spec %q", s)
	}
	if _, err := Spec(handoff.FormatCD, "/tmp", "x"); !errors.Is(err, ErrBadTarget) {
		t.Errorf("CD spec: %v", err)
	}
	if _, err := Spec(handoff.FormatZIP, " ", "x"); !errors.Is(err, ErrBadTarget) {
		t.Errorf("no folder: %v", err)
	}
	if got := Numbered("zip:/a/copy.zip", 2); got != "zip:/a/copy_2.zip" {
		t.Errorf("numbered zip %q", got)
	}
	if got := Numbered("usb:/media/s", 3); got != "usb:/media/s_3" {
		t.Errorf("numbered usb %q", got)
	}
}

// TestWriteZIPLogged writes a ZIP of a corpus MR series, checks it is 0600
// and holds the DICOMDIR, and that the log records format, destination and
// manifest hash on the request.
func TestWriteZIPLogged(t *testing.T) {
	dir := corpus.Path(t, "mr_series", "dcm4che_mr16")
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, e := range ents {
		files = append(files, filepath.Join(dir, e.Name()))
	}
	ctx := context.Background()
	p, err := disc.NewPlan(ctx, disc.Input{Files: files, ReportText: "Normal.", Facility: disc.Facility{Name: "Test Imaging"}},
		disc.Options{Media: disc.USB, NoViewer: true})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	trees, err := p.Build(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	log, err := handoff.Open(storetest.MustOpen(t, t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	by := handoff.Actor{Staff: "m.rivera", Workstation: "FRONT-1"}
	r, err := log.NewRequest(handoff.RequestInput{
		Patient: handoff.Patient{Name: "Doe, J1", ID: "583295"}, Requester: handoff.Requester{Kind: handoff.RequesterPatient},
		Identity: handoff.IdentityCheck{Method: "driver licence", CheckedBy: "m.rivera"}, Studies: handoff.Studies{UIDs: []string{"1.113654.3.13.1026"}},
		Format: handoff.FormatZIP, Delivery: handoff.DeliveryPickup}, by)
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	spec, _ := Spec(handoff.FormatZIP, out, "copy")
	var done []Copy
	copies, err := Write(ctx, trees, spec, Options{Log: log, Request: r.ID, Actor: by, Studies: r.Studies.UIDs, Done: func(c Copy) { done = append(done, c) }})
	if err != nil {
		t.Fatal(err)
	}
	if len(copies) != 1 || len(done) != 1 || copies[0].Instances != 17 /* 16 MR + the report PDF */ || copies[0].Event == "" || copies[0].Digest != disc.ManifestDigest(trees[0]) {
		t.Fatalf("copies %+v", copies)
	}
	if fi, err := os.Stat(copies[0].Dest); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("zip %s: %v %v", copies[0].Dest, fi, err)
	}
	zr, err := zip.OpenReader(copies[0].Dest)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	names := map[string]bool{}
	for _, f := range zr.File {
		names[f.Name] = true
	}
	if !names["DICOMDIR"] || !names["README.TXT"] || len(zr.File) != len(trees[0].Files) {
		t.Fatalf("zip holds %d files (tree %d), DICOMDIR %v", len(zr.File), len(trees[0].Files), names["DICOMDIR"])
	}
	got, _ := log.Request(r.ID)
	if len(got.Discs) != 1 || got.Discs[0].UUID != copies[0].DiscUUID || !got.Discs[0].Verified ||
		got.Discs[0].Format != handoff.FormatZIP || got.Discs[0].Destination != copies[0].Dest {
		t.Fatalf("logged discs %+v", got.Discs)
	}
	// A request the log does not know writes nothing.
	if _, err := Write(ctx, trees, "zip:"+filepath.Join(out, "x.zip"), Options{Log: log, Request: "nope", Actor: by}); err == nil {
		t.Fatal("unknown request accepted")
	}
	if _, err := os.Stat(filepath.Join(out, "x.zip")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a copy was written for an unknown request: %v", err)
	}
}
