// Package printing owns handing a document to the system's print service:
// CUPS through lp on Linux and macOS (a queue chosen in Settings, an optional
// CUPS server), the shell's "print to" verb on Windows, and, when no printer
// is set, opening the PDF in the system's viewer so staff can print it from
// there. The page size of the job is taken from the PDF itself, so a disc
// label or a receipt slip reaches the printer at its own size, unscaled.
package printing
