// Package envlocale gives Fyne a locale it can parse. Fyne reads LANG in
// its package initialisation and logs an error for the POSIX "C" locale that
// services and CI run under; this package, imported by main, initialises
// first (Go initialises packages in import-path order among those ready, and
// its only imports are ones Fyne's locale code needs too) and maps "C",
// "POSIX" and an empty LANG to en_US.UTF-8.
package envlocale

import (
	"os"
	"strings"
)

func init() {
	lang := os.Getenv("LANG")
	base := strings.SplitN(lang, ".", 2)[0]
	if lc := os.Getenv("LC_ALL"); lc != "" {
		base = strings.SplitN(lc, ".", 2)[0]
		if base == "C" || base == "POSIX" {
			os.Setenv("LC_ALL", "en_US.UTF-8")
		}
	}
	if lang == "" || base == "C" || base == "POSIX" {
		os.Setenv("LANG", "en_US.UTF-8")
	}
}
