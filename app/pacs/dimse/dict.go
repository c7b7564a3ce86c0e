package dimse

// queryVRs gives the VRs of the command elements and the C-FIND keys
// DiscDesk sends or reads (PS3.6 6, PS3.7 E.1), for Explicit VR encoding
// and for naming values that arrive in Implicit VR.
var queryVRs = map[Tag]string{
	T(0x0008, 0x0005): "CS", // Specific Character Set
	T(0x0008, 0x0016): "UI", // SOP Class UID
	T(0x0008, 0x0018): "UI", // SOP Instance UID
	T(0x0008, 0x0020): "DA", // Study Date
	T(0x0008, 0x0021): "DA", // Series Date
	T(0x0008, 0x0030): "TM", // Study Time
	T(0x0008, 0x0050): "SH", // Accession Number
	T(0x0008, 0x0052): "CS", // Query/Retrieve Level
	T(0x0008, 0x0054): "AE", // Retrieve AE Title
	T(0x0008, 0x0056): "CS", // Instance Availability
	T(0x0008, 0x0058): "UI", // Failed SOP Instance UID List
	T(0x0008, 0x0062): "UI", // SOP Classes in Study
	T(0x0008, 0x0060): "CS", // Modality
	T(0x0008, 0x0061): "CS", // Modalities in Study
	T(0x0008, 0x0090): "PN", // Referring Physician's Name
	T(0x0008, 0x1030): "LO", // Study Description
	T(0x0008, 0x103E): "LO", // Series Description
	T(0x0010, 0x0010): "PN", // Patient's Name
	T(0x0010, 0x0020): "LO", // Patient ID
	T(0x0010, 0x0030): "DA", // Patient's Birth Date
	T(0x0010, 0x0040): "CS", // Patient's Sex
	T(0x0020, 0x000D): "UI", // Study Instance UID
	T(0x0020, 0x000E): "UI", // Series Instance UID
	T(0x0020, 0x0010): "SH", // Study ID
	T(0x0020, 0x0011): "IS", // Series Number
	T(0x0020, 0x1206): "IS", // Number of Study Related Series
	T(0x0020, 0x1208): "IS", // Number of Study Related Instances
	T(0x0020, 0x1209): "IS", // Number of Series Related Instances
}

// DictVR returns the VR of a tag DiscDesk knows, else UN. Group 0000
// elements follow PS3.7 E.1.
func DictVR(t Tag) string {
	if vr, ok := queryVRs[t]; ok {
		return vr
	}
	if t>>16 == 0 {
		switch t {
		case tagAffectedSOPClass, tagRequestedSOPClass, tagAffectedSOPInstance, tagRequestedSOPInstance:
			return "UI"
		case tagGroupLength:
			return "UL"
		case tagMoveDestination, tagMoveOriginatorAE:
			return "AE"
		case tagErrorComment:
			return "LO"
		}
		return "US"
	}
	return "UN"
}
