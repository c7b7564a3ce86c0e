package dicomdir

import (
	"os"
	"path/filepath"
	"testing"

	"discdesk/internal/corpus"
)

// FuzzReadBytes feeds DICOMDIRs of imported discs (outside input) to
// ReadBytes: it must return a tree or an error, never panic or hang, and a
// tree it returns must survive Encode and read back with the same shape.
// The seeds, every corpus DICOMDIR read in place plus one of our own, run
// as a regular test with `go test`.
func FuzzReadBytes(f *testing.F) {
	root := corpus.Dir(f)
	var seeds []string
	for _, g := range []string{"dicomdir/*/DICOMDIR*", "disc_layouts/*/DICOMDIR", "disc_layouts/*/DICOM/*/*/DIRFILE"} {
		m, _ := filepath.Glob(filepath.Join(root, g))
		seeds = append(seeds, m...)
	}
	if len(seeds) < 9 {
		f.Fatalf("only %d seed DICOMDIRs found in the corpus", len(seeds))
	}
	for _, p := range seeds {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	d := &Directory{FileSetID: "SEED", Records: []*Record{{Type: "PATIENT", Keys: nil}}}
	if b, err := d.Encode(); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := ReadBytes(b)
		if err != nil {
			return
		}
		n := 0
		d.Walk(func(*Record, int) bool { n++; return true })
		d.FileSetID = "" // may hold anything; Encode checks it
		out, err := d.Encode()
		if err != nil {
			return // e.g. a key element that cannot be re-encoded
		}
		d2, err := ReadBytes(out)
		if err != nil {
			t.Fatalf("re-encoded DICOMDIR does not read back: %v", err)
		}
		m := 0
		d2.Walk(func(*Record, int) bool { m++; return true })
		if m != n {
			t.Fatalf("%d records after re-encoding, %d before", m, n)
		}
	})
}
