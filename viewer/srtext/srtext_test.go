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
