package iso9660_test

import (
	"bytes"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"discdesk/burner/drive/iso9660"
	"discdesk/internal/corpus"
)

// makeISO writes files (disc path -> content) with xorriso the way the
// burner does (level 1, Joliet, no Rock Ridge) and returns the image bytes.
func makeISO(t testing.TB, volid string, files map[string][]byte, extra ...string) []byte {
	t.Helper()
	dir := t.TempDir()
	args := []string{"-abort_on", "FAILURE", "-outdev", "stdio:" + filepath.Join(dir, "out.iso"), "-volid", volid,
		"-rockridge", "off", "-joliet", "on", "-padding", "0"}
	args = append(args, extra...)
	for p, data := range files {
		src := filepath.Join(dir, strings.ReplaceAll(p, "/", "_"))
		if err := os.WriteFile(src, data, 0o600); err != nil {
			t.Fatal(err)
		}
		args = append(args, "-map", src, "/"+p)
	}
	args = append(args, "-commit")
	if out, err := exec.Command("xorriso", args...).CombinedOutput(); err != nil {
		t.Fatalf("xorriso: %v\n%s", err, out)
	}
	b, err := os.ReadFile(filepath.Join(dir, "out.iso"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var level1 = []string{"-compliance", "iso_9660_level=1:deep_paths_off:long_paths_off:only_iso_version"}

func sampleFiles(t testing.TB) map[string][]byte {
	ct, err := os.ReadFile(corpus.Path(t, "generated", "ct_slice_variants", "ct_explicit_le_source.dcm"))
	if err != nil {
		t.Fatal(err)
	}
	return map[string][]byte{
		"DICOMDIR":                     []byte("DICM fake dicomdir"),
		"README.TXT":                   []byte("hello\r\n"),
		"DICOM/P0000001/S0000001/I001": ct,
		"DICOM/P0000001/S0000002/I001": bytes.Repeat([]byte{7}, 5000),
		"EMPTY.TXT":                    {},
	}
}

func TestRoundTrip(t *testing.T) {
	files := sampleFiles(t)
	img := makeISO(t, "PAT_0001", files, level1...)
	im, err := iso9660.Open(bytes.NewReader(img), int64(len(img)))
	if err != nil {
		t.Fatal(err)
	}
	if im.VolumeID != "PAT_0001" || im.JolietID != "PAT_0001" {
		t.Errorf("volume ids %q %q", im.VolumeID, im.JolietID)
	}
	if probs := im.Check(); len(probs) != 0 {
		t.Errorf("good image has problems: %v", probs)
	}
	var names []string
	for p := range files {
		names = append(names, p)
	}
	if err := fstest.TestFS(im, names...); err != nil {
		t.Fatal(err)
	}
	got := map[string][]byte{}
	var last int64 = -1
	for _, f := range im.Files() {
		if f.Offset < last {
			t.Errorf("Files not in media order at %s", f.Path)
		}
		last = f.Offset
		b, err := io.ReadAll(im.Section(f))
		if err != nil {
			t.Fatal(err)
		}
		got[f.Path] = b
		if !strings.HasSuffix(f.Raw, ";1") {
			t.Errorf("raw name %s", f.Raw)
		}
	}
	if len(got) != len(files) {
		t.Fatalf("read %d files, wrote %d", len(got), len(files))
	}
	for p, want := range files {
		if !bytes.Equal(got[p], want) {
			t.Errorf("%s: content differs", p)
		}
	}
	if b, err := fs.ReadFile(im, "DICOM/P0000001/S0000002/I001"); err != nil || len(b) != 5000 {
		t.Errorf("ReadFile: %d bytes, %v", len(b), err)
	}
}

// Names that break level 1 (lower case, long, more than one dot) are
// reported by Check on what was read.
func TestCheckFindsBadNames(t *testing.T) {
	img := makeISO(t, "bad-vol", map[string][]byte{"dicom/longfilename.dcm": []byte("x")}, "-compliance", "iso_9660_level=3:lowercase:full_ascii")
	im, err := iso9660.Open(bytes.NewReader(img), int64(len(img)))
	if err != nil {
		t.Fatal(err)
	}
	probs := strings.Join(im.Check(), "\n")
	for _, want := range []string{"volume identifier", `"dicom" is not a level 1 directory name`, "not a level 1 file identifier"} {
		if !strings.Contains(probs, want) {
			t.Errorf("Check missed %q in:\n%s", want, probs)
		}
	}
}

func TestRejectsDamage(t *testing.T) {
	img := makeISO(t, "PAT_0001", map[string][]byte{"A.TXT": []byte("a")}, level1...)
	for name, mutate := range map[string]func(b []byte) []byte{
		"truncated":     func(b []byte) []byte { return b[:16*2048+100] },
		"no descriptor": func(b []byte) []byte { c := bytes.Clone(b); copy(c[16*2048+1:], "XXXXX"); return c },
		"block size":    func(b []byte) []byte { c := bytes.Clone(b); c[16*2048+128] = 1; return c },
		"volume size":   func(b []byte) []byte { c := bytes.Clone(b); c[16*2048+83] = 0x7f; return c },
	} {
		b := mutate(img)
		if _, err := iso9660.Open(bytes.NewReader(b), int64(len(b))); err == nil {
			t.Errorf("%s: opened", name)
		}
	}
}

func FuzzOpen(f *testing.F) {
	f.Add(makeISO(f, "PAT_0001", map[string][]byte{"A.TXT": []byte("a"), "D/B.TXT": []byte("bb")}, level1...))
	f.Add(makeISO(f, "X", map[string][]byte{"README.TXT": []byte("r")}))
	f.Add(make([]byte, 40*2048))
	f.Fuzz(func(t *testing.T, b []byte) {
		im, err := iso9660.Open(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			return
		}
		im.Check()
		for _, fi := range im.Files() {
			if fi.Offset+fi.Size > int64(len(b)) {
				t.Fatalf("%s extends beyond the image", fi.Path)
			}
			io.Copy(io.Discard, im.Section(fi))
		}
		fs.WalkDir(im, ".", func(p string, d fs.DirEntry, err error) error { return nil })
	})
}
