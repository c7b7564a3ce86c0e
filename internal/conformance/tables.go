package conformance

import (
	"bytes"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"discdesk/app/pacs"
	"discdesk/app/pacs/dimse"
	"discdesk/burner/disc"
	"discdesk/viewer/codec"
	"discdesk/viewer/dicomdir"
)

// ErrMarker means a document's generated-region markers are missing,
// unbalanced or name a table that does not exist.
var ErrMarker = errors.New("conformance: bad generated-region marker")

// ErrSource means a source file the tables are read from does not have the
// expected shape (the code changed under the generator).
var ErrSource = errors.New("conformance: unexpected source shape")

// Documents are the files under docs/ that carry generated tables.
var Documents = []string{"CONFORMANCE.md", "IHE-INTEGRATION.md"}

// Tables renders every generated table, keyed by region name. root is the
// repository root (for the sources read as data).
func Tables(root string) (map[string]string, error) {
	rt, err := RecordTypes(root)
	if err != nil {
		return nil, err
	}
	cs, err := CharsetTerms(root)
	if err != nil {
		return nil, err
	}
	return withMedia(map[string]string{
		"storage-sop-classes": sopTable(pacs.StorageSOPClasses, "SOP Class Name", "SOP Class UID"),
		"transfer-syntaxes":   sopTable(pacs.TransferSyntaxes, "Transfer Syntax Name", "Transfer Syntax UID"),
		"scu-transfer-syntaxes": sopTable([]pacs.SOPClass{
			pacs.TransferSyntaxes[0], pacs.TransferSyntaxes[1],
		}, "Transfer Syntax Name", "Transfer Syntax UID"),
		"get-transfer-syntaxes": sopTable(pacs.GetTransferSyntaxes(), "Transfer Syntax Name", "Transfer Syntax UID"),
		"media-profiles":        profileTable(),
		"dicomdir-records":      recordTable(rt),
		"dicomdir-leaves":       leafSummary(rt),
		"character-sets":        charsetTable(cs),
		"implementation-id":     implementationTable(),
	}), nil
}

// withMedia adds the media tables that come from the burner's codecs.
func withMedia(t map[string]string) map[string]string {
	t["decoded-transfer-syntaxes"] = decodeTable()
	return t
}

// decodeTable lists every transfer syntax viewer/codec knows and who
// decodes its pixels: the Linux desk (so the FSC transcodes it for a
// profile that does not allow it, and renders the web pages), and the disc
// viewers (pure-Go codecs only).
func decodeTable() string {
	var b strings.Builder
	b.WriteString("| Transfer Syntax | UID | Desk (Linux): transcoded for the disc, pages rendered | Disc viewers |\n|---|---|---|---|\n")
	for _, in := range codec.Known() {
		desk, viewer := "not decoded: refused for a profile that does not allow it", "no"
		switch {
		case in.Library != "":
			desk = "decoded (" + in.Library + ")"
		case in.Decoded:
			desk, viewer = "decoded", "yes"
		}
		fmt.Fprintf(&b, "| %s | `%s` | %s | %s |\n", in.Name, in.UID, desk, viewer)
	}
	return b.String()
}

func sopTable(list []pacs.SOPClass, name, uid string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "| %s | %s |\n|---|---|\n", name, uid)
	for _, c := range list {
		fmt.Fprintf(&b, "| %s | `%s` |\n", c.Name, c.UID)
	}
	return b.String()
}

// Profiles are the PS3.11 general-purpose profiles DiscDesk creates, by
// medium (burner/disc).
func Profiles() []disc.Profile {
	out := []disc.Profile{disc.ProfileCD}
	for _, m := range []disc.Media{disc.DVD, disc.BD, disc.USB} {
		out = append(out, disc.JPEGProfile(m), disc.J2KProfile(m))
	}
	return out
}

// ProfileSyntaxes lists, from pacs.TransferSyntaxes, those the profile
// allows on the medium as they are (disc.Profile.Allows).
func ProfileSyntaxes(p disc.Profile) []pacs.SOPClass {
	var out []pacs.SOPClass
	for _, ts := range pacs.TransferSyntaxes {
		if p.Allows(ts.UID) {
			out = append(out, ts)
		}
	}
	return out
}

func profileTable() string {
	var b strings.Builder
	b.WriteString("| Application Profile | Real-World Activity | Role | Transfer Syntaxes written as received (others are transcoded to Explicit VR Little Endian) |\n|---|---|---|---|\n")
	for _, p := range Profiles() {
		var ts []string
		for _, s := range ProfileSyntaxes(p) {
			ts = append(ts, fmt.Sprintf("%s `%s`", s.Name, s.UID))
		}
		fmt.Fprintf(&b, "| %s | Create a patient disc | FSC | %s |\n", p, strings.Join(ts, "; "))
	}
	return b.String()
}

// RecordType is one row of viewer/dicomdir's SOP class table.
type RecordType struct {
	UID, Name, Type string // Type "" = no record type (refused on media)
}

// RecordTypes reads the SOP class list from viewer/dicomdir/recordtypes.tsv
// (the source of the generated table) and asks dicomdir.RecordType for
// each, so the document shows what the code does.
func RecordTypes(root string) ([]RecordType, error) {
	path := filepath.Join(root, "viewer", "dicomdir", "recordtypes.tsv")
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("conformance: read %s: %w", path, err)
	}
	var out []RecordType
	for i, line := range strings.Split(string(b), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 3 {
			return nil, fmt.Errorf("%w: %s line %d has %d columns", ErrSource, path, i+1, len(f))
		}
		rt, err := dicomdir.RecordType(f[0])
		if err != nil && !errors.Is(err, dicomdir.ErrNoRecordType) {
			return nil, fmt.Errorf("conformance: %s line %d: %w", path, i+1, err)
		}
		out = append(out, RecordType{UID: f[0], Name: dicomdir.SOPClassName(f[0]), Type: rt})
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Type != out[j].Type {
			return out[i].Type < out[j].Type
		}
		return uidLess(out[i].UID, out[j].UID)
	})
	return out, nil
}

// uidLess orders UIDs component by component, numerically.
func uidLess(a, b string) bool {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(as) && i < len(bs); i++ {
		x, _ := strconv.Atoi(as[i])
		y, _ := strconv.Atoi(bs[i])
		if x != y {
			return x < y
		}
	}
	return len(as) < len(bs)
}

func recordTable(rt []RecordType) string {
	var b strings.Builder
	b.WriteString("| Directory Record Type | SOP Class Name | SOP Class UID |\n|---|---|---|\n")
	for _, r := range rt {
		t := r.Type
		if t == "" {
			t = "(none: not written to media)"
		}
		fmt.Fprintf(&b, "| %s | %s | `%s` |\n", t, r.Name, r.UID)
	}
	return b.String()
}

func leafSummary(rt []RecordType) string {
	n := map[string]int{}
	for _, r := range rt {
		if r.Type != "" {
			n[r.Type]++
		}
	}
	var types []string
	for t := range n {
		types = append(types, t)
	}
	sort.Strings(types)
	var b strings.Builder
	b.WriteString("| Directory Record Type | Storage SOP classes mapped to it |\n|---|---|\n")
	for _, t := range types {
		fmt.Fprintf(&b, "| %s | %d |\n", t, n[t])
	}
	return b.String()
}

// CharsetTerms returns the Specific Character Set defined terms
// viewer/dcm's NewCharset recognises: the string case labels of its
// switch and the keys of the package's charmaps table, read from the
// source with go/parser.
func CharsetTerms(root string) ([]string, error) {
	path := filepath.Join(root, "viewer", "dcm", "charset.go")
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
	if err != nil {
		return nil, fmt.Errorf("conformance: parse %s: %w", path, err)
	}
	set := map[string]bool{}
	lit := func(e ast.Expr) {
		if bl, ok := e.(*ast.BasicLit); ok && bl.Kind == token.STRING {
			if s, err := strconv.Unquote(bl.Value); err == nil && s != "" {
				set[s] = true
			}
		}
	}
	var sawFunc, sawMap bool
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Name.Name != "NewCharset" || d.Body == nil {
				continue
			}
			ast.Inspect(d.Body, func(n ast.Node) bool {
				if cc, ok := n.(*ast.CaseClause); ok {
					sawFunc = true
					for _, e := range cc.List {
						lit(e)
					}
				}
				return true
			})
		case *ast.GenDecl:
			for _, s := range d.Specs {
				vs, ok := s.(*ast.ValueSpec)
				if !ok || len(vs.Names) != 1 || vs.Names[0].Name != "charmaps" || len(vs.Values) != 1 {
					continue
				}
				cl, ok := vs.Values[0].(*ast.CompositeLit)
				if !ok {
					continue
				}
				sawMap = true
				for _, e := range cl.Elts {
					if kv, ok := e.(*ast.KeyValueExpr); ok {
						lit(kv.Key)
					}
				}
			}
		}
	}
	if !sawFunc || !sawMap {
		return nil, fmt.Errorf("%w: %s: NewCharset switch or charmaps table not found", ErrSource, path)
	}
	var out []string
	for t := range set {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return termLess(out[i], out[j]) })
	return out, nil
}

func termLess(a, b string) bool {
	na, ea := strings.CutPrefix(a, "ISO_IR ")
	nb, eb := strings.CutPrefix(b, "ISO_IR ")
	if ea != eb {
		return ea
	}
	x, errx := strconv.Atoi(na)
	y, erry := strconv.Atoi(nb)
	if ea && errx == nil && erry == nil {
		return x < y
	}
	return a < b
}

// charsetNames names each defined term's repertoire (PS3.3 Tables C.12-2
// to C.12-5). standalone marks the terms PS3.3 defines as a single value
// without code extensions; iso2022 those with an "ISO 2022 IR n" form.
var charsetNames = map[string]struct {
	name                string
	standalone, iso2022 bool
}{
	"ISO_IR 6":   {"Default repertoire (ASCII, ISO-IR 6)", true, true},
	"ISO_IR 100": {"Latin alphabet No. 1 (ISO 8859-1)", true, true},
	"ISO_IR 101": {"Latin alphabet No. 2 (ISO 8859-2)", true, true},
	"ISO_IR 109": {"Latin alphabet No. 3 (ISO 8859-3)", true, true},
	"ISO_IR 110": {"Latin alphabet No. 4 (ISO 8859-4)", true, true},
	"ISO_IR 144": {"Cyrillic (ISO 8859-5)", true, true},
	"ISO_IR 127": {"Arabic (ISO 8859-6)", true, true},
	"ISO_IR 126": {"Greek (ISO 8859-7)", true, true},
	"ISO_IR 138": {"Hebrew (ISO 8859-8)", true, true},
	"ISO_IR 148": {"Latin alphabet No. 5 (ISO 8859-9)", true, true},
	"ISO_IR 203": {"Latin alphabet No. 9 (ISO 8859-15)", true, true},
	"ISO_IR 13":  {"Japanese (JIS X 0201: Katakana and Romaji)", true, true},
	"ISO_IR 166": {"Thai (TIS 620-2533)", true, true},
	"ISO_IR 87":  {"Japanese (JIS X 0208: Kanji)", false, true},
	"ISO_IR 159": {"Japanese (JIS X 0212: supplementary Kanji)", false, true},
	"ISO_IR 149": {"Korean (KS X 1001: Hangul and Hanja)", false, true},
	"ISO_IR 58":  {"Simplified Chinese (GB 2312)", false, true},
	"ISO_IR 192": {"Unicode in UTF-8", true, false},
	"GB18030":    {"Chinese (GB 18030)", true, false},
	"GBK":        {"Chinese (GBK)", true, false},
}

// ISO2022Terms are the code-extension terms decoded through ISO 2022
// escape sequences (PS3.5 6.1.2.5): the "ISO 2022 IR n" form of every
// recognised ISO_IR term that has one, plus ISO 2022 IR 159, which the
// decoder designates by its escape sequence only.
func ISO2022Terms(terms []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, t := range append(append([]string(nil), terms...), "ISO_IR 159") {
		if n, ok := strings.CutPrefix(t, "ISO_IR "); ok && charsetNames[t].iso2022 && !seen[n] {
			seen[n] = true
			out = append(out, "ISO 2022 IR "+n)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		return termLess(strings.Replace(out[i], "ISO 2022 IR ", "ISO_IR ", 1), strings.Replace(out[j], "ISO 2022 IR ", "ISO_IR ", 1))
	})
	return out
}

func charsetTable(terms []string) string {
	var b strings.Builder
	b.WriteString("| Defined Term (0008,0005) | Character Set | Without code extensions | With code extensions (ISO 2022) |\n|---|---|---|---|\n")
	ext := map[string]bool{}
	for _, t := range ISO2022Terms(terms) {
		ext[strings.Replace(t, "ISO 2022 IR ", "ISO_IR ", 1)] = true
	}
	rows := append([]string(nil), terms...)
	if !contains(rows, "ISO_IR 159") {
		rows = append(rows, "ISO_IR 159")
	}
	sort.Slice(rows, func(i, j int) bool { return termLess(rows[i], rows[j]) })
	for _, t := range rows {
		cn, ok := charsetNames[t]
		name := cn.name
		if !ok {
			name = "(not described: update internal/conformance)"
		}
		single := "-"
		if cn.standalone || !ok {
			single = "`" + t + "`"
		}
		iso := "-"
		if ext[t] {
			iso = "`" + strings.Replace(t, "ISO_IR ", "ISO 2022 IR ", 1) + "`"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", t, name, single, iso)
	}
	return b.String()
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Splice replaces the body of every generated region of doc with the
// table of the same name, and fails on a region without a table, an
// unterminated region or a table no region names.
func Splice(doc []byte, tables map[string]string) ([]byte, error) {
	const begin, end = "<!-- BEGIN GENERATED ", "<!-- END GENERATED "
	var out bytes.Buffer
	used := map[string]bool{}
	rest := string(doc)
	for {
		i := strings.Index(rest, begin)
		if i < 0 {
			if strings.Contains(rest, end) {
				return nil, fmt.Errorf("%w: END without BEGIN", ErrMarker)
			}
			out.WriteString(rest)
			break
		}
		j := strings.Index(rest[i:], "-->")
		if j < 0 {
			return nil, fmt.Errorf("%w: unterminated BEGIN comment", ErrMarker)
		}
		name := strings.TrimSpace(rest[i+len(begin) : i+j])
		table, ok := tables[name]
		if !ok {
			return nil, fmt.Errorf("%w: no table named %q", ErrMarker, name)
		}
		closing := end + name + " -->"
		k := strings.Index(rest, closing)
		if k < i {
			return nil, fmt.Errorf("%w: region %q has no %q", ErrMarker, name, closing)
		}
		if m := strings.Index(rest[i+j:k], begin); m >= 0 {
			return nil, fmt.Errorf("%w: region %q contains another region", ErrMarker, name)
		}
		out.WriteString(rest[:i+j+3])
		out.WriteString("\n<!-- Generated by go generate ./internal/conformance from the code; DO NOT EDIT. -->\n\n")
		out.WriteString(table)
		out.WriteString("\n")
		out.WriteString(closing)
		used[name] = true
		rest = rest[k+len(closing):]
	}
	return out.Bytes(), nil
}

func implementationTable() string {
	var b strings.Builder
	b.WriteString("| Where | Implementation Class UID | Implementation Version Name |\n|---|---|---|\n")
	// app/pacs/dimse takes its identity from viewer/dcm: one implementation.
	fmt.Fprintf(&b, "| Network (A-ASSOCIATE user information) and media (File Meta Information of written files) | `%s` | `%s` |\n", dimse.ImplClassUID, dimse.ImplVersion)
	return b.String()
}
