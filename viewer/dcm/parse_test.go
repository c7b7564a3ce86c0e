package dcm

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"discdesk/internal/corpus"
)

// corpusFiles lists every file below the corpus folder except the docs.
func corpusFiles(t testing.TB) []string {
	root := corpus.Dir(t)
	var out []string
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		switch filepath.Ext(p) {
		case ".md", ".txt", ".json":
			return nil
		}
		if filepath.Base(p) == "README" {
			return nil
		}
		out = append(out, p)
		return nil
	})
	return out
}

func TestMalformedFilesAreRejectedWithTheirReason(t *testing.T) {
	cases := map[string]error{
		"generated/malformed/ct_pixeldata_length_overflow.dcm": ErrBadLength,
		"generated/malformed/ct_truncated_60pct.dcm":           ErrBadLength,
		"generated/malformed/png_named_as.dcm":                 ErrNotPart10,
		"generated/malformed/preamble_only.dcm":                ErrNotPart10,
		"generated/malformed/zero_byte.dcm":                    ErrNotPart10,
		"malformed/3gb_bulk_data_truncated":                    ErrBadLength,
		"malformed/MR_truncated.dcm":                           ErrBadLength,
		"malformed/emri_j2k_too_short.dcm":                     ErrTruncated,
		"malformed/meta_missing_tsyntax.dcm":                   ErrNoTransferSyntax,
		"malformed/no_meta.dcm":                                ErrNotPart10,
		"malformed/no_preamble_dicm_in_data":                   ErrNotPart10,
		"malformed/rtplan_truncated.dcm":                       ErrBadLength,
	}
	for rel, want := range cases {
		for _, skip := range []bool{false, true} {
			var opts []Option
			if skip {
				opts = append(opts, SkipPixelData())
			}
			_, err := ParseFile(corpus.Path(t, rel), opts...)
			if !errors.Is(err, want) {
				t.Errorf("%s (skip pixels %v): err = %v, want %v", rel, skip, err, want)
			}
		}
	}
}

func TestEveryWellFormedCorpusFileParses(t *testing.T) {
	n := 0
	for _, p := range corpusFiles(t) {
		if strings.Contains(p, "malformed") || strings.HasSuffix(p, "DICOMDIR-nooffset") {
			continue
		}
		f, err := ParseFile(p, SkipPixelData())
		if err != nil {
			t.Errorf("%s: %v", p, err)
			continue
		}
		full, err := ParseFile(p)
		if err != nil {
			t.Errorf("%s (with pixels): %v", p, err)
			continue
		}
		if got, want := len(full.DataSet.Elements), len(f.DataSet.Elements); got != want {
			t.Errorf("%s: %d elements with pixels, %d without", p, got, want)
		}
		constructed := strings.Contains(p, "chrSQEncoding") || strings.Contains(p, "empty_charset")
		if f.DataSet.String(SOPInstanceUID) == "" && !constructed && f.Meta.String(MediaStorageSOPClassUID) != MediaStorageDirectoryStorage {
			t.Errorf("%s: no SOP Instance UID", p)
		}
		n++
	}
	if n < 350 {
		t.Fatalf("only %d corpus files parsed", n)
	}
}

// Writing a parsed file in Explicit VR Little Endian and reading it back
// gives the same elements and values; dcmdump (dcmtk) agrees the output is
// a well-formed file.
func TestExplicitLERoundTrip(t *testing.T) {
	checked := 0
	for _, p := range corpusFiles(t) {
		if strings.Contains(p, "malformed") || strings.Contains(p, "DICOMDIR") {
			continue
		}
		f, err := ParseFile(p)
		if err != nil || f.Syntax.Encapsulated {
			continue
		}
		var buf bytes.Buffer
		if err := WriteExplicitLE(&buf, f.DataSet, ExplicitVRLittleEndian); err != nil {
			t.Errorf("%s: write: %v", p, err)
			continue
		}
		g, err := ParseBytes(buf.Bytes())
		if err != nil {
			t.Errorf("%s: re-read: %v", p, err)
			continue
		}
		compareSets(t, p, f.DataSet, g.DataSet)
		if checked%25 == 0 {
			out := filepath.Join(t.TempDir(), "rt.dcm")
			os.WriteFile(out, buf.Bytes(), 0o600)
			if msg, err := exec.Command("dcmdump", "-q", out).CombinedOutput(); err != nil {
				t.Errorf("%s: dcmdump rejects our output: %v %s", p, err, msg)
			}
		}
		checked++
	}
	if checked < 300 {
		t.Fatalf("round-tripped only %d files", checked)
	}
}

func compareSets(t *testing.T, name string, a, b *DataSet) {
	t.Helper()
	if len(a.Elements) != len(b.Elements) {
		t.Errorf("%s: %d elements, re-read %d", name, len(a.Elements), len(b.Elements))
		return
	}
	for i, ea := range a.Elements {
		eb := b.Elements[i]
		if ea.Tag != eb.Tag {
			t.Errorf("%s: element %d tag %s vs %s", name, i, ea.Tag, eb.Tag)
			return
		}
		if len(ea.Items) != len(eb.Items) {
			t.Errorf("%s: %s: %d items vs %d", name, ea.Tag, len(ea.Items), len(eb.Items))
			return
		}
		for j := range ea.Items {
			compareSets(t, name, ea.Items[j], eb.Items[j])
		}
		va := ea.Value
		if a.BigEndian {
			va = swap(va, eb.VR)
		}
		if len(va)%2 == 1 {
			va = append(append([]byte(nil), va...), padByte(eb.VR))
		}
		if !bytes.Equal(va, eb.Value) {
			t.Errorf("%s: %s value differs after round trip", name, ea.Tag)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, rel := range []string{
		"charset/chrH32.dcm", "charset/chrSQEncoding1.dcm", "malformed/bad_sequence.dcm",
		"malformed/UN_sequence.dcm", "malformed/no_meta_group_length.dcm",
		"transfer_syntax/ct1_explicit_big_endian.dcm", "transfer_syntax/report_deflate.dcm",
		"dicomdir/pcir_3patients/DICOMDIR", "rt/rtstruct.dcm", "malformed/badVR.dcm",
	} {
		b, err := os.ReadFile(corpus.Path(f, rel))
		if err != nil {
			f.Fatal(err)
		}
		if len(b) > 64<<10 {
			b = b[:64<<10]
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, opt := range [][]Option{nil, {SkipPixelData()}} {
			file, err := ParseBytes(b, opt...)
			if err != nil {
				continue
			}
			for _, e := range file.DataSet.Elements {
				file.DataSet.ElementString(e)
			}
			file.DataSet.String(PatientName)
			var buf bytes.Buffer
			WriteExplicitLE(&buf, file.DataSet, ExplicitVRLittleEndian)
		}
	})
}
