package study_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"discdesk/internal/corpus"
	"discdesk/viewer/study"
	"discdesk/viewer/study/studytest"
)

func kinds(d *study.Disc) map[study.Kind]int {
	m := map[study.Kind]int{}
	for _, se := range d.Series() {
		for _, in := range se.Instances {
			m[in.Kind]++
		}
	}
	return m
}

func TestOpenDICOMDIRDisc(t *testing.T) {
	dir := studytest.MakeDisc(t, t.TempDir(), studytest.Default)
	d, err := study.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !d.FromDICOMDIR {
		t.Error("disc not read through its DICOMDIR")
	}
	k := kinds(d)
	if k[study.KindImage] != 8 || k[study.KindSR] != 1 || k[study.KindDocument] != 1 {
		t.Errorf("kinds = %v, want 8 images, 1 SR, 1 document", k)
	}
	if d.Missing != 0 {
		t.Errorf("missing = %d", d.Missing)
	}
	// The same through the DICOMDIR path, and by scanning without it.
	d2, err := study.Open(filepath.Join(dir, "DICOMDIR"))
	if err != nil || len(d2.Series()) != len(d.Series()) {
		t.Fatalf("open DICOMDIR file: %v, %d series", err, len(d2.Series()))
	}
	if err := os.Remove(filepath.Join(dir, "DICOMDIR")); err != nil {
		t.Fatal(err)
	}
	d3, err := study.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if d3.FromDICOMDIR || len(d3.Series()) != len(d.Series()) {
		t.Errorf("scan: fromDICOMDIR=%v, %d series, want %d", d3.FromDICOMDIR, len(d3.Series()), len(d.Series()))
	}
	if k3 := kinds(d3); k3[study.KindImage] != 8 {
		t.Errorf("scan kinds = %v", k3)
	}
}

func TestOpenLowerCaseAndMissing(t *testing.T) {
	d, err := study.Open(corpus.Path(t, "disc_layouts", "philips_ct_partial"))
	if err != nil {
		t.Fatal(err)
	}
	if d.Missing < 300 {
		t.Errorf("missing = %d, want the 378 absent references", d.Missing)
	}
	n := 0
	for _, se := range d.Series() {
		n += len(se.Images())
	}
	if n == 0 {
		t.Fatal("no images found on the partial disc")
	}
}

func TestOpenISO(t *testing.T) {
	dir := studytest.MakeDisc(t, t.TempDir(), studytest.Default[:4])
	iso := filepath.Join(t.TempDir(), "disc.iso")
	out, err := exec.Command("xorriso", "-outdev", iso, "-volid", "TESTDISC", "-rockridge", "off", "-joliet", "off",
		"-compliance", "iso_9660_level=1:only_iso_version", "-map", dir, "/", "-commit").CombinedOutput()
	if err != nil {
		t.Fatalf("xorriso: %v\n%s", err, out)
	}
	d, err := study.Open(iso)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if !d.FromDICOMDIR || kinds(d)[study.KindImage] != 4 {
		t.Fatalf("ISO: fromDICOMDIR=%v kinds=%v", d.FromDICOMDIR, kinds(d))
	}
	st := study.NewStack(d, d.Series()[0].Images(), 0)
	f, err := st.Get(0)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Data) != f.Info.Desc.FrameBytes() {
		t.Errorf("frame of %d bytes, want %d", len(f.Data), f.Info.Desc.FrameBytes())
	}
}

func TestBadISO(t *testing.T) {
	p := filepath.Join(t.TempDir(), "x.iso")
	b := make([]byte, 40*2048)
	copy(b[16*2048+1:], "CD001")
	b[16*2048] = 1
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := study.Open(p); err == nil {
		t.Fatal("opened an ISO with a zero block size")
	}
}

func TestReportAndDocument(t *testing.T) {
	dir := studytest.MakeDisc(t, t.TempDir(), studytest.Default)
	d, err := study.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	var sr, pdf *study.Instance
	for _, se := range d.Series() {
		for _, in := range se.Reports() {
			if in.Kind == study.KindSR {
				sr = in
			} else {
				pdf = in
			}
		}
	}
	if sr == nil || pdf == nil {
		t.Fatal("SR or PDF missing")
	}
	text, err := d.Report(sr)
	if err != nil {
		t.Fatal(err)
	}
	if len(strings.Split(text, "\n")) < 4 {
		t.Errorf("SR text too short:\n%s", text)
	}
	doc, mime, err := d.Document(pdf)
	if err != nil {
		t.Fatal(err)
	}
	if mime != "application/pdf" || !strings.HasPrefix(string(doc), "%PDF") || !strings.HasSuffix(string(doc), "%%EOF") {
		t.Errorf("document %q, %d bytes, starts %q", mime, len(doc), doc[:min(8, len(doc))])
	}
}

func TestOrientationLabels(t *testing.T) {
	cases := []struct {
		o                        [6]float64
		left, right, top, bottom string
	}{
		{[6]float64{1, 0, 0, 0, 1, 0}, "R", "L", "A", "P"},  // axial
		{[6]float64{0, 1, 0, 0, 0, -1}, "A", "P", "H", "F"}, // sagittal
		{[6]float64{1, 0, 0, 0, 0, -1}, "R", "L", "H", "F"}, // coronal
		{[6]float64{0.866, 0.5, 0, 0, 0, -1}, "RA", "LP", "H", "F"},
	}
	for _, c := range cases {
		l, r, tp, b := study.OrientationLabels(c.o)
		if l != c.left || r != c.right || tp != c.top || b != c.bottom {
			t.Errorf("%v: got %s %s %s %s, want %s %s %s %s", c.o, l, r, tp, b, c.left, c.right, c.top, c.bottom)
		}
	}
}
