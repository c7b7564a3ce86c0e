package desk

import (
	"fmt"
	"strings"
	"time"
)

// dateFormats are the ways a clerk types a date in the date filters: ISO
// first, then the US month/day/year the desk's users write on forms, then
// the DICOM form.
var dateFormats = []string{"2006-01-02", "1/2/2006", "01/02/2006", "1-2-2006", "20060102", "2.1.2006"}

// parseDateInput reads a date typed into a filter as YYYYMMDD; "" stays
// "". A value in none of dateFormats is an error saying what is expected,
// never silently ignored.
func parseDateInput(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	for _, f := range dateFormats {
		if t, err := time.Parse(f, s); err == nil {
			return t.Format("20060102"), nil
		}
	}
	return "", fmt.Errorf("%q is not a date the desk understands: type 2026-11-01 or 11/01/2026", s)
}

// plural says "1 study" or "2 studies".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
