// Package dcm owns DICOM Part 10 files as DiscDesk reads and writes them: the
// preamble and File Meta Information (PS3.10 7.1), data elements in every
// standard transfer syntax (PS3.5 7, A.1-A.5: implicit and explicit VR, little
// and big endian, deflated, encapsulated pixel data), sequences of defined and
// undefined length, and Specific Character Set decoding (PS3.5 6.1, including
// the ISO 2022 code extensions of PS3.3 C.12.1.1.2).
//
// Parsing keeps each value's raw bytes, so a file can be copied or re-encoded
// byte for byte, and decodes text only when asked. Every length is checked
// against what remains of the input: a corrupt or hostile file gives an error
// naming the element and the offset, never a panic or a huge allocation.
// An end of file inside an item or a sequence is ErrTruncated, even at an
// element boundary; zero bytes after the last element are padding, accepted
// and counted in File.Padding (as dcmtk, GDCM and pydicom accept them). A
// deflated data set, whose size is unknown until inflated, is bounded in
// what it inflates (MaxInflated, InflateBudget) and in the bytes of values
// it may hold in memory (DefaultMaxHeld): ErrInflateLimit, not gigabytes.
// CheckUID checks a UID against PS3.5 9.1.
//
// Beside whole files, it reads and writes bare data sets in a given
// transfer syntax, as the network carries them (PS3.7 6.3.1, 9.3): Scanner
// walks the elements of an encoded set in memory without copying or
// allocating, checking every length and nested item (PS3.5 7.1, 7.5);
// AppendElement writes one element in Implicit or Explicit VR, either byte
// order (PS3.5 7.1.2, 7.1.3, 7.3); InflateDataSet and DeflateDataSet handle
// the deflated syntax (PS3.5 A.5). DIMSE command sets and identifiers go
// through them, so the desk has one element walker.
//
// PersonName and FormatDate show PN and DA values as staff read them
// ("Yamada^Tarou" -> "Yamada, Tarou", "20170716" -> "2017-07-16"); every
// screen, disc text and message uses them.
//
// The package knows nothing of pixels beyond where the Pixel Data element and
// its fragments lie; viewer/codec and viewer/render decode them.
package dcm
