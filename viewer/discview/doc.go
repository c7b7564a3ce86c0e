// Package discview owns the disc viewer program that ships on every disc
// (IHE RAD PDI, IHE Basic Image Review baseline): it opens the DICOMDIR of
// the medium it was started from (PS3.10 8), or a folder, ISO image or
// DICOMDIR named on the command line, lists patients, studies and series,
// and shows them in one or two viewer panes with synchronised scrolling,
// window/level, measurement and cine.
//
// It runs from read-only media without installation: it writes nothing
// beside its executable (Fyne's preferences and storage go to the user's
// configuration folder under the app ID), and documents opened in the
// system's viewer are copied to the user's temporary folder. It imports no
// desk code (app/, burner/); a layer test checks this.
package discview
