// Package disc owns the authoring of a patient disc: it turns a study's
// instance files, its report, the facility's details and the media options
// into a Plan (File IDs per PS3.10 8.2 and PS3.11 D, which objects are copied
// byte for byte and which are transcoded to Explicit VR Little Endian for
// STD-GEN-CD, the generated files of the IHE RAD PDI profile, the size and
// how many discs), and materialises a plan as burner.Tree values that
// burner/drive writes to a drive, an ISO 9660 level 1 image (PS3.12 F), a
// folder or a USB stick.
//
// # Flow
//
//	plan, err := disc.NewPlan(ctx, disc.Input{Files: paths, Names: imported, Facility: f}, disc.Options{Media: disc.CD})
//	// err may be MissingKeys: every missing or invalid DICOMDIR key at once;
//	// staff give Options.Supplied values (per file or for all) and plan again.
//	// show plan.Warnings; staff acknowledge the ones that need it:
//	plan.Acknowledge(disc.WarnNoReport, "staff name")
//	trees, err := plan.Build(ctx, nil) // one burner.Tree per disc
//	d, err := drive.Open("iso:disc.iso", drive.Options{}) // or a drive, dir:, usb:
//	err = d.Burn(ctx, trees[0], nil)
//
// Messages name what staff know (Object.Describe): the file they imported
// (Input.Names, by library path), its series and its study, never the
// library's own object path. A supplied value that replaces one in an
// object keeps the old value in the object's Original Attributes Sequence.
// Rewritten objects carry no group lengths, and their lossy history stays
// true (one Lossy Image Compression Ratio per Method, for compressions that
// happened).
//
// Library files are never copied before burning: a Tree refers to them in
// place (burner.File.Source). Transcoded objects are written once to the
// plan's work folder; DICOMDIR, README.TXT and the web pages are held in
// memory. The SHA-256 of every file is in the Tree; Manifest renders it for
// the handoff log.
//
// # Caveats
//
// A study too large for one medium becomes several complete, independent
// discs ("disc n of m"); a series is never split, so a single series larger
// than the medium is refused (ErrSeriesTooLarge). Objects whose pixel data
// this build cannot decode (see viewer/codec) are refused for STD-GEN-CD
// rather than put on the disc in a syntax the profile forbids.
package disc
