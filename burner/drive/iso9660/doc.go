// Package iso9660 reads ISO 9660 images (ECMA-119 2nd edition, the file
// system of a CD patient disc per DICOM PS3.12 Annex F): the primary volume
// descriptor (8.4), an optional Joliet supplementary descriptor (8.5), the
// type L path table (9.4) and the directory records (9.1), and streams each
// file's bytes from its extent.
//
// An Image is an fs.FS whose names are the ISO 9660 identifiers with the
// version (";1") and a bare trailing dot removed, so "/DICOM/I1.;1" is opened
// as "DICOM/I1". Check re-runs the disc's name rules on what was read.
//
// The whole directory hierarchy is read when the image is opened, with
// limits on depth, entry count and directory size, and each directory extent
// at most once, so a hostile or damaged image cannot loop or exhaust memory.
// Caveats: multi-extent files, interleaved files and extended attribute
// records are refused; Rock Ridge entries are ignored.
package iso9660
