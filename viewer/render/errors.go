package render

import "errors"

// Sentinel errors; callers test them with errors.Is.
var (
	// ErrUnsupported: the image uses a photometric interpretation or a
	// sample layout this package does not render.
	ErrUnsupported = errors.New("render: unsupported image")
	// ErrBadDescription: the pixel description is inconsistent (zero rows,
	// bits stored above bits allocated, a palette or LUT that is too short).
	ErrBadDescription = errors.New("render: invalid pixel description")
	// ErrShortFrame: the frame holds fewer bytes than Rows x Columns x
	// Samples x Bits Allocated / 8.
	ErrShortFrame = errors.New("render: frame shorter than the image description")
	// ErrNoFrame: the requested frame number does not exist.
	ErrNoFrame = errors.New("render: no such frame")
	// ErrNoPixels: the data set has no pixel data (or only float pixel data).
	ErrNoPixels = errors.New("render: no pixel data")
)
