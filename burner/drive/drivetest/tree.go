package drivetest

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"discdesk/burner"
	"discdesk/internal/corpus"
)

// CorpusTree builds a small disc tree for tests: CT slices of the corpus
// used in place as DICOM/P0000001/S0000001/I000000n, a generated
// DICOMDIR-like file and a README.TXT (both Data).
func CorpusTree(t testing.TB) *burner.Tree {
	t.Helper()
	dir := corpus.Path(t, "generated", "ct_slice_variants")
	var srcs []string
	for _, name := range []string{"ct_explicit_le_source.dcm", "ct_gdcm_implicit_le.dcm", "ct_gdcm_rle.dcm"} {
		srcs = append(srcs, filepath.Join(dir, name))
	}
	tree := &burner.Tree{VolumeID: "DISCDESK_TEST"}
	for i, src := range srcs {
		f, err := FileFromSource(fmt.Sprintf("DICOM/P0000001/S0000001/I%07d", i+1), src)
		if err != nil {
			t.Fatal(err)
		}
		tree.Files = append(tree.Files, f)
	}
	dicomdir := make([]byte, 132+4096)
	copy(dicomdir[128:], "DICM")
	for i := 132; i < len(dicomdir); i++ {
		dicomdir[i] = byte(i * 7)
	}
	tree.Files = append(tree.Files, FileFromData("DICOMDIR", dicomdir), FileFromData("README.TXT", []byte("DiscDesk test disc\r\n")))
	tree.Sort()
	return tree
}

// FileFromData makes a generated file with its size and digest.
func FileFromData(discPath string, data []byte) burner.File {
	sum := sha256.Sum256(data)
	return burner.File{Path: discPath, Data: data, Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:])}
}

// FileFromSource makes a file used in place, hashing it.
func FileFromSource(discPath, src string) (burner.File, error) {
	f, err := os.Open(src)
	if err != nil {
		return burner.File{}, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return burner.File{}, fmt.Errorf("hash %s: %w", src, err)
	}
	return burner.File{Path: discPath, Source: src, Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

// Manifest returns tree without contents (paths, sizes, digests): what
// Verify needs and what is kept per disc.
func Manifest(tree *burner.Tree) *burner.Tree {
	m := &burner.Tree{VolumeID: tree.VolumeID}
	for _, f := range tree.Files {
		m.Files = append(m.Files, burner.File{Path: f.Path, Size: f.Size, SHA256: f.SHA256})
	}
	sort.Slice(m.Files, func(i, j int) bool { return m.Files[i].Path < m.Files[j].Path })
	return m
}
