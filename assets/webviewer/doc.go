// Package webviewer embeds the browser viewer a patient disc carries in
// VIEWER/WEB: a page (VIEWER.HTM), its script (VIEWER.JS) and its style
// (VIEWER.CSS), plain JavaScript with no dependencies and no build step,
// that opens the disc's images from file:// with no network, in any
// current browser (Chromium, Chrome, Edge, Firefox, Safari).
//
// # Data
//
// Browsers refuse fetch and XHR on file://, and a canvas that drew a
// file:// image is tainted, so the burner (burner/disc, webviewer*.go)
// delivers the pixels as classic scripts the page adds with <script src>:
//
//   - DATA/INDEX.JS calls DDV.index({...}): patients, studies, series, one
//     entry per frame with the attributes the annotations, the window, the
//     measurements and the orientation markers need, and the reports as
//     text or SR content trees with the reading radiologist.
//   - DATA/Snnnbbbb.JS (series nnn, batch bbbb, about 1 MB each) call
//     DDV.batch(key, batch, [frame, ...]). A frame is its stored values
//     (Bits Stored and High Bit applied, sign-extended) minus a predictor
//     (the sample to the left, or above at a row start), 16-bit
//     differences zigzag-coded in one to three bytes, deflated in zlib
//     format and base64-encoded. The page inflates with DecompressionStream
//     ("deflate"), or its own inflate where that is missing, and adds the
//     predictor back: the values are the DICOM's, bit for bit. Colour
//     images carry R, G, B bytes (YBR converted as viewer/render does).
//     The middle image of a series (the one shown first, and its
//     thumbnail) has a batch of its own, so the first image waits for one
//     small file.
//
// # Speed and memory
//
// The page draws through a 32-bit look-up table per window (one load and
// one store a pixel, putImageData), decodes the four images ahead in the
// scrolling direction one at a time, and loads the remaining batches in
// the background. It keeps decoded values up to 128 MB (the image decoded
// longest ago that no tile shows goes, and decodes again from its text).
//
// When the data would cost the plan another disc, the burner writes only
// the index with mode "picker": the page then asks once for the disc
// folder (<input webkitdirectory>) and reads DICOMDIR and the DICOM files
// itself (Explicit and Implicit VR Little Endian, native pixel data: what
// a STD-GEN-CD disc holds).
//
// # Caveats
//
// VOI LUT sequences and presentation states are not applied (the stored
// windows and the modality presets are offered); PALETTE COLOR images are
// shown through the Go renderer's RGB. DDV.test exposes what the page holds
// for the disc tests; it changes nothing.
package webviewer
