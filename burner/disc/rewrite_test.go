package disc

import (
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// groupLengthLine is a dcmdump line of a group length element, e.g.
// "(0010,0000) UL 18 ... GenericGroupLength".
var groupLengthLine = regexp.MustCompile(`(?m)^\s*\(([0-9a-f]{4}),0000\)`)

// Every object the plan rewrites (transcoded or generated) is checked with
// dcmdump and dciodvfy: no group length outside the meta group survives
// (the sources' lengths were stale once attributes were added and pixels
// decoded), dcmdump reads it without a warning and dciodvfy finds no bad
// group length and no error the source did not have.
func TestRewrittenObjectsHaveNoStaleGroupLengths(t *testing.T) {
	srcs := files(t, "multiframe/nm_13f_heart.dcm", "multiframe/us_10f_jpegls_palette.dcm", "transfer_syntax/ct_j2k_bitsstored_mismatch.dcm")
	for _, src := range srcs {
		if n := len(groupLengthLine.FindAllString(runDump(t, src), -1)); n < 3 {
			t.Fatalf("%s: the source should carry group lengths (found %d)", src, n)
		}
	}
	p, _ := supplyMissing(t, Input{Files: srcs, Facility: testFacility}, Options{NoViewer: true, NoWeb: true})
	if n := checkRewritten(t, p); n != len(srcs) {
		t.Errorf("checked %d rewritten objects, want %d", n, len(srcs))
	}
	// A generated object (the wrapped report) passes the same checks.
	ct := files(t, "disc_layouts/philips_ct_partial/DICOM/S21610/S2010")[:1]
	p = plan(t, Input{Files: ct, ReportText: "No acute findings."}, Options{NoWeb: true})
	if n := checkRewritten(t, p); n < 1 {
		t.Errorf("no generated object checked")
	}
}

// checkRewritten builds p and checks every object it does not copy with
// dcmdump and dciodvfy; it returns how many it checked.
func checkRewritten(t *testing.T, p *Plan) int {
	t.Helper()
	trees := build(t, p)
	checked := 0
	for _, o := range discObjects(p, trees[0]) {
		if o.Action == Copy {
			continue
		}
		path := ""
		for _, f := range trees[0].Files {
			if f.Path == discFileID(p, trees[0])(o) {
				path = f.Source
				if path == "" {
					path = writeTemp(t, f.Data)
				}
			}
		}
		dump := runDump(t, path)
		for _, m := range groupLengthLine.FindAllStringSubmatch(dump, -1) {
			if m[1] != "0002" {
				t.Errorf("%s: group length (%s,0000) kept", o.FileID, m[1])
			}
		}
		out, _ := exec.Command("dciodvfy", path).CombinedOutput()
		if s := string(out); strings.Contains(s, "Bad group length") || strings.Contains(s, ",0x0000) UL Group Length") {
			t.Errorf("%s: dciodvfy: %s", o.FileID, grepLines(s, "group length", "Group Length"))
		}
		var before map[string]bool
		if o.Source != "" {
			before = dciodvfyErrors(t, o.Source)
		}
		for e := range dciodvfyErrors(t, path) {
			if !before[e] {
				t.Errorf("%s: new dciodvfy error: %s", o.FileID, e)
			}
		}
		checked++
	}
	return checked
}

// runDump runs dcmdump on path and fails on an error or warning.
func runDump(t *testing.T, path string) string {
	t.Helper()
	out, err := exec.Command("dcmdump", "-q", "+L", path).CombinedOutput()
	if err != nil {
		t.Fatalf("dcmdump %s: %v\n%s", path, err, out)
	}
	for _, l := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(l, "W: ") || strings.HasPrefix(l, "E: ") {
			t.Errorf("dcmdump %s: %s", path, l)
		}
	}
	return string(out)
}

func writeTemp(t *testing.T, b []byte) string {
	t.Helper()
	path := t.TempDir() + "/obj.dcm"
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func grepLines(s string, subs ...string) string {
	var keep []string
	for _, l := range strings.Split(s, "\n") {
		for _, sub := range subs {
			if strings.Contains(l, sub) {
				keep = append(keep, l)
				break
			}
		}
	}
	return strings.Join(keep, "\n")
}
