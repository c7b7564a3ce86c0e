package disc

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"discdesk/burner"
	"discdesk/viewer/dcm"
	"discdesk/viewer/dicomdir"
)

// treeFile returns the bytes of a generated file of the tree.
func treeFile(trees []*burner.Tree, path string) string {
	for _, f := range trees[0].Files {
		if f.Path == path {
			return string(f.Data)
		}
	}
	return ""
}

// A multi-frame series with empty Accession Number, Birth Date, Study and
// Series Description: the pages count frames, not objects, and no empty
// value prints as "born )", "accession ", "Accession number: ." or an empty
// link.
func TestTextsWithEmptyValues(t *testing.T) {
	in := Input{Files: files(t, "multiframe/us_30f_jpeg_baseline.dcm"), ReportText: "ok"}
	p := plan(t, in, Options{})
	trees := build(t, p)
	readme := treeFile(trees, "README.TXT")
	for _, bad := range []string{"born )", ", born", "accession \r\n", "(ID , "} {
		if strings.Contains(readme, bad) {
			t.Errorf("README.TXT prints an empty value as %q:\n%s", bad, readme)
		}
	}
	if !strings.Contains(readme, "Patient: PLA  (ID 204)\r\n") {
		t.Errorf("README.TXT patient line:\n%s", readme)
	}
	emptyLink := regexp.MustCompile(`<a href="[^"]*">\s*</a>`)
	series := ""
	for _, f := range trees[0].Files {
		if !strings.HasSuffix(f.Path, ".HTM") {
			continue
		}
		page := string(f.Data)
		if strings.Contains(page, "Accession number: .") || emptyLink.MatchString(page) {
			t.Errorf("%s prints an empty value: %s", f.Path, emptyLink.FindString(page))
		}
		if strings.Contains(page, "evenly spaced") || strings.Contains(page, "images of this series") {
			series = page
		}
	}
	if !strings.Contains(series, "24 evenly spaced key images of the 30 in this series") {
		t.Errorf("series page does not count the 30 frames:\n%s", series)
	}
}

// A DVD, BD or USB disc without --profile names the medium's profile in
// README.TXT (STD-GEN-CD is a CD-R profile).
func TestReadmeProfileOfMedium(t *testing.T) {
	in := Input{Files: files(t, "mr_series/dcm4che_mr16/MR01.dcm"), ReportText: "ok"}
	for m, want := range map[Media]string{CD: "STD-GEN-CD (", DVD: "STD-GEN-DVD-JPEG (every object uncompressed", USB: "STD-GEN-USB-JPEG (every object uncompressed", BD: "STD-GEN-BD-JPEG ("} {
		readme := treeFile(build(t, plan(t, in, Options{Media: m, NoWeb: true})), "README.TXT")
		if !strings.Contains(readme, "Application profile: "+want) {
			t.Errorf("%s: README.TXT profile line:\n%s", m, readme)
		}
	}
	readme := treeFile(build(t, plan(t, in, Options{Media: DVD, Profile: J2KProfile(DVD), NoWeb: true})), "README.TXT")
	if !strings.Contains(readme, "Application profile: STD-GEN-DVD-J2K (DICOM PS3.11)") {
		t.Errorf("J2K profile line:\n%s", readme)
	}
}

// The VIEWER\ row lines up with the other rows of the folder table, and
// with only the Linux viewer README.TXT does not say AUTORUN.INF starts
// the viewer.
func TestReadmeViewerRowAndAutorun(t *testing.T) {
	vdir := t.TempDir()
	if err := os.WriteFile(vdir+"/DISCVIEW", []byte("\x7fELF fake"), 0o600); err != nil {
		t.Fatal(err)
	}
	in := Input{Files: files(t, "mr_series/dcm4che_mr16/MR01.dcm"), ReportText: "ok"}
	trees := build(t, plan(t, in, Options{ViewerDir: vdir}))
	readme := treeFile(trees, "README.TXT")
	col := func(prefix string) int {
		for _, l := range strings.Split(readme, "\r\n") {
			if strings.HasPrefix(l, prefix) {
				return len(l) - len(strings.TrimLeft(l[len(prefix):], " "))
			}
		}
		return -1
	}
	if a, b := col(`  VIEWER\`), col("  DICOMDIR"); a != b || a < 0 {
		t.Errorf(`VIEWER\ description at column %d, DICOMDIR's at %d:\n%s`, a, b, readme)
	}
	if strings.Contains(readme, "Starts the viewer") {
		t.Errorf("README.TXT says AUTORUN.INF starts a viewer the disc has none for Windows:\n%s", readme)
	}
	if !strings.Contains(treeFile(trees, "AUTORUN.INF"), "shellexecute=INDEX.HTM") || !strings.Contains(readme, "AUTORUN.INF   Starts the start page") {
		t.Errorf("AUTORUN.INF should open the start page:\n%s", readme)
	}
}

// An object in ISO_IR 203 (ISO 8859-15): its DICOMDIR records carry that
// character set and the bytes as they are, and README.TXT and the pages
// show the name in UTF-8 (the euro sign and S with caron are 8859-15's).
// No outside judge knows ISO_IR 203 on Debian 12 (dciodvfy flags the
// source object itself, pydicom 2.3 and dcmconv fall back or refuse), so
// the disc is read back with this package's own reader.
func TestCharsetISOIR203(t *testing.T) {
	ct := files(t, "disc_layouts/philips_ct_partial/DICOM/S21610/S2010/I10")[0]
	src := modified(t, ct, "CT203.dcm", "-m", "(0008,0005)=ISO_IR 203", "-m", "(0010,0010)=\xa6imon^\xa4uro")
	p := plan(t, Input{Files: []string{src}, ReportText: "ok"}, Options{})
	trees := build(t, p)
	dir := filepath.Join(t.TempDir(), "disc")
	burnTo(t, trees[0], "dir:"+dir)
	d, err := dicomdir.Read(filepath.Join(dir, "DICOMDIR"))
	if err != nil {
		t.Fatal(err)
	}
	pat := d.Records[0]
	if got := pat.Keys.String(dcm.SpecificCharacterSet); got != "ISO_IR 203" {
		t.Errorf("PATIENT record character set %q", got)
	}
	if got := pat.Keys.String(dcm.PatientName); got != "Šimon^€uro" {
		t.Errorf("PATIENT record name decodes to %q", got)
	}
	if readme := treeFile(trees, "README.TXT"); !strings.Contains(readme, "Patient: Šimon, €uro") {
		t.Errorf("README.TXT:\n%s", readme)
	}
	if !strings.Contains(treeFile(trees, "INDEX.HTM"), "Šimon, €uro") {
		t.Error("INDEX.HTM does not show the name")
	}
}
