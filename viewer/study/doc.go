// Package study owns the plain-Go model of what the disc viewer shows: a
// medium (a DICOMDIR file-set of PS3.10 8 and PS3.3 F.3, a folder of DICOM
// files, or an ISO 9660 image of either, ECMA-119) read into patients,
// studies, series and instances, and the Stack that loads a series' frames
// in the background into a bounded cache of decoded frames.
//
// Nothing here knows Fyne: viewer/imageview draws what this package loads.
// Files are read through an fs.FS, so a folder, a mounted disc and an ISO
// image are handled alike, and nothing is ever written to the medium.
//
// # Loading
//
// Open reads only the DICOMDIR (or, without one, each file's header up to
// the Pixel Data) so the first image can be shown quickly. A Stack then
// decodes frames in the order of their distance from the frame on screen,
// keeping at most its byte budget of decoded frames and evicting the
// farthest first; the default budget is the series' decoded size, capped.
//
// # Caveats
//
//   - A series mixing single-frame and multi-frame instances is shown as one
//     stack of every frame in instance order.
//   - The ISO reader handles ISO 9660 level 1-3 directories (not Joliet or
//     Rock Ridge names: discs written by DiscDesk use 8.3 File IDs) and
//     files recorded in one extent.
//   - SR text is a plain rendering of the Content Sequence (PS3.3 C.17.3),
//     not a template-aware layout.
package study
