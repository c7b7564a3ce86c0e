// Command ctstudy writes an N-slice study for the comparison scripts: copies
// of one source slice (the corpus's ct_explicit_le_source.dcm) with a new
// study, series and SOP Instance UID per slice, instance numbers and slice
// positions. With -size it replaces the pixels by a small frame, for memory
// tests with many instances. With -studies it writes that many studies.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"discdesk/viewer/dcm"
)

func main() {
	src := flag.String("src", "", "source slice (Explicit VR LE)")
	out := flag.String("out", "", "output folder")
	n := flag.Int("n", 500, "slices per study")
	studies := flag.Int("studies", 1, "number of studies")
	size := flag.Int("size", 0, "replace pixels by a SIZE x SIZE frame (0 = keep)")
	flag.Parse()
	if err := run(*src, *out, *n, *studies, *size); err != nil {
		fmt.Fprintln(os.Stderr, "ctstudy:", err)
		os.Exit(1)
	}
}

func run(src, out string, n, studies, size int) error {
	f, err := dcm.ParseFile(src)
	if err != nil {
		return err
	}
	ds := f.DataSet
	if size > 0 {
		ds.Set(dcm.U16(dcm.Rows, uint16(size)))
		ds.Set(dcm.U16(dcm.Columns, uint16(size)))
		ds.Set(dcm.NewElement(dcm.PixelData, "OW", make([]byte, size*size*2)))
	}
	root := "2.25.7700"
	for s := 0; s < studies; s++ {
		study := fmt.Sprintf("%s.%d.1", root, s+1)
		series := fmt.Sprintf("%s.%d.2", root, s+1)
		ds.Set(dcm.Str(dcm.StudyInstanceUID, "UI", study))
		ds.Set(dcm.Str(dcm.SeriesInstanceUID, "UI", series))
		ds.Set(dcm.Str(dcm.PatientID, "LO", fmt.Sprintf("BENCH%05d", s+1)))
		ds.Set(dcm.Str(dcm.PatientName, "PN", fmt.Sprintf("Bench^Patient%05d", s+1)))
		dir := filepath.Join(out, fmt.Sprintf("ST%05d", s+1))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		for i := 0; i < n; i++ {
			ds.Set(dcm.Str(dcm.SOPInstanceUID, "UI", fmt.Sprintf("%s.%d.3.%d", root, s+1, i+1)))
			ds.Set(dcm.Str(dcm.InstanceNumber, "IS", fmt.Sprint(i+1)))
			ds.Set(dcm.Str(dcm.T(0x0020, 0x0032), "DS", fmt.Sprintf(`-250\-250\%d`, -i)))
			ds.Set(dcm.Str(dcm.T(0x0020, 0x1041), "DS", fmt.Sprint(-i)))
			w, err := os.Create(filepath.Join(dir, fmt.Sprintf("IM%05d.dcm", i+1)))
			if err != nil {
				return err
			}
			if err := dcm.WriteExplicitLE(w, ds, dcm.ExplicitVRLittleEndian); err != nil {
				w.Close()
				return err
			}
			if err := w.Close(); err != nil {
				return err
			}
		}
	}
	return nil
}
