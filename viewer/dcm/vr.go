package dcm

// VR is a two-letter value representation (PS3.5 6.2).
type VR string

// longVR reports whether explicit VR encoding gives the VR a 2-byte reserved
// field and a 4-byte length (PS3.5 7.1.2).
func (v VR) longVR() bool {
	switch v {
	case "OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV":
		return true
	}
	return false
}

// Text reports whether values of this VR are character strings affected by
// Specific Character Set (PS3.5 6.1.2.3).
func (v VR) Text() bool {
	switch v {
	case "SH", "LO", "ST", "LT", "UT", "PN", "UC":
		return true
	}
	return false
}

// String-like VRs whose values are padded with spaces (or NUL for UI).
func (v VR) stringLike() bool {
	switch v {
	case "AE", "AS", "CS", "DA", "DS", "DT", "IS", "LO", "LT", "PN", "SH", "ST", "TM", "UC", "UI", "UR", "UT":
		return true
	}
	return false
}

// swapSize is the unit whose bytes are reversed between little and big
// endian (0 = byte data, no swap).
func (v VR) swapSize() int {
	switch v {
	case "US", "SS", "OW", "AT":
		return 2
	case "UL", "SL", "FL", "OF", "OL":
		return 4
	case "FD", "OD", "SV", "UV", "OV":
		return 8
	}
	return 0
}

func validVR(b0, b1 byte) bool {
	return b0 >= 'A' && b0 <= 'Z' && b1 >= 'A' && b1 <= 'Z'
}
