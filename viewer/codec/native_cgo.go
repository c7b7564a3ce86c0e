//go:build cgo && linux

package codec

const (
	jpeglsWhy = ""
	j2kWhy    = ""
)
