// Package fonts embeds the TrueType fonts that DiscDesk's PDF documents use
// for text beyond cp1252 (names in Greek, Cyrillic, Turkish, Vietnamese, ...):
// DejaVu Sans regular and bold, under the Bitstream Vera licence in
// LICENSE.txt beside them. DejaVu Sans has no CJK glyphs.
package fonts

import _ "embed"

// DejaVuSans is DejaVuSans.ttf (version 2.37).
//
//go:embed DejaVuSans.ttf
var DejaVuSans []byte

// DejaVuSansBold is DejaVuSans-Bold.ttf (version 2.37).
//
//go:embed DejaVuSans-Bold.ttf
var DejaVuSansBold []byte
