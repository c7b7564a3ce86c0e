package disc

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"discdesk/internal/corpus"
	"discdesk/viewer/dcm"
)

// pdfText reads PDFs from outside (encapsulated reports): it must never
// panic or run away on hostile input.
func FuzzPDFText(f *testing.F) {
	pdf, err := TextPDF("Report", "Findings: (none) \\ normal.", testFacility)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(pdf)
	if b, err := os.ReadFile(corpus.Path(f, "generated", "documents", "encapsulated_pdf_report.dcm")); err == nil {
		if df, err := dcm.ParseBytes(b); err == nil {
			f.Add(df.DataSet.Raw(dcm.EncapsulatedDocument))
		}
	}
	f.Add([]byte("<< /Filter /FlateDecode >> stream\nxx endstream"))
	f.Add([]byte("<<>>stream\n(abc\\) Tj [(a) 5 (b)] TJ (\\101\\10) Tj endstream"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if s := pdfText(b); len(s) > maxPDFText+64<<10 {
			t.Fatalf("text of %d bytes", len(s))
		}
	})
}

// A report made from staff text prints every script with real glyphs
// (an embedded font covers each line; pdftotext reads them back).
func TestReportPDFFromStaffTextInEveryScript(t *testing.T) {
	text := "Impression: normal (no change).\n所見: 異常なし。\n소견: 정상.\nΣυμπέρασμα: φυσιολογικό.\nЗаключение: норма.\nWniosek: bez zmian, żółć w normie."
	pdf, err := TextPDF("Report 報告", text, testFacility)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "report.pdf")
	os.WriteFile(path, pdf, 0o600)
	out, err := exec.Command("pdftotext", path, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v\n%s", err, out)
	}
	for _, line := range append(strings.Split(text, "\n"), "Report 報告", "Riverside Imaging") {
		if !strings.Contains(string(out), line) {
			t.Errorf("the report PDF lacks %q:\n%s", line, out)
		}
	}
	fonts, _ := exec.Command("pdffonts", path).CombinedOutput()
	for _, want := range []string{"+DejaVuSans ", "+DroidSansFallback"} {
		if !strings.Contains(string(fonts), want) {
			t.Errorf("no embedded subset %q:\n%s", want, fonts)
		}
	}
	if len(pdf) > 64<<10 {
		t.Errorf("report PDF is %d bytes: fonts not subset", len(pdf))
	}
}

func TestKeyIndexes(t *testing.T) {
	for _, c := range []struct{ n, max, first, last int }{{500, 24, 0, 499}, {10, 24, 0, 9}, {25, 24, 0, 24}} {
		k := keyIndexes(c.n, c.max)
		if len(k) != min(c.n, c.max) || k[0] != c.first || k[len(k)-1] != c.last {
			t.Errorf("keyIndexes(%d, %d) = %v", c.n, c.max, k)
		}
		for i := 1; i < len(k); i++ {
			if k[i] <= k[i-1] {
				t.Errorf("keyIndexes(%d, %d) not increasing: %v", c.n, c.max, k)
			}
		}
	}
}

func TestShortNamesAndFileSetID(t *testing.T) {
	used := map[string]bool{}
	level1 := regexp.MustCompile(`^[A-Z0-9_]{1,8}(\.[A-Z0-9_]{1,3})?$`)
	for _, in := range []string{"discdesk-viewer.exe", "DiscDesk Viewer.exe", "lib.so.6", "README"} {
		got := shortName(in, false, used)
		if !level1.MatchString(got) {
			t.Errorf("shortName(%q) = %q is not 8.3", in, got)
		}
	}
	if len(used) != 4 {
		t.Errorf("names collided: %v", used)
	}
	for in, want := range map[string]string{"dd-2026.01": "DD_2026_01", "ÄÖ": "DISCDESK", "a very long file set id": "A_VERY_LONG_FILE"} {
		if got := FileSetID(in); got != want {
			t.Errorf("FileSetID(%q) = %q, want %q", in, got, want)
		}
	}
}

// With viewer binaries at the packaging place, the disc has a VIEWER
// folder under 8.3 names and README.TXT and INDEX.HTM say how to start it;
// without, no folder and README says there is none.
func TestViewerFolder(t *testing.T) {
	vdir := t.TempDir()
	os.MkdirAll(vdir+"/windows", 0o700)
	os.MkdirAll(vdir+"/linux", 0o700)
	os.WriteFile(vdir+"/windows/discdesk-viewer.exe", []byte("MZ fake"), 0o600)
	os.WriteFile(vdir+"/linux/discdesk-viewer", []byte("\x7fELF fake"), 0o600)
	in := Input{Files: files(t, "mr_series/dcm4che_mr16/MR01.dcm"), ReportText: "ok"}
	p := plan(t, in, Options{ViewerDir: vdir})
	trees := build(t, p)
	var readme, index, autorun string
	viewer := 0
	for _, f := range trees[0].Files {
		switch {
		case f.Path == "README.TXT":
			readme = string(f.Data)
		case f.Path == "INDEX.HTM":
			index = string(f.Data)
		case f.Path == "AUTORUN.INF":
			autorun = string(f.Data)
		case strings.HasPrefix(f.Path, "VIEWER/") && !strings.HasPrefix(f.Path, WebViewerFolder+"/"):
			viewer++
		}
	}
	if viewer != 2 || !strings.Contains(readme, `VIEWER\WINDOWS\DISCDESK.EXE`) || !strings.Contains(readme, "VIEWER/LINUX/DISCDESK") ||
		!strings.Contains(index, `VIEWER\WINDOWS\DISCDESK.EXE`) || !strings.Contains(autorun, `open=VIEWER\WINDOWS\DISCDESK.EXE`) {
		t.Errorf("viewer files %d\nREADME:\n%s\nAUTORUN:\n%s", viewer, readme, autorun)
	}
	for _, want := range []string{"Riverside Imaging", "1 River Road", "+1 555 0100", "DiscDesk version", "Windows:", "macOS:", "Linux:", "DICOMDIR"} {
		if !strings.Contains(readme, want) {
			t.Errorf("README.TXT lacks %q", want)
		}
	}
	checkDisc(t, p, trees[0], false)

	p2 := plan(t, in, Options{NoViewer: true})
	for _, f := range build(t, p2)[0].Files {
		if strings.HasPrefix(f.Path, "VIEWER/") {
			t.Error("viewer folder without binaries")
		}
		if f.Path == "README.TXT" && !strings.Contains(string(f.Data), "No viewer program is on this disc") {
			t.Error("README does not say there is no viewer")
		}
	}
}

// packaging/build-viewer.sh puts both programs flat in the viewer folder
// (DISCVIEW, DISCVIEW.EXE): README.TXT tells how to start each, and lists
// requirements only for the platforms on the disc.
func TestViewerFolderAsPackagingBuildsIt(t *testing.T) {
	vdir := t.TempDir()
	os.WriteFile(vdir+"/DISCVIEW.EXE", []byte("MZ fake"), 0o600)
	os.WriteFile(vdir+"/DISCVIEW", []byte("\x7fELF fake"), 0o600)
	in := Input{Files: files(t, "mr_series/dcm4che_mr16/MR01.dcm"), ReportText: "ok"}
	trees := build(t, plan(t, in, Options{ViewerDir: vdir}))
	var readme string
	for _, f := range trees[0].Files {
		if f.Path == "README.TXT" {
			readme = string(f.Data)
		}
	}
	for _, want := range []string{`double-click VIEWER\DISCVIEW.EXE`, "run VIEWER/DISCVIEW from a terminal", "chmod +x DISCVIEW",
		"Windows 10 or later (64-bit), Linux (x86-64, X11);"} {
		if !strings.Contains(readme, want) {
			t.Errorf("README.TXT lacks %q:\n%s", want, readme)
		}
	}
	if strings.Contains(readme, "macOS 11") {
		t.Error("README.TXT promises a macOS viewer the disc does not carry")
	}
}

// The code-stream readers of the lossy history (JPEG 2000 COD, JPEG-LS
// SOS) read outside input: they never panic, and say "lossy" only with a
// reason.
func FuzzLossyCodestream(f *testing.F) {
	f.Add([]byte{0xFF, 0x4F, 0xFF, 0x51, 0x00, 0x04, 0x00, 0x00, 0xFF, 0x52, 0x00, 0x0C, 0, 0, 0, 1, 0, 5, 4, 4, 0, 0, 0xFF, 0x90})
	f.Add([]byte{0xFF, 0xD8, 0xFF, 0xF7, 0x00, 0x02, 0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x03, 0x00, 0x00})
	f.Add([]byte{0xFF, 0x4F})
	f.Fuzz(func(t *testing.T, b []byte) {
		if irr, ok := j2kIrreversible(b); irr && !ok {
			t.Fatal("irreversible without a COD marker")
		}
		if near, ok := jlsNear(b); near && !ok {
			t.Fatal("NEAR without an SOS marker")
		}
	})
}
