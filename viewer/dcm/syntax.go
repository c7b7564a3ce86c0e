package dcm

// Transfer syntax UIDs (PS3.6 A).
const (
	ImplicitVRLittleEndian         = "1.2.840.10008.1.2"
	ExplicitVRLittleEndian         = "1.2.840.10008.1.2.1"
	DeflatedExplicitVRLittleEndian = "1.2.840.10008.1.2.1.99"
	ExplicitVRBigEndian            = "1.2.840.10008.1.2.2"
	JPEGBaseline8Bit               = "1.2.840.10008.1.2.4.50"
	JPEGExtended12Bit              = "1.2.840.10008.1.2.4.51"
	JPEGLossless                   = "1.2.840.10008.1.2.4.57"
	JPEGLosslessSV1                = "1.2.840.10008.1.2.4.70"
	JPEGLSLossless                 = "1.2.840.10008.1.2.4.80"
	JPEGLSNearLossless             = "1.2.840.10008.1.2.4.81"
	JPEG2000Lossless               = "1.2.840.10008.1.2.4.90"
	JPEG2000                       = "1.2.840.10008.1.2.4.91"
	RLELossless                    = "1.2.840.10008.1.2.5"

	MediaStorageDirectoryStorage = "1.2.840.10008.1.3.10"
)

// Syntax describes how a transfer syntax encodes the data set.
type Syntax struct {
	UID          string
	Implicit     bool
	BigEndian    bool
	Deflated     bool
	Encapsulated bool // pixel data in fragments (compressed)
}

// SyntaxOf returns the encoding of a transfer syntax UID. Unknown UIDs are
// treated as encapsulated explicit VR little endian, as PS3.5 10 requires of
// every compressed syntax.
func SyntaxOf(uid string) Syntax {
	switch uid {
	case ImplicitVRLittleEndian:
		return Syntax{UID: uid, Implicit: true}
	case ExplicitVRLittleEndian:
		return Syntax{UID: uid}
	case DeflatedExplicitVRLittleEndian:
		return Syntax{UID: uid, Deflated: true}
	case ExplicitVRBigEndian:
		return Syntax{UID: uid, BigEndian: true}
	}
	return Syntax{UID: uid, Encapsulated: true}
}

var syntaxNames = map[string]string{
	ImplicitVRLittleEndian:         "Implicit VR Little Endian",
	ExplicitVRLittleEndian:         "Explicit VR Little Endian",
	DeflatedExplicitVRLittleEndian: "Deflated Explicit VR Little Endian",
	ExplicitVRBigEndian:            "Explicit VR Big Endian",
	JPEGBaseline8Bit:               "JPEG Baseline (Process 1)",
	JPEGExtended12Bit:              "JPEG Extended (Process 2 & 4)",
	JPEGLossless:                   "JPEG Lossless, Non-Hierarchical (Process 14)",
	JPEGLosslessSV1:                "JPEG Lossless SV1 (Process 14, Selection Value 1)",
	JPEGLSLossless:                 "JPEG-LS Lossless",
	JPEGLSNearLossless:             "JPEG-LS Near-Lossless",
	JPEG2000Lossless:               "JPEG 2000 (Lossless Only)",
	JPEG2000:                       "JPEG 2000",
	RLELossless:                    "RLE Lossless",
	"1.2.840.10008.1.2.4.201":      "High-Throughput JPEG 2000 (Lossless Only)",
	"1.2.840.10008.1.2.4.202":      "High-Throughput JPEG 2000 with RPCL (Lossless Only)",
	"1.2.840.10008.1.2.4.203":      "High-Throughput JPEG 2000",
	"1.2.840.10008.1.2.4.110":      "JPEG XL Lossless",
	"1.2.840.10008.1.2.4.111":      "JPEG XL JPEG Recompression",
	"1.2.840.10008.1.2.4.112":      "JPEG XL",
	"1.2.840.10008.1.2.4.100":      "MPEG2 Main Profile",
	"1.2.840.10008.1.2.4.102":      "MPEG-4 AVC/H.264",
}

// SyntaxName is a readable name for a transfer syntax UID (the UID itself
// when unknown).
func SyntaxName(uid string) string {
	if n, ok := syntaxNames[uid]; ok {
		return n
	}
	return uid
}
