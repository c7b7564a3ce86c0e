// Package codec owns the decoding of one compressed DICOM frame into stored
// sample values: RLE Lossless (PS3.5 Annex G), JPEG Baseline and Extended
// (PS3.5 A.4.1, ITU-T T.81 processes 1, 2 and 4), JPEG Lossless (process 14,
// all seven predictors), and, in the cgo build on Linux, JPEG-LS (PS3.5 A.4.3,
// CharLS), JPEG 2000 (PS3.5 A.4.4) and High-Throughput JPEG 2000 (ISO/IEC
// 15444-15) with OpenJPEG 2.5, and JPEG XL (ISO/IEC 18181) with libjxl.
//
// A decoder takes the concatenated fragments of one frame and a Params value
// (rows, columns, samples, bits allocated) and returns the frame as native
// pixel data would hold it: little-endian samples of BitsAllocated bits,
// colour-by-pixel (Planar Configuration 0), Rows x Columns x SamplesPerPixel
// samples. No colour transform is applied: a JPEG in YBR_FULL_422 comes back
// as full-resolution Y, Cb, Cr samples, upsampled exactly as IJG libjpeg
// (and so DCMTK) does; JPEG 2000 applies its own RCT/ICT inverse, so its
// output is RGB. The render package turns the samples into an image.
//
// The JPEG decoders are pure Go and bit-exact: the lossless decoder against
// dcmdjpeg, the DCT decoder against libjpeg's integer IDCT (JDCT_ISLOW) with
// its range limiting and fancy upsampling.
//
// # Which build decodes what
//
// Every build: native data, RLE Lossless, JPEG Baseline, Extended (8 and 12
// bit) and Lossless (.57 and .70). Linux with cgo (the desk, Debian packages
// libcharls-dev and libopenjp2-7-dev): also JPEG-LS (.80, .81), JPEG 2000
// (.90, .91), HTJ2K (.201, .202, .203; lossless bit-exact against
// OpenJPH's ojph_expand) and JPEG XL (.110, .112 through libjxl; .111, JPEG
// recompression, rebuilds the original JPEG and decodes it with this
// package's JPEG decoder, so its samples are the JPEG's). Other builds (the disc viewers, tag discviewer)
// return ErrUnsupportedSyntax for these; the burner transcodes them on the
// desk before they reach a disc, or keeps them only under a profile that
// allows them.
//
// # Caveats
//
// Progressive and arithmetic-coded JPEG, hierarchical JPEG and video
// syntaxes are not decoded: they return ErrUnsupportedSyntax or
// ErrUnsupportedEncoding, never a guessed image. Corrupt input returns
// ErrCorrupt; a decoded frame of the wrong size returns ErrFrameSize.
package codec
