// Package packaging holds no code of the desk: it is the home of the
// scripts that build and package DiscDesk (build-viewer.sh for the disc
// viewer binaries every disc carries, package-linux.sh for the tar.xz and
// .deb, package-windows.sh for the Windows zip, make-deb.sh) and of the
// tests that check what they make: that a disc authored after packaging
// carries the viewer (IHE RAD PDI: a viewer that runs from the medium
// without installation) and that the Linux viewer starts from a read-only
// copy of the disc under Xvfb and writes nothing to it, and that the .deb
// has the layout and desktop entry the desk expects.
//
// # Caveats
//
// The viewer test runs build-viewer.sh for Linux only (the Windows
// cross-build takes minutes and cannot be run here: Debian's wine cannot
// start Go 1.26 binaries). It relies on the Go build cache: the first run
// on a machine builds Fyne with cgo (minutes), later runs take seconds.
package packaging
