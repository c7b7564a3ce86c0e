package pdftext

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"unicode"

	"golang.org/x/image/font/sfnt"

	"discdesk/assets/fonts"
)

// The documents draw every string in runs, one font per run: DejaVu Sans
// (embedded in the program, so Latin, Greek, Cyrillic and the rest of
// Europe always print) and, for what DejaVu lacks (Chinese, Japanese,
// Korean), a TrueType CJK font read from the system. fpdf embeds only the
// glyphs a document uses (a subset), so a letter with a Japanese name stays
// around 20 kB. A character no font has prints as U+FFFD and is reported by
// MissingGlyphs, never as a silent box.
//
// Why a system font and not one in the repository: a CJK font is 4 to
// 20 MB, too big for the repository and the binary. Why TrueType: fpdf
// embeds TrueType (glyf) outlines only; Noto Sans CJK (fonts-noto-cjk) is
// CFF-flavoured OpenType, which fpdf and gopdf cannot embed, so Debian's
// fonts-droid-fallback (Droid Sans Fallback, Apache-2.0, TrueType, covers
// Hanzi/Kanji, Kana and Hangul) is the first choice on Linux.

// textFont is one font a run can be set in.
type textFont struct {
	key  string // fpdf family key: lower(PostScript name)+"sub", see tagSubsets
	ps   string // PostScript name
	data []byte
	sf   *sfnt.Font
}

func (f *textFont) has(r rune) bool {
	var buf sfnt.Buffer
	g, err := f.sf.GlyphIndex(&buf, r)
	return err == nil && g != 0
}

func loadFont(ps string, data []byte) (*textFont, error) {
	sf, err := sfnt.Parse(data)
	if err != nil {
		return nil, err
	}
	return &textFont{key: strings.ToLower(ps) + "sub", ps: ps, data: data, sf: sf}, nil
}

var (
	baseOnce       sync.Once
	regular, bold  *textFont
	cjkOnce        sync.Once
	cjk            []*textFont       // in order of preference
	cjkFontPaths   = defaultCJKPaths // tests replace it
	cjkFontProblem error
)

func baseFonts() (*textFont, *textFont) {
	baseOnce.Do(func() {
		var err error
		if regular, err = loadFont("DejaVuSans", fonts.DejaVuSans); err != nil {
			panic("pdftext: embedded DejaVuSans.ttf: " + err.Error())
		}
		if bold, err = loadFont("DejaVuSans-Bold", fonts.DejaVuSansBold); err != nil {
			panic("pdftext: embedded DejaVuSans-Bold.ttf: " + err.Error())
		}
	})
	return regular, bold
}

// defaultCJKPaths lists TrueType-outline fonts with CJK glyphs, most
// preferred first, for this platform. DISCDESK_CJK_FONT names one to use
// instead (a .ttf with glyf outlines).
func defaultCJKPaths() []string {
	var p []string
	if env := os.Getenv("DISCDESK_CJK_FONT"); env != "" {
		p = append(p, env)
	}
	switch runtime.GOOS {
	case "windows":
		dir := filepath.Join(os.Getenv("WINDIR"), "Fonts")
		p = append(p, filepath.Join(dir, "msyh.ttc"), filepath.Join(dir, "msgothic.ttc"), filepath.Join(dir, "malgun.ttf"))
	case "darwin":
		p = append(p, "/Library/Fonts/Arial Unicode.ttf", "/System/Library/Fonts/Supplemental/Arial Unicode.ttf")
	default:
		// DroidSansFallback has Hangul syllables, the Full one lacks them
		// but has more Han characters.
		p = append(p, "/usr/share/fonts-droid-fallback/truetype/DroidSansFallback.ttf",
			"/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
			"/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")
	}
	return p
}

// cjkFonts returns the system CJK fonts found, or none when none of the
// known ones is installed (or usable); CJKFontProblem then says why.
func cjkFonts() []*textFont {
	cjkOnce.Do(func() {
		var tried []string
		for _, path := range cjkFontPaths() {
			data, err := os.ReadFile(path)
			if err != nil {
				if !os.IsNotExist(err) {
					tried = append(tried, fmt.Sprintf("%s: %v", path, err))
				}
				continue
			}
			if data, err = firstTrueType(data); err != nil {
				tried = append(tried, fmt.Sprintf("%s: %v", path, err))
				continue
			}
			sf, err := sfnt.Parse(data)
			if err != nil {
				tried = append(tried, fmt.Sprintf("%s: %v", path, err))
				continue
			}
			ps, _ := sf.Name(nil, sfnt.NameIDPostScript)
			ps = pdfName(ps)
			if ps == "" {
				ps = "CJKFallback"
			}
			cjk = append(cjk, &textFont{key: strings.ToLower(ps) + "sub", ps: ps, data: data, sf: sf})
		}
		if len(cjk) > 0 {
			return
		}
		msg := "pdftext: no CJK font installed (on Debian: apt install fonts-droid-fallback); Chinese, Japanese and Korean text prints as \uFFFD"
		if len(tried) > 0 {
			msg += "; unusable: " + strings.Join(tried, "; ")
		}
		cjkFontProblem = fmt.Errorf("%s", msg)
	})
	return cjk
}

// CJKFontProblem is nil when documents can print Chinese, Japanese and
// Korean, else it says which font to install.
func CJKFontProblem() error {
	cjkFonts()
	return cjkFontProblem
}

// MissingGlyphs returns the characters of the texts that no available font
// can draw (they print as U+FFFD), each once, in order; nil when every
// character prints. The desk shows these with CJKFontProblem before
// printing.
func MissingGlyphs(texts ...string) []rune {
	var out []rune
	seen := map[rune]bool{}
	for _, s := range texts {
		for _, r := range s {
			if _, ok := fontFor(r); !ok && !seen[r] {
				seen[r] = true
				out = append(out, r)
			}
		}
	}
	return out
}

// fontFor picks the font of a rune: nil for DejaVu when it has the glyph,
// else the first CJK font that does; ok is false when none does.
func fontFor(r rune) (cjk *textFont, ok bool) {
	if r > 0xFFFF {
		// fpdf's UTF-8 fonts address the Basic Multilingual Plane only
		// (an index beyond it panics inside fpdf).
		return nil, false
	}
	reg, _ := baseFonts()
	if unicode.IsSpace(r) || reg.has(r) {
		return nil, true
	}
	for _, c := range cjkFonts() {
		if c.has(r) {
			return c, true
		}
	}
	return nil, false
}

// pdfName keeps the characters a PDF name and a font key may carry.
func pdfName(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r < 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_') {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// firstTrueType returns data when it is a TrueType font, or the first face
// of a TrueType collection rebuilt as a standalone font; fonts with CFF
// outlines are refused (fpdf cannot embed them).
func firstTrueType(data []byte) ([]byte, error) {
	be32 := func(b []byte, off int) uint32 {
		return uint32(b[off])<<24 | uint32(b[off+1])<<16 | uint32(b[off+2])<<8 | uint32(b[off+3])
	}
	if len(data) < 12 {
		return nil, fmt.Errorf("not a font (%d bytes)", len(data))
	}
	switch string(data[:4]) {
	case "\x00\x01\x00\x00", "true":
		return data, nil
	case "OTTO":
		return nil, fmt.Errorf("CFF outlines (OpenType/PostScript); a TrueType font is needed")
	case "ttcf":
	default:
		return nil, fmt.Errorf("not a TrueType font")
	}
	if be32(data, 8) == 0 || len(data) < 16 {
		return nil, fmt.Errorf("empty font collection")
	}
	off := int(be32(data, 12))
	if off+12 > len(data) {
		return nil, fmt.Errorf("font collection: face offset %d beyond the file", off)
	}
	if string(data[off:off+4]) == "OTTO" {
		return nil, fmt.Errorf("CFF outlines (OpenType/PostScript); a TrueType font is needed")
	}
	n := int(data[off+4])<<8 | int(data[off+5])
	if off+12+16*n > len(data) {
		return nil, fmt.Errorf("font collection: table directory beyond the file")
	}
	var out bytes.Buffer
	out.Write(data[off : off+12])
	dir := make([]byte, 16*n)
	copy(dir, data[off+12:off+12+16*n])
	pos := 12 + 16*n
	var body bytes.Buffer
	for i := 0; i < n; i++ {
		e := dir[16*i:]
		toff, tlen := int(be32(e, 8)), int(be32(e, 12))
		if toff < 0 || tlen < 0 || toff+tlen > len(data) {
			return nil, fmt.Errorf("font collection: table beyond the file")
		}
		newOff := pos + body.Len()
		e[8], e[9], e[10], e[11] = byte(newOff>>24), byte(newOff>>16), byte(newOff>>8), byte(newOff)
		body.Write(data[toff : toff+tlen])
		for body.Len()%4 != 0 {
			body.WriteByte(0)
		}
	}
	out.Write(dir)
	out.Write(body.Bytes())
	return out.Bytes(), nil
}

// tagSubsets gives every embedded font its subset tag (PDF 32000-1
// 9.6.4: six upper-case letters and "+"), which fpdf leaves out: fpdf
// names a font "utf8"+key and key is lower(PostScript name)+"sub", so
// "TAGTAG+"+PostScript name has the same length and the xref offsets stay
// right. The tag comes from the document's bytes: the same document gets
// the same tag.
func tagSubsets(pdf []byte, used []*textFont) []byte {
	sum := sha256.Sum256(pdf)
	for i, f := range used {
		old := []byte("/utf8" + f.key)
		var tag [6]byte
		for j := range tag {
			tag[j] = 'A' + sum[(i*6+j)%len(sum)]%26
		}
		pdf = bytes.ReplaceAll(pdf, old, []byte("/"+string(tag[:])+"+"+f.ps))
	}
	return pdf
}
