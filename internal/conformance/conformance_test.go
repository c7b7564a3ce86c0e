package conformance

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"discdesk/app/pacs"
	"discdesk/app/pacs/dimse"
	"discdesk/internal/corpus"
	"discdesk/viewer/dcm"
	"discdesk/viewer/dicomdir"
)

func readDoc(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(corpus.RepoRoot(), "docs", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// region returns the body of the generated region name in doc.
func region(t *testing.T, doc, name string) string {
	t.Helper()
	b, e := "<!-- BEGIN GENERATED "+name+" -->", "<!-- END GENERATED "+name+" -->"
	i, j := strings.Index(doc, b), strings.Index(doc, e)
	if i < 0 || j < i {
		t.Fatalf("no generated region %q", name)
	}
	return doc[i+len(b) : j]
}

// rows splits the Markdown table rows of s into cells, header and rule
// excluded.
func rows(s string) [][]string {
	var out [][]string
	for _, l := range strings.Split(s, "\n") {
		if !strings.HasPrefix(l, "| ") || strings.HasPrefix(l, "|---") {
			continue
		}
		var cells []string
		for _, c := range strings.Split(strings.Trim(l, "|"), " | ") {
			cells = append(cells, strings.Trim(strings.TrimSpace(c), "`"))
		}
		out = append(out, cells)
	}
	if len(out) > 0 {
		out = out[1:] // header
	}
	return out
}

// The committed documents are exactly what `go generate` makes from the code.
func TestDocumentsMatchCode(t *testing.T) {
	tables, err := Tables(corpus.RepoRoot())
	if err != nil {
		t.Fatal(err)
	}
	all := ""
	for _, name := range Documents {
		doc := readDoc(t, name)
		all += doc
		got, err := Splice([]byte(doc), tables)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if string(got) != doc {
			t.Errorf("docs/%s is out of date with the code (run go generate ./internal/conformance):\n%s",
				name, cmp.Diff(doc, string(got)))
		}
	}
	for name := range tables {
		if !strings.Contains(all, "<!-- BEGIN GENERATED "+name+" -->") {
			t.Errorf("table %q is generated but no document shows it", name)
		}
	}
}

var uidRE = regexp.MustCompile(`^[0-9]+(\.[0-9]+)+$`)

// The statement lists exactly the Storage SOP classes and transfer syntaxes
// of app/pacs, in order, read back from the document's table.
func TestStorageTablesListExactlyPacs(t *testing.T) {
	doc := readDoc(t, "CONFORMANCE.md")
	for _, c := range []struct {
		region string
		want   []pacs.SOPClass
	}{
		{"storage-sop-classes", pacs.StorageSOPClasses},
		{"transfer-syntaxes", pacs.TransferSyntaxes},
	} {
		var got []pacs.SOPClass
		for _, r := range rows(region(t, doc, c.region)) {
			if len(r) != 2 || !uidRE.MatchString(r[1]) {
				t.Fatalf("%s: bad row %q", c.region, r)
			}
			got = append(got, pacs.SOPClass{UID: r[1], Name: r[0]})
		}
		if diff := cmp.Diff(c.want, got); diff != "" {
			t.Errorf("%s differs from app/pacs (-code +doc):\n%s", c.region, diff)
		}
	}
}

// The Storage SCP really accepts every SOP class the statement lists (in
// Explicit VR Little Endian) and rejects one it does not list.
func TestSCPAcceptsListedSOPClasses(t *testing.T) {
	doc := readDoc(t, "CONFORMANCE.md")
	var uids []string
	for _, r := range rows(region(t, doc, "storage-sop-classes")) {
		uids = append(uids, r[1])
	}
	srv, err := pacs.NewServer(pacs.Config{AETitles: []string{"DISCDESK"}, AnyCaller: true, SpoolDir: t.TempDir()}, pacs.FileSink{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := srv.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	defer func() {
		srv.Close()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	}()
	const unlisted = "1.2.840.10008.5.1.4.1.1.9.99" // not a storage class DiscDesk knows
	uids = append(uids, unlisted)
	for len(uids) > 0 {
		n := min(len(uids), 100)
		batch := uids[:n]
		uids = uids[n:]
		var ctxs []dimse.ContextRQ
		for i, u := range batch {
			ctxs = append(ctxs, dimse.ContextRQ{ID: byte(2*i + 1), AbstractSyntax: u, TransferSyntaxes: []string{dimse.ExplicitVRLittleEndian}})
		}
		a, err := dimse.Dial(context.Background(), ln.Addr().(*net.TCPAddr).String(), dimse.DialOptions{CallingAE: "CONFTEST", CalledAE: "DISCDESK", Contexts: ctxs})
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range batch {
			_, err := a.ContextFor(u)
			switch {
			case u == unlisted && err == nil:
				t.Errorf("SCP accepted %s, which the statement does not list", u)
			case u != unlisted && err != nil:
				t.Errorf("SCP refused %s, which the statement lists: %v", u, err)
			}
		}
		if err := a.Release(); err != nil {
			t.Errorf("release: %v", err)
		}
	}
}

// Every row of the DICOMDIR annex is what dicomdir.RecordType answers, and
// every class of the table is there.
func TestRecordTypesMatchDicomdir(t *testing.T) {
	doc := readDoc(t, "CONFORMANCE.md")
	rs := rows(region(t, doc, "dicomdir-records"))
	want, err := RecordTypes(corpus.RepoRoot())
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != len(want) || len(rs) < 100 {
		t.Fatalf("annex has %d rows, the table %d", len(rs), len(want))
	}
	for _, r := range rs {
		typ, err := dicomdir.RecordType(r[2])
		if strings.HasPrefix(r[0], "(none") {
			if !errors.Is(err, dicomdir.ErrNoRecordType) {
				t.Errorf("%s: doc says no record type, code says %q, %v", r[2], typ, err)
			}
			continue
		}
		if err != nil || typ != r[0] {
			t.Errorf("%s: doc says %s, code says %q, %v", r[2], r[0], typ, err)
		}
	}
	for _, uid := range []string{"1.2.840.10008.5.1.4.1.1.2", "1.2.840.10008.5.1.4.1.1.104.1", "1.2.840.10008.5.1.4.1.1.88.11"} {
		typ, _ := dicomdir.RecordType(uid)
		if !strings.Contains(region(t, doc, "dicomdir-leaves"), "| "+typ+" |") {
			t.Errorf("leaf summary lacks %s (record type of %s)", typ, uid)
		}
	}
}

// charsetSamples are bytes of each defined term and their text: every term
// the statement lists must decode its sample (a term without a sample fails
// too, so a new term needs one).
var charsetSamples = map[string]struct {
	raw, want string
}{
	"ISO_IR 6":   {"Smith^John", "Smith^John"},
	"ISO_IR 100": {"Buc^J\xe9r\xf4me", "Buc^Jérôme"},
	"ISO_IR 101": {"\xb1", "ą"},
	"ISO_IR 109": {"\xa1", "Ħ"},
	"ISO_IR 110": {"\xa1", "Ą"},
	"ISO_IR 144": {"\xbb\xee\xda", "Люк"},
	"ISO_IR 127": {"\xc7", "ا"},
	"ISO_IR 126": {"\xc4\xe9\xef", "Διο"},
	"ISO_IR 138": {"\xf9\xf8\xe5\xef", "שרון"},
	"ISO_IR 148": {"\xf0", "ğ"},
	"ISO_IR 203": {"\xa4", "€"},
	"ISO_IR 13":  {"\xd4\xcf\xc0\xde", "ﾔﾏﾀﾞ"},
	"ISO_IR 166": {"\xa1", "ก"},
	"ISO_IR 192": {"Wang^XiaoDong=\xe7\x8e\x8b^\xe5\xb0\x8f\xe6\x9d\xb1", "Wang^XiaoDong=王^小東"},
	"GB18030":    {"\xd5\xc5", "张"},
	"GBK":        {"\xd5\xc5", "张"},
}

// iso2022Samples decode under [ISO 2022 IR 6, term] (PS3.5 K and PS3.3
// C.12 examples).
var iso2022Samples = map[string]struct {
	raw, want string
}{
	"ISO 2022 IR 87":  {"Yamada^Tarou=\x1b$B;3ED\x1b(B^\x1b$BB@O:\x1b(B", "Yamada^Tarou=山田^太郎"},
	"ISO 2022 IR 149": {"Hong^Gildong=\x1b$)C\xfb\xf3^\x1b$)C\xd1\xce\xd4\xd7", "Hong^Gildong=洪^吉洞"},
	"ISO 2022 IR 58":  {"Zhang^XiaoDong=\x1b$)A\xd5\xc5^\x1b$)A\xd0\xa1\xb6\xab", "Zhang^XiaoDong=张^小东"},
	"ISO 2022 IR 100": {"\x1b-A\xe9", "é"},
	"ISO 2022 IR 144": {"\x1b-L\xbb\xee\xda", "Люк"},
}

func TestCharsetsListedAreDecoded(t *testing.T) {
	doc := readDoc(t, "CONFORMANCE.md")
	listed := 0
	for _, r := range rows(region(t, doc, "character-sets")) {
		if len(r) != 4 {
			t.Fatalf("bad row %q", r)
		}
		if single := r[2]; single != "-" {
			listed++
			s, ok := charsetSamples[single]
			if !ok {
				t.Errorf("%s is listed but the test has no sample for it", single)
				continue
			}
			if got := dcm.NewCharset([]string{single}).Decode([]byte(s.raw), "PN"); got != s.want {
				t.Errorf("%s: decoded %q, want %q", single, got, s.want)
			}
		}
		if s, ok := iso2022Samples[r[3]]; ok {
			if got := dcm.NewCharset([]string{"ISO 2022 IR 6", r[3]}).Decode([]byte(s.raw), "PN"); got != s.want {
				t.Errorf("%s: decoded %q, want %q", r[3], got, s.want)
			}
		}
	}
	if listed != len(charsetSamples) {
		t.Errorf("the statement lists %d single-valued terms, the samples cover %d", listed, len(charsetSamples))
	}
	for term := range iso2022Samples {
		if !strings.Contains(region(t, doc, "character-sets"), "`"+term+"`") {
			t.Errorf("%s decodes but the statement does not list it", term)
		}
	}
}

// The character set reader fails loudly when charset.go changes shape.
func TestCharsetTermsFromSource(t *testing.T) {
	terms, err := CharsetTerms(corpus.RepoRoot())
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"ISO_IR 100", "ISO_IR 192", "GB18030", "ISO_IR 13"} {
		if !contains(terms, want) {
			t.Errorf("terms %v lack %s", terms, want)
		}
	}
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "viewer", "dcm"), 0o700)
	os.WriteFile(filepath.Join(dir, "viewer", "dcm", "charset.go"), []byte("package dcm\nfunc NewCharset() {}\n"), 0o600)
	if _, err := CharsetTerms(dir); !errors.Is(err, ErrSource) {
		t.Errorf("reshaped source: err = %v, want ErrSource", err)
	}
}

func TestSplice(t *testing.T) {
	tables := map[string]string{"a": "| x |\n"}
	doc := "head\n<!-- BEGIN GENERATED a -->\nstale\n<!-- END GENERATED a -->\ntail\n"
	got, err := Splice([]byte(doc), tables)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(got), "stale") || !strings.Contains(string(got), "| x |") || !strings.HasSuffix(string(got), "tail\n") {
		t.Errorf("splice: %q", got)
	}
	again, err := Splice(got, tables)
	if err != nil || string(again) != string(got) {
		t.Errorf("splice is not idempotent: %v\n%q\n%q", err, got, again)
	}
	for _, bad := range []string{
		"<!-- BEGIN GENERATED a -->\nno end\n",
		"<!-- BEGIN GENERATED b -->\n<!-- END GENERATED b -->\n",
		"<!-- END GENERATED a -->\n",
		"<!-- BEGIN GENERATED a -->\n<!-- BEGIN GENERATED a -->\n<!-- END GENERATED a -->\n",
		"<!-- BEGIN GENERATED a ",
	} {
		if _, err := Splice([]byte(bad), tables); !errors.Is(err, ErrMarker) {
			t.Errorf("Splice(%q) = %v, want ErrMarker", bad, err)
		}
	}
}

// Every profile the FSC offers allows Explicit VR Little Endian, and only
// STD-GEN-CD is uncompressed-only.
func TestProfiles(t *testing.T) {
	for _, p := range Profiles() {
		ts := ProfileSyntaxes(p)
		if len(ts) == 0 || ts[0].UID != dcm.ExplicitVRLittleEndian {
			t.Errorf("%s: syntaxes %v", p, ts)
		}
		if (len(ts) == 1) != (p == "STD-GEN-CD") {
			t.Errorf("%s allows %d syntaxes", p, len(ts))
		}
	}
}
