package dimse

import "discdesk/viewer/dcm"

// DictVR returns the VR of a tag: group 0000 elements as PS3.7 E.1 gives
// them, others from viewer/dcm's dictionary (PS3.6), UN when unknown.
func DictVR(t Tag) string {
	if t>>16 != 0 {
		return string(dcm.DictVR(t))
	}
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
