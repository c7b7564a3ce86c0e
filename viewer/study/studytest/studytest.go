// Package studytest builds small DICOM discs from the shared test corpus
// for the viewer's tests: files copied into a temporary folder under 8.3
// File IDs, with a DICOMDIR written by viewer/dicomdir (PS3.10 8, PS3.3 F).
package studytest

import (
	"bytes"
	"discdesk/viewer/dcm"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"discdesk/internal/corpus"
	"discdesk/viewer/dicomdir"
)

// Default are corpus files (relative to the corpus folder) that make a
// disc with grey CT and MR series, a multi-frame MR, a colour multi-frame
// ultrasound, a structured report and an encapsulated PDF.
var Default = []string{
	"disc_layouts/philips_ct_partial/DICOM/S21610/S2010/I10",
	"disc_layouts/philips_ct_partial/DICOM/S21610/S2010/I20",
	"disc_layouts/philips_ct_partial/DICOM/S21610/S2010/I30",
	"mr_series/dcm4che_mr16/MR01.dcm",
	"mr_series/dcm4che_mr16/MR02.dcm",
	"mr_series/dcm4che_mr16/MR03.dcm",
	"multiframe/ect_2f_rle.dcm",
	"multiframe/us_30f_jpeg_baseline.dcm",
	"sr_docs/comprehensive3d_sr_tid1500.dcm",
	"generated/documents/encapsulated_pdf_report.dcm",
}

// MakeDisc copies the corpus files rel into dir as DICOM/I0000001... and
// writes dir/DICOMDIR. It returns dir.
func MakeDisc(t testing.TB, dir string, rel []string) string {
	t.Helper()
	root := corpus.Dir(t)
	if err := os.MkdirAll(filepath.Join(dir, "DICOM"), 0o755); err != nil {
		t.Fatal(err)
	}
	var insts []dicomdir.Instance
	for i, r := range rel {
		name := fmt.Sprintf("I%07d", i+1)
		b, err := os.ReadFile(filepath.Join(root, r))
		if err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join(dir, "DICOM", name)
		if err := os.WriteFile(dst, b, 0o600); err != nil {
			t.Fatal(err)
		}
		in, err := dicomdir.InstanceFromFile(dst, []string{"DICOM", name})
		if err != nil {
			t.Fatalf("%s: %v", r, err)
		}
		insts = append(insts, in)
	}
	d, _, err := dicomdir.Build("TESTDISC", insts)
	if err != nil {
		t.Fatalf("build DICOMDIR: %v", err)
	}
	b, err := d.Encode()
	if err != nil {
		t.Fatalf("encode DICOMDIR: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "DICOMDIR"), b, 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

// CTSeries writes n copies of the corpus's ct_explicit_le_source.dcm into
// dir as one series (new UIDs, instance numbers and slice positions per
// slice), as packaging/bench/ctstudy does, and returns dir.
func CTSeries(t testing.TB, dir string, n int) string {
	t.Helper()
	f, err := dcm.ParseFile(corpus.Path(t, "generated", "ct_slice_variants", "ct_explicit_le_source.dcm"))
	if err != nil {
		t.Fatal(err)
	}
	ds := f.DataSet
	root := "2.25.7701"
	ds.Set(dcm.Str(dcm.StudyInstanceUID, "UI", root+".1"))
	ds.Set(dcm.Str(dcm.SeriesInstanceUID, "UI", root+".2"))
	var buf bytes.Buffer
	for i := 0; i < n; i++ {
		ds.Set(dcm.Str(dcm.SOPInstanceUID, "UI", fmt.Sprintf("%s.3.%d", root, i+1)))
		ds.Set(dcm.Str(dcm.InstanceNumber, "IS", fmt.Sprint(i+1)))
		ds.Set(dcm.Str(dcm.T(0x0020, 0x0032), "DS", fmt.Sprintf(`-250\-250\%d`, -i)))
		ds.Set(dcm.Str(dcm.T(0x0020, 0x1041), "DS", fmt.Sprint(-i)))
		buf.Reset()
		if err := dcm.WriteExplicitLE(&buf, ds, dcm.ExplicitVRLittleEndian); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("IM%05d.dcm", i+1)), buf.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}
