package dicomdir

import "discdesk/viewer/dcm"

// keyType is the type of a record key (PS3.3 F.5, PS3.5 7.4).
type keyType int

const (
	// type1 keys must have a value: Build refuses without one.
	type1 keyType = iota
	// type2 keys are always written, empty when the object has no value.
	type2
	// type1C keys are written when the object has a value (the condition
	// of the F.5 tables is "present in the object").
	type1C
	// type3 keys are written when the object has a value.
	type3
)

// level says which entity a key describes.
type level int

const (
	levelPatient level = iota
	levelStudy
	levelSeries
	levelInstance
)

type keySpec struct {
	tag  dcm.Tag
	typ  keyType
	name string // "Study Date"
}

// Tags the dcm package does not name.
const (
	tagReferencedSeriesSequence        dcm.Tag = 0x00081115
	tagSeriesDescription               dcm.Tag = 0x0008103E
	tagInstanceCreationDate            dcm.Tag = 0x00080012
	tagInstanceCreationTime            dcm.Tag = 0x00080013
	tagVerifyingObserverSequence       dcm.Tag = 0x0040A073
	tagHL7InstanceIdentifier           dcm.Tag = 0x0040E001
	tagDataPointRows                   dcm.Tag = 0x00289001
	tagDataPointColumns                dcm.Tag = 0x00289002
	tagReferencedImageEvidenceSequence dcm.Tag = 0x00089092
	tagDoseSummationType               dcm.Tag = 0x3004000A
	tagDoseComment                     dcm.Tag = 0x30040006
	tagStructureSetLabel               dcm.Tag = 0x30060002
	tagStructureSetDate                dcm.Tag = 0x30060008
	tagStructureSetTime                dcm.Tag = 0x30060009
	tagRTPlanLabel                     dcm.Tag = 0x300A0002
	tagRTPlanDate                      dcm.Tag = 0x300A0006
	tagRTPlanTime                      dcm.Tag = 0x300A0007
	tagTreatmentDate                   dcm.Tag = 0x30080250
	tagTreatmentTime                   dcm.Tag = 0x30080251
	tagBlendingSequence                dcm.Tag = 0x00700402
	tagHangingProtocolName             dcm.Tag = 0x00720002
	tagHangingProtocolDescription      dcm.Tag = 0x00720004
	tagHangingProtocolLevel            dcm.Tag = 0x00720006
	tagHangingProtocolCreator          dcm.Tag = 0x00720008
	tagHangingProtocolCreationDateTime dcm.Tag = 0x0072000A
	tagHangingProtocolDefinitionSeq    dcm.Tag = 0x0072000C
	tagHangingProtocolUserIDCodeSeq    dcm.Tag = 0x0072000E
	tagNumberOfPriorsReferenced        dcm.Tag = 0x00720014
	tagImplantName                     dcm.Tag = 0x00221095
	tagImplantSize                     dcm.Tag = 0x00686210
	tagImplantPartNumber               dcm.Tag = 0x00221097
	tagImplantAssemblyTemplateName     dcm.Tag = 0x00760001
	tagProcedureTypeCodeSequence       dcm.Tag = 0x00760020
	tagImplantTemplateGroupName        dcm.Tag = 0x00780001
	tagImplantTemplateGroupIssuer      dcm.Tag = 0x00780020
	tagUserContentLabel                dcm.Tag = 0x30100033
	tagUserContentLongLabel            dcm.Tag = 0x30100034
	tagScopeOfInventorySequence        dcm.Tag = 0x00080400
	tagInventoryPurpose                dcm.Tag = 0x00080401
	tagInventoryLevel                  dcm.Tag = 0x00080403
	tagInventoryCompletionStatus       dcm.Tag = 0x00080426
	tagTotalNumberOfStudyRecords       dcm.Tag = 0x00080428
)

var (
	kInstanceNumber      = keySpec{dcm.InstanceNumber, type1, "Instance Number"}
	kContentDate1        = keySpec{dcm.ContentDate, type1, "Content Date"}
	kContentTime1        = keySpec{dcm.ContentTime, type1, "Content Time"}
	kContentLabel1       = keySpec{dcm.ContentLabel, type1, "Content Label"}
	kContentDescription2 = keySpec{dcm.ContentDescription, type2, "Content Description"}
	kContentCreator2     = keySpec{dcm.ContentCreatorName, type2, "Content Creator's Name"}
	kConceptName1        = keySpec{dcm.ConceptNameCodeSequence, type1, "Concept Name Code Sequence"}
)

// contentID is the Content Identification Macro as F.5 uses it for many
// leaf types, with Content Date and Time.
var contentID = []keySpec{kContentDate1, kContentTime1, kInstanceNumber, kContentLabel1, kContentDescription2, kContentCreator2}

// recordKeys lists, per record type, the keys Build writes: PS3.3 F.5 plus
// the MEDIA.md additions (Birth Date and Sex, Institution and Performing
// Physician, Image Type and Referenced Image Sequence, Series Description,
// Issuer of Patient ID). Type 1C keys whose condition is other than
// "present in the object" are handled in Build (Verification DateTime).
var recordKeys = map[string][]keySpec{
	"PATIENT": {
		{dcm.PatientName, type2, "Patient's Name"},
		{dcm.PatientID, type1, "Patient ID"},
		{dcm.IssuerOfPatientID, type3, "Issuer of Patient ID"},
		{dcm.PatientBirthDate, type2, "Patient's Birth Date"},
		{dcm.PatientSex, type2, "Patient's Sex"},
	},
	"STUDY": {
		{dcm.StudyDate, type1, "Study Date"},
		{dcm.StudyTime, type1, "Study Time"},
		{dcm.AccessionNumber, type2, "Accession Number"},
		{dcm.StudyDescription, type2, "Study Description"},
		{dcm.StudyInstanceUID, type1, "Study Instance UID"},
		{dcm.StudyID, type1, "Study ID"},
	},
	"SERIES": {
		{dcm.Modality, type1, "Modality"},
		{dcm.InstitutionName, type1C, "Institution Name"},
		{dcm.InstitutionAddress, type1C, "Institution Address"},
		{tagSeriesDescription, type3, "Series Description"},
		{dcm.PerformingPhysicianName, type1C, "Performing Physician's Name"},
		{dcm.SeriesInstanceUID, type1, "Series Instance UID"},
		{dcm.SeriesNumber, type1, "Series Number"},
	},
	"IMAGE": {
		{dcm.ImageType, type1C, "Image Type"},
		{dcm.ReferencedImageSequence, type1C, "Referenced Image Sequence"},
		kInstanceNumber,
	},
	"SR DOCUMENT": {
		kContentDate1, kContentTime1, kInstanceNumber,
		{dcm.VerificationDateTime, type1C, "Verification DateTime"}, // see verificationDateTime
		kConceptName1,
		{dcm.CompletionFlag, type1, "Completion Flag"},
		{dcm.VerificationFlag, type1, "Verification Flag"},
	},
	"KEY OBJECT DOC": {kContentDate1, kContentTime1, kInstanceNumber, kConceptName1},
	"ENCAP DOC": {
		{dcm.ContentDate, type2, "Content Date"},
		{dcm.ContentTime, type2, "Content Time"},
		kInstanceNumber,
		{dcm.DocumentTitle, type2, "Document Title"},
		{dcm.MIMETypeOfEncapsulatedDocument, type1, "MIME Type of Encapsulated Document"},
		{dcm.ConceptNameCodeSequence, type2, "Concept Name Code Sequence"},
		{tagHL7InstanceIdentifier, type1C, "HL7 Instance Identifier"},
	},
	"PRESENTATION": {
		{tagReferencedSeriesSequence, type1C, "Referenced Series Sequence"},
		kInstanceNumber,
		kContentLabel1, kContentDescription2,
		{dcm.PresentationCreationDate, type1, "Presentation Creation Date"},
		{dcm.PresentationCreationTime, type1, "Presentation Creation Time"},
		kContentCreator2,
		{tagBlendingSequence, type1C, "Blending Sequence"},
	},
	"WAVEFORM": {kContentDate1, kContentTime1, kInstanceNumber},
	"RAW DATA": {kContentDate1, kContentTime1, kInstanceNumber},
	"RT DOSE": {
		kInstanceNumber,
		{tagDoseComment, type3, "Dose Comment"},
		{tagDoseSummationType, type1, "Dose Summation Type"},
	},
	"RT STRUCTURE SET": {
		kInstanceNumber,
		{tagStructureSetLabel, type1, "Structure Set Label"},
		{tagStructureSetDate, type2, "Structure Set Date"},
		{tagStructureSetTime, type2, "Structure Set Time"},
	},
	"RT PLAN": {
		kInstanceNumber,
		{tagRTPlanLabel, type1, "RT Plan Label"},
		{tagRTPlanDate, type2, "RT Plan Date"},
		{tagRTPlanTime, type2, "RT Plan Time"},
	},
	"RT TREAT RECORD": {
		kInstanceNumber,
		{tagTreatmentDate, type2, "Treatment Date"},
		{tagTreatmentTime, type2, "Treatment Time"},
	},
	"SPECTROSCOPY": {
		{dcm.ImageType, type1, "Image Type"},
		kContentDate1, kContentTime1,
		{tagReferencedImageEvidenceSequence, type1C, "Referenced Image Evidence Sequence"},
		kInstanceNumber,
		{dcm.NumberOfFrames, type1, "Number of Frames"},
		{dcm.Rows, type1, "Rows"},
		{dcm.Columns, type1, "Columns"},
		{tagDataPointRows, type1, "Data Point Rows"},
		{tagDataPointColumns, type1, "Data Point Columns"},
	},
	"REGISTRATION": contentID,
	"FIDUCIAL":     contentID,
	"VALUE MAP":    contentID,
	"MEASUREMENT":  contentID,
	"SURFACE":      contentID,
	"TRACT":        contentID,
	"ANNOTATION":   contentID,
	"STEREOMETRIC": nil,
	// F.5.40: no required key beyond Specific Character Set.
	"PLAN": {{dcm.InstanceNumber, type3, "Instance Number"}},
	// F.5.48.
	"INVENTORY": {
		kContentDate1, kContentTime1,
		{tagInventoryPurpose, type2, "Inventory Purpose"},
		{tagInventoryLevel, type1, "Inventory Level"},
		{tagScopeOfInventorySequence, type2, "Scope of Inventory Sequence"}, // type 1 in the macro, but zero items mean every study
		{tagInventoryCompletionStatus, type1, "Inventory Completion Status"},
		{tagTotalNumberOfStudyRecords, type1, "Total Number of Study Records"},
	},
	// F.5.49: Presentation Creation Date and Time, Content Identification
	// Macro, Referenced Series Sequence when the object has it.
	"WF PRESENTATION": {
		{dcm.PresentationCreationDate, type1, "Presentation Creation Date"},
		{dcm.PresentationCreationTime, type1, "Presentation Creation Time"},
		kInstanceNumber, kContentLabel1, kContentDescription2, kContentCreator2,
		{tagReferencedSeriesSequence, type1C, "Referenced Series Sequence"},
	},
	"SURFACE SCAN": {kContentDate1, kContentTime1},
	"ASSESSMENT": {
		{tagInstanceCreationDate, type1, "Instance Creation Date"},
		{tagInstanceCreationTime, type2, "Instance Creation Time"},
		kInstanceNumber,
	},
	"RADIOTHERAPY": {
		kInstanceNumber,
		{dcm.ContentDescription, type2, "Content Description"},
		kContentCreator2,
		{tagUserContentLabel, type1C, "User Content Label"},
		{tagUserContentLongLabel, type1C, "User Content Long Label"},
	},
	"HANGING PROTOCOL": {
		{tagHangingProtocolName, type1, "Hanging Protocol Name"},
		{tagHangingProtocolDescription, type1, "Hanging Protocol Description"},
		{tagHangingProtocolLevel, type1, "Hanging Protocol Level"},
		{tagHangingProtocolCreator, type1, "Hanging Protocol Creator"},
		{tagHangingProtocolCreationDateTime, type1, "Hanging Protocol Creation DateTime"},
		{tagHangingProtocolDefinitionSeq, type1, "Hanging Protocol Definition Sequence"},
		{tagHangingProtocolUserIDCodeSeq, type2, "Hanging Protocol User Identification Code Sequence"},
		{tagNumberOfPriorsReferenced, type1, "Number of Priors Referenced"},
	},
	"PALETTE": {kContentLabel1, kContentDescription2},
	"IMPLANT": {
		{dcm.Manufacturer, type1, "Manufacturer"},
		{tagImplantName, type1, "Implant Name"},
		{tagImplantPartNumber, type1, "Implant Part Number"},
		{tagImplantSize, type1C, "Implant Size"},
	},
	"IMPLANT ASSY": {
		{dcm.Manufacturer, type1, "Manufacturer"},
		{tagImplantAssemblyTemplateName, type1, "Implant Assembly Template Name"},
		{tagProcedureTypeCodeSequence, type1, "Procedure Type Code Sequence"},
	},
	"IMPLANT GROUP": {
		{tagImplantTemplateGroupName, type1, "Implant Template Group Name"},
		{tagImplantTemplateGroupIssuer, type1, "Implant Template Group Issuer"},
	},
	// Retired record types of retired SOP classes (PS3.3-2004 F.5).
	"OVERLAY":      {{0x00200022, type1, "Overlay Number"}},
	"CURVE":        {{0x00200024, type1, "Curve Number"}},
	"MODALITY LUT": {{0x00200026, type1, "LUT Number"}},
	"VOI LUT":      {{0x00200026, type1, "LUT Number"}},
}
