// Package layers holds the test that keeps DiscDesk's layers apart
// (ARCHITECTURE.md): burner and viewer never import app, viewer never imports
// burner, and decoding, rendering, DICOMDIR, the library and the handoff log
// never import Fyne.
package layers
