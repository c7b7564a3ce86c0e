// Package ecopy owns the electronic copy of a patient's disc: the same disc
// tree (DICOMDIR, README.TXT, INDEX.HTM, IHE_PDI, viewer; PS3.10 8, PS3.12
// annex F, IHE RAD PDI) written as a ZIP or ISO file into a folder the
// patient chooses, or onto a USB stick (PS3.11 STD-GEN-USB), read back
// against the tree's digests, and recorded in the handoff log like a disc
// (format, destination, manifest hash). The command line (discdesk copy) and
// the desk's "Electronic copy" screen both call it.
//
// # Caveats
//
// A file target is made 0600 after writing, since the patient's folder may be
// synced (OneDrive, iCloud) or shared. When a plan needs several trees the
// targets are numbered (copy_1.zip, copy_2.zip); a ZIP or a stick has no
// fixed size, so this only happens for plans made for smaller media.
package ecopy
