package dicomdir

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// A small DICOMDIR (CT image, its presentation state and an encapsulated
// PDF report in one study) dumped element by element, offsets included.
// Run `go test -run Golden -update` after an intended change; a mismatch
// leaves the new dump in testdata/failed/.
func TestGoldenDump(t *testing.T) {
	_, ins := prepare(t, corpusFiles(t,
		"disc_layouts/philips_ct_partial/DICOM/S21610/S1000/I10",
		"generated/documents/*.dcm"))
	d, _, _ := staff(t, "GOLDEN", ins)
	b, err := d.Encode()
	if err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	if err := Dump(&got, b); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "small_dicomdir.golden")
	if *update {
		if err := os.WriteFile(golden, got.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got.Bytes(), want) {
		failed := filepath.Join("testdata", "failed", "small_dicomdir.golden")
		os.MkdirAll(filepath.Dir(failed), 0o700)
		os.WriteFile(failed, got.Bytes(), 0o600)
		t.Errorf("dump differs from %s; new dump in %s (diff them)", golden, failed)
	}
}
