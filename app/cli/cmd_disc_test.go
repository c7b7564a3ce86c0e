package cli

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"discdesk/app/settings"
	"discdesk/app/store"
	"discdesk/internal/corpus"
	"discdesk/internal/version"
)

func TestDiscCommand(t *testing.T) {
	data := t.TempDir()
	mr := corpus.Path(t, "mr_series", "dcm4che_mr16")
	out := filepath.Join(t.TempDir(), "disc.iso")
	run := func(args ...string) (int, string, string) {
		var o, e bytes.Buffer
		code := Run(context.Background(), append([]string{"--data", data, "disc"}, args...), &o, &e)
		return code, o.String(), e.String()
	}
	// No report: refused until acknowledged.
	code, _, stderr := run("--out", out, "--iso", "--no-viewer", "--files", mr)
	if code != exitDiscNeedsAck || !strings.Contains(stderr, "no report") {
		t.Fatalf("exit %d, stderr %s", code, stderr)
	}
	code, stdout, stderr := run("--out", out, "--iso", "--no-viewer", "--ack-no-report", "Front Desk", "--files", mr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "1 disc(s)") || !strings.Contains(stdout, "disc 1 of 1") {
		t.Errorf("stdout: %s", stdout)
	}
	if _, err := os.Stat(out + ".sha256"); err != nil {
		t.Error("no manifest beside the ISO")
	}
	validateDisc(t, out)
	// A missing Type 1 key: exit 4 naming the file, the attribute and the flag.
	code, _, stderr = run("--out", filepath.Join(t.TempDir(), "d"), "--no-viewer", "--files", corpus.Path(t, "ct_series", "tcia_kits"))
	if code != exitDiscMissingKey || !strings.Contains(stderr, "CT2") || !strings.Contains(stderr, "(0008,0020)") || !strings.Contains(stderr, "--supply StudyDate=") {
		t.Fatalf("exit %d, stderr %s", code, stderr)
	}
	code, _, stderr = run("--out", filepath.Join(t.TempDir(), "d"), "--no-viewer", "--no-web", "--ack-no-report", "x", "--by", "tech",
		"--supply", "StudyDate=20190101", "--supply", "StudyTime=101010", "--supply", "(0020,0010)=7", "--files", corpus.Path(t, "ct_series", "tcia_kits"))
	if code != 0 {
		t.Fatalf("with supplied values: exit %d: %s", code, stderr)
	}
	if code, _, _ := run("--out", "x", "--media", "floppy", "--files", mr); code != 2 {
		t.Errorf("bad media: exit %d", code)
	}
}

// saveFacility stores facility settings as the desk would, in data's store.
func saveFacility(t *testing.T, data string, f settings.Facility) {
	t.Helper()
	db, err := store.Open(data)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	st, err := settings.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	s, err := st.Get()
	if err != nil {
		t.Fatal(err)
	}
	s.Facility = f
	if _, err := st.SaveSystem(s); err != nil {
		t.Fatal(err)
	}
}

func readmeOf(t *testing.T, dir string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "README.TXT"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// The facility comes from the desk's settings, each --facility-* flag
// replacing its field; --radiologist names the reader; the version is the
// release's; the disc stays valid.
func TestDiscFacilityFromSettingsAndRadiologist(t *testing.T) {
	data := t.TempDir()
	saveFacility(t, data, settings.Facility{Name: "Riverside Imaging", Address: "1 River Road\nSpringfield, IL 62701", Phone: "+1 555 0100", Email: "images@riverside.example"})
	sr := corpus.Path(t, "sr_docs", "comprehensive_sr_nested.dcm")
	out := filepath.Join(t.TempDir(), "disc")
	code, stdout, stderr := runCLI(data, "disc", "--out", out, "--no-viewer", "--files",
		"--supply", "PatientID=P1", "--by", "test", "--supply", "StudyID=1", "--supply", "StudyDate=20010213", "--supply", "StudyTime=120000",
		"--radiologist", "Okonkwo^Ada^^Dr^FRCR", "--facility-phone", "+1 555 0199", "--facility-contact", "the reading room", sr)
	if code != 0 {
		t.Fatalf("disc: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if strings.Contains(stderr, "no facility") {
		t.Errorf("warned about a configured facility: %s", stderr)
	}
	readme := readmeOf(t, out)
	for _, want := range []string{
		"  Riverside Imaging\r\n  1 River Road\r\n  Springfield, IL 62701\r\n  Telephone: +1 555 0199\r\n  E-mail: images@riverside.example\r\n",
		"    Read by Dr Ada Okonkwo, FRCR\r\n",
		"call +1 555 0199 / images@riverside.example and ask for the reading",
		"with DiscDesk version " + version.Version + ".",
	} {
		if !strings.Contains(readme, want) {
			t.Errorf("README.TXT lacks %q:\n%s", want, readme)
		}
	}
	validateDisc(t, out)
}

// Nothing configured: a warning, and README.TXT says so instead of printing
// an empty address.
func TestDiscNoFacilityWarns(t *testing.T) {
	data := t.TempDir()
	sr := corpus.Path(t, "sr_docs", "comprehensive_sr_nested.dcm")
	out := filepath.Join(t.TempDir(), "disc")
	code, stdout, stderr := runCLI(data, "disc", "--out", out, "--no-viewer", "--no-web", "--files",
		"--supply", "PatientID=P1", "--by", "test", "--supply", "StudyID=1", "--supply", "StudyDate=20010213", "--supply", "StudyTime=120000", sr)
	if code != 0 {
		t.Fatalf("disc: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stderr, "warning: no facility details are configured") {
		t.Errorf("no warning:\n%s", stderr)
	}
	readme := readmeOf(t, out)
	if !strings.Contains(readme, "Facility details were not configured at this station") || strings.Contains(readme, "Telephone:") || strings.Contains(readme, "\r\n  \r\n") {
		t.Errorf("README.TXT without a facility:\n%s", readme)
	}
	// The verified SR's observers are named without --radiologist.
	if !strings.Contains(readme, "Read by Jörg Riesmeier; Verifying Observer") {
		t.Errorf("README.TXT lacks the SR's verifying observers:\n%s", readme)
	}
}

// validateDisc runs the shared validator on a disc folder, ISO or unpacked
// copy; what it reports fails the test.
func validateDisc(t *testing.T, target string) {
	t.Helper()
	tool := filepath.Join(corpus.RepoRoot(), "..", "shared", "tools", "validate-disc")
	if b, err := exec.Command(tool, target).CombinedOutput(); err != nil {
		t.Fatalf("validate-disc %s: %v\n%s", target, err, b)
	}
}

// An ACR-NEMA style date (1995.06.26) is not a valid DA: the plan refuses,
// naming the file, and its hint is a command that works: a value supplied
// for that file replaces the invalid one (and the plan keeps it).
func TestDiscSupplyReplacesAnInvalidValueInOneFile(t *testing.T) {
	dir := t.TempDir()
	src := heldOut(t, dir, "held-out.dcm", "-ma", "(0008,0020)=1995.06.26")
	data := t.TempDir()
	code, _, stderr := runCLI(data, "disc", "--out", filepath.Join(dir, "d1"), "--no-viewer", "--ack-no-report", "Ann", "--files", src)
	hint := supplyHintArgs(t, stderr, "disc")
	if code != exitDiscMissingKey || !strings.Contains(stderr, "held-out.dcm") || !slices.Contains(hint, src+":StudyDate=19950626") {
		t.Fatalf("invalid date: exit %d, hint %q\n%s", code, hint, stderr)
	}
	out := filepath.Join(dir, "d2")
	code, stdout, stderr := runCLI(data, append([]string{"disc", "--out", out, "--no-viewer", "--ack-no-report", "Ann", "--files", src}, hint...)...)
	if code != 0 {
		t.Fatalf("with the hinted --supply: exit %d\n%s\n%s", code, stdout, stderr)
	}
	dd, err := exec.Command("dcmdump", "+sd", "+r", "+P", "0008,0020", "+P", "0400,0561", filepath.Join(out, "DICOM")).Output()
	// The invalid value is kept as a Nonconforming Modified Attribute
	// (PS3.3 C.12.1.1.9.2), the bytes of "1995.06.26", with who supplied it.
	if err != nil || !strings.Contains(string(dd), "[19950626]") || !strings.Contains(string(dd), `31\39\39\35\2e\30\36\2e\32\36`) ||
		!strings.Contains(string(dd), "supplied by Ann") {
		t.Fatalf("disc dates: %v\n%s", err, dd)
	}
}

// A library study whose file lacks four keys and has an invalid fifth:
// one run names them all, by the file staff imported (never the library's
// objects/ path), with the patient, study and series; the hinted command,
// values filled in, plans the disc.
func TestDiscNamesTheImportedFileAndEveryMissingKey(t *testing.T) {
	dir := t.TempDir()
	src := heldOut(t, dir, "CT0042.dcm", "-ma", "(0008,0020)=1995.06.26", "-ea", "(0008,0030)", "-ea", "(0020,0010)", "-ea", "(0020,0011)", "-ea", "(0020,0013)")
	data := t.TempDir()
	if code, _, stderr := runCLI(data, "import", src); code != 0 {
		t.Fatalf("import: exit %d\n%s", code, stderr)
	}
	const uid = "1.3.46.670589.33.1.15053592413351079234.27718218421047494460"
	code, _, stderr := runCLI(data, "disc", "--out", filepath.Join(dir, "d1"), "--no-viewer", "--ack-no-report", "Ann", uid)
	if code != exitDiscMissingKey {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	for _, want := range []string{"5 required DICOMDIR keys", "file CT0042.dcm (", `study "1A TRAUMA/PLAIN HEAD DM"`, `patient "`, "Study Time", "Study ID", "Series Number", "Instance Number", "Study Date"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if strings.Contains(stderr, "objects/") || strings.Contains(stderr, "objects"+string(filepath.Separator)) {
		t.Errorf("stderr names the library's object path:\n%s", stderr)
	}
	hint := supplyHintArgs(t, stderr, "disc")
	if !slices.Contains(hint, "CT0042.dcm:StudyDate=19950626") || len(hint) != 12 {
		t.Fatalf("hint %q\n%s", hint, stderr)
	}
	out := filepath.Join(dir, "d2")
	code, stdout, stderr := runCLI(data, append([]string{"disc", "--out", out, "--no-viewer", "--no-web", "--ack-no-report", "Ann", uid}, hint...)...)
	if code != 0 {
		t.Fatalf("with the hinted flags: exit %d\n%s\n%s", code, stdout, stderr)
	}
}

// heldOut writes a copy of the corpus's explicit-LE CT slice into dir as
// name, changed by dcmodify args.
func heldOut(t *testing.T, dir, name string, args ...string) string {
	t.Helper()
	src := filepath.Join(dir, name)
	b, err := os.ReadFile(corpus.Path(t, "generated", "ct_slice_variants", "ct_explicit_le_source.dcm"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(src, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("dcmodify", append(append([]string{"-nb"}, args...), src)...).CombinedOutput(); err != nil {
		t.Fatalf("dcmodify: %v\n%s", err, out)
	}
	return src
}

// supplyHintArgs reads the flags of the hinted "discdesk CMD ..." line,
// placeholders filled in (VALUE 1, HHMMSS 101010, NAME Ann).
func supplyHintArgs(t *testing.T, stderr, cmd string) []string {
	t.Helper()
	_, line, ok := strings.Cut(stderr, "\n  discdesk "+cmd+" ")
	if !ok {
		return nil
	}
	line, _, _ = strings.Cut(line, "\n")
	var args []string
	for _, f := range regexp.MustCompile(`'[^']*'|\S+`).FindAllString(line, -1) {
		f = strings.Trim(f, "'")
		f = strings.NewReplacer("=VALUE", "=1", "=HHMMSS", "=101010").Replace(f)
		if f == "NAME" {
			f = "Ann"
		}
		args = append(args, f)
	}
	return args
}
