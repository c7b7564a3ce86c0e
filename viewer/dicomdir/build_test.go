package dicomdir

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"discdesk/internal/corpus"
	"discdesk/viewer/dcm"
)

func header(t *testing.T, rel string, fid ...string) Instance {
	t.Helper()
	in, err := InstanceFromFile(corpus.Path(t, rel), fid)
	if err != nil {
		t.Fatal(err)
	}
	return in
}

// A Type 1 key the object lacks stops Build with a MissingKeyError naming
// the file, the attribute and the instance; once the value is written
// into the object Build goes on and the record carries it.
func TestMissingKey(t *testing.T) {
	in := header(t, "sr_docs/basic_text_sr.dcm", "DICOM", "P1", "S1", "I1") // no Patient ID
	_, _, err := Build("T", []Instance{in})
	var mk *MissingKeyError
	if !errors.As(err, &mk) {
		t.Fatalf("err = %v, want *MissingKeyError", err)
	}
	if mk.Attribute != "Patient ID (0010,0020)" || mk.Tag != dcm.PatientID || mk.Record != "PATIENT" || mk.Instance != 0 || !strings.HasSuffix(mk.File, "basic_text_sr.dcm") || mk.Invalid {
		t.Errorf("MissingKeyError = %+v", mk)
	}
	in.DataSet.Set(dcm.Str(dcm.PatientID, "LO", "MRN0042"))
	d, _, _ := staff(t, "T", []Instance{in})
	if got := d.Records[0].Keys.String(dcm.PatientID); got != "MRN0042" {
		t.Errorf("PATIENT record Patient ID %q", got)
	}
}

// Every missing key of every instance is reported in one Build, once per
// entity, each naming its instance.
func TestAllMissingKeysAtOnce(t *testing.T) {
	a := header(t, "sr_docs/basic_text_sr.dcm", "DICOM", "P1", "S1", "I1")
	b := header(t, "charset/chrKoreanMulti.dcm", "DICOM", "P2", "S1", "I1")
	a.DataSet.Delete(dcm.StudyDate)
	a.DataSet.Delete(dcm.StudyTime)
	_, _, err := Build("T", []Instance{a, b})
	var all MissingKeys
	if !errors.As(err, &all) {
		t.Fatalf("err = %v, want MissingKeys", err)
	}
	got := map[string]bool{}
	for _, mk := range all {
		got[fmt.Sprintf("%d %s", mk.Instance, mk.Tag)] = true
	}
	for _, want := range []string{"0 (0010,0020)", "1 (0020,0010)"} {
		if !got[want] {
			t.Errorf("missing %s not reported; got %v", want, got)
		}
	}
	if len(all) < 3 || !strings.Contains(err.Error(), "required keys are missing") {
		t.Errorf("%d keys reported: %v", len(all), err)
	}
}

// An empty Study ID in the object is a missing Type 1 key too, and a value
// in the wrong format (ACR-NEMA date 1994.01.30) is refused as invalid.
func TestEmptyAndInvalidType1(t *testing.T) {
	in := header(t, "charset/chrKoreanMulti.dcm", "DICOM", "P1", "S1", "I1")
	if in.DataSet.String(dcm.StudyID) != "" {
		t.Fatalf("test assumption: chrKoreanMulti has no Study ID value")
	}
	_, _, err := Build("T", []Instance{in})
	var mk *MissingKeyError
	if !errors.As(err, &mk) || mk.Attribute != "Study ID (0020,0010)" || mk.Record != "STUDY" {
		t.Fatalf("err = %v, want missing Study ID", err)
	}
	us := header(t, "multiframe/us_10f_jpegls_palette.dcm", "DICOM", "P1", "S1", "I1")
	us.DataSet.Set(dcm.Str(dcm.PatientID, "LO", "X"))
	_, _, err = Build("T", []Instance{us})
	if !errors.As(err, &mk) || mk.Attribute != "Study Date (0008,0020)" || !mk.Invalid {
		t.Fatalf("err = %v, want invalid Study Date", err)
	}
}

// Build refuses what would make a bad disc: meta that disagrees with the
// data set, duplicate SOP Instance UIDs, bad File IDs, private classes.
func TestBuildRefuses(t *testing.T) {
	ct := header(t, "ct_series/tcia_kits/CT20.dcm", "DICOM", "P1", "S1", "I1")
	if _, _, err := Build("T", []Instance{ct}); !errors.Is(err, ErrMetaMismatch) {
		t.Errorf("meta mismatch: %v", err)
	}
	a := header(t, "charset/chrFren.dcm", "DICOM", "P1", "S1", "I1")
	b := header(t, "charset/chrFrenMulti.dcm", "DICOM", "P1", "S1", "I2")
	if _, _, err := Build("T", []Instance{a, b}); !errors.Is(err, ErrDuplicate) {
		t.Errorf("duplicate SOP Instance UID: %v", err)
	}
	for _, fid := range [][]string{{"dicom", "I1"}, {"DICOM", "IMAGE.DCM"}, {"A", "B", "C", "D", "E", "F", "G", "H", "I"}, {"TOOLONGNAME"}, {}} {
		in := a
		in.FileID = fid
		if _, _, err := Build("T", []Instance{in}); !errors.Is(err, ErrBadFileID) {
			t.Errorf("File ID %q: %v", fid, err)
		}
	}
	if _, _, err := Build("lower", nil); !errors.Is(err, ErrBadFileSetID) {
		t.Errorf("File-set ID: %v", err)
	}
	p := a
	p.MetaSOPClassUID = ""
	p.DataSet = &dcm.DataSet{Elements: append([]*dcm.Element(nil), a.DataSet.Elements...)}
	p.DataSet.Set(dcm.Str(dcm.SOPClassUID, "UI", "1.2.3.4.5.6"))
	if _, _, err := Build("T", []Instance{p}); !errors.Is(err, ErrUnknownSOPClass) {
		t.Errorf("private SOP class: %v", err)
	}
}

// Two series of one study with different Study Times: one record, the value
// of the first instance by Series Number, and a warning naming both files.
func TestInconsistentStudyWarns(t *testing.T) {
	mk := func(series int, tm, sop string) Instance {
		ds := &dcm.DataSet{}
		for _, e := range []*dcm.Element{
			dcm.Str(dcm.SOPClassUID, "UI", "1.2.840.10008.5.1.4.1.1.7"),
			dcm.Str(dcm.SOPInstanceUID, "UI", sop),
			dcm.Str(dcm.StudyDate, "DA", "20240102"),
			dcm.Str(dcm.StudyTime, "TM", tm),
			dcm.Str(dcm.Modality, "CS", "OT"),
			dcm.Str(dcm.PatientName, "PN", "Doe^Jane"),
			dcm.Str(dcm.PatientID, "LO", "PID1"),
			dcm.Str(dcm.StudyInstanceUID, "UI", "1.2.3"),
			dcm.Str(dcm.SeriesInstanceUID, "UI", "1.2.3."+sop),
			dcm.Str(dcm.StudyID, "SH", "7"),
			dcm.Str(dcm.SeriesNumber, "IS", string(rune('0'+series))),
			dcm.Str(dcm.InstanceNumber, "IS", "1"),
		} {
			ds.Set(e)
		}
		return Instance{FileID: []string{"D", "I" + sop}, TransferSyntaxUID: ExplicitVRLittleEndian, DataSet: ds, Source: "file" + sop}
	}
	// Series 2 comes first in the input; series 1 still decides.
	d, warns, err := Build("T", []Instance{mk(2, "101500", "2"), mk(1, "093000", "1")})
	if err != nil {
		t.Fatal(err)
	}
	if n := d.Count()["STUDY"]; n != 1 {
		t.Fatalf("%d STUDY records", n)
	}
	study := d.Records[0].Children[0]
	if got := study.Keys.String(dcm.StudyTime); got != "093000" {
		t.Errorf("Study Time %q, want 093000 (series 1)", got)
	}
	var w *Warning
	for i := range warns {
		if warns[i].Attribute == "Study Time (0008,0030)" {
			w = &warns[i]
		}
	}
	if w == nil || !strings.Contains(w.File, "file1") || !strings.Contains(w.File, "file2") ||
		!strings.Contains(w.Message, "101500") || !strings.Contains(w.Message, `using "093000"`) {
		t.Errorf("warning = %+v", w)
	}
	// Same input in the other order: same directory (deterministic).
	d2, _, _ := Build("T", []Instance{mk(1, "093000", "1"), mk(2, "101500", "2")})
	if d2.Records[0].Children[0].Keys.String(dcm.StudyTime) != "093000" {
		t.Error("choice depends on input order")
	}
}

// Records of non-ASCII objects carry the object's Specific Character Set;
// plain ASCII records carry none.
func TestSpecificCharacterSet(t *testing.T) {
	cases := map[string]string{
		"charset/chrH31.dcm":  `\ISO 2022 IR 87`,
		"charset/chrX1.dcm":   "ISO_IR 192",
		"charset/chrRuss.dcm": "ISO_IR 144",
	}
	for f, want := range cases {
		in := header(t, f, "DICOM", "P1", "S1", "I1")
		d, _, _ := staff(t, "T", []Instance{in})
		pat := d.Records[0]
		if got := strings.Join(pat.Keys.Strings(dcm.SpecificCharacterSet), `\`); got != want {
			t.Errorf("%s: PATIENT (0008,0005) %q, want %q", f, got, want)
		}
		if got, want := pat.Keys.String(dcm.PatientName), in.DataSet.String(dcm.PatientName); got != want {
			t.Errorf("%s: name decodes to %q, object %q", f, got, want)
		}
		leaf := d.Leaves()[0]
		if leaf.Keys.Has(dcm.SpecificCharacterSet) {
			t.Errorf("%s: ASCII-only IMAGE record has (0008,0005)", f)
		}
	}
}

// Keys from a big-endian object are stored little endian.
func TestBigEndianKeys(t *testing.T) {
	in := header(t, "multiframe/emri_small_10f_big_endian.dcm", "DICOM", "P1", "S1", "I1")
	d, _, _ := staff(t, "T", []Instance{in})
	leaf := d.Leaves()[0]
	if leaf.Keys.BigEndian {
		t.Error("keys marked big endian")
	}
	if got, want := leaf.Keys.String(dcm.InstanceNumber), in.DataSet.String(dcm.InstanceNumber); got != want || got == "" {
		t.Errorf("Instance Number %q, want %q", got, want)
	}
}
