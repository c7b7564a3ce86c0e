package disc

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"discdesk/internal/corpus"
	"discdesk/viewer/dcm"
)

// nativeSource is the uncompressed 12-bit CT slice the new-codec test
// objects are made from.
func nativeSource(t *testing.T) (*dcm.File, []byte) {
	t.Helper()
	return pixels(t, corpus.Path(t, "generated", "ct_slice_variants", "ct_explicit_le_source.dcm"))
}

// writePGM writes 16-bit little-endian samples as a 16-bit binary PGM.
func writePGM(t *testing.T, path string, le []byte, rows, cols, maxval int) {
	t.Helper()
	var b bytes.Buffer
	fmt.Fprintf(&b, "P5\n%d %d\n%d\n", cols, rows, maxval)
	for i := 0; i+1 < len(le); i += 2 {
		v := binary.LittleEndian.Uint16(le[i:])
		if int(v) > maxval {
			t.Fatalf("sample %d above maxval %d", v, maxval)
		}
		b.Write([]byte{byte(v >> 8), byte(v)})
	}
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

// encapsulated writes src's data set with its pixel data replaced by one
// compressed frame in a new transfer syntax (the File Meta is written by
// viewer/dcm: pydicom 2.3 does not know the new UIDs).
func encapsulated(t *testing.T, src *dcm.File, syntax string, frame []byte, name string) string {
	t.Helper()
	ds := src.DataSet
	pd := &dcm.Element{Tag: dcm.PixelData, VR: "OB", Length: dcm.UndefinedLength,
		Fragments: []dcm.Fragment{{}, {Data: append(frame, make([]byte, len(frame)%2)...)}}}
	ds.Set(pd)
	path := filepath.Join(t.TempDir(), name)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := dcm.WriteExplicitLE(f, ds, syntax); err != nil {
		t.Fatal(err)
	}
	return path
}

func runOK(t *testing.T, name string, args ...string) {
	t.Helper()
	if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
}

// discPixels builds a CD from the files, checks it with every disc judge
// (validate-disc, dcdirdmp, pydicom FileSet, dcentvfy, xmllint) and
// returns the native pixel data of its first object.
func discPixels(t *testing.T, files ...string) []byte {
	t.Helper()
	p := plan(t, Input{Files: files, ReportText: "No findings."}, Options{})
	trees := build(t, p)
	dir := checkDisc(t, p, trees[0], false)
	for _, o := range p.Objects {
		if o.Kind == KindImage {
			if o.Action != Transcode || o.Syntax != dcm.ExplicitVRLittleEndian {
				t.Errorf("%s: %s to %s", o.Name, o.Action, o.Syntax)
			}
			_, px := pixels(t, filepath.Join(dir, filepath.FromSlash(o.FileID)))
			return px
		}
	}
	t.Fatal("no image on the disc")
	return nil
}

// An HTJ2K study (lossless, made with OpenJPH's ojph_compress) goes on a
// STD-GEN-CD disc that passes every disc judge, with the pixels of the
// source, which are what OpenJPH's ojph_expand decodes.
func TestHTJ2KStudyOnDisc(t *testing.T) {
	src, want := nativeSource(t)
	rows, _ := src.DataSet.Int(dcm.Rows)
	cols, _ := src.DataSet.Int(dcm.Columns)
	dir := t.TempDir()
	pgm, j2c, back := filepath.Join(dir, "ct.pgm"), filepath.Join(dir, "ct.j2c"), filepath.Join(dir, "back.pgm")
	writePGM(t, pgm, want, rows, cols, 4095)
	runOK(t, "ojph_compress", "-i", pgm, "-o", j2c, "-reversible", "true")
	runOK(t, "ojph_expand", "-i", j2c, "-o", back)
	stream, err := os.ReadFile(j2c)
	if err != nil {
		t.Fatal(err)
	}
	in := encapsulated(t, src, "1.2.840.10008.1.2.4.201", stream, "CTHTJ2K.dcm")
	got := discPixels(t, in)
	if !bytes.Equal(got, want) {
		t.Error("pixels on the disc differ from the source")
	}
	ref, _ := os.ReadFile(back)
	var le []byte
	for i := len(ref) - 2*rows*cols; i+1 < len(ref); i += 2 {
		le = append(le, ref[i+1], ref[i])
	}
	if !bytes.Equal(got, le) {
		t.Error("pixels on the disc differ from ojph_expand's decode")
	}
}

// A JPEG XL Lossless study (made with libjxl's cjxl) goes on a STD-GEN-CD
// disc that passes every disc judge, with the source's pixels, which are
// what djxl decodes.
func TestJPEGXLStudyOnDisc(t *testing.T) {
	src, want := nativeSource(t)
	rows, _ := src.DataSet.Int(dcm.Rows)
	cols, _ := src.DataSet.Int(dcm.Columns)
	dir := t.TempDir()
	pgm, jxl, back := filepath.Join(dir, "ct.pgm"), filepath.Join(dir, "ct.jxl"), filepath.Join(dir, "back.pgm")
	// 12-bit samples in a 16-bit container: cjxl 0.7 keeps only 8 bits of
	// a PGM whose maxval is 4095.
	writePGM(t, pgm, want, rows, cols, 65535)
	runOK(t, "cjxl", pgm, jxl, "-d", "0", "-e", "3")
	runOK(t, "djxl", jxl, back, "--bits_per_sample", "16")
	stream, err := os.ReadFile(jxl)
	if err != nil {
		t.Fatal(err)
	}
	in := encapsulated(t, src, "1.2.840.10008.1.2.4.110", stream, "CTJXL.dcm")
	got := discPixels(t, in)
	if !bytes.Equal(got, want) {
		t.Error("pixels on the disc differ from the source")
	}
	ref, _ := os.ReadFile(back)
	var le []byte
	for i := len(ref) - 2*rows*cols; i+1 < len(ref); i += 2 {
		le = append(le, ref[i+1], ref[i])
	}
	if !bytes.Equal(got, le) {
		t.Error("pixels on the disc differ from djxl's decode")
	}
}

// Deflated Image Frame Compression and Encapsulated Uncompressed objects
// go on a STD-GEN-CD disc that passes every disc judge, with the source's
// pixels.
func TestDeflatedAndEncapsulatedUncompressedOnDisc(t *testing.T) {
	for _, c := range []struct{ syntax, name string }{{"1.2.840.10008.1.2.8.1", "CTDEFL.dcm"}, {"1.2.840.10008.1.2.1.98", "CTENCAP.dcm"}} {
		t.Run(c.name, func(t *testing.T) {
			src, want := nativeSource(t)
			frame := append([]byte(nil), want...)
			if c.syntax == "1.2.840.10008.1.2.8.1" {
				var b bytes.Buffer
				w, _ := flate.NewWriter(&b, flate.BestSpeed)
				w.Write(want)
				w.Close()
				frame = b.Bytes()
			}
			got := discPixels(t, encapsulated(t, src, c.syntax, frame, c.name))
			if !bytes.Equal(got, want) {
				t.Error("pixels on the disc differ from the source")
			}
		})
	}
}

// The corpus's lossy HTJ2K object (RGB) goes on a CD that passes every
// disc judge; its pixels are OpenJPH's decode (within one level: the two
// decoders round the inverse 9-7 wavelet differently) and it is marked
// lossy with one Ratio for the one Method, ISO_15444_15.
func TestHTJ2KLossyCorpusOnDisc(t *testing.T) {
	src := corpus.Path(t, "transfer_syntax", "htj2k_lossy_rgb.dcm")
	p, _ := supplyMissing(t, Input{Files: []string{src}, Facility: testFacility}, Options{NoViewer: true})
	trees := build(t, p)
	dir := checkDisc(t, p, trees[0], false)
	var o *Object
	for _, x := range p.Objects {
		if x.Kind == KindImage {
			o = x
		}
	}
	f, got := pixels(t, filepath.Join(dir, filepath.FromSlash(o.FileID)))
	ds := f.DataSet
	if ds.String(dcm.LossyImageCompression) != "01" || ds.String(dcm.LossyImageCompressionMethod) != "ISO_15444_15" || len(values(ds.String(dcm.LossyImageCompressionRatio))) != 1 {
		t.Errorf("lossy history: %q %q %q", ds.String(dcm.LossyImageCompression), ds.String(dcm.LossyImageCompressionRatio), ds.String(dcm.LossyImageCompressionMethod))
	}
	sf, err := dcm.ParseFile(src)
	if err != nil {
		t.Fatal(err)
	}
	var stream []byte
	for _, fr := range sf.DataSet.Get(dcm.PixelData).Fragments[1:] {
		stream = append(stream, fr.Data...)
	}
	tmp := t.TempDir()
	if err := os.WriteFile(filepath.Join(tmp, "f.j2c"), stream, 0o600); err != nil {
		t.Fatal(err)
	}
	runOK(t, "ojph_expand", "-i", filepath.Join(tmp, "f.j2c"), "-o", filepath.Join(tmp, "f.ppm"))
	ref, _ := os.ReadFile(filepath.Join(tmp, "f.ppm"))
	ref = ref[len(ref)-len(got):]
	worst := 0
	for i := range got {
		worst = max(worst, int(got[i])-int(ref[i]), int(ref[i])-int(got[i]))
	}
	if worst > 1 {
		t.Errorf("pixels differ from ojph_expand's by up to %d", worst)
	}
}
