package srtext_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"discdesk/internal/corpus"
	"discdesk/viewer/dcm"
	"discdesk/viewer/srtext"
)

var srFiles = []string{"basic_text_sr", "comprehensive3d_sr_tid1500", "comprehensive_sr_nested", "detail_sr_trial"}

func parse(t testing.TB, name string) *dcm.DataSet {
	t.Helper()
	f, err := dcm.ParseFile(corpus.Path(t, "sr_docs", name+".dcm"))
	if err != nil {
		t.Fatal(err)
	}
	return f.DataSet
}

// Text is what the disc viewer shows (UPDATE_GOLDEN=1 rewrites
// testdata/*.txt.golden; read the diff before committing it).
func TestTextGolden(t *testing.T) {
	for _, n := range srFiles {
		want, err := os.ReadFile(filepath.Join("testdata", n+".txt.golden"))
		if err != nil {
			t.Fatal(err)
		}
		got := srtext.Text(parse(t, n))
		if os.Getenv("UPDATE_GOLDEN") == "1" {
			if err := os.WriteFile(filepath.Join("testdata", n+".txt.golden"), []byte(got), 0o600); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if got != string(want) {
			t.Errorf("%s: text differs from the golden file\n got:\n%s\nwant:\n%s", n, got, want)
		}
	}
}

func TestItemsTree(t *testing.T) {
	ds := parse(t, "comprehensive_sr_nested")
	if got := srtext.Title(ds); got != "Diagnosis" {
		t.Errorf("title %q", got)
	}
	items := srtext.Items(ds, 0)
	if len(items) == 0 {
		t.Fatal("no items")
	}
	first := items[0]
	if first.Name != "Some UID" || first.ValueType != "UIDREF" || first.Value != "1.2.3.4.5" {
		t.Errorf("first item %+v", first)
	}
	var count func([]srtext.Item) int
	count = func(its []srtext.Item) int {
		n := 0
		for _, it := range its {
			n += 1 + count(it.Children)
		}
		return n
	}
	all := count(items)
	if all < 10 {
		t.Fatalf("%d items in the nested SR", all)
	}
	if got := count(srtext.Items(ds, 3)); got != 3 {
		t.Errorf("Items(ds, 3) gave %d items", got)
	}
	// A referenced image and a NUM with units, as Value renders them.
	text := srtext.Text(ds)
	for _, want := range []string{"Diameter: 3 cm", "(reference to image)", "Date: 2000-12-06"} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q", want)
		}
	}
}

func num(value, unitCode, unitMeaning string) *dcm.DataSet {
	u := &dcm.DataSet{}
	u.Set(dcm.Str(dcm.T(0x0008, 0x0100), "SH", unitCode))
	u.Set(dcm.Str(dcm.T(0x0008, 0x0104), "LO", unitMeaning))
	mv := &dcm.DataSet{}
	mv.Set(dcm.Str(dcm.T(0x0040, 0xA30A), "DS", value))
	mv.Set(dcm.Seq(dcm.T(0x0040, 0x08EA), u))
	it := &dcm.DataSet{}
	it.Set(dcm.Str(dcm.T(0x0040, 0xA040), "CS", "NUM"))
	it.Set(dcm.Seq(dcm.T(0x0040, 0xA300), mv))
	return it
}

func TestValue(t *testing.T) {
	pn := &dcm.DataSet{}
	pn.Set(dcm.Str(dcm.T(0x0040, 0xA040), "CS", "PNAME"))
	pn.Set(dcm.Str(dcm.T(0x0040, 0xA123), "PN", "Doe^Jane^^^"))
	date := &dcm.DataSet{}
	date.Set(dcm.Str(dcm.T(0x0040, 0xA040), "CS", "DATE"))
	date.Set(dcm.Str(dcm.T(0x0040, 0xA121), "DA", "20261102"))
	for _, c := range []struct {
		it   *dcm.DataSet
		want string
	}{
		{num("12", "mm", "millimeter"), "12 mm"},
		{num("3", "1", "no units"), "3"},
		{num("4", "", "ratio"), "4 ratio"},
		{pn, "Doe Jane"},
		{date, "2026-11-02"},
		{&dcm.DataSet{}, ""},
	} {
		if got := srtext.Value(c.it); got != c.want {
			t.Errorf("Value = %q, want %q", got, c.want)
		}
	}
}

// A report nested deeper than dcm.MaxDepth is cut at that depth.
func TestDepthBound(t *testing.T) {
	leaf := &dcm.DataSet{}
	leaf.Set(dcm.Str(dcm.T(0x0040, 0xA040), "CS", "TEXT"))
	leaf.Set(dcm.Str(dcm.T(0x0040, 0xA160), "UT", "deep"))
	cur := leaf
	for i := 0; i < dcm.MaxDepth+5; i++ {
		p := &dcm.DataSet{}
		p.Set(dcm.Str(dcm.T(0x0040, 0xA040), "CS", "TEXT"))
		p.Set(dcm.Str(dcm.T(0x0040, 0xA160), "UT", "level"))
		p.Set(dcm.Seq(dcm.T(0x0040, 0xA730), cur))
		cur = p
	}
	root := &dcm.DataSet{}
	root.Set(dcm.Seq(dcm.T(0x0040, 0xA730), cur))
	depth := 0
	for its := srtext.Items(root, 0); len(its) > 0; its = its[0].Children {
		depth++
	}
	if depth != dcm.MaxDepth+1 {
		t.Fatalf("depth %d, want %d", depth, dcm.MaxDepth+1)
	}
	if strings.Contains(srtext.Text(root), "deep") {
		t.Fatal("text goes below the depth bound")
	}
}

func FuzzText(f *testing.F) {
	for _, n := range srFiles {
		b, err := os.ReadFile(corpus.Path(f, "sr_docs", n+".dcm"))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		file, err := dcm.ParseBytes(b)
		if err != nil {
			return
		}
		srtext.Text(file.DataSet)
		srtext.Items(file.DataSet, 100)
	})
}

func BenchmarkText(b *testing.B) {
	ds := parse(b, "comprehensive3d_sr_tid1500")
	b.ReportAllocs()
	for b.Loop() {
		srtext.Text(ds)
	}
}

// The words hook leaves Text as it was: the zero Words is English, byte
// for byte, for every report of the corpus (the goldens above are what
// Text gave before Words existed).
func TestTextWithEnglishIsText(t *testing.T) {
	for _, n := range srFiles {
		ds := parse(t, n)
		want, err := os.ReadFile(filepath.Join("testdata", n+".txt.golden"))
		if err != nil {
			t.Fatal(err)
		}
		if got := srtext.TextWith(ds, srtext.Words{}); got != string(want) {
			t.Errorf("%s: TextWith(zero Words) differs from the golden text\n got:\n%s", n, got)
		}
	}
}

// spanish is the kiosk's kind of Words.
var spanish = srtext.Words{
	Final: "Informe final", Preliminary: "Informe preliminar (incompleto)", VerifiedBy: "verificado por %s",
	ObserverOn: "%s el %s", Verified: "verificado", NotVerified: "aún no verificado por un radiólogo", Dated: "con fecha %s",
	Image: "(referencia a una imagen)", Composite: "(referencia a un objeto)", Waveform: "(referencia a una onda)",
}

// With Spanish words the framing is Spanish and the report's own content
// (concept names, text, codes, names, dates) is exactly as before.
func TestTextWithSpanishWords(t *testing.T) {
	ds := parse(t, "comprehensive_sr_nested")
	en, es := srtext.Text(ds), srtext.TextWith(ds, spanish)
	wantHead := "Diagnosis\nInforme final, verificado por Jörg Riesmeier (OFFIS e.V.) el 2001-02-13; Verifying Observer (Organisation) el 2001-02-13, con fecha 2001-02-13\n"
	if !strings.HasPrefix(es, wantHead) {
		t.Errorf("Spanish head:\n%s\nwant:\n%s", es[:min(len(es), len(wantHead)+40)], wantHead)
	}
	for _, english := range []string{"Final report", "verified by", " on 2001", "dated", "(reference to "} {
		if strings.Contains(es, english) {
			t.Errorf("the Spanish text still says %q", english)
		}
	}
	for _, ref := range []string{"Key Image: (referencia a una imagen)", "(referencia a un objeto)", "(referencia a una onda)"} {
		if !strings.Contains(es, ref) {
			t.Errorf("the Spanish text lacks %q", ref)
		}
	}
	// Body lines: the same, the references apart.
	body := func(s string) string {
		_, b, _ := strings.Cut(s, "\n\n")
		return b
	}
	refs := strings.NewReplacer("(reference to image)", spanish.Image, "(reference to composite)", spanish.Composite, "(reference to waveform)", spanish.Waveform)
	if got, want := body(es), refs.Replace(body(en)); got != want {
		t.Errorf("the report's content changed with the words:\n got:\n%s\nwant:\n%s", got, want)
	}
	// Preliminary and unverified, in Spanish; a field left empty is English.
	basic := parse(t, "basic_text_sr")
	es = srtext.TextWith(basic, spanish)
	if !strings.Contains(es, "Informe preliminar (incompleto), aún no verificado por un radiólogo, con fecha 2005-05-30\n") {
		t.Errorf("preliminary in Spanish:\n%s", es)
	}
	half := srtext.TextWith(basic, srtext.Words{Preliminary: "Informe preliminar"})
	if !strings.Contains(half, "Informe preliminar, not yet verified by a radiologist, dated 2005-05-30\n") {
		t.Errorf("a field left empty is not English:\n%s", half)
	}
}

// A framing word that starts with a letter outside ASCII is capitalised
// as a letter, not as a byte.
func TestTextWithCapitalisesRunes(t *testing.T) {
	got := srtext.TextWith(parse(t, "basic_text_sr"), srtext.Words{Preliminary: "éste es preliminar"})
	if !strings.Contains(got, "\nÉste es preliminar, ") {
		t.Errorf("capitalised: %q", got)
	}
}
