//go:build !(cgo && linux) || discviewer

package codec

// Builds without cgo on Linux, and the disc viewers (tag discviewer), have
// no CharLS, OpenJPEG or libjxl: the registry reports these syntaxes as
// unsupported, with the reason of why_other.go or why_discviewer.go.
var (
	decodeJPEGLS             DecodeFunc
	decodeJPEG2000           DecodeFunc
	decodeJPEGXL             DecodeFunc
	decodeJPEGXLRecompressed DecodeFunc
)
