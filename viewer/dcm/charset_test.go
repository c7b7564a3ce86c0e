package dcm

import (
	"testing"

	"discdesk/internal/corpus"
)

// Expected names, checked against the corpus's FileInfo.txt byte values and
// pydicom's decoding (pydicom 2.3 leaves the GB2312 escapes undecoded, so
// that one is taken from the standard's own example, PS3.5 K.2).
var charsetNames = map[string]string{
	"chrArab.dcm":                "قباني^لنزار",
	"chrFren.dcm":                "Buc^Jérôme",
	"chrGB2312.dcm":              "Zhang^XiaoDong=张^小东",
	"chrGerm.dcm":                "Äneas^Rüdiger",
	"chrGreek.dcm":               "Διονυσιος",
	"chrH31.dcm":                 "Yamada^Tarou=山田^太郎=やまだ^たろう",
	"chrH32.dcm":                 "ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう",
	"chrHbrw.dcm":                "שרון^דבורה",
	"chrI2.dcm":                  "Hong^Gildong=洪^吉洞=홍^길동",
	"chrJapMulti.dcm":            "やまだ^たろう",
	"chrJapMultiExplicitIR6.dcm": "やまだ^たろう",
	"chrKoreanMulti.dcm":         "김희중",
	"chrRuss.dcm":                "Люкceмбypг",
	"chrX1.dcm":                  "Wang^XiaoDong=王^小東",
	"chrX2.dcm":                  "Wang^XiaoDong=王^小东",
}

func TestPatientNameInEveryCharset(t *testing.T) {
	for file, want := range charsetNames {
		f, err := ParseFile(corpus.Path(t, "charset", file), SkipPixelData())
		if err != nil {
			t.Errorf("%s: %v", file, err)
			continue
		}
		got := f.DataSet.String(PatientName)
		// trailing '=' groups are empty components
		for len(got) > 0 && got[len(got)-1] == '=' {
			got = got[:len(got)-1]
		}
		if got != want {
			t.Errorf("%s: PatientName = %q, want %q", file, got, want)
		}
	}
}

func TestSequenceItemInheritsOrOverridesCharset(t *testing.T) {
	f, err := ParseFile(corpus.Path(t, "charset", "chrSQEncoding1.dcm"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range f.DataSet.Elements {
		for _, it := range e.Items {
			if n := it.String(PatientName); n != "" {
				names = append(names, n)
			}
		}
	}
	if len(names) == 0 {
		t.Fatal("no Patient's Name inside any sequence item")
	}
	for _, n := range names {
		if n != "ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう" {
			t.Errorf("item name %q", n)
		}
	}
}
