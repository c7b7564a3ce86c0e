//go:build !(cgo && linux) && !discviewer

package codec

// Why a desk build without cgo on Linux decodes no JPEG-LS, JPEG 2000,
// HTJ2K or JPEG XL.
const (
	jpeglsWhy = "JPEG-LS needs the cgo build with CharLS (Linux desk)"
	j2kWhy    = "JPEG 2000 needs the cgo build with OpenJPEG (Linux desk)"
	htj2kWhy  = "HTJ2K needs the cgo build with OpenJPEG 2.5 (Linux desk)"
	jxlWhy    = "JPEG XL needs the cgo build with libjxl (Linux desk)"
)
