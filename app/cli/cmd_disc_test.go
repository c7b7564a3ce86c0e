package cli

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
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
	src := filepath.Join(dir, "held-out.dcm")
	b, err := os.ReadFile(corpus.Path(t, "generated", "ct_slice_variants", "ct_explicit_le_source.dcm"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(src, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("dcmodify", "-nb", "-ma", "(0008,0020)=1995.06.26", src).CombinedOutput(); err != nil {
		t.Fatalf("dcmodify: %v\n%s", err, out)
	}
	data := t.TempDir()
	code, _, stderr := runCLI(data, "disc", "--out", filepath.Join(dir, "d1"), "--no-viewer", "--ack-no-report", "Ann", "--files", src)
	hint := regexp.MustCompile(`--supply (\S+)=VALUE --by NAME`).FindStringSubmatch(stderr)
	if code != exitDiscMissingKey || !strings.Contains(stderr, "held-out.dcm") || hint == nil || !strings.HasPrefix(hint[1], src+":") {
		t.Fatalf("invalid date: exit %d\n%s", code, stderr)
	}
	out := filepath.Join(dir, "d2")
	code, stdout, stderr := runCLI(data, "disc", "--out", out, "--no-viewer", "--ack-no-report", "Ann", "--files", src,
		"--supply", hint[1]+"=19950626", "--by", "Ann")
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
