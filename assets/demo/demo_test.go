package demo

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"discdesk/viewer/dcm"
)

// The demo objects are valid IODs by dicom3tools' dciodvfy and carry the
// multi-byte name intact.
func TestDemoLibraryIsValidDICOM(t *testing.T) {
	dir := t.TempDir()
	n, err := Write(dir)
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*", "*.dcm"))
	if n != len(files) || n < 60 {
		t.Fatalf("wrote %d, found %d files", n, len(files))
	}
	names := map[string]bool{}
	for _, f := range files {
		df, err := dcm.ParseFile(f, dcm.SkipPixelData())
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		names[df.DataSet.String(dcm.PatientName)] = true
		if strings.HasSuffix(f, "0001.dcm") {
			out, _ := exec.Command("dciodvfy", f).CombinedOutput()
			for _, line := range strings.Split(string(out), "\n") {
				if strings.HasPrefix(line, "Error") {
					t.Errorf("%s: %s", f, line)
				}
			}
		}
	}
	if !names["Yamada^Tarou=山田^太郎=やまだ^たろう"] || !names["Ramírez^Lucía"] {
		t.Errorf("names %v", names)
	}
	// deterministic: a second run writes identical UIDs
	again := t.TempDir()
	if _, err := Write(again); err != nil {
		t.Fatal(err)
	}
	a, _ := dcm.ParseFile(filepath.Join(dir, "CT", "IM0001.dcm"), dcm.SkipPixelData())
	b, _ := dcm.ParseFile(filepath.Join(again, "CT", "IM0001.dcm"), dcm.SkipPixelData())
	if a.DataSet.String(dcm.SOPInstanceUID) != b.DataSet.String(dcm.SOPInstanceUID) || !strings.HasPrefix(UID("ct"), "2.25.") || len(UID("ct/1/40/CT")) > 64 {
		t.Error("UIDs not stable or too long")
	}
}
