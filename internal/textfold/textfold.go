// Package textfold is the one rule for matching what staff type against
// names and other text: case, accents and punctuation aside. The study
// library's search and the handoff log's request search both use it, so
// "obrien" finds O'Brien and "sean" finds Seán in both.
package textfold

import (
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Fold lowercases, strips accents, drops apostrophes and periods and turns
// PN delimiters and other punctuation into spaces, so "Jérôme" matches
// "jerome", "Buc^Jérôme" matches "jerome buc", and "O'Brien" or "St. John"
// match "obrien" and "st john".
func Fold(s string) string {
	out := s
	if !isASCII(s) {
		t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
		if o, _, err := transform.String(t, s); err == nil {
			out = o
		}
	}
	out = strings.ToLower(out)
	return strings.Map(func(r rune) rune {
		switch r {
		case '^', '=', ',', '\\':
			return ' '
		case '\'', '\u2019', '\u02bc', '`', '\u00b4', '.':
			return -1
		}
		if unicode.IsPunct(r) || unicode.IsSymbol(r) {
			return ' '
		}
		return r
	}, out)
}

// Joined is Fold with hyphens and spaces dropped, so "Smith-Jones" and
// "St. John" are found as "smithjones" and "stjohn" as well.
func Joined(s string) string {
	return Fold(strings.NewReplacer("-", "", " ", "").Replace(s))
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
