//go:build !(cgo && linux) || discviewer

package codec

// Builds without cgo on Linux (the Windows disc viewer) have no CharLS or
// OpenJPEG: the registry reports these syntaxes as unsupported.
var (
	decodeJPEGLS             DecodeFunc
	decodeJPEG2000           DecodeFunc
	decodeJPEGXL             DecodeFunc
	decodeJPEGXLRecompressed DecodeFunc
)

const (
	jpeglsWhy = "JPEG-LS needs the cgo build with CharLS (Linux desk)"
	j2kWhy    = "JPEG 2000 needs the cgo build with OpenJPEG (Linux desk)"
	htj2kWhy  = "HTJ2K needs the cgo build with OpenJPEG 2.5 (Linux desk)"
	jxlWhy    = "JPEG XL needs the cgo build with libjxl (Linux desk)"
)
