// Package reconcile owns the receiving practice's side of a patient's disc
// from another facility: it reads the disc (a folder with or without a
// DICOMDIR, PS3.10 files), matches its patient to local patients in the
// library by Patient ID, name and birth date, lets staff map the outside
// Patient ID (and issuer) and Accession Numbers to local ones, and writes
// coerced copies that keep the outside values in the Original Attributes
// Sequence (0400,0561) with a Modified Attributes Sequence (0400,0550),
// Attribute Modification DateTime (0400,0562), Modifying System (0400,0563),
// Source of Previous Values (0400,0564) and Reason for the Attribute
// Modification (0400,0565) "COERCE" (PS3.3 C.12.1.1.9.2). The copies are
// imported into the library, forwarded to the PACS with C-STORE when
// configured, and a receipt for the patient ("your images were received
// on ...") is recorded in the handoff log.
//
// # Caveats
//
// Coerced copies are re-encoded with viewer/dcm in Explicit VR Little Endian,
// or in their original transfer syntax when it is an encapsulated
// (compressed) one whose data set is Explicit VR Little Endian anyway; the
// SOP Instance UIDs are kept, as PS3.3 C.12.1.1.9.2 describes for coercion
// of identifiers. Text values are copied byte for byte under the file's own
// Specific Character Set.
package reconcile
