// Package demo writes DiscDesk's built-in demo library: a few synthetic
// patients with plausible headers (a phantom CT volume, an MR series, a
// radiograph, a patient name in a multi-byte character set, and a Basic Text
// SR report), generated so a newcomer sees real-looking studies without any
// outside data. Every object is a PS3.10 Part 10 file in Explicit VR Little
// Endian; UIDs are derived (PS3.5 B.2, 2.25 form) from fixed names, so
// generating twice gives the same objects.
package demo
