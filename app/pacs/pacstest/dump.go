package pacstest

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"
)

// DumpDataSet returns dcmdump's listing of a file's data set, normalized
// so that a re-encoding by dcmtk-based peers (explicit lengths, group
// lengths dropped or added, trailing padding dropped) compares equal.
func DumpDataSet(t testing.TB, path string) string {
	t.Helper()
	out, err := Tool(t, 20*time.Second, "dcmdump", "-q", "+L", path)
	if err != nil {
		t.Fatalf("dcmdump %s: %v\n%s", path, err, out)
	}
	var keep []string
	meta := false
	for _, l := range strings.Split(out, "\n") {
		switch {
		case strings.HasPrefix(l, "# Dicom-Meta-Information-Header"):
			meta = true
			continue
		case strings.HasPrefix(l, "# Dicom-Data-Set"):
			meta = false
			continue
		case meta || strings.HasPrefix(l, "# Used TransferSyntax"):
			continue
		case groupLength.MatchString(l) || strings.Contains(l, "(fffe,e00d)") || strings.Contains(l, "(fffe,e0dd)") || strings.HasPrefix(l, "(fffc,fffc)"):
			continue // group lengths, delimiters and trailing padding change when dcmtk re-encodes
		}
		l = lengthKind.ReplaceAllString(l, "(${1} #")
		if i := strings.LastIndex(l, " # "); i >= 0 {
			l = strings.TrimRight(l[:i], " ")
		}
		keep = append(keep, l)
	}
	return strings.Join(keep, "\n")
}

var (
	groupLength = regexp.MustCompile(`^\s*\([0-9a-f]{4},0000\)`)
	lengthKind  = regexp.MustCompile(`\((Sequence|Item) with (?:explicit|undefined) length #`)
)

// FirstDiff shows the first differing line of two listings.
func FirstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range min(len(al), len(bl)) {
		if al[i] != bl[i] {
			return "sent:   " + al[i] + "\nstored: " + bl[i]
		}
	}
	return fmt.Sprintf("%d lines sent, %d stored", len(al), len(bl))
}
