//go:build cgo && linux && !discviewer

package codec

const (
	jpeglsWhy = ""
	j2kWhy    = ""
	htj2kWhy  = ""
	jxlWhy    = ""
)
