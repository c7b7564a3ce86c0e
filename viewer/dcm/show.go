package dcm

import "strings"

// PersonName shows a Person Name value (PS3.5 6.2.1) the way staff write a
// name: "Family, Given Middle" ("Yamada^Tarou" -> "Yamada, Tarou"). It takes
// the alphabetic component group, else the ideographic, else the phonetic
// one; the name prefix and suffix are left out, components are trimmed. A
// value without "^" (free text such as "Anonymous") is kept, trimmed.
func PersonName(pn string) string {
	var group string
	groups := strings.Split(pn, "=")
	for _, g := range groups[:min(len(groups), 3)] {
		if strings.Trim(g, "^ ") != "" {
			group = g
			break
		}
	}
	parts := strings.Split(group, "^")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	if len(parts) == 1 {
		return parts[0]
	}
	given := strings.Join(strings.Fields(strings.Join(parts[1:min(len(parts), 3)], " ")), " ")
	switch {
	case given == "":
		return parts[0]
	case parts[0] == "":
		return given
	}
	return parts[0] + ", " + given
}

// FormatDate shows a Date value (PS3.5 6.2, DA) as YYYY-MM-DD: "20170716"
// and the ACR-NEMA form "2017.07.16" give "2017-07-16". Anything else (an
// empty, partial or malformed value) gives "", so callers show their own
// "unknown" rather than a broken date.
func FormatDate(da string) string {
	d := strings.TrimSpace(da)
	if len(d) == 10 && d[4] == '.' && d[7] == '.' {
		d = d[:4] + d[5:7] + d[8:]
	}
	if len(d) != 8 || strings.Trim(d, "0123456789") != "" {
		return ""
	}
	return d[:4] + "-" + d[4:6] + "-" + d[6:]
}
