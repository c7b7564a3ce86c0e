package dcm

import (
	"fmt"
	"sync"

	dtag "github.com/suyashkumar/dicom/pkg/tag"
)

// Tag is a data element tag, group in the high 16 bits.
type Tag uint32

// T builds a Tag from its group and element.
func T(group, element uint16) Tag { return Tag(uint32(group)<<16 | uint32(element)) }

// Group is the tag's group number.
func (t Tag) Group() uint16 { return uint16(t >> 16) }

// Element is the tag's element number.
func (t Tag) Element() uint16 { return uint16(t) }

// String formats the tag as (GGGG,EEEE).
func (t Tag) String() string { return fmt.Sprintf("(%04X,%04X)", t.Group(), t.Element()) }

// Name is the dictionary keyword of the tag, or its (GGGG,EEEE) form.
func (t Tag) Name() string {
	info, ok := lookup(t)
	if !ok {
		return t.String()
	}
	return info.Keyword
}

// Private reports whether the tag belongs to a private group.
func (t Tag) Private() bool { return t.Group()%2 == 1 }

// Tags used across DiscDesk.
const (
	FileMetaInformationGroupLength Tag = 0x00020000
	FileMetaInformationVersion     Tag = 0x00020001
	MediaStorageSOPClassUID        Tag = 0x00020002
	MediaStorageSOPInstanceUID     Tag = 0x00020003
	TransferSyntaxUID              Tag = 0x00020010
	ImplementationClassUID         Tag = 0x00020012
	ImplementationVersionName      Tag = 0x00020013
	SourceApplicationEntityTitle   Tag = 0x00020016

	FileSetID                                               Tag = 0x00041130
	OffsetOfTheFirstDirectoryRecordOfTheRootDirectoryEntity Tag = 0x00041200
	OffsetOfTheLastDirectoryRecordOfTheRootDirectoryEntity  Tag = 0x00041202
	FileSetConsistencyFlag                                  Tag = 0x00041212
	DirectoryRecordSequence                                 Tag = 0x00041220
	OffsetOfTheNextDirectoryRecord                          Tag = 0x00041400
	RecordInUseFlag                                         Tag = 0x00041410
	OffsetOfReferencedLowerLevelDirectoryEntity             Tag = 0x00041420
	DirectoryRecordType                                     Tag = 0x00041430
	ReferencedFileID                                        Tag = 0x00041500
	ReferencedSOPClassUIDInFile                             Tag = 0x00041510
	ReferencedSOPInstanceUIDInFile                          Tag = 0x00041511
	ReferencedTransferSyntaxUIDInFile                       Tag = 0x00041512

	SpecificCharacterSet         Tag = 0x00080005
	ImageType                    Tag = 0x00080008
	SOPClassUID                  Tag = 0x00080016
	SOPInstanceUID               Tag = 0x00080018
	StudyDate                    Tag = 0x00080020
	SeriesDate                   Tag = 0x00080021
	ContentDate                  Tag = 0x00080023
	StudyTime                    Tag = 0x00080030
	ContentTime                  Tag = 0x00080033
	AccessionNumber              Tag = 0x00080050
	Modality                     Tag = 0x00080060
	ModalitiesInStudy            Tag = 0x00080061
	Manufacturer                 Tag = 0x00080070
	InstitutionName              Tag = 0x00080080
	InstitutionAddress           Tag = 0x00080081
	ReferringPhysicianName       Tag = 0x00080090
	StudyDescription             Tag = 0x00081030
	SeriesDescription            Tag = 0x0008103E
	PhysiciansOfRecord           Tag = 0x00081048
	PerformingPhysicianName      Tag = 0x00081050
	NameOfPhysiciansReadingStudy Tag = 0x00081060
	ReferencedImageSequence      Tag = 0x00081140
	ConceptNameCodeSequence      Tag = 0x0040A043

	PatientName       Tag = 0x00100010
	PatientID         Tag = 0x00100020
	IssuerOfPatientID Tag = 0x00100021
	PatientBirthDate  Tag = 0x00100030
	PatientSex        Tag = 0x00100040

	StudyInstanceUID              Tag = 0x0020000D
	SeriesInstanceUID             Tag = 0x0020000E
	StudyID                       Tag = 0x00200010
	SeriesNumber                  Tag = 0x00200011
	InstanceNumber                Tag = 0x00200013
	NumberOfStudyRelatedInstances Tag = 0x00201208

	SamplesPerPixel             Tag = 0x00280002
	PhotometricInterpretation   Tag = 0x00280004
	PlanarConfiguration         Tag = 0x00280006
	NumberOfFrames              Tag = 0x00280008
	Rows                        Tag = 0x00280010
	Columns                     Tag = 0x00280011
	BitsAllocated               Tag = 0x00280100
	BitsStored                  Tag = 0x00280101
	HighBit                     Tag = 0x00280102
	PixelRepresentation         Tag = 0x00280103
	WindowCenter                Tag = 0x00281050
	WindowWidth                 Tag = 0x00281051
	RescaleIntercept            Tag = 0x00281052
	RescaleSlope                Tag = 0x00281053
	LossyImageCompression       Tag = 0x00282110
	LossyImageCompressionRatio  Tag = 0x00282112
	LossyImageCompressionMethod Tag = 0x00282114

	MIMETypeOfEncapsulatedDocument Tag = 0x00420012
	EncapsulatedDocument           Tag = 0x00420011
	DocumentTitle                  Tag = 0x00420010

	CompletionFlag           Tag = 0x0040A491
	VerificationFlag         Tag = 0x0040A493
	VerificationDateTime     Tag = 0x0040A030
	ContentLabel             Tag = 0x00700080
	ContentDescription       Tag = 0x00700081
	PresentationCreationDate Tag = 0x00700082
	PresentationCreationTime Tag = 0x00700083
	ContentCreatorName       Tag = 0x00700084

	OriginalAttributesSequence Tag = 0x04000561

	PixelData            Tag = 0x7FE00010
	FloatPixelData       Tag = 0x7FE00008
	DoubleFloatPixelData Tag = 0x7FE00009

	Item                     Tag = 0xFFFEE000
	ItemDelimitationItem     Tag = 0xFFFEE00D
	SequenceDelimitationItem Tag = 0xFFFEE0DD
)

type dictEntry struct {
	VR      VR
	Keyword string
}

var dictCache sync.Map // Tag -> dictEntry (VR "" when unknown)

func lookup(t Tag) (dictEntry, bool) {
	if v, ok := dictCache.Load(t); ok {
		e := v.(dictEntry)
		return e, e.VR != ""
	}
	var e dictEntry
	if t.Element() == 0 {
		e = dictEntry{VR: "UL", Keyword: "GroupLength"}
	} else if t.Private() && t.Element() >= 0x10 && t.Element() <= 0xFF {
		e = dictEntry{VR: "LO", Keyword: "PrivateCreator"}
	} else if info, err := dtag.Find(dtag.Tag{Group: t.Group(), Element: t.Element()}); err == nil && len(info.VRs) > 0 {
		e = dictEntry{VR: VR(info.VRs[0]), Keyword: info.Keyword}
		// Ambiguous VRs (US or SS, OB or OW): the first is the usual one for
		// what DiscDesk reads; pixel data is OW in implicit VR (PS3.5 A.1).
		if t == PixelData {
			e.VR = "OW"
		}
	}
	dictCache.Store(t, e)
	return e, e.VR != ""
}

// DictVR returns the dictionary VR of t, or UN when the tag is unknown.
func DictVR(t Tag) VR {
	e, ok := lookup(t)
	if !ok {
		return "UN"
	}
	return e.VR
}
