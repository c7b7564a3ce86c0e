package dcm

import (
	"bytes"
	"compress/flate"
	"fmt"
	"io"
)

// InflateDataSet inflates a data set of the Deflated Explicit VR Little
// Endian transfer syntax (PS3.5 A.5: raw deflate of RFC 1951, no zlib
// header) held in memory. More than limit inflated bytes fail with
// ErrInflateLimit, so a small input cannot make it allocate gigabytes.
func InflateDataSet(b []byte, limit int64) ([]byte, error) {
	r := &limitReader{r: flate.NewReader(bytes.NewReader(b)), limit: limit}
	var out bytes.Buffer
	if _, err := io.Copy(&out, r); err != nil {
		return nil, fmt.Errorf("inflate data set: %w", err)
	}
	return out.Bytes(), nil
}

// DeflateDataSet compresses an Explicit VR Little Endian data set for the
// Deflated Explicit VR Little Endian transfer syntax (PS3.5 A.5).
func DeflateDataSet(b []byte) []byte {
	var out bytes.Buffer
	w, _ := flate.NewWriter(&out, flate.DefaultCompression) // the level is valid
	w.Write(b)                                              // a bytes.Buffer does not fail
	w.Close()
	return out.Bytes()
}
