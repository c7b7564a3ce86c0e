// Package drive owns the write targets of a patient disc: optical drives
// (xorriso on Linux, drutil/hdiutil on macOS, IMAPI2 on Windows), ISO and ZIP
// files, folders and USB sticks, behind one Drive interface; and the read-back
// verification that proves what was written (PS3.12 media rules: ISO 9660
// level 1 names, volume identifier = File-set ID, every file against the
// manifest's SHA-256).
//
// A target is named by a spec string, the value of `--drive`:
//
//	/dev/sr0 (or the platform's device name)  an optical drive
//	stdio:FILE   xorriso's pseudo-drive: the same code path as a real drive, a real ISO
//	iso:FILE     an ISO image file (written through xorriso into a private hidden
//	             .FILE.partial beside it, renamed into place when complete)
//	zip:FILE     the disc's tree as a ZIP archive (private temporary file, renamed
//	             into place when complete), for patients without an optical drive
//	dir:PATH     a folder, written with the disc's tree
//	usb:PATH     a mounted USB stick (FAT32, STD-GEN-USB: the same tree in its root)
//
// Every backend refuses media that is not blank or is too small before it
// writes a byte (CheckMedia), reports progress through a ProgressFunc, stops
// when its context is cancelled, and holds a per-device lock so a second job
// on a busy drive fails at once with ErrBusy. Failures wrap a sentinel from
// errors.go; Message turns any of them into one plain sentence for staff.
//
// Verification never reads staging files: it reads the written image (or
// folder) back through the iso9660 package and fs.FS, hashes every file,
// looks for missing and extra files and re-runs the level 1 name checks on
// the names actually read.
//
// Caveats: the macOS and Windows backends are built and vetted everywhere and
// unit-tested on the commands and scripts they build and on recorded outputs,
// but have not run against real hardware. macOS builds a temporary image with
// hdiutil before burning (there is no streaming writer); Windows stages hard
// links (or copies) for IMAPI2's AddTree and reports phases without
// percentages.
package drive
