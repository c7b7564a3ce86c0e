package codec

import (
	"bytes"
	"fmt"
	"os/exec"
	"path/filepath"
	"testing"

	"discdesk/internal/corpus"
)

// TestLosslessPredictors encodes the CT slice (16-bit) and an RGB image
// (8-bit, 3 components) with dcmcjpeg in every selection value 1-7 and with
// a point transform, and checks the decode against dcmdjpeg's.
func TestLosslessPredictors(t *testing.T) {
	ct := corpus.Path(t, "generated/ct_slice_variants/ct_explicit_le_source.dcm")
	// An uncompressed RGB source, made by dcmdrle in the temp folder.
	rgb := filepath.Join(t.TempDir(), "rgb.dcm")
	if out, err := exec.Command("dcmdrle", corpus.Path(t, "transfer_syntax/sc_rgb_rle.dcm"), rgb).CombinedOutput(); err != nil {
		t.Fatalf("dcmdrle: %v %s", err, out)
	}
	type enc struct {
		src  string
		args []string
	}
	var cases []enc
	for sv := 1; sv <= 7; sv++ {
		cases = append(cases, enc{ct, []string{"+el", "+sv", fmt.Sprint(sv)}}, enc{rgb, []string{"+el", "+sv", fmt.Sprint(sv)}})
	}
	cases = append(cases,
		enc{ct, []string{"+el", "+sv", "7", "+pt", "2"}},
		// Lossy DCT, every subsampling dcmcjpeg offers, 8 and 12 bit.
		enc{rgb, []string{"+eb", "+s2"}},
		enc{rgb, []string{"+eb", "+s4"}},
		enc{rgb, []string{"+eb", "+n2"}},
		enc{rgb, []string{"+eb", "+n1"}},
		enc{rgb, []string{"+eb", "+cr"}},
		enc{ct, []string{"+ee", "+q", "60"}},
		enc{ct, []string{"+eb", "+q", "95"}},
	)
	for _, c := range cases {
		name := filepath.Base(c.src) + fmt.Sprint(c.args)
		dir := t.TempDir()
		comp := filepath.Join(dir, "c.dcm")
		if out, err := exec.Command("dcmcjpeg", append(append([]string{}, c.args...), c.src, comp)...).CombinedOutput(); err != nil {
			t.Fatalf("%s: dcmcjpeg: %v %s", name, err, out)
		}
		img := readTestImage(t, comp)
		ref := toolDecode(t, comp, "dcmdjpeg", "+cn", "+px")
		got, err := Decode(img.syntax, img.frame(t, 0), img.params)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if want := ref.nativeFrame(t, 0); !bytes.Equal(got, want) {
			t.Errorf("%s: %s", name, firstDiff(got, want, img.params))
		}
	}
}
