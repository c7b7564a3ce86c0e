package library

import (
	"fmt"
	"sort"
	"strings"

	"discdesk/viewer/dcm"
)

// header is what the index keeps of one parsed object.
type header struct {
	inst    Instance
	study   Study
	series  Series
	expects int
	badMeta string // why the meta group must be rewritten ("" = it is good)
}

// metaAgrees reports whether the File Meta Information names the data set's
// SOP class and instance, as PS3.10 7.1 requires.
func metaAgrees(f *dcm.File) bool {
	ds := f.DataSet
	return f.Meta.String(dcm.MediaStorageSOPInstanceUID) == ds.String(dcm.SOPInstanceUID) &&
		f.Meta.String(dcm.MediaStorageSOPClassUID) == ds.String(dcm.SOPClassUID)
}

// SOP classes that count as a report on the disc (PS3.4 B.5).
func isReport(sopClass string) bool {
	return strings.HasPrefix(sopClass, "1.2.840.10008.5.1.4.1.1.88.") || // structured reports
		sopClass == "1.2.840.10008.5.1.4.1.1.104.1" || // encapsulated PDF
		sopClass == "1.2.840.10008.5.1.4.1.1.104.2" // encapsulated CDA
}

// extract reads the index keys of a parsed file. It refuses objects that
// cannot be placed in a patient -> study -> series -> instance hierarchy.
func extract(f *dcm.File) (*header, error) {
	ds := f.DataSet
	h := &header{}
	sopInst := ds.String(dcm.SOPInstanceUID)
	sopClass := ds.String(dcm.SOPClassUID)
	if f.Meta.String(dcm.MediaStorageSOPClassUID) == dcm.MediaStorageDirectoryStorage {
		return nil, invalidf("is a DICOMDIR (a directory, not an object)")
	}
	studyUID := ds.String(dcm.StudyInstanceUID)
	seriesUID := ds.String(dcm.SeriesInstanceUID)
	for _, k := range []struct {
		name string
		t    dcm.Tag
		v    string
	}{
		{"SOP Instance UID", dcm.SOPInstanceUID, sopInst},
		{"SOP Class UID", dcm.SOPClassUID, sopClass},
		{"Study Instance UID", dcm.StudyInstanceUID, studyUID},
		{"Series Instance UID", dcm.SeriesInstanceUID, seriesUID},
	} {
		if k.v == "" {
			return nil, withKind(fmt.Errorf("missing %s %s", k.name, k.t), ErrInvalidObject, ErrInvalidUID)
		}
		if err := dcm.CheckUID(k.v); err != nil {
			return nil, withKind(fmt.Errorf("invalid %s %s: %w", k.name, k.t, err), ErrInvalidObject, ErrInvalidUID)
		}
	}
	if imagePixelModule(ds) && !ds.Has(dcm.PixelData) && !ds.Has(dcm.FloatPixelData) && !ds.Has(dcm.DoubleFloatPixelData) &&
		!ds.Has(dcm.T(0x5600, 0x0020)) { // MR spectroscopy keeps its data in Spectroscopy Data
		return nil, invalidf("an image (Rows, Columns and Bits Allocated present) without Pixel Data (7FE0,0010): the file was probably cut short")
	}
	if !f.NoMeta && !metaAgrees(f) {
		h.badMeta = fmt.Sprintf("File Meta SOP Class/Instance UIDs (0002,0002)/(0002,0003) differ from the data set's %q", sopInst)
	}
	num, _ := ds.Int(dcm.InstanceNumber)
	frames, _ := ds.Int(dcm.NumberOfFrames)
	h.inst = Instance{
		SOPInstanceUID: sopInst,
		SOPClassUID:    sopClass,
		TransferSyntax: f.Syntax.UID,
		StudyUID:       studyUID,
		SeriesUID:      seriesUID,
		Number:         num,
		Frames:         frames,
	}
	pid := ds.String(dcm.PatientID)
	issuer := ds.String(dcm.IssuerOfPatientID)
	h.study = Study{
		UID: studyUID,
		Patient: Patient{
			Key:       issuer + "\x1f" + pid,
			ID:        pid,
			Issuer:    issuer,
			Name:      ds.String(dcm.PatientName),
			BirthDate: ds.String(dcm.PatientBirthDate),
			Sex:       ds.String(dcm.PatientSex),
		},
		Date:               ds.String(dcm.StudyDate),
		Time:               ds.String(dcm.StudyTime),
		Description:        ds.String(dcm.StudyDescription),
		AccessionNumber:    ds.String(dcm.AccessionNumber),
		StudyID:            ds.String(dcm.StudyID),
		ReferringPhysician: ds.String(dcm.ReferringPhysicianName),
		ReadingPhysicians:  ds.Strings(dcm.NameOfPhysiciansReadingStudy),
		Institution:        ds.String(dcm.InstitutionName),
	}
	if len(h.study.ReadingPhysicians) == 0 {
		h.study.ReadingPhysicians = ds.Strings(dcm.PhysiciansOfRecord)
	}
	num2, _ := ds.Int(dcm.SeriesNumber)
	h.series = Series{
		UID:         seriesUID,
		StudyUID:    studyUID,
		Modality:    ds.String(dcm.Modality),
		Number:      num2,
		Description: ds.String(dcm.SeriesDescription),
	}
	h.expects, _ = ds.Int(dcm.NumberOfStudyRelatedInstances)
	return h, nil
}

// imagePixelModule reports whether the data set carries the Image Pixel
// module's description of an image (PS3.3 C.7.6.3): Rows, Columns and Bits
// Allocated at the top level.
func imagePixelModule(ds *dcm.DataSet) bool {
	return ds.Has(dcm.Rows) && ds.Has(dcm.Columns) && ds.Has(dcm.BitsAllocated)
}

// merge folds one instance's keys into its study's summary: the first
// non-empty value of each key wins, so the result does not depend on
// arrival order beyond that.
func (s *Study) merge(h *header) {
	fill := func(dst *string, v string) {
		if *dst == "" {
			*dst = v
		}
	}
	if s.UID == "" {
		*s = h.study
		s.Modalities = nil
	} else {
		fill(&s.Patient.Name, h.study.Patient.Name)
		fill(&s.Patient.BirthDate, h.study.Patient.BirthDate)
		fill(&s.Patient.Sex, h.study.Patient.Sex)
		fill(&s.Date, h.study.Date)
		fill(&s.Time, h.study.Time)
		fill(&s.Description, h.study.Description)
		fill(&s.AccessionNumber, h.study.AccessionNumber)
		fill(&s.StudyID, h.study.StudyID)
		fill(&s.ReferringPhysician, h.study.ReferringPhysician)
		fill(&s.Institution, h.study.Institution)
		if len(s.ReadingPhysicians) == 0 {
			s.ReadingPhysicians = h.study.ReadingPhysicians
		}
	}
	if m := h.series.Modality; m != "" && !contains(s.Modalities, m) {
		s.Modalities = append(s.Modalities, m)
		sort.Strings(s.Modalities)
	}
	if isReport(h.inst.SOPClassUID) {
		s.HasReport = true
	}
	if h.expects > s.ExpectedInstances {
		s.ExpectedInstances = h.expects
	}
	s.InstanceCount++
	s.Bytes += h.inst.Size
	if s.FirstReceived.IsZero() || h.inst.Received.Before(s.FirstReceived) {
		s.FirstReceived = h.inst.Received
	}
	if h.inst.Received.After(s.LastReceived) {
		s.LastReceived = h.inst.Received
	}
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
