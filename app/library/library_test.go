package library

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"discdesk/app/store/storetest"
	"discdesk/internal/corpus"
	"discdesk/viewer/dcm"
)

func openLib(t testing.TB) (*Library, string) {
	t.Helper()
	dir := t.TempDir()
	db := storetest.MustOpen(t, dir)
	l, err := Open(db, dir)
	if err != nil {
		t.Fatal(err)
	}
	return l, dir
}

// dcmmkdir writes a DICOMDIR for the files below disc/DICOM with dcmtk.
func dcmmkdir(t testing.TB, disc string) {
	t.Helper()
	cmd := exec.Command("dcmmkdir", "+r", "+I", "-Nxc", "-Nec", "-Nrc", "DICOM")
	cmd.Dir = disc
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("dcmmkdir: %v\n%s", err, out)
	}
}

func copyFile(t testing.TB, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Dir(dst), 0o700)
	if err := os.WriteFile(dst, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// Every malformed file of the corpus is reported with its name and reason;
// everything else is imported.
func TestImportCorpusReportsEveryMalformedFile(t *testing.T) {
	l, _ := openLib(t)
	root := corpus.Dir(t)
	rep, err := l.Import(context.Background(), []string{root}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	rejected := map[string]string{}
	for _, p := range rep.Problems {
		if p.Kind == "rejected" {
			rel, _ := filepath.Rel(root, p.File)
			rejected[filepath.ToSlash(rel)] = p.Reason
		}
	}
	for _, want := range []string{
		"generated/malformed/ct_pixeldata_length_overflow.dcm",
		"generated/malformed/ct_truncated_60pct.dcm",
		"generated/malformed/png_named_as.dcm",
		"generated/malformed/preamble_only.dcm",
		"generated/malformed/zero_byte.dcm",
		"malformed/3gb_bulk_data_truncated",
		"malformed/MR_truncated.dcm",
		"malformed/emri_j2k_too_short.dcm",
		"malformed/meta_missing_tsyntax.dcm",
		"malformed/no_meta.dcm",
		"malformed/no_preamble_dicm_in_data",
		"malformed/rtplan_truncated.dcm",
		"malformed/UN_sequence.dcm",
		"malformed/no_meta_group_length.dcm",
	} {
		reason, ok := rejected[want]
		if !ok {
			t.Errorf("%s was not rejected", want)
			continue
		}
		if reason == "" {
			t.Errorf("%s rejected without a reason", want)
		}
	}
	if rep.Imported < 300 {
		t.Errorf("imported only %d objects: %+v", rep.Imported, rep.Notes)
	}
	if rep.Imported+rep.Duplicates+rep.Conflicts+rep.Rejected < 400 {
		t.Errorf("report does not account for the corpus: %+v", rep)
	}
	// Every stored file is a private, parseable Part 10 file whose meta
	// agrees with its data set (repaired ones included).
	checked := 0
	l.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketInstances).ForEach(func(k, v []byte) error {
			var in Instance
			json.Unmarshal(v, &in)
			p := l.FilePath(in)
			fi, err := os.Stat(p)
			if err != nil {
				t.Errorf("%s: %v", in.SOPInstanceUID, err)
				return nil
			}
			if fi.Mode().Perm() != 0o600 {
				t.Errorf("%s: mode %v", p, fi.Mode().Perm())
			}
			f, err := dcm.ParseFile(p, dcm.SkipPixelData())
			if err != nil || f.NoMeta || !metaAgrees(f) {
				t.Errorf("%s: stored file not a consistent Part 10 file: %v", p, err)
			}
			checked++
			return nil
		})
	})
	if checked != rep.Imported {
		t.Errorf("index holds %d instances, report says %d imported", checked, rep.Imported)
	}

	// Importing again changes nothing.
	rep2, err := l.Import(context.Background(), []string{root}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rep2.Imported != 0 || rep2.Duplicates < rep.Imported {
		t.Errorf("re-import: imported %d, duplicates %d (first import %d)", rep2.Imported, rep2.Duplicates, rep.Imported)
	}
}

func TestConflictIsReportedNotOverwritten(t *testing.T) {
	l, _ := openLib(t)
	src := corpus.Path(t, "generated", "ct_slice_variants", "ct_explicit_le_source.dcm")
	tmp := t.TempDir()
	a := filepath.Join(tmp, "a.dcm")
	copyFile(t, src, a)
	if rep, err := l.Import(context.Background(), []string{a}, Options{}); err != nil || rep.Imported != 1 {
		t.Fatalf("first import: %+v %v", rep, err)
	}
	b, _ := os.ReadFile(a)
	b[len(b)-1] ^= 0xFF // same UID, different pixel
	bad := filepath.Join(tmp, "b.dcm")
	os.WriteFile(bad, b, 0o600)
	rep, err := l.Import(context.Background(), []string{bad}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Conflicts != 1 || rep.Imported != 0 || !strings.Contains(rep.Problems[0].File, "b.dcm") {
		t.Fatalf("want one conflict naming b.dcm, got %+v", rep)
	}
	studies, _ := l.Search(Query{})
	files, err := l.Files(studies[0].UID)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(files[0])
	orig, _ := os.ReadFile(a)
	if !bytes.Equal(got, orig) {
		t.Fatal("stored file was overwritten by the conflicting one")
	}
}

func TestInPlaceReportsChangedAndVanishedFiles(t *testing.T) {
	l, _ := openLib(t)
	dir := t.TempDir()
	for _, n := range []string{"mr_small_j2k_lossless.dcm", "ct1_explicit_big_endian.dcm"} {
		copyFile(t, corpus.Path(t, "transfer_syntax", n), filepath.Join(dir, n))
	}
	rep, err := l.Import(context.Background(), []string{dir}, Options{InPlace: true})
	if err != nil || rep.Imported != 2 {
		t.Fatalf("%+v %v", rep, err)
	}
	if ents, _ := os.ReadDir(filepath.Join(l.Root(), "objects")); len(ents) != 0 {
		t.Fatal("in-place import copied files into the library")
	}
	studies, _ := l.Search(Query{})
	var uids []string
	for _, s := range studies {
		uids = append(uids, s.UID)
	}
	for _, u := range uids {
		if _, err := l.Files(u); err != nil {
			t.Fatalf("fresh in-place files refused: %v", err)
		}
	}
	// change one, delete the other
	f := filepath.Join(dir, "mr_small_j2k_lossless.dcm")
	os.WriteFile(f, append(mustRead(t, f), 0, 0), 0o600)
	os.Remove(filepath.Join(dir, "ct1_explicit_big_endian.dcm"))
	var probs []string
	for _, u := range uids {
		d, err := l.Study(u)
		if err != nil {
			t.Fatal(err)
		}
		probs = append(probs, d.Problems...)
		if _, err := l.Files(u); err == nil {
			t.Errorf("study %s served with stale files", u)
		}
	}
	joined := strings.Join(probs, "\n")
	if !strings.Contains(joined, "changed") || !strings.Contains(joined, "missing") {
		t.Fatalf("problems do not report the change and the loss:\n%s", joined)
	}
}

func mustRead(t testing.TB, p string) []byte {
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestZipImportRejectsTraversalAndBombKeepsGoodFiles(t *testing.T) {
	l, _ := openLib(t)
	zp := filepath.Join(t.TempDir(), "study.zip")
	zf, _ := os.Create(zp)
	zw := zip.NewWriter(zf)
	add := func(name string, data []byte) {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(data)
	}
	add("STUDY/IM1", mustRead(t, corpus.Path(t, "transfer_syntax", "mr_small_rle.dcm")))
	add("STUDY/IM2", mustRead(t, corpus.Path(t, "charset", "chrFren.dcm")))
	add("../../evil.dcm", mustRead(t, corpus.Path(t, "charset", "chrGerm.dcm")))
	add("notes.txt", []byte("not dicom"))
	add("zeros.dcm", make([]byte, 64<<20)) // compresses ~1000:1, read through and judged as a file
	add("STUDY/RAW", mustRead(t, corpus.Path(t, "rt", "rtstruct.dcm")))
	zw.Close()
	zf.Close()
	rep, err := l.Import(context.Background(), []string{zp}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Imported != 3 {
		t.Errorf("imported %d, want 3 (two Part 10 files and one raw data set): %+v", rep.Imported, rep)
	}
	text := ""
	for _, p := range rep.Problems {
		text += p.File + ": " + p.Reason + "\n"
	}
	for _, want := range []string{"evil.dcm: path escapes", "zeros.dcm: not a readable DICOM", "notes.txt: not a readable DICOM"} {
		if !strings.Contains(text, want) {
			t.Errorf("report lacks %q:\n%s", want, text)
		}
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(zp), "..", "..", "evil.dcm")); err == nil {
		t.Fatal("traversal entry was written outside")
	}
}

func TestDiscImportFollowsDICOMDIRAndReportsMissingFiles(t *testing.T) {
	l, _ := openLib(t)
	rep, err := l.Import(context.Background(), []string{corpus.Path(t, "disc_layouts", "philips_ct_partial")}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Notes) == 0 || !strings.Contains(rep.Notes[0], "through its DICOMDIR") {
		t.Errorf("notes %v", rep.Notes)
	}
	missing := 0
	for _, p := range rep.Problems {
		if strings.Contains(p.Reason, "missing") {
			missing++
		}
	}
	if missing != 378 {
		t.Errorf("%d missing references reported, SOURCES.md says 378", missing)
	}
	if rep.Imported != 433-378 {
		t.Errorf("imported %d, want %d", rep.Imported, 433-378)
	}
}

// A DICOMDIR pointing outside its folder gets a report line and nothing
// outside is read; an unreadable DICOMDIR makes the import scan instead.
func TestDiscImportRefusesEscapingReferences(t *testing.T) {
	l, _ := openLib(t)
	outer := t.TempDir()
	disc := filepath.Join(outer, "disc")
	copyFile(t, corpus.Path(t, "charset", "chrGerm.dcm"), filepath.Join(outer, "SECRET"))
	// A valid DICOMDIR for DICOM/IM1 and DICOM/IM2, whose second reference
	// is then turned into ..\SECRET (same length, offsets stay right).
	mr, _ := filepath.Glob(corpus.Path(t, "mr_series", "dcm4che_mr16", "*"))
	copyFile(t, mr[0], filepath.Join(disc, "DICOM", "IM1"))
	copyFile(t, mr[1], filepath.Join(disc, "DICOM", "IM2"))
	dcmmkdir(t, disc)
	os.Remove(filepath.Join(disc, "DICOM", "IM2"))
	raw, err := os.ReadFile(filepath.Join(disc, "DICOMDIR"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(raw, []byte(`DICOM\IM2`)) {
		t.Fatal("encoded DICOMDIR lacks the reference to patch")
	}
	buf := bytes.NewBuffer(bytes.Replace(raw, []byte(`DICOM\IM2`), []byte(`..\SECRET`), 1))
	os.WriteFile(filepath.Join(disc, "DICOMDIR"), buf.Bytes(), 0o600)
	rep, err := l.Import(context.Background(), []string{disc}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Imported != 1 || rep.Rejected != 1 || !strings.Contains(rep.Problems[0].Reason, "outside") {
		t.Fatalf("%+v", rep)
	}

	// broken DICOMDIR: scanned instead, and said so
	os.WriteFile(filepath.Join(disc, "DICOMDIR"), []byte("garbage"), 0o600)
	l2, _ := openLib(t)
	rep, err = l2.Import(context.Background(), []string{disc}, Options{})
	if err != nil || rep.Imported != 1 || !strings.Contains(strings.Join(rep.Notes, " "), "scanned") {
		t.Fatalf("%+v %v", rep, err)
	}
}

func TestSearchFoldsAccentsAndNameOrder(t *testing.T) {
	l, _ := openLib(t)
	if _, err := l.Import(context.Background(), []string{corpus.Path(t, "charset"), corpus.Path(t, "mr_series")}, Options{}); err != nil {
		t.Fatal(err)
	}
	find := func(q Query) []string {
		res, err := l.Search(q)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, s := range res {
			names = append(names, s.Patient.Name)
		}
		return names
	}
	for _, q := range []string{"jerome", "JÉRÔME buc", "buc jer", "Buc^Jérôme"} {
		got := find(Query{Text: q})
		if len(got) != 1 || got[0] != "Buc^Jérôme" { // chrFren and chrFrenMulti share a study
			t.Errorf("search %q: %v", q, got)
		}
	}
	if got := find(Query{Text: "rudiger"}); len(got) != 1 || !strings.HasPrefix(got[0], "Äneas") {
		t.Errorf("search rudiger: %v", got)
	}
	if got := find(Query{Text: "山田"}); len(got) != 2 {
		t.Errorf("search 山田: %v", got)
	}
	if got := find(Query{Text: "zzzz"}); len(got) != 0 {
		t.Errorf("nonsense matched %v", got)
	}
	mr := find(Query{Modality: "MR"})
	if len(mr) == 0 {
		t.Fatal("no MR study")
	}
	res, _ := l.Search(Query{})
	if !sort.SliceIsSorted(res, func(i, j int) bool { return res[i].Date > res[j].Date }) {
		t.Error("not sorted newest first")
	}
	dated, _ := l.Search(Query{From: "20170101", To: "20171231"})
	for _, s := range dated {
		if s.Date < "20170101" || s.Date > "20171231" {
			t.Errorf("date filter let %s through", s.Date)
		}
	}
	if len(dated) == 0 {
		t.Error("date range found nothing")
	}
}

func TestStudyCompleteAfterQuietTimeOrExpectedCount(t *testing.T) {
	l, _ := openLib(t)
	now := time.Date(2026, 1, 2, 10, 0, 0, 0, time.UTC)
	l.now = func() time.Time { return now }
	rep, err := l.Import(context.Background(), []string{corpus.Path(t, "mr_series", "dcm4che_mr16")}, Options{})
	if err != nil || rep.Imported == 0 {
		t.Fatalf("%+v %v", rep, err)
	}
	uid := rep.Studies[0]
	if c, _ := l.Complete(uid, 5*time.Minute); c {
		t.Fatal("complete right after arrival")
	}
	now = now.Add(6 * time.Minute)
	if c, _ := l.Complete(uid, 5*time.Minute); !c {
		t.Fatal("not complete after the quiet time")
	}
}

// Imports may run at once (one per DICOM association): each file lands once.
func TestConcurrentImports(t *testing.T) {
	l, _ := openLib(t)
	mr, _ := filepath.Glob(corpus.Path(t, "mr_series", "dcm4che_mr16", "*"))
	done := make(chan *Report)
	for i := range mr {
		go func(p string) {
			rep, err := l.Import(context.Background(), []string{p}, Options{})
			if err != nil {
				t.Error(err)
			}
			done <- rep
		}(mr[i])
	}
	imported := 0
	for range mr {
		imported += (<-done).Imported
	}
	if imported != len(mr) {
		t.Fatalf("imported %d of %d", imported, len(mr))
	}
	res, _ := l.Search(Query{})
	if len(res) != 1 || res[0].InstanceCount != len(mr) {
		t.Fatalf("study summary: %+v", res)
	}
}

func TestMoveTakesSpoolFiles(t *testing.T) {
	l, dir := openLib(t)
	spool := filepath.Join(dir, "spool")
	src := filepath.Join(spool, "obj.dcm")
	copyFile(t, corpus.Path(t, "transfer_syntax", "mr_small_rle.dcm"), src)
	rep, err := l.Import(context.Background(), []string{src}, Options{Move: true})
	if err != nil || rep.Imported != 1 {
		t.Fatalf("%+v %v", rep, err)
	}
	if _, err := os.Stat(src); !os.IsNotExist(err) {
		t.Fatal("spool file still there after a move import")
	}
	res, _ := l.Search(Query{})
	files, err := l.Files(res[0].UID)
	if err != nil || !bytes.Equal(mustRead(t, files[0]), mustRead(t, corpus.Path(t, "transfer_syntax", "mr_small_rle.dcm"))) {
		t.Fatalf("moved file differs: %v", err)
	}
}
