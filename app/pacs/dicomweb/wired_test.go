package dicomweb

import (
	"context"
	"path/filepath"
	"testing"

	"discdesk/app/pacs"
	"discdesk/internal/corpus"
)

// TestDICOMwebNodeAgainstOrthanc (issue 16.7): QIDO-RS with the keys of
// C-FIND, including a wildcard and a person name with "^", then WADO-RS
// into a sink as the Storage SCP would hand objects over.
func TestDICOMwebNodeAgainstOrthanc(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(corpus.Dir(t), "mr_series", "dcm4che_mr16", "*.dcm"))
	const study = "1.113654.3.13.1026"
	ctx := context.Background()
	o := orthancWith(t, files)
	c, err := NewClient(o.DICOMwebURL, o.Username, o.Password, "", "")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []pacs.StudyFilter{{PatientName: "DOE^J1"}, {PatientName: "DOE^*"}, {PatientID: "5832*"}, {AccessionNumber: "MOF5026", StudyDate: "19000101-21001231"}} {
		studies, err := c.FindStudies(ctx, f)
		if err != nil || len(studies) != 1 || studies[0].StudyInstanceUID != study || studies[0].PatientName != "DOE^J1" || studies[0].Instances != len(files) {
			t.Errorf("QIDO-RS %+v: %v %+v", f, err, studies)
		}
	}
	if none, err := c.FindStudies(ctx, pacs.StudyFilter{PatientName: "NOBODY^*"}); err != nil || len(none) != 0 {
		t.Errorf("QIDO-RS with no match: %v %+v", err, none)
	}
	series, err := c.FindSeries(ctx, study)
	if err != nil || len(series) != 1 || series[0].Modality != "MR" || series[0].Instances != len(files) {
		t.Errorf("QIDO-RS series: %v %+v", err, series)
	}
	dir := t.TempDir()
	sink := pacs.FileSink{Dir: filepath.Join(dir, "store")}
	res, err := c.RetrieveStudyInto(ctx, study, filepath.Join(dir, "spool"), sink)
	if err != nil || res.Completed != len(files) {
		t.Fatalf("WADO-RS into the sink: %v %+v", err, res)
	}
	for _, f := range files {
		m, _, _ := pacs.ReadMetaFile(f)
		if _, _, err := pacs.ReadMetaFile(sink.Path(study, m.SOPInstanceUID)); err != nil {
			t.Errorf("%s not stored: %v", filepath.Base(f), err)
		}
	}
}
