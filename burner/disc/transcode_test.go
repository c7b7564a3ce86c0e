package disc

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"discdesk/internal/corpus"
	"discdesk/viewer/dcm"
)

// transcodeOne plans a single corpus file and writes its transcoded form.
func transcodeOne(t *testing.T, src string) (*Object, string) {
	t.Helper()
	p, _ := supplyMissing(t, Input{Files: []string{src}}, Options{NoViewer: true, NoWeb: true})
	o := p.Objects[0]
	if o.Action != Transcode {
		t.Fatalf("%s: action %s, want transcode", src, o.Action)
	}
	out := filepath.Join(t.TempDir(), "out.dcm")
	if err := writeFile(out, o.writeTranscoded); err != nil {
		t.Fatal(err)
	}
	return o, out
}

func pixels(t *testing.T, path string) (*dcm.File, []byte) {
	t.Helper()
	f, err := dcm.ParseFile(path)
	if err != nil {
		t.Fatal(err)
	}
	pd := f.DataSet.Get(dcm.PixelData)
	if pd == nil || pd.Fragments != nil {
		t.Fatalf("%s: no native pixel data", path)
	}
	return f, pd.Value
}

// dciodvfyErrors returns the distinct Error lines of dciodvfy for a file.
func dciodvfyErrors(t *testing.T, path string) map[string]bool {
	t.Helper()
	if _, err := exec.LookPath("dciodvfy"); err != nil {
		t.Fatalf("dciodvfy is not installed: %v", err)
	}
	out, _ := exec.Command("dciodvfy", path).CombinedOutput()
	errs := map[string]bool{}
	for _, l := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(l, "Error") {
			errs[l] = true
		}
	}
	return errs
}

// Every lossless variant of the CT slice decodes to exactly the pixels of
// the Explicit VR LE source, keeps its SOP Instance UID, and gives no
// dciodvfy error the source does not have.
func TestTranscodeLosslessBitExact(t *testing.T) {
	ref := corpus.Path(t, "generated", "ct_slice_variants", "ct_explicit_le_source.dcm")
	_, want := pixels(t, ref)
	for _, name := range []string{"ct_gdcm_implicit_le.dcm", "ct_dcmtk_big_endian.dcm", "ct_dcmtk_deflate.dcm",
		"ct_gdcm_rle.dcm", "ct_gdcm_jpeg_lossless.dcm", "ct_gdcm_jpegls.dcm", "ct_gdcm_j2k.dcm"} {
		t.Run(name, func(t *testing.T) {
			src := corpus.Path(t, "generated", "ct_slice_variants", name)
			o, out := transcodeOne(t, src)
			f, got := pixels(t, out)
			if !bytes.Equal(got, want) {
				t.Errorf("pixels differ from the source after transcoding %s", o.SourceSyntax)
			}
			if f.Syntax.UID != dcm.ExplicitVRLittleEndian || f.Meta.String(dcm.MediaStorageSOPInstanceUID) != o.SOPInstance || f.DataSet.String(dcm.SOPInstanceUID) != o.SOPInstance {
				t.Errorf("meta/UIDs wrong: %s %s", f.Syntax.UID, f.DataSet.String(dcm.SOPInstanceUID))
			}
			if f.DataSet.String(dcm.LossyImageCompression) == "01" {
				t.Error("lossless source marked lossy")
			}
			before, after := dciodvfyErrors(t, src), dciodvfyErrors(t, out)
			for e := range after {
				if !before[e] {
					t.Errorf("new dciodvfy error: %s", e)
				}
			}
		})
	}
}

// Lossy sources keep Lossy Image Compression 01 with a ratio and method.
func TestTranscodeLossyKeepsFlag(t *testing.T) {
	for name, method := range map[string]string{"ct_dcmtk_jpeg_extended_lossy.dcm": "ISO_10918_1", "ct_gdcm_j2k_lossy_r10.dcm": "ISO_15444_1"} {
		t.Run(name, func(t *testing.T) {
			src := corpus.Path(t, "generated", "ct_slice_variants", name)
			_, out := transcodeOne(t, src)
			f, _ := pixels(t, out)
			ds := f.DataSet
			if ds.String(dcm.LossyImageCompression) != "01" {
				t.Errorf("Lossy Image Compression = %q", ds.String(dcm.LossyImageCompression))
			}
			if !strings.Contains(ds.String(dcm.LossyImageCompressionMethod), method) || ds.String(dcm.LossyImageCompressionRatio) == "" {
				t.Errorf("method %q ratio %q", ds.String(dcm.LossyImageCompressionMethod), ds.String(dcm.LossyImageCompressionRatio))
			}
			before, after := dciodvfyErrors(t, src), dciodvfyErrors(t, out)
			for e := range after {
				if !before[e] {
					t.Errorf("new dciodvfy error: %s", e)
				}
			}
		})
	}
}

// Multi-frame and colour objects in every compressed syntax transcode to
// the same pixels dcmtk decodes.
func TestTranscodeMultiframeAgainstDcmtk(t *testing.T) {
	for _, rel := range []string{"multiframe/emri_small_10f_rle.dcm", "multiframe/ect_2f_jpeg_lossless_sv1_fragmented.dcm",
		"multiframe/ect_2f_jpegls_fragmented.dcm", "multiframe/emri_small_10f_big_endian.dcm", "transfer_syntax/sc_rgb_rle.dcm",
		"transfer_syntax/mr_small_j2k_lossless.dcm"} {
		t.Run(filepath.Base(rel), func(t *testing.T) {
			src := corpus.Path(t, strings.Split(rel, "/")...)
			_, out := transcodeOne(t, src)
			_, got := pixels(t, out)
			ref := filepath.Join(t.TempDir(), "ref.dcm")
			tool := "dcmdjpeg"
			switch {
			case strings.Contains(rel, "rle"):
				tool = "dcmdrle"
			case strings.Contains(rel, "jpegls"):
				tool = "dcmdjpls"
			case strings.Contains(rel, "j2k"):
				tool = "gdcmconv"
			case strings.Contains(rel, "big_endian"):
				tool = "dcmconv"
			}
			args := []string{src, ref}
			if tool == "gdcmconv" {
				args = []string{"--raw", src, ref}
			}
			if tool == "dcmconv" {
				args = []string{"+te", src, ref}
			}
			if b, err := exec.Command(tool, args...).CombinedOutput(); err != nil {
				t.Fatalf("%s: %v\n%s", tool, err, b)
			}
			_, want := pixels(t, ref)
			if !bytes.Equal(got, want) {
				t.Errorf("pixels differ from %s's decode (%d vs %d bytes)", tool, len(got), len(want))
			}
		})
	}
}

func TestMissingType1Refused(t *testing.T) {
	in := Input{Files: files(t, "ct_series/tcia_kits"), Facility: testFacility}
	_, err := NewPlan(context.Background(), in, Options{NoViewer: true, Now: fixedNow})
	var mk *MissingKeyError
	if !errorsAs(err, &mk) {
		t.Fatalf("err = %v, want *MissingKeyError", err)
	}
	if !strings.Contains(err.Error(), "CT2") || !strings.Contains(err.Error(), "Study Date (0008,0020)") || mk.Tag != dcm.StudyDate {
		t.Errorf("message does not name file and attribute: %v", err)
	}
	// Staff supply the value: the plan goes on, and the value is written
	// into the objects and recorded.
	p, err := NewPlan(context.Background(), in, Options{NoViewer: true, NoWeb: true, Now: fixedNow, WorkDir: t.TempDir(),
		Supplied: []Supplied{{Tag: dcm.StudyDate, Value: "20190101", By: "tech A"}, {Tag: dcm.StudyTime, Value: "093000", By: "tech A"}, {Tag: dcm.StudyID, Value: "1", By: "tech A"}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Supplied) != 3 || p.Objects[0].Action != Transcode || len(p.Objects[0].Supplied) != 3 {
		t.Fatalf("supplied value not recorded: %+v", p.Supplied)
	}
	trees := build(t, p)
	for _, f := range trees[0].Files {
		if strings.HasPrefix(f.Path, "DICOM/") {
			df, err := dcm.ParseFile(f.Source, dcm.SkipPixelData())
			if err != nil {
				t.Fatal(err)
			}
			if df.DataSet.String(dcm.StudyDate) != "20190101" {
				t.Errorf("%s: Study Date %q not written into the object", f.Path, df.DataSet.String(dcm.StudyDate))
			}
		}
	}
	os.RemoveAll(p.Options.WorkDir)
}
