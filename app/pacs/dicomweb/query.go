package dicomweb

import (
	"fmt"
	"net/url"
	"sort"
	"strings"
	"unicode/utf8"
)

// EncodeQuery writes QIDO-RS query parameters sorted by key in the syntax
// of PS3.18 Annex A (8.3.1): a qchar is an RFC 3986 unreserved character,
// a percent-encoded octet or one of the qspecial characters
// / ? : @ ! $ ' ( ) * , ; — so the matching characters "*" and "?"
// (wildcards, PS3.4 C.2.2.2.4) and "," (value lists) go as they are, and
// everything else, "^" and the space included, is percent-encoded (a space
// as %20, never "+"; "+" itself as %2B, which form decoders would read as
// a space).
func EncodeQuery(q url.Values) string {
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		for _, v := range q[k] {
			if b.Len() > 0 {
				b.WriteByte('&')
			}
			b.WriteString(escapeQueryValue(k))
			b.WriteByte('=')
			b.WriteString(escapeQueryValue(v))
		}
	}
	return b.String()
}

// qchar reports whether c may stand in a query value as it is.
func qchar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("-._~/?:@!$'()*,;", c) >= 0
}

func escapeQueryValue(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if c := s[i]; qchar(c) {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// wildcardValue turns the value of a key matched with wildcards (PN, LO,
// SH: Patient's Name, Patient ID, Accession Number) into one that needs no
// percent-encoding: each ASCII character that would (the "^" between name
// components, a space, "&"...) becomes "?", each run of other characters
// (non-ASCII letters) "*". The query then matches a superset, and keep
// narrows the matches to the value asked for. Servers that do not decode
// percent-encoded query values, such as Orthanc 1.10 with its DICOMweb
// plugin 1.7 ("DOE%5EJ1" and even "%44OE^J1" match nothing there), find
// what C-FIND finds; servers that do decode find the same. changed is
// false when the value went as it was.
func wildcardValue(v string) (sent string, changed bool) {
	var b strings.Builder
	for i := 0; i < len(v); {
		c := v[i]
		switch {
		case c < utf8.RuneSelf && qchar(c):
			b.WriteByte(c)
			i++
		case c < utf8.RuneSelf:
			b.WriteByte('?')
			changed = true
			i++
		default:
			for i < len(v) && v[i] >= utf8.RuneSelf {
				i++
			}
			if !strings.HasSuffix(b.String(), "*") {
				b.WriteByte('*')
			}
			changed = true
		}
	}
	return b.String(), changed
}

// keep reports whether a returned value matches the value asked for with
// C-FIND's wildcards ("*" any run, "?" one character), letters compared
// without case as Orthanc and most archives compare names. An absent value
// (the server returned no such attribute) is kept.
func keep(pattern, value string) bool {
	if value == "" {
		return true
	}
	return wildMatch([]rune(strings.ToUpper(pattern)), []rune(strings.ToUpper(value)))
}

func wildMatch(p, s []rune) bool {
	// Iterative matching with one backtrack point for the last "*".
	pi, si, star, mark := 0, 0, -1, 0
	for si < len(s) {
		switch {
		case pi < len(p) && (p[pi] == '?' || p[pi] == s[si]):
			pi++
			si++
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, si
			pi++
		case star >= 0:
			pi = star + 1
			mark++
			si = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}
