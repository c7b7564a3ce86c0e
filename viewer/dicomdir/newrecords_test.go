package dicomdir

import (
	"errors"
	"testing"

	"discdesk/viewer/dcm"
)

// The newer record types (PS3.3 F.5.47-F.5.49): a file-set with an
// ANNOTATION, a WF PRESENTATION and a top-level INVENTORY record is built
// with their keys, encoded, and read back with the same records; the
// writer refuses an inventory without its Type 1 keys, naming them all.
func TestNewerRecordTypes(t *testing.T) {
	base := synthetic(1)[0]
	mk := func(class, uid, fid string, extra ...*dcm.Element) Instance {
		ds := &dcm.DataSet{}
		for _, e := range base.DataSet.Elements {
			ds.Set(e)
		}
		ds.Set(dcm.Str(dcm.SOPClassUID, "UI", class))
		ds.Set(dcm.Str(dcm.SOPInstanceUID, "UI", uid))
		for _, e := range extra {
			ds.Set(e)
		}
		return Instance{FileID: []string{"DICOM", "P0000001", "S0000001", fid}, TransferSyntaxUID: ExplicitVRLittleEndian, DataSet: ds}
	}
	content := []*dcm.Element{
		dcm.Str(dcm.ContentDate, "DA", "20240102"), dcm.Str(dcm.ContentTime, "TM", "101500"),
		dcm.Str(dcm.ContentLabel, "CS", "ANN1"), dcm.Str(dcm.ContentDescription, "LO", "nuclei"),
		dcm.Str(dcm.ContentCreatorName, "PN", "Path^Al"),
	}
	ann := mk("1.2.840.10008.5.1.4.1.1.91.1", "1.2.826.0.1.3680043.10.1435.9.101", "I0000002", content...)
	wf := mk("1.2.840.10008.5.1.4.1.1.9.100.1", "1.2.826.0.1.3680043.10.1435.9.102", "I0000003",
		dcm.Str(dcm.PresentationCreationDate, "DA", "20240102"), dcm.Str(dcm.PresentationCreationTime, "TM", "101600"),
		dcm.Str(dcm.ContentLabel, "CS", "ECGVIEW"), dcm.Str(dcm.ContentDescription, "LO", ""), dcm.Str(dcm.ContentCreatorName, "PN", ""))
	inventory := []*dcm.Element{
		dcm.Str(dcm.ContentDate, "DA", "20240103"), dcm.Str(dcm.ContentTime, "TM", "080000"),
		dcm.Str(tagInventoryLevel, "CS", "STUDY"), dcm.Str(tagInventoryCompletionStatus, "CS", "COMPLETE"),
		dcm.U32(tagTotalNumberOfStudyRecords, 1), dcm.Seq(tagScopeOfInventorySequence),
	}
	inv := Instance{FileID: []string{"INVENT", "I0000001"}, TransferSyntaxUID: ExplicitVRLittleEndian, DataSet: &dcm.DataSet{}}
	inv.DataSet.Set(dcm.Str(dcm.SOPClassUID, "UI", "1.2.840.10008.5.1.4.1.1.201.1"))
	inv.DataSet.Set(dcm.Str(dcm.SOPInstanceUID, "UI", "1.2.826.0.1.3680043.10.1435.9.103"))
	for _, e := range inventory {
		inv.DataSet.Set(e)
	}
	d, _, err := Build("NEWER", []Instance{base, ann, wf, inv})
	if err != nil {
		t.Fatal(err)
	}
	counts := d.Count()
	for _, rt := range []string{"ANNOTATION", "WF PRESENTATION", "INVENTORY"} {
		if counts[rt] != 1 {
			t.Errorf("%d %s records (all: %v)", counts[rt], rt, counts)
		}
	}
	if d.Records[len(d.Records)-1].Type != "INVENTORY" {
		t.Errorf("INVENTORY is not a root record: %v", d.Records[len(d.Records)-1].Type)
	}
	b, err := d.Encode()
	if err != nil {
		t.Fatal(err)
	}
	back, err := ReadBytes(b)
	if err != nil {
		t.Fatal(err)
	}
	sameRecords(t, d, back)
	for _, r := range back.Leaves() {
		switch r.Type {
		case "ANNOTATION":
			if r.Keys.String(dcm.ContentLabel) != "ANN1" || r.Keys.String(dcm.ContentDate) != "20240102" {
				t.Errorf("ANNOTATION keys %v", r.Keys.Elements)
			}
		case "WF PRESENTATION":
			if r.Keys.String(dcm.PresentationCreationDate) != "20240102" || !r.Keys.Has(dcm.ContentCreatorName) {
				t.Errorf("WF PRESENTATION keys %v", r.Keys.Elements)
			}
		case "INVENTORY":
			if r.Keys.String(tagInventoryLevel) != "STUDY" || !r.Keys.Has(tagInventoryPurpose) || !r.Keys.Has(tagScopeOfInventorySequence) {
				t.Errorf("INVENTORY keys %v", r.Keys.Elements)
			}
		}
	}
	// An inventory lacking its status and count: both reported at once.
	inv.DataSet.Delete(tagInventoryCompletionStatus)
	inv.DataSet.Delete(tagTotalNumberOfStudyRecords)
	_, _, err = Build("NEWER", []Instance{inv})
	var all MissingKeys
	if !errors.As(err, &all) || len(all) != 2 || all[0].Record != "INVENTORY" {
		t.Errorf("err = %v, want the two missing INVENTORY keys", err)
	}
}
