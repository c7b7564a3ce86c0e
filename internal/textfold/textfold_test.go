package textfold

import (
	"strings"
	"testing"
)

func TestFold(t *testing.T) {
	for in, want := range map[string]string{
		"O'Brien":     "obrien",
		"O’Brien":     "obrien",
		"St. John":    "st john",
		"Buc^Jérôme":  "buc jerome",
		"Seán":        "sean",
		"MÜLLER=ミュラー": "muller ミュラー",
		"a,b\\c":      "a b c",
	} {
		if got := strings.Join(strings.Fields(Fold(in)), " "); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
	if got := Joined("Smith-Jones"); got != "smithjones" {
		t.Errorf("Joined = %q", got)
	}
}

func FuzzFold(f *testing.F) {
	f.Add("O'Brien^Seán")
	f.Fuzz(func(t *testing.T, s string) {
		once := Fold(s)
		if again := Fold(once); strings.Join(strings.Fields(again), " ") != strings.Join(strings.Fields(once), " ") {
			t.Errorf("Fold is not idempotent on %q: %q then %q", s, once, again)
		}
	})
}
