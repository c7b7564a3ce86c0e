//go:build discviewer

package codec

// The disc viewers carry no codec libraries: what they cannot decode is
// said on screen in words a patient can act on (the viewer shows the
// error's text, which names the syntax and its UID).
const (
	viewerWhy = "this disc viewer cannot show images stored this way; open the disc with another DICOM viewer, or ask for a disc in the uncompressed standard (STD-GEN-CD)"
	jpeglsWhy = viewerWhy
	j2kWhy    = viewerWhy
	htj2kWhy  = viewerWhy
	jxlWhy    = viewerWhy
)
