// Package cupstest owns the real CUPS scheduler tests start for
// themselves: cupsd in the foreground with its own configuration, spool,
// logs and socket in a temp folder, and cups-pdf virtual printers that write
// what they print into the temp folder too. cups-pdf reads its settings
// from one fixed path, so cupsd runs in a private mount namespace in which
// that path is the test's file: the machine's CUPS and cups-pdf are never
// touched. Linux only, as root (cupsd and the bind mount need it).
package cupstest
