package codec

import "errors"

// Sentinel errors. Decoders wrap them with the syntax and the detail.
var (
	// ErrUnsupportedSyntax: no decoder for this transfer syntax in this build.
	// The wrapping message names the syntax and its UID.
	ErrUnsupportedSyntax = errors.New("codec: unsupported transfer syntax")
	// ErrUnsupportedEncoding: the syntax is known but this bit stream uses a
	// feature the decoder lacks (progressive or arithmetic JPEG, subsampled
	// lossless components, more than 16 bits).
	ErrUnsupportedEncoding = errors.New("codec: unsupported encoding in frame")
	// ErrCorrupt: the compressed frame is malformed or truncated.
	ErrCorrupt = errors.New("codec: corrupt compressed frame")
	// ErrFrameSize: the frame's geometry does not match Params (wrong size,
	// wrong number of components, precision above Bits Allocated).
	ErrFrameSize = errors.New("codec: decoded frame does not match the image description")
	// ErrParams: Params itself is impossible (zero rows, bits allocated not
	// 8 or 16, a frame too large to allocate).
	ErrParams = errors.New("codec: invalid image description")
)
