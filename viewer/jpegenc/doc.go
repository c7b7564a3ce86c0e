// Package jpegenc owns DiscDesk's JPEG writer for 8-bit greyscale images: a
// baseline sequential DCT encoder (ITU-T T.81 | ISO/IEC 10918-1, process of
// Annex F.1.1 with the example quantisation table of Annex K.1 scaled by
// quality as the IJG library does, and the typical Huffman tables of Annex
// K.3), in a JFIF 1.01 file (ECMA TR/98). It turns rendered DICOM frames
// into the JPEGs of disc web pages, thumbnails and exports.
//
// It is the hot path of rendering a study to JPEG, so it is built for speed:
// an integer forward DCT after Arai, Agui and Nakajima (the AAN scale
// factors folded into precomputed quantisation reciprocals, so quantising is
// a multiply and a shift), a shortcut for flat blocks (common in the black
// surround of a CT slice), Huffman codes and their extra bits emitted in one
// step through a 64-bit bit buffer, and an Encoder that keeps its output
// buffer between images, so encoding allocates nothing after warm-up.
//
// # Caveats
//
// Only *image.Gray is accepted (colour images go to image/jpeg). No restart
// markers, no optimised Huffman tables, no progressive mode. The output is a
// valid baseline JPEG for any size from 1x1 to 65535x65535, but it is not
// byte-identical to image/jpeg's; the tests compare decoded pixels.
package jpegenc
