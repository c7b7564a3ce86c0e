package drive_test

import (
	"context"
	"path/filepath"
	"testing"

	"discdesk/burner/drive"
	"discdesk/burner/drive/drivetest"
)

// BenchmarkVerifyImage measures the read-back of a written ISO: parse the
// directory tree, stream and hash every file.
func BenchmarkVerifyImage(b *testing.B) {
	tree := drivetest.CorpusTree(b)
	d, err := drive.Open("stdio:"+filepath.Join(b.TempDir(), "disc.iso"), drive.Options{})
	if err != nil {
		b.Fatal(err)
	}
	if err := d.Burn(context.Background(), tree, nil); err != nil {
		b.Fatal(err)
	}
	m := drivetest.Manifest(tree)
	b.SetBytes(tree.Size())
	b.ReportAllocs()
	for b.Loop() {
		if _, err := d.Verify(context.Background(), m, nil); err != nil {
			b.Fatal(err)
		}
	}
}
