package docs

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// testNames are patient names in the scripts the desk meets.
var testNames = []struct{ script, name string }{
	{"Japanese", "山田, 太郎"},
	{"Chinese", "王, 小明"},
	{"Korean", "김, 민준"},
	{"Greek", "Παπαδοπούλου, Ελένη"},
	{"Cyrillic", "Иванова, Анна"},
	{"Polish", "Żółkiewska, Łucja"},
}

func isCJKName(s string) bool {
	for _, r := range s {
		if r >= 0x1100 {
			return true
		}
	}
	return false
}

// pdfFont is one line of pdffonts.
type pdfFont struct{ name, typ, emb, sub, uni string }

func pdfFonts(t *testing.T, path string) []pdfFont {
	t.Helper()
	out, err := exec.Command("pdffonts", path).CombinedOutput()
	if err != nil {
		t.Fatalf("pdffonts: %v\n%s", err, out)
	}
	var fs []pdfFont
	for i, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if i < 2 {
			continue
		}
		f := strings.Fields(line)
		if len(f) < 7 {
			t.Fatalf("pdffonts line %q", line)
		}
		n := len(f)
		fs = append(fs, pdfFont{name: f[0], typ: strings.Join(f[1:n-6], " "), emb: f[n-5], sub: f[n-4], uni: f[n-3]})
	}
	return fs
}

type rendered struct {
	kind string
	pdf  []byte
}

// allDocs renders every document kind for a patient called name.
func allDocs(t *testing.T, name string) []rendered {
	t.Helper()
	r := sampleRequest()
	r.Patient.Name, r.Requester.Name = name, name
	l := label()
	l.PatientName = name
	l.Studies[0].Description = name + " CT"
	var out []rendered
	add := func(kind string, f func(*bytes.Buffer) error) {
		var b bytes.Buffer
		if err := f(&b); err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		out = append(out, rendered{kind, b.Bytes()})
	}
	add("form", func(b *bytes.Buffer) error { return RequestForm(b, facility, &r, printed) })
	add("invoice", func(b *bytes.Buffer) error { return Invoice(b, facility, r, InvoiceNumber(r.ID), printed) })
	add("label", func(b *bytes.Buffer) error { return DiscLabel(b, l) })
	add("insert", func(b *bytes.Buffer) error { return JewelCaseInsert(b, l) })
	add("receipt", func(b *bytes.Buffer) error { return Receipt(b, facility, r, printed) })
	return out
}

// Every test name comes back from every document with pdftotext, drawn in
// an embedded subset font that has its glyphs; the documents stay small.
func TestEveryScriptPrints(t *testing.T) {
	if p := CJKFontProblem(); p != nil {
		t.Fatalf("the test machine needs its CJK font: %v", p)
	}
	for _, tn := range testNames {
		for _, d := range allDocs(t, tn.name) {
			what := tn.script + " " + d.kind
			text, path := pdfText(t, d.kind+".pdf", d.pdf)
			if !strings.Contains(text, tn.name) {
				t.Errorf("%s: pdftotext lacks %q:\n%s", what, tn.name, text)
			}
			if strings.ContainsRune(text, '\uFFFD') {
				t.Errorf("%s: a character printed as U+FFFD", what)
			}
			if m := MissingGlyphs(tn.name); m != nil {
				t.Errorf("%s: MissingGlyphs = %q", what, string(m))
			}
			fonts := pdfFonts(t, path)
			want := "DejaVuSans"
			if isCJKName(tn.name) {
				want = "DroidSansFallback"
			}
			found := false
			for _, f := range fonts {
				if f.emb != "yes" || f.sub != "yes" || f.uni != "yes" || len(f.name) < 8 || f.name[6] != '+' {
					t.Errorf("%s: font %+v is not an embedded, tagged subset with a ToUnicode map", what, f)
				}
				if strings.HasPrefix(f.name[7:], want) && f.typ == "CID TrueType" {
					found = true
				}
			}
			if !found {
				t.Errorf("%s: no embedded %s subset: %+v", what, want, fonts)
			}
			// The CJK font is 3.4 MB and DejaVu Sans 0.7 MB: only subsets
			// keep a document this small (most of it is DejaVu's hinted
			// Latin glyphs).
			if len(d.pdf) > 64_000 {
				t.Errorf("%s: %d bytes, want subset fonts (under 64 kB)", what, len(d.pdf))
			}
			t.Logf("%s: %d bytes", what, len(d.pdf))
		}
	}
}

// Text extraction passes even when boxes are drawn: two different CJK
// names of the same length must also look different on paper.
func TestCJKNamesAreDrawnWithRealGlyphs(t *testing.T) {
	raster := func(name string) []byte {
		l := label()
		l.PatientName = name
		var b bytes.Buffer
		if err := JewelCaseInsert(&b, l); err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		p := filepath.Join(dir, "i.pdf")
		os.WriteFile(p, b.Bytes(), 0o600)
		if out, err := exec.Command("pdftoppm", "-r", "60", "-gray", "-singlefile", p, filepath.Join(dir, "i")).CombinedOutput(); err != nil {
			t.Fatalf("pdftoppm: %v\n%s", err, out)
		}
		img, err := os.ReadFile(filepath.Join(dir, "i.pgm"))
		if err != nil {
			t.Fatal(err)
		}
		return img
	}
	for _, pair := range [][2]string{{"山田, 太郎", "佐藤, 花子"}, {"王, 小明", "李, 大伟"}, {"김, 민준", "박, 서연"}} {
		if bytes.Equal(raster(pair[0]), raster(pair[1])) {
			t.Errorf("%q and %q print the same: boxes, not glyphs", pair[0], pair[1])
		}
	}
}
