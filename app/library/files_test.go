package library

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"discdesk/app/store/storetest"
	"discdesk/internal/corpus"
	"discdesk/viewer/dcm"
	"discdesk/viewer/dcm/dcmtest"
)

func problemFor(rep *Report, file string) *Problem {
	for i := range rep.Problems {
		if rep.Problems[i].File == file {
			return &rep.Problems[i]
		}
	}
	return nil
}

func write(t testing.TB, p string, b []byte) string {
	t.Helper()
	os.MkdirAll(filepath.Dir(p), 0o700)
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// 15.4: files cut inside an item or just before Pixel Data are rejected,
// each line naming the file and the offset or the missing module.
func TestTruncatedFilesAreRejected(t *testing.T) {
	l, _ := openLib(t)
	dir := t.TempDir()
	p := dcmtest.CT(1, 16, 16)
	full := p.Bytes()
	good := write(t, filepath.Join(dir, "good.dcm"), full)
	inItem := write(t, filepath.Join(dir, "cut_in_item.dcm"), full[:p.ItemEnd])
	inSeq := write(t, filepath.Join(dir, "cut_in_sequence.dcm"), full[:p.ItemEnd+8])
	noPixels := write(t, filepath.Join(dir, "cut_before_pixels.dcm"), dcmtest.CT(2, 16, 16).Bytes()[:p.PixelData])
	inPixels := write(t, filepath.Join(dir, "cut_in_pixels.dcm"), dcmtest.CT(3, 16, 16).Bytes()[:p.PixelData+100])
	rep, err := l.Import(context.Background(), []string{dir}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Imported != 1 || rep.Rejected != 4 {
		t.Fatalf("imported %d, rejected %d: %+v", rep.Imported, rep.Rejected, rep.Problems)
	}
	for file, want := range map[string]string{
		inItem:   fmt.Sprintf("at byte %d", p.ItemEnd),
		inSeq:    fmt.Sprintf("at byte %d", p.ItemEnd+8),
		noPixels: "without Pixel Data",
		inPixels: "declared",
	} {
		pr := problemFor(rep, file)
		if pr == nil {
			t.Errorf("%s: no report line", file)
			continue
		}
		if !strings.Contains(pr.Reason, want) || !errors.Is(pr.Err, ErrInvalidObject) {
			t.Errorf("%s: reason %q (want %q, ErrInvalidObject)", file, pr.Reason, want)
		}
	}
	_ = good
	// dcmtk agrees the cut files are damaged.
	for _, f := range []string{inItem, inSeq} {
		if out, err := exec.Command("dcmdump", "-q", "+E", f).CombinedOutput(); err == nil && !bytes.Contains(out, []byte("E:")) && !bytes.Contains(out, []byte("W:")) {
			t.Errorf("dcmdump reads %s without complaint: %s", f, out)
		}
	}
}

// 15.5: a real MR slice with 2.5 MB of zero bytes after Pixel Data imports,
// with a note; dcmtk reads it too.
func TestTrailingZeroPaddingImportsWithNote(t *testing.T) {
	l, _ := openLib(t)
	mr, _ := filepath.Glob(corpus.Path(t, "mr_series", "dcm4che_mr16", "*"))
	b := mustRead(t, mr[0])
	padded := write(t, filepath.Join(t.TempDir(), "MR_padded.dcm"), append(b, make([]byte, 2500000)...))
	if out, err := exec.Command("dcmdump", "-q", padded).CombinedOutput(); err != nil {
		t.Fatalf("dcmdump refuses the padded file: %v %s", err, out)
	}
	rep, err := l.Import(context.Background(), []string{padded}, Options{})
	if err != nil || rep.Imported != 1 {
		t.Fatalf("padded slice: %v %+v", err, rep)
	}
	if !strings.Contains(strings.Join(rep.Notes, "\n"), "MR_padded.dcm: 2500000 bytes of zero padding") {
		t.Errorf("no padding note: %v", rep.Notes)
	}
}

// 15.3: missing or invalid Study, Series or SOP Instance UIDs are refused at
// import, naming the file and the UID, as ErrInvalidUID.
func TestInvalidUIDsAreRefusedAtImport(t *testing.T) {
	l, _ := openLib(t)
	dir := t.TempDir()
	src := dcmtest.CT(1, 4, 4).Bytes()
	_, _, inst := dcmtest.UIDs(1)
	studyTag := []byte{0x20, 0x00, 0x0D, 0x00, 'U', 'I'}
	// lastChar sets the last character of the Study Instance UID value.
	lastChar := func(c byte) []byte {
		b := bytes.Clone(src)
		i := bytes.Index(b, studyTag) + 8
		n := int(b[i-2])
		b[i+n-2] = c // the value is odd-length, NUL-padded
		return b
	}
	cases := map[string][]byte{
		"study_ff.dcm":     lastChar(0xFF),
		"study_letter.dcm": lastChar('x'),
		"no_study.dcm":     bytes.Replace(src, studyTag, []byte{0x20, 0x00, 0x0C, 0x00, 'U', 'I'}, 1), // (0020,000D) becomes (0020,000C)
		"inst_dots.dcm":    bytes.Replace(src, []byte(inst), []byte(inst[:len(inst)-3]+"..1"), -1),
	}
	for name, b := range cases {
		if bytes.Equal(b, src) {
			t.Fatalf("%s: the edit did not apply", name)
		}
		write(t, filepath.Join(dir, name), b)
	}
	rep, err := l.Import(context.Background(), []string{dir}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Imported != 0 || rep.Rejected != len(cases) {
		t.Fatalf("imported %d rejected %d: %+v", rep.Imported, rep.Rejected, rep.Problems)
	}
	for name := range cases {
		pr := problemFor(rep, filepath.Join(dir, name))
		if pr == nil || !errors.Is(pr.Err, ErrInvalidUID) || !errors.Is(pr.Err, ErrInvalidObject) || !strings.Contains(pr.Reason, "UID") {
			t.Errorf("%s: %+v", name, pr)
		}
	}
}

// 15.6: a 3 MB deflated file declaring three 1 GiB values is refused with a
// peak resident size under 200 MB (measured in a child process), and an
// import stops inflating at its bound.
func TestDeflateBombStaysSmall(t *testing.T) {
	if f := os.Getenv("DISCDESK_BOMB_CHILD"); f != "" {
		dir := t.TempDir()
		db := storetest.MustOpen(t, dir)
		l, err := Open(db, dir)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := l.Import(context.Background(), []string{f}, Options{})
		if err != nil || rep.Rejected != 1 || !errors.Is(rep.Problems[0].Err, ErrTooLarge) {
			t.Fatalf("bomb: %v %+v", err, rep)
		}
		return
	}
	bomb := write(t, filepath.Join(t.TempDir(), "bomb.dcm"), dcmtest.DeflateBomb(1, 3, 1<<30))
	if fi, _ := os.Stat(bomb); fi.Size() > 4<<20 {
		t.Fatalf("bomb file is %d bytes", fi.Size())
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestDeflateBombStaysSmall$")
	cmd.Env = append(os.Environ(), "DISCDESK_BOMB_CHILD="+bomb)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	rss := peakRSS(cmd.ProcessState)
	t.Logf("peak resident size importing the bomb: %d MB", rss>>20)
	if rss > 200<<20 {
		t.Errorf("peak resident size %d MB, want under 200 MB", rss>>20)
	}

	// Per import: three 8 MiB deflated values against a 20 MiB bound
	// (which files run out depends on the workers' order).
	l, _ := openLib(t)
	dir := t.TempDir()
	for i := 2; i < 5; i++ {
		write(t, filepath.Join(dir, fmt.Sprintf("%d.dcm", i)), dcmtest.DeflateBomb(i, 1, 8<<20))
	}
	rep, err := l.Import(context.Background(), []string{dir}, Options{MaxInflated: 20 << 20})
	if err != nil || rep.Imported > 2 || rep.Imported+rep.Rejected != 3 || rep.Rejected == 0 {
		t.Fatalf("import bound: %v %+v", err, rep)
	}
	for _, p := range rep.Problems {
		if !errors.Is(p.Err, ErrTooLarge) {
			t.Errorf("%s: %v", p.File, p.Err)
		}
	}
}

// 15.7: an 8 MB blank image in a ZIP (ratio far over 200) imports; the
// bound is what really inflates.
func TestZipJudgedByInflatedSize(t *testing.T) {
	p := dcmtest.CT(1, 2048, 2048)
	b := p.Bytes()
	for i := p.PixelData + 12; i < len(b); i++ {
		b[i] = 0
	}
	zp := filepath.Join(t.TempDir(), "blank.zip")
	zf, _ := os.Create(zp)
	zw := zip.NewWriter(zf)
	w, _ := zw.Create("DICOM/BLANK")
	w.Write(b)
	zw.Close()
	zf.Close()
	if fi, _ := os.Stat(zp); int64(len(b))/fi.Size() < 200 {
		t.Fatalf("ratio only %d", int64(len(b))/fi.Size())
	}
	l, _ := openLib(t)
	rep, err := l.Import(context.Background(), []string{zp}, Options{})
	if err != nil || rep.Imported != 1 {
		t.Fatalf("blank image in a ZIP: %v %+v", err, rep.Problems)
	}
	l2, _ := openLib(t)
	rep, err = l2.Import(context.Background(), []string{zp}, Options{MaxInflated: 4 << 20})
	if err != nil || rep.Imported != 0 || rep.Rejected != 1 || !errors.Is(rep.Problems[0].Err, ErrTooLarge) {
		t.Fatalf("over the bound: %v %+v", err, rep.Problems)
	}
}

// 15.8: DICOM files on a disc outside its DICOMDIR are imported too, each
// named in a note; a symbolic link out of the disc is reported as such.
func TestDiscFilesOutsideDICOMDIRAreImported(t *testing.T) {
	l, _ := openLib(t)
	outer := t.TempDir()
	disc := filepath.Join(outer, "disc")
	mr, _ := filepath.Glob(corpus.Path(t, "mr_series", "dcm4che_mr16", "*"))
	copyFile(t, mr[0], filepath.Join(disc, "DICOM", "IM1"))
	copyFile(t, mr[1], filepath.Join(disc, "DICOM", "IM2"))
	dcmmkdir(t, disc)
	// not in the DICOMDIR: a report and a folder of images, a viewer file
	copyFile(t, corpus.Path(t, "charset", "chrFren.dcm"), filepath.Join(disc, "REPORT", "SR1"))
	for i := 2; i < 6; i++ {
		copyFile(t, mr[i], filepath.Join(disc, "EXTRA", fmt.Sprintf("IM%d", i)))
	}
	write(t, filepath.Join(disc, "VIEWER", "README.TXT"), []byte("viewer"))
	copyFile(t, corpus.Path(t, "charset", "chrGerm.dcm"), filepath.Join(outer, "SECRET"))
	if err := os.Symlink(filepath.Join(outer, "SECRET"), filepath.Join(disc, "EXTRA", "LINK")); err != nil {
		t.Fatal(err)
	}
	rep, err := l.Import(context.Background(), []string{disc}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Imported != 2+1+4 {
		t.Errorf("imported %d, want 7: %+v %v", rep.Imported, rep.Problems, rep.Notes)
	}
	notes := strings.Join(rep.Notes, "\n")
	for _, want := range []string{"REPORT/SR1: not listed in the DICOMDIR", "EXTRA/IM3: not listed", "plus 5 DICOM files"} {
		if !strings.Contains(notes, filepath.FromSlash(want)) {
			t.Errorf("notes lack %q:\n%s", want, notes)
		}
	}
	pr := problemFor(rep, filepath.Join(disc, "EXTRA", "LINK"))
	if pr == nil || !strings.Contains(pr.Reason, "symbolic link points outside the disc folder") {
		t.Errorf("link: %+v", pr)
	}
	// Sources are relative to the disc.
	d, err := l.Study(rep.Studies[0])
	if err != nil {
		t.Fatal(err)
	}
	srcs := map[string]bool{}
	for _, s := range d.Series {
		for _, in := range s.Instances {
			srcs[in.Source] = true
		}
	}
	if !srcs["DICOM/IM1"] && !srcs["EXTRA/IM2"] {
		t.Errorf("sources %v", srcs)
	}
}

// 15.9: an in-place file rewritten with its size and time kept, and a
// managed object corrupted, are caught by CheckContent, naming the file.
func TestCheckContentCatchesChangedBytes(t *testing.T) {
	l, _ := openLib(t)
	dir := t.TempDir()
	a := write(t, filepath.Join(dir, "inplace.dcm"), dcmtest.CT(1, 8, 8).Bytes())
	managed := write(t, filepath.Join(t.TempDir(), "managed.dcm"), dcmtest.CT(2, 8, 8).Bytes())
	if rep, err := l.Import(context.Background(), []string{a}, Options{InPlace: true}); err != nil || rep.Imported != 1 {
		t.Fatal(err, rep)
	}
	if rep, err := l.Import(context.Background(), []string{managed}, Options{}); err != nil || rep.Imported != 1 {
		t.Fatal(err, rep)
	}
	study, _, _ := dcmtest.UIDs(1)
	d, err := l.Study(study)
	if err != nil {
		t.Fatal(err)
	}
	insts := d.Series[0].Instances
	if len(insts) != 2 || insts[0].Source != "inplace.dcm" || insts[1].Source != "managed.dcm" {
		t.Fatalf("instances %+v", insts)
	}
	if err := l.CheckContent(context.Background(), insts); err != nil {
		t.Fatalf("unchanged files: %v", err)
	}
	// rewrite the in-place file: same size, same time
	fi, _ := os.Stat(a)
	b := mustRead(t, a)
	b[len(b)-1] ^= 0xFF
	os.WriteFile(a, b, 0o600)
	os.Chtimes(a, fi.ModTime(), fi.ModTime())
	if d, _ := l.Study(study); len(d.Problems) != 0 {
		t.Fatalf("size/time check should not see it: %v", d.Problems)
	}
	err = l.CheckContent(context.Background(), insts[:1])
	if !errors.Is(err, ErrContentChanged) || !strings.Contains(err.Error(), a) {
		t.Errorf("in-place rewrite: %v", err)
	}
	// corrupt the managed object
	mp := l.FilePath(insts[1])
	mb := mustRead(t, mp)
	mb[len(mb)/2] ^= 1
	os.WriteFile(mp, mb, 0o600)
	err = l.CheckContent(context.Background(), insts)
	if !errors.Is(err, ErrContentChanged) || !strings.Contains(err.Error(), "and 1 more") {
		t.Errorf("both changed: %v", err)
	}
	if err := l.CheckContent(context.Background(), insts[1:]); err == nil || !strings.Contains(err.Error(), "imported as managed.dcm") {
		t.Errorf("managed: %v", err)
	}
	if err := l.CheckStudy(context.Background(), study); !errors.Is(err, ErrContentChanged) {
		t.Errorf("CheckStudy: %v", err)
	}
	_ = time.Now
}

// 16.1: the same instance again in another transfer syntax (lossless) or
// with another File Meta is a duplicate; different content under its SOP
// Instance UID is a conflict kept in quarantine for staff.
func TestSameInstanceInAnotherSyntaxIsADuplicate(t *testing.T) {
	l, _ := openLib(t)
	dir := t.TempDir()
	orig := write(t, filepath.Join(dir, "orig.dcm"), dcmtest.CT(1, 64, 64).Bytes())
	if rep, err := l.Import(context.Background(), []string{orig}, Options{}); err != nil || rep.Imported != 1 {
		t.Fatal(err, rep)
	}
	variant := func(name string, tool string, args ...string) string {
		out := filepath.Join(dir, name)
		cmd := exec.Command(tool, append(args, orig, out)...)
		if msg, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s: %v %s", tool, err, msg)
		}
		return out
	}
	same := []string{
		variant("implicit.dcm", "dcmconv", "+ti"),
		variant("bigendian.dcm", "dcmconv", "+tb"),
		variant("jpegls.dcm", "dcmcjpls"),
		variant("rle.dcm", "dcmcrle"),
	}
	same = append(same, func() string {
		out := filepath.Join(dir, "decompressed.dcm")
		if msg, err := exec.Command("dcmdjpls", same[2], out).CombinedOutput(); err != nil {
			t.Fatalf("dcmdjpls: %v %s", err, msg)
		}
		return out
	}())
	for _, f := range same {
		rep, err := l.Import(context.Background(), []string{f}, Options{})
		if err != nil || rep.Duplicates != 1 || rep.Conflicts != 0 {
			t.Errorf("%s: %v %+v", filepath.Base(f), err, rep.Problems)
		}
	}
	changed := variant("changed.dcm", "cp")
	if out, err := exec.Command("dcmodify", "-nb", "-m", "PatientName=OTHER^PATIENT", changed).CombinedOutput(); err != nil {
		t.Fatalf("dcmodify: %v %s", err, out)
	}
	rep, err := l.Import(context.Background(), []string{changed}, Options{})
	if err != nil || rep.Conflicts != 1 || !errors.Is(rep.Problems[0].Err, ErrConflict) {
		t.Fatalf("changed: %v %+v", err, rep)
	}
	q, err := l.Quarantined()
	if err != nil || len(q) != 1 || !strings.Contains(q[0].Reason, "(0010,0010)") || q[0].Source != changed {
		t.Fatalf("quarantine: %v %+v", err, q)
	}
	if !bytes.Equal(mustRead(t, q[0].File), mustRead(t, changed)) {
		t.Error("quarantined copy differs from the file sent")
	}
	_ = dcm.PixelData
}

// Issue 17.6: search ignores punctuation as well as case and accents.
func TestSearchIgnoresPunctuation(t *testing.T) {
	l, _ := openLib(t)
	dir := t.TempDir()
	for i, name := range []string{"O'Brien^Mary", "Smith-Jones^Ann", "St. John^Élodie"} {
		p := write(t, filepath.Join(dir, fmt.Sprintf("%d.dcm", i)), dcmtest.CT(i+1, 2, 2).Bytes())
		study := fmt.Sprintf("1.2.826.0.1.3680043.10.1385.78.%d", i+1)
		if out, err := exec.Command("dcmodify", "-nb", "-i", "SpecificCharacterSet=ISO_IR 192", "-m", "PatientName="+name, "-m", "StudyInstanceUID="+study, p).CombinedOutput(); err != nil {
			t.Fatalf("dcmodify: %v %s", err, out)
		}
	}
	if rep, err := l.Import(context.Background(), []string{dir}, Options{}); err != nil || rep.Imported != 3 {
		t.Fatal(err, rep)
	}
	for q, want := range map[string]string{
		"obrien": "O'Brien^Mary", "O'BRIEN mary": "O'Brien^Mary", "o’brien": "O'Brien^Mary", "mary obr": "O'Brien^Mary",
		"smithjones": "Smith-Jones^Ann", "jones ann": "Smith-Jones^Ann", "smith-jones": "Smith-Jones^Ann",
		"st john": "St. John^Élodie", "stjohn elodie": "St. John^Élodie", "st. john": "St. John^Élodie",
	} {
		res, err := l.Search(Query{Text: q})
		if err != nil || len(res) != 1 || res[0].Patient.Name != want {
			var got []string
			for _, s := range res {
				got = append(got, s.Patient.Name)
			}
			t.Errorf("search %q: %v %v, want %s", q, err, got, want)
		}
	}
}

// FuzzImportZip imports whatever bytes as a ZIP archive: no panic, no file
// left in incoming/, and every candidate accounted for.
func FuzzImportZip(f *testing.F) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("DICOM/IM1")
	w.Write(dcmtest.CT(1, 4, 4).Bytes())
	w, _ = zw.Create("../evil")
	w.Write([]byte("x"))
	zw.Close()
	f.Add(buf.Bytes())
	f.Add(buf.Bytes()[:buf.Len()/2])
	l, _ := openLib(f)
	dir := f.TempDir()
	n := 0
	f.Fuzz(func(t *testing.T, b []byte) {
		n++
		p := filepath.Join(dir, fmt.Sprintf("%d.zip", n))
		os.WriteFile(p, b, 0o600)
		defer os.Remove(p)
		rep, err := l.Import(context.Background(), []string{p}, Options{MaxInflated: 64 << 20})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Imported < 0 || len(rep.Problems) != rep.Rejected+rep.Conflicts {
			t.Fatalf("report does not add up: %+v", rep)
		}
		if ents, _ := os.ReadDir(l.incoming()); len(ents) != 0 {
			t.Fatalf("%d files left in incoming/", len(ents))
		}
	})
}
