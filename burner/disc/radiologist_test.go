package disc

import (
	"html"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"discdesk/assets/demo"
	"discdesk/burner"
	"discdesk/internal/version"
	"discdesk/viewer/dcm"
)

var contactFacility = Facility{
	Name: "Riverside Imaging", Address: "1 River Road\nSpringfield", Phone: "+1 555 0100",
	Email: "images@riverside.example", Contact: "the reading room",
}

func treeText(t *testing.T, tree *burner.Tree, path string) string {
	t.Helper()
	for _, f := range tree.Files {
		if f.Path == path {
			return string(f.Data)
		}
	}
	t.Fatalf("%s not on the disc", path)
	return ""
}

// treePages returns the text of every page whose path starts with prefix.
func treePages(tree *burner.Tree, prefix string) []string {
	var out []string
	for _, f := range tree.Files {
		if strings.HasPrefix(f.Path, prefix) && strings.HasSuffix(f.Path, ".HTM") {
			out = append(out, string(f.Data))
		}
	}
	return out
}

// wantIn checks text (pages unescaped: html/template writes "+" as &#43;)
// for each of wants.
func wantIn(t *testing.T, what, text string, wants ...string) {
	t.Helper()
	text = html.UnescapeString(text)
	for _, w := range wants {
		if !strings.Contains(text, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, text)
		}
	}
}

const contactSentence = "To talk about these images or the report with the radiologist, call +1 555 0100 / images@riverside.example and ask for the reading room."

// A verified SR of the corpus names its verifying observers (0040,A073 >
// 0040,A075, ISO_IR 100): README, INDEX.HTM, the study page and the report
// page say who read it and how to reach the facility; the disc stays valid.
func TestRadiologistFromVerifiedSR(t *testing.T) {
	in := Input{Files: files(t, "sr_docs/comprehensive_sr_nested.dcm"), Facility: contactFacility}
	p, _ := supplyMissing(t, in, Options{NoViewer: true})
	tree := build(t, p)[0]
	readBy := "Jörg Riesmeier; Verifying Observer"
	wantIn(t, "README.TXT", treeText(t, tree, "README.TXT"),
		"    Read by "+readBy+"\r\n",
		"  E-mail: images@riverside.example\r\n",
		"To talk about these images or the report with the radiologist,\r\ncall +1 555 0100 / images@riverside.example and ask for the reading\r\nroom.\r\n")
	wantIn(t, "INDEX.HTM", treeText(t, tree, "INDEX.HTM"), "<th>Read by</th>", "<td>"+readBy+"</td>", contactSentence)
	studies := treePages(tree, "IHE_PDI/STUDY")
	reports := treePages(tree, "IHE_PDI/RPT")
	if len(studies) != 1 || len(reports) != 1 {
		t.Fatalf("%d study pages, %d report pages", len(studies), len(reports))
	}
	wantIn(t, "study page", studies[0], "Read by: "+readBy+".", contactSentence)
	wantIn(t, "report page", reports[0], "Reported by "+readBy+". Questions: call +1 555 0100 / images@riverside.example and ask for the reading room.")
	checkDisc(t, p, tree, false) // validate-disc, xmllint, dcmtk, pydicom
}

// What staff enter overrides what the objects say.
func TestRadiologistStaffOverrides(t *testing.T) {
	in := Input{Files: files(t, "sr_docs/comprehensive_sr_nested.dcm"), Facility: contactFacility, ReadingPhysician: "Okonkwo^Ada^^Dr^FRCR"}
	p, _ := supplyMissing(t, in, Options{NoViewer: true})
	tree := build(t, p)[0]
	readme := treeText(t, tree, "README.TXT")
	wantIn(t, "README.TXT", readme, "    Read by Dr Ada Okonkwo, FRCR\r\n")
	if strings.Contains(readme, "Riesmeier") {
		t.Errorf("staff-entered radiologist did not override the SR's:\n%s", readme)
	}
}

// The demo library: its CT study has a verified SR and (0008,1060), its
// radiograph only (0008,1060); both are named, on one valid disc.
func TestRadiologistDemoLibrary(t *testing.T) {
	dir := t.TempDir()
	if _, err := demo.Write(dir); err != nil {
		t.Fatal(err)
	}
	var in Input
	for _, sub := range []string{"CT", "CR"} {
		ents, err := os.ReadDir(filepath.Join(dir, sub))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range ents {
			in.Files = append(in.Files, filepath.Join(dir, sub, e.Name()))
		}
	}
	in.Facility = contactFacility
	p := plan(t, in, Options{NoViewer: true, Now: fixedNow})
	tree := build(t, p)[0]
	readme := treeText(t, tree, "README.TXT")
	wantIn(t, "README.TXT", readme, "    Read by Dr Astrid Lindqvist\r\n", "    Read by Dr Kwame Mensah\r\n")
	wantIn(t, "INDEX.HTM", treeText(t, tree, "INDEX.HTM"), "<td>Dr Astrid Lindqvist</td>", "<td>Dr Kwame Mensah</td>", contactSentence)
	reports := treePages(tree, "IHE_PDI/RPT")
	if len(reports) != 1 {
		t.Fatalf("%d report pages, want 1", len(reports))
	}
	wantIn(t, "report page", reports[0], "Reported by Dr Astrid Lindqvist.")
	checkDisc(t, p, tree, false)
}

// No facility details: README.TXT says so instead of printing empty lines.
func TestReadmeWithoutFacility(t *testing.T) {
	in := Input{Files: files(t, "sr_docs/comprehensive_sr_nested.dcm"), Facility: Facility{}}
	p, _ := supplyMissing(t, in, Options{NoViewer: true})
	p.Facility = Facility{}
	readme := treeText(t, build(t, p)[0], "README.TXT")
	wantIn(t, "README.TXT", readme, "Facility details were not configured at this station",
		"with DiscDesk version "+version.Version+".") // the release version by default, not "dev"
	for _, bad := range []string{"Telephone:", "(facility not set)", "\r\n  \r\n"} {
		if strings.Contains(readme, bad) {
			t.Errorf("README.TXT holds %q:\n%s", bad, readme)
		}
	}
}

func TestPhysicianName(t *testing.T) {
	for pn, want := range map[string]string{
		"Lindqvist^Astrid^^Dr": "Dr Astrid Lindqvist",
		"Riesmeier^Jörg":       "Jörg Riesmeier",
		"Smith^John^Q^Dr.^MD":  "Dr. John Q Smith, MD",
		"Smith":                "Smith",
		"^^^^MD":               "MD",
		"Yamada^Tarou=山田^太郎=やまだ^たろう": "Tarou Yamada",
		"=山田^太郎":                            "山田 太郎",
		"":                                  "",
		"^^^":                               "",
		" Doe ^ Jane ":                      "Jane Doe",
		"Doe^Jane^^^":                       "Jane Doe",
		"Family^Given^Middle^Prefix^Suffix": "Prefix Given Middle Family, Suffix",
	} {
		if got := physicianName(pn); got != want {
			t.Errorf("physicianName(%q) = %q, want %q", pn, got, want)
		}
	}
}

// Each source is a fallback for the one before: verified SR observers, then
// reading physicians, then physicians of record; an unverified SR's
// observers do not count; names are de-duplicated.
func TestRadiologistsOrder(t *testing.T) {
	observer := func(ds *dcm.DataSet, flag string, names ...string) {
		ds.Set(dcm.Str(dcm.VerificationFlag, "CS", flag))
		var items []*dcm.DataSet
		for _, n := range names {
			it := &dcm.DataSet{}
			it.Set(dcm.Str(tagVerifyingObserverName, "PN", n))
			items = append(items, it)
		}
		ds.Set(dcm.Seq(tagVerifyingObserverSeq, items...))
	}
	obj := func(study string, kind Kind, set func(ds *dcm.DataSet)) *Object {
		ds := &dcm.DataSet{}
		set(ds)
		return &Object{StudyUID: study, Kind: kind, header: ds}
	}
	p := &Plan{Objects: []*Object{
		// A: verified SR beats reading physician.
		obj("A", KindImage, func(ds *dcm.DataSet) { ds.Set(dcm.Str(dcm.NameOfPhysiciansReadingStudy, "PN", "Reader^Rita")) }),
		obj("A", KindSR, func(ds *dcm.DataSet) { observer(ds, "VERIFIED", "Verifier^Vic^^Dr", "Verifier^Vic^^Dr") }),
		// B: unverified SR ignored; reading physicians (two values) beat record.
		obj("B", KindSR, func(ds *dcm.DataSet) { observer(ds, "UNVERIFIED", "Draft^Dan") }),
		obj("B", KindImage, func(ds *dcm.DataSet) {
			ds.Set(dcm.Str(dcm.NameOfPhysiciansReadingStudy, "PN", `Reader^Rita\Second^Sam`))
			ds.Set(dcm.Str(dcm.PhysiciansOfRecord, "PN", "Record^Rob"))
		}),
		// C: only physicians of record.
		obj("C", KindImage, func(ds *dcm.DataSet) { ds.Set(dcm.Str(dcm.PhysiciansOfRecord, "PN", "Record^Rob")) }),
		// D: nobody.
		obj("D", KindImage, func(ds *dcm.DataSet) {}),
	}}
	want := map[string][]string{
		"A": {"Dr Vic Verifier"},
		"B": {"Rita Reader", "Sam Second"},
		"C": {"Rob Record"},
	}
	if diff := cmp.Diff(want, p.radiologists()); diff != "" {
		t.Errorf("radiologists (-want +got):\n%s", diff)
	}
	p.ReadingPhysician = "Dr Ada Okonkwo; Baker^Ben"
	got := p.radiologists()
	for _, s := range []string{"A", "B", "C", "D"} {
		if diff := cmp.Diff([]string{"Dr Ada Okonkwo", "Ben Baker"}, got[s]); diff != "" {
			t.Errorf("staff-entered, study %s (-want +got):\n%s", s, diff)
		}
	}
}
