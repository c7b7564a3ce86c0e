package dicomdir

import (
	"fmt"
	"testing"

	"discdesk/viewer/dcm"
)

// synthetic returns n CT instances in one study, 4 series, with realistic
// header keys.
func synthetic(n int) []Instance {
	ins := make([]Instance, n)
	for i := range ins {
		ser := i % 4
		ds := &dcm.DataSet{}
		for _, e := range []*dcm.Element{
			dcm.Str(dcm.ImageType, "CS", `ORIGINAL\PRIMARY\AXIAL`),
			dcm.Str(dcm.SOPClassUID, "UI", "1.2.840.10008.5.1.4.1.1.2"),
			dcm.Str(dcm.SOPInstanceUID, "UI", fmt.Sprintf("1.2.826.0.1.3680043.10.1435.9.%d", i+1)),
			dcm.Str(dcm.StudyDate, "DA", "20240102"),
			dcm.Str(dcm.StudyTime, "TM", "093000"),
			dcm.Str(dcm.AccessionNumber, "SH", "ACC123"),
			dcm.Str(dcm.Modality, "CS", "CT"),
			dcm.Str(dcm.InstitutionName, "LO", "General Hospital"),
			dcm.Str(dcm.StudyDescription, "LO", "CT CHEST"),
			dcm.Str(dcm.PatientName, "PN", "Doe^Jane"),
			dcm.Str(dcm.PatientID, "LO", "PID1"),
			dcm.Str(dcm.PatientBirthDate, "DA", "19700101"),
			dcm.Str(dcm.PatientSex, "CS", "F"),
			dcm.Str(dcm.StudyInstanceUID, "UI", "1.2.826.0.1.3680043.10.1435.8.1"),
			dcm.Str(dcm.SeriesInstanceUID, "UI", fmt.Sprintf("1.2.826.0.1.3680043.10.1435.8.1.%d", ser+1)),
			dcm.Str(dcm.StudyID, "SH", "1"),
			dcm.Str(dcm.SeriesNumber, "IS", fmt.Sprint(ser+1)),
			dcm.Str(dcm.InstanceNumber, "IS", fmt.Sprint(i/4+1)),
		} {
			ds.Set(e)
		}
		ins[i] = Instance{
			FileID:            []string{"DICOM", "P0000001", fmt.Sprintf("S%07d", ser+1), fmt.Sprintf("I%07d", i/4+1)},
			TransferSyntaxUID: ExplicitVRLittleEndian,
			DataSet:           ds,
		}
	}
	return ins
}

func BenchmarkEncode2000(b *testing.B) {
	d, _, err := Build("BENCH", synthetic(2000))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	var size int
	for b.Loop() {
		out, err := d.Encode()
		if err != nil {
			b.Fatal(err)
		}
		size = len(out)
	}
	b.ReportMetric(float64(size), "bytes/dicomdir")
}

func BenchmarkBuild2000(b *testing.B) {
	ins := synthetic(2000)
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := Build("BENCH", ins); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRead2000(b *testing.B) {
	d, _, _ := Build("BENCH", synthetic(2000))
	out, _ := d.Encode()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ReadBytes(out); err != nil {
			b.Fatal(err)
		}
	}
}

// The synthetic 2,000-instance directory reads back to the same records.
func TestEncode2000RoundTrip(t *testing.T) {
	d, warns, err := Build("BENCH", synthetic(2000))
	if err != nil || len(warns) != 0 {
		t.Fatalf("Build: %v %v", err, warns)
	}
	out, err := d.Encode()
	if err != nil {
		t.Fatal(err)
	}
	got, err := ReadBytes(out)
	if err != nil {
		t.Fatal(err)
	}
	sameRecords(t, d, got)
	if c := got.Count(); c["IMAGE"] != 2000 || c["SERIES"] != 4 || c["STUDY"] != 1 || c["PATIENT"] != 1 {
		t.Errorf("counts %v", c)
	}
}
