package reconcile

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"discdesk/app/handoff"
	"discdesk/app/library"
	"discdesk/app/pacs"
	"discdesk/app/pacs/pacstest"
	"discdesk/app/store/storetest"
	"discdesk/internal/corpus"
	"discdesk/viewer/dcm"
)

const (
	mrStudy     = "1.113654.3.13.1026"
	outsideID   = "583295"
	outsideAcc  = "MOF5026"
	localID     = "MRN0042"
	localAcc    = "LAKE-2025-0001"
	outsideName = "DOE^J1"
)

var desk = handoff.Actor{Staff: "m.rivera", Workstation: "FRONT-1"}

func dcmdump(t *testing.T, path string) string {
	t.Helper()
	out, err := exec.Command("dcmdump", "-q", "+L", path).CombinedOutput()
	if err != nil {
		t.Fatalf("dcmdump %s: %v\n%s", path, err, out)
	}
	return string(out)
}

// localLibrary imports a local study of the same patient under the local ID
// (a corpus CT slice given the outside patient's name with dcmodify, in a
// temporary copy).
func localLibrary(t *testing.T) (*library.Library, *handoff.Store) {
	t.Helper()
	dir := t.TempDir()
	db := storetest.MustOpen(t, dir)
	lib, err := library.Open(db, dir)
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile(corpus.Path(t, "generated", "ct_slice_variants", "ct_explicit_le_source.dcm"))
	if err != nil {
		t.Fatal(err)
	}
	local := filepath.Join(t.TempDir(), "local.dcm")
	os.WriteFile(local, src, 0o600)
	if out, err := exec.Command("dcmodify", "-nb", "-m", "PatientName="+outsideName, "-m", "PatientID="+localID, local).CombinedOutput(); err != nil {
		t.Fatalf("dcmodify: %v\n%s", err, out)
	}
	if rep, err := lib.Import(context.Background(), []string{local}, library.Options{}); err != nil || rep.Imported != 1 {
		t.Fatalf("import local: %v %+v", err, rep)
	}
	log, err := handoff.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	return lib, log
}

func TestScanAndMatch(t *testing.T) {
	lib, _ := localLibrary(t)
	d, err := Scan(corpus.Path(t, "mr_series", "dcm4che_mr16"))
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Patients) != 1 || d.Patients[0].ID != outsideID || len(d.Patients[0].Studies) != 1 || len(d.Patients[0].Studies[0].Objects) != 16 ||
		d.Patients[0].Studies[0].Accession != outsideAcc {
		t.Fatalf("scan %+v", d.Patients)
	}
	m, err := Matches(lib, d.Patients[0])
	if err != nil {
		t.Fatal(err)
	}
	if len(m) != 1 || m[0].Patient.ID != localID || strings.Join(m[0].Reasons, ",") != "name" || m[0].Studies != 1 {
		t.Fatalf("matches %+v, want %s by name", m, localID)
	}
	// The same ID and birth date as a local patient rank above a name alone.
	p := d.Patients[0]
	p.ID, p.Name = localID, "OTHER^PERSON"
	m, _ = Matches(lib, p)
	if len(m) != 1 || m[0].Reasons[0] != "patient ID" {
		t.Fatalf("ID match %+v", m)
	}
	// A case variant of the ID is another patient's: no ID match.
	p.ID, p.BirthDate = strings.ToLower(localID), ""
	m, _ = Matches(lib, p)
	for _, mt := range m {
		if slices.Contains(mt.Reasons, "patient ID") {
			t.Fatalf("case variant %q matched on the patient ID: %+v", p.ID, m)
		}
	}
	if _, err := Scan(t.TempDir()); !errors.Is(err, ErrNoObjects) {
		t.Fatalf("empty disc: %v", err)
	}
}

func TestCoerceKeepsOriginalsInEverySyntax(t *testing.T) {
	when := time.Date(2025, 3, 10, 14, 30, 0, 0, time.UTC)
	dir := corpus.Path(t, "generated", "ct_slice_variants")
	for name, wantTS := range map[string]string{
		"ct_explicit_le_source.dcm":        "1.2.840.10008.1.2.1",
		"ct_gdcm_implicit_le.dcm":          "1.2.840.10008.1.2.1",
		"ct_dcmtk_big_endian.dcm":          "1.2.840.10008.1.2.1",
		"ct_dcmtk_deflate.dcm":             "1.2.840.10008.1.2.1",
		"ct_gdcm_jpeg_lossless.dcm":        "1.2.840.10008.1.2.4.70",
		"ct_gdcm_j2k.dcm":                  "1.2.840.10008.1.2.4.90",
		"ct_dcmtk_jpeg_extended_lossy.dcm": "1.2.840.10008.1.2.4.51",
	} {
		t.Run(name, func(t *testing.T) {
			src := filepath.Join(dir, name)
			dst := filepath.Join(t.TempDir(), "out.dcm")
			ch, err := Coerce(src, dst, Mapping{PatientID: localID, Issuer: "LAKESIDE"}, Coercion{Time: when, System: "DISCDESK", Source: "Riverside Hospital"})
			if err != nil {
				t.Fatal(err)
			}
			if len(ch) != 2 || ch[0].Attribute != "PatientID" || ch[0].Outside != "PLASTIC" || ch[1].Attribute != "IssuerOfPatientID" {
				t.Fatalf("changes %+v", ch)
			}
			if fi, _ := os.Stat(dst); fi.Mode().Perm() != 0o600 {
				t.Errorf("mode %v", fi.Mode())
			}
			dump := dcmdump(t, dst)
			for _, w := range []string{"(0010,0020) LO [" + localID + "]", "(0010,0021) LO [LAKESIDE]", "(0400,0561) SQ", "(0400,0550) SQ",
				"(0010,0020) LO [PLASTIC]", "(0400,0562) DT [20250310143000.000000+0000]", "(0400,0563) LO [DISCDESK]",
				"(0400,0564) LO [Riverside Hospital]", "(0400,0565) CS [COERCE]", "(0002,0010) UI ="} {
				if !strings.Contains(dump, w) {
					t.Errorf("dump lacks %q", w)
				}
			}
			got, err := dcm.ParseFile(dst)
			if err != nil {
				t.Fatal(err)
			}
			orig, _ := dcm.ParseFile(src)
			if got.Syntax.UID != wantTS || got.DataSet.String(dcm.SOPInstanceUID) != orig.DataSet.String(dcm.SOPInstanceUID) {
				t.Fatalf("syntax %s (want %s), SOP %s", got.Syntax.UID, wantTS, got.DataSet.String(dcm.SOPInstanceUID))
			}
			// Pixel data carried over unchanged (native little-endian and encapsulated).
			if !orig.DataSet.BigEndian {
				a, b := orig.DataSet.Get(dcm.PixelData), got.DataSet.Get(dcm.PixelData)
				if a == nil || b == nil || !bytes.Equal(a.Value, b.Value) || len(a.Fragments) != len(b.Fragments) {
					t.Fatalf("pixel data differs")
				}
				for i := range a.Fragments {
					if !bytes.Equal(a.Fragments[i].Data, b.Fragments[i].Data) {
						t.Fatalf("fragment %d differs", i)
					}
				}
			}
			// Coercing the copy again appends a second item, keeping the first.
			dst2 := filepath.Join(t.TempDir(), "again.dcm")
			if _, err := Coerce(dst, dst2, Mapping{PatientID: "MRN9"}, Coercion{Time: when, System: "DISCDESK", Source: "x"}); err != nil {
				t.Fatal(err)
			}
			f2, _ := dcm.ParseFile(dst2)
			items := f2.DataSet.Seq(dcm.OriginalAttributesSequence)
			if len(items) != 2 || items[1].Seq(tagModifiedAttributesSequence)[0].String(dcm.PatientID) != localID || items[0].Seq(tagModifiedAttributesSequence)[0].String(dcm.PatientID) != "PLASTIC" {
				t.Fatalf("second coercion: %d items", len(items))
			}
		})
	}
	if _, err := Coerce(filepath.Join(dir, "ct_explicit_le_source.dcm"), filepath.Join(t.TempDir(), "x"), Mapping{}, Coercion{}); !errors.Is(err, ErrNoMapping) {
		t.Fatalf("no mapping: %v", err)
	}
}

// storescp starts dcmtk's storescp on a free loopback port, writing what it
// receives to a new folder; it is stopped when the test ends.
func storescp(t *testing.T) (pacs.Node, string) {
	t.Helper()
	out := t.TempDir()
	port := pacstest.FreePort(t)
	cmd := exec.Command("storescp", "-aet", "LAKEPACS", "-od", out, "--accept-all", strconv.Itoa(port))
	var logb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logb, &logb
	if err := cmd.Start(); err != nil {
		t.Fatalf("storescp: %v", err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			t.Logf("storescp log:\n%s", pacstest.LastLines(logb.String(), 20))
		}
	})
	pacstest.WaitPort(t, port)
	return pacs.Node{AETitle: "LAKEPACS", Host: "127.0.0.1", Port: port}, out
}

func TestRunImportsForwardsAndRecordsReceipt(t *testing.T) {
	lib, log := localLibrary(t)
	node, received := storescp(t)
	d, err := Scan(corpus.Path(t, "mr_series", "dcm4che_mr16"))
	if err != nil {
		t.Fatal(err)
	}
	forward := ForwardTo(&pacs.Client{AETitle: "DISCDESK"}, node)
	when := time.Date(2025, 3, 10, 14, 30, 0, 0, time.UTC)
	local := handoff.Patient{Name: "Doe, J1", ID: localID}
	res, err := Run(context.Background(), lib, d.Patients[0], local, Options{
		Mapping: Mapping{PatientID: localID, Accessions: map[string]string{outsideAcc: localAcc}},
		Sender:  "Riverside Hospital", Facility: "Lakeside Imaging", WorkDir: t.TempDir(),
		Forward: forward, PACSName: node.String(), Log: log, Actor: desk,
		Now: func() time.Time { return when }, Location: time.UTC,
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Coerced != 16 || res.Import.Imported != 16 || res.Forwarded != 16 || len(res.Problems) != 0 {
		t.Fatalf("result %+v problems %v", res, res.Problems)
	}
	if len(res.Changes) != 2 {
		t.Fatalf("changes %+v", res.Changes)
	}
	if !strings.HasPrefix(res.Receipt, "Your images were received on Monday, 10 March 2025 from Riverside Hospital by Lakeside Imaging: 1 study, 16 images and documents.") {
		t.Fatalf("receipt %q", res.Receipt)
	}
	// The library holds the study under the local identifiers.
	st, err := lib.Study(mrStudy)
	if err != nil {
		t.Fatal(err)
	}
	if st.Patient.ID != localID || st.AccessionNumber != localAcc {
		t.Fatalf("library study patient %q accession %q", st.Patient.ID, st.AccessionNumber)
	}
	// What the PACS received: local IDs, the outside ones in Original Attributes.
	files, _ := filepath.Glob(filepath.Join(received, "*"))
	if len(files) != 16 {
		t.Fatalf("storescp received %d files, want 16", len(files))
	}
	dump := dcmdump(t, files[0])
	for _, w := range []string{"(0010,0020) LO [" + localID + "]", "(0008,0050) SH [" + localAcc + "]", "(0400,0561) SQ",
		"(0010,0020) LO [" + outsideID + "]", "(0008,0050) SH [" + outsideAcc + "]", "(0400,0565) CS [COERCE]", "(0400,0564) LO [Riverside Hospital]"} {
		if !strings.Contains(dump, w) {
			t.Errorf("forwarded file lacks %q:\n%s", w, dump)
		}
	}
	// The receipt is in the handoff log, on the tell-the-patient list.
	r, err := log.Request(res.Record)
	if err != nil {
		t.Fatal(err)
	}
	if r.Intake == nil || r.Intake.Receipt != res.Receipt || r.Intake.Forwarded != node.String() || r.Intake.Instances != 16 || !r.ToTell() || r.Patient.ID != localID {
		t.Fatalf("record %+v", r)
	}
	if _, err := log.Verify(); err != nil {
		t.Fatal(err)
	}
	// The same disc again: duplicates, not conflicts, and a second receipt.
	res2, err := Run(context.Background(), lib, d.Patients[0], local, Options{
		Mapping: Mapping{PatientID: localID, Accessions: map[string]string{outsideAcc: localAcc}}, Sender: "Riverside Hospital",
		WorkDir: t.TempDir(), Now: func() time.Time { return when }, Location: time.UTC,
	})
	if err != nil || res2.Import.Duplicates != 16 || res2.Import.Conflicts != 0 {
		t.Fatalf("again: %v %+v", err, res2.Import)
	}
}

// copyTruncated copies the MR series into a folder and cuts the last cut
// files in the middle of their pixel data.
func copyTruncated(t *testing.T, cut int) string {
	t.Helper()
	src := corpus.Path(t, "mr_series", "dcm4che_mr16")
	dir := t.TempDir()
	ents, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil || e.IsDir() {
			continue
		}
		if n >= len(ents)-cut {
			b = b[:len(b)-len(b)/4]
		}
		n++
		if err := os.WriteFile(filepath.Join(dir, e.Name()), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// A receipt says only what happened: how many of the disc's images were
// taken, and nothing at all when none were.
func TestReceiptTellsWhatHappened(t *testing.T) {
	lib, log := localLibrary(t)
	opts := func() Options {
		return Options{Mapping: Mapping{PatientID: localID}, Sender: "Riverside Hospital", WorkDir: t.TempDir(), Log: log, Actor: desk,
			Now: func() time.Time { return time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC) }, Location: time.UTC}
	}
	local := handoff.Patient{Name: "Doe, J1", ID: localID}
	d, err := Scan(copyTruncated(t, 3))
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(context.Background(), lib, d.Patients[0], local, opts())
	if err != nil {
		t.Fatal(err)
	}
	if res.Offered != 16 || res.Held != 13 || !strings.Contains(res.Receipt, "13 images and documents") ||
		!strings.Contains(res.Receipt, "3 of the 16 images and documents on the disc could not be taken") {
		t.Errorf("offered %d held %d receipt:\n%s", res.Offered, res.Held, res.Receipt)
	}
	before, _ := log.Verify()
	d, err = Scan(copyTruncated(t, 16))
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Patients) == 0 {
		t.Fatal("the scan lists no patient for files cut in their pixel data")
	}
	res, err = Run(context.Background(), lib, d.Patients[0], local, opts())
	if !errors.Is(err, ErrNoObjects) || (res != nil && (res.Receipt != "" || res.Record != "")) {
		t.Fatalf("all refused: err %v, result %+v", err, res)
	}
	after, _ := log.Verify()
	if after.Events != before.Events {
		t.Errorf("a receipt was recorded for a disc whose images were all refused (%d events, was %d)", after.Events, before.Events)
	}
}
