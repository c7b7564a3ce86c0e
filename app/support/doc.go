// Package support owns the "report a problem" bundle: a ZIP file, written
// 0600 into the data folder, with a capture of every screen (through
// github.com/kbinani/screenshot: X11 on Linux, GDI on Windows), the desk's
// recent log lines, and a note from the person reporting.
//
// Screens show patients' names and images, so a bundle may contain patient
// data: Warning is the sentence the desk shows before it writes one, and the
// bundle's own ABOUT.TXT repeats it. The logs themselves carry no patient
// data (team rule), only what the desk did.
//
// It is a domain package: it never imports Fyne.
package support
