// Package render owns the display pipeline of DICOM pixels (PS3.3 C.11 and
// PS3.4 N.2): stored values through the Modality LUT (Rescale Slope and
// Intercept or a Modality LUT Sequence, C.11.1), the VOI LUT (Window Center
// and Width with the LINEAR, LINEAR_EXACT and SIGMOID functions of
// C.11.2.1.2-3, or a VOI LUT Sequence), the Presentation LUT Shape and
// MONOCHROME1 inversion, to an 8-bit image.Image; colour images in RGB,
// YBR_FULL, YBR_FULL_422, YBR_RCT, YBR_ICT and PALETTE COLOR (C.7.6.3,
// segmented palettes C.7.9.2). It also makes thumbnails and PNG/JPEG
// exports of a frame.
//
// A Description carries what the pipeline needs from the Image Pixel,
// Modality LUT and VOI LUT modules, so rendering does not depend on the
// parser; Describe and Frame build it and extract frame N from a viewer/dcm
// data set (native or encapsulated, decoded through viewer/codec).
//
// Grey rendering goes through a table over every stored value (at most
// 2^16 entries) built once per window, so window/level of a frame is one
// table lookup per pixel and allocates nothing when the caller reuses the
// destination image (Renderer.RenderGrayInto). The results match DCMTK's
// dcmj2pnm to within one grey level (see the comparison test).
//
// # Caveats
//
// YBR_PARTIAL_420/422 and Bits Allocated other than 8 and 16 are not
// rendered (ErrUnsupported). Float pixel data is not supported. Overlays,
// shutters and presentation states are not applied.
package render
