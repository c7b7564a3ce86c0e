package dcm

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// A Charset decodes text values under a Specific Character Set (0008,0005),
// including the ISO 2022 code extension techniques of PS3.5 6.1.2.5 and the
// Japanese, Korean and Chinese multi-byte sets of PS3.3 C.12.1.1.2.
type Charset struct {
	Terms   []string // the defined terms as written
	iso2022 bool
	g0, g1  set // initial designations
	single  set // the one set of a non-ISO 2022 charset
}

type set int

const (
	setASCII    set = iota // ISO IR 6
	setLatin1              // single-byte sets of ISO 8859 and friends, decoded by charmap
	setRomaji              // JIS X 0201 G0
	setKatakana            // JIS X 0201 G1
	setJIS0208             // ISO IR 87, two bytes in G0
	setJIS0212             // ISO IR 159, two bytes in G0
	setKSX1001             // ISO IR 149, two bytes in G1
	setGB2312              // ISO IR 58, two bytes in G1
	setUTF8                // ISO IR 192
	setGB18030             // GB18030
	setGBK                 // GBK
	setCharmap             // see Charset.cm (set at designation time)
)

var defaultCharset = &Charset{}

// single-byte G1 sets by defined term and by escape final byte
var charmaps = map[string]*charmap.Charmap{
	"ISO_IR 100": charmap.ISO8859_1, "ISO_IR 101": charmap.ISO8859_2, "ISO_IR 109": charmap.ISO8859_3,
	"ISO_IR 110": charmap.ISO8859_4, "ISO_IR 144": charmap.ISO8859_5, "ISO_IR 127": charmap.ISO8859_6,
	"ISO_IR 126": charmap.ISO8859_7, "ISO_IR 138": charmap.ISO8859_8, "ISO_IR 148": charmap.ISO8859_9,
	"ISO_IR 203": charmap.ISO8859_15, "ISO_IR 166": charmap.Windows874,
}

var escCharmaps = map[byte]*charmap.Charmap{
	'A': charmap.ISO8859_1, 'B': charmap.ISO8859_2, 'C': charmap.ISO8859_3, 'D': charmap.ISO8859_4,
	'L': charmap.ISO8859_5, 'G': charmap.ISO8859_6, 'F': charmap.ISO8859_7, 'H': charmap.ISO8859_8,
	'M': charmap.ISO8859_9, 'T': charmap.Windows874, 'b': charmap.ISO8859_15,
}

// NewCharset interprets the values of Specific Character Set.
func NewCharset(terms []string) *Charset {
	c := &Charset{Terms: terms}
	for _, t := range terms {
		if strings.HasPrefix(strings.TrimSpace(t), "ISO 2022") {
			c.iso2022 = true
		}
	}
	first := ""
	if len(terms) > 0 {
		first = strings.TrimSpace(terms[0])
	}
	norm := strings.Replace(first, "ISO 2022 IR ", "ISO_IR ", 1)
	c.g0, c.g1 = setASCII, setLatin1
	switch norm {
	case "", "ISO_IR 6":
		c.single = setASCII
	case "ISO_IR 13":
		c.single, c.g0, c.g1 = setKatakana, setRomaji, setKatakana
	case "ISO_IR 192":
		c.single = setUTF8
	case "GB18030":
		c.single = setGB18030
	case "GBK":
		c.single = setGBK
	case "ISO_IR 149":
		c.single, c.g1 = setKSX1001, setKSX1001
	case "ISO_IR 58":
		c.single, c.g1 = setGB2312, setGB2312
	case "ISO_IR 87":
		c.single, c.g0 = setJIS0208, setJIS0208
	default:
		if _, ok := charmaps[norm]; ok {
			c.single = setCharmap
		}
	}
	return c
}

func (c *Charset) firstCharmap() *charmap.Charmap {
	if len(c.Terms) == 0 {
		return charmap.ISO8859_1
	}
	norm := strings.Replace(strings.TrimSpace(c.Terms[0]), "ISO 2022 IR ", "ISO_IR ", 1)
	if cm, ok := charmaps[norm]; ok {
		return cm
	}
	return charmap.ISO8859_1
}

// Decode turns a raw text value into UTF-8. vr selects the delimiters that
// reset ISO 2022 designations (PS3.5 6.1.2.5.3).
func (c *Charset) Decode(b []byte, vr VR) string {
	if len(b) == 0 {
		return ""
	}
	if !c.iso2022 {
		return c.decodeSingle(b)
	}
	return c.decode2022(b, vr)
}

func (c *Charset) decodeSingle(b []byte) string {
	switch c.single {
	case setUTF8:
		if utf8.Valid(b) {
			return string(b)
		}
		return strings.ToValidUTF8(string(b), "\uFFFD")
	case setGB18030:
		return decodeWith(simplifiedchinese.GB18030, b)
	case setGBK, setGB2312:
		return decodeWith(simplifiedchinese.GBK, b)
	case setKSX1001:
		return decodeWith(korean.EUCKR, b)
	case setKatakana:
		var sb strings.Builder
		for _, x := range b {
			sb.WriteRune(jisX0201(x))
		}
		return sb.String()
	case setCharmap:
		return decodeWith(c.firstCharmap(), b)
	}
	// Default repertoire: ASCII; stray 8-bit bytes are read as Latin-1
	// rather than dropped.
	for _, x := range b {
		if x >= 0x80 {
			return decodeWith(charmap.ISO8859_1, b)
		}
	}
	return string(b)
}

func decodeWith(e encoding.Encoding, b []byte) string {
	out, err := e.NewDecoder().Bytes(b)
	if err != nil {
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	return string(out)
}

func jisX0201(x byte) rune {
	switch {
	case x >= 0xA1 && x <= 0xDF:
		return rune(0xFF61 + int(x) - 0xA1)
	case x < 0x80:
		return rune(x)
	}
	return utf8.RuneError
}

func (c *Charset) decode2022(b []byte, vr VR) string {
	g0, g1 := c.g0, c.g1
	g1map := c.firstCharmap()
	var sb strings.Builder
	sb.Grow(len(b))
	reset := func() { g0, g1, g1map = c.g0, c.g1, c.firstCharmap() }
	for i := 0; i < len(b); {
		x := b[i]
		if x == 0x1B { // ESC: a designation
			n, ok := escape(b[i:], &g0, &g1, &g1map)
			if ok {
				i += n
				continue
			}
			i++
			continue
		}
		if x < 0x80 {
			switch g0 {
			case setJIS0208, setJIS0212:
				if x < 0x21 { // controls pass through
					sb.WriteByte(x)
					i++
					continue
				}
				if i+1 >= len(b) {
					sb.WriteRune(utf8.RuneError)
					i++
					continue
				}
				var euc []byte
				if g0 == setJIS0212 {
					euc = []byte{0x8F, x | 0x80, b[i+1] | 0x80}
				} else {
					euc = []byte{x | 0x80, b[i+1] | 0x80}
				}
				sb.WriteString(decodeWith(japanese.EUCJP, euc))
				i += 2
				continue
			}
			sb.WriteByte(x)
			if isDelimiter(x, vr) {
				reset()
			}
			i++
			continue
		}
		switch g1 {
		case setKSX1001, setGB2312:
			if i+1 >= len(b) {
				sb.WriteRune(utf8.RuneError)
				i++
				continue
			}
			enc := encoding.Encoding(korean.EUCKR)
			if g1 == setGB2312 {
				enc = simplifiedchinese.GBK
			}
			sb.WriteString(decodeWith(enc, b[i:i+2]))
			i += 2
		case setKatakana:
			sb.WriteRune(jisX0201(x))
			i++
		default:
			sb.WriteString(decodeWith(g1map, b[i:i+1]))
			i++
		}
	}
	return sb.String()
}

func isDelimiter(x byte, vr VR) bool {
	switch x {
	case '\\', '\r', '\n', '\t', '\f':
		return true
	case '^', '=':
		return vr == "PN"
	}
	return false
}

// escape applies the designation at the start of b and returns its length.
func escape(b []byte, g0, g1 *set, g1map **charmap.Charmap) (int, bool) {
	if len(b) < 3 {
		return 0, false
	}
	switch {
	case b[1] == '(' && b[2] == 'B':
		*g0 = setASCII
		return 3, true
	case b[1] == '(' && b[2] == 'J':
		*g0 = setRomaji
		return 3, true
	case b[1] == ')' && b[2] == 'I':
		*g1 = setKatakana
		return 3, true
	case b[1] == '$' && b[2] == 'B':
		*g0 = setJIS0208
		return 3, true
	case b[1] == '$' && b[2] == '@':
		*g0 = setJIS0208
		return 3, true
	case b[1] == '-':
		if cm, ok := escCharmaps[b[2]]; ok {
			*g1, *g1map = setLatin1, cm
			return 3, true
		}
	case len(b) >= 4 && b[1] == '$' && b[2] == '(' && b[3] == 'D':
		*g0 = setJIS0212
		return 4, true
	case len(b) >= 4 && b[1] == '$' && b[2] == ')' && b[3] == 'C':
		*g1 = setKSX1001
		return 4, true
	case len(b) >= 4 && b[1] == '$' && b[2] == ')' && b[3] == 'A':
		*g1 = setGB2312
		return 4, true
	}
	return 0, false
}
