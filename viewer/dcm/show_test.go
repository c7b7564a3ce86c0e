package dcm

import (
	"strings"
	"testing"
)

func TestPersonNameAndFormatDate(t *testing.T) {
	for pn, want := range map[string]string{
		"Yamada^Tarou":       "Yamada, Tarou",
		"DOE^JANE":           "DOE, JANE",
		"Doe^Jane^Q^Dr^PhD":  "Doe, Jane Q",
		"Doe^^^":             "Doe",
		"^Jane":              "Jane",
		"Yamada^Tarou=山田^太郎": "Yamada, Tarou",
		"=山田^太郎":             "山田, 太郎",
		"Anonymous":          "Anonymous",
		" Smith ^ John ":     "Smith, John",
		"":                   "",
		"^^^^":               "",
	} {
		if got := PersonName(pn); got != want {
			t.Errorf("PersonName(%q) = %q, want %q", pn, got, want)
		}
	}
	for da, want := range map[string]string{"20170716": "2017-07-16", "1995.06.26": "1995-06-26", " 20170716 ": "2017-07-16",
		"2017": "", "": "", "2017071x": "", "2017-07-16x": ""} {
		if got := FormatDate(da); got != want {
			t.Errorf("FormatDate(%q) = %q, want %q", da, got, want)
		}
	}
}

// PersonName reads Patient's Name from outside objects.
func FuzzPersonName(f *testing.F) {
	for _, s := range []string{"DOE^JANE", "Yamada^Tarou=山田^太郎=やまだ^たろう", "^^^^", "=", "a^b^c^d^e", "\x00^\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, pn string) {
		got := PersonName(pn)
		if strings.ContainsAny(got, "^=") {
			t.Errorf("PersonName(%q) = %q keeps PN delimiters", pn, got)
		}
		if len(got) > len(pn)+2 {
			t.Errorf("PersonName(%q) = %q grew", pn, got)
		}
	})
}
