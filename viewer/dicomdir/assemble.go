package dicomdir

import (
	"strings"

	"discdesk/viewer/dcm"
)

// assemble turns the chosen values of one record into its Keys: values
// little endian and of even length, plus Specific Character Set when a
// text key is not plain ASCII (PS3.3 F.5: Type 1C in every record).
func (b *builder) assemble(picks []chosen, name string) (*dcm.DataSet, error) {
	// Which character sets do the non-ASCII keys need?
	var charset []string
	mixed := false
	for _, p := range picks {
		if p.src == nil || !nonASCII(p.el) {
			continue
		}
		terms := p.src.Charset().Terms
		if len(terms) == 0 {
			b.warnings = append(b.warnings, Warning{File: name, Attribute: attrName(p.el.Tag),
				Message: "text is not ASCII but the object declares no Specific Character Set (0008,0005); copied as is"})
			continue
		}
		if charset == nil {
			charset = terms
		} else if strings.Join(charset, `\`) != strings.Join(terms, `\`) {
			mixed = true
		}
	}
	ds := &dcm.DataSet{}
	if mixed {
		// Re-encode every text key as UTF-8 so one character set fits all.
		ds.Set(dcm.Str(dcm.SpecificCharacterSet, "CS", "ISO_IR 192"))
		for _, p := range picks {
			switch {
			case p.src != nil && p.el.VR.Text():
				ds.Set(dcm.Str(p.el.Tag, p.el.VR, p.src.ElementString(p.el)))
			default:
				ds.Set(leElement(p.el, p.src != nil && p.src.BigEndian))
			}
		}
		return ds, nil
	}
	if charset != nil {
		ds.Set(dcm.Str(dcm.SpecificCharacterSet, "CS", strings.Join(charset, `\`)))
	}
	for _, p := range picks {
		ds.Set(leElement(p.el, p.src != nil && p.src.BigEndian))
	}
	return ds, nil
}

// leElement copies el with little-endian values of even length. Items of
// little-endian sequences are shared, not copied.
func leElement(el *dcm.Element, big bool) *dcm.Element {
	c := *el
	c.Offset, c.ValueOffset = 0, 0
	if el.Items != nil || el.VR == "SQ" {
		c.VR = "SQ"
		c.Length = dcm.UndefinedLength
		if big {
			c.Items = make([]*dcm.DataSet, len(el.Items))
			for i, it := range el.Items {
				c.Items[i] = leDataSet(it)
			}
		}
		return &c
	}
	v := el.Value
	if big {
		v = swapped(v, el.VR)
	}
	if len(v)%2 == 1 {
		pad := byte(0)
		if el.VR.Text() || strings.Contains("AE AS CS DA DS DT IS TM UR", string(el.VR)) {
			pad = ' '
		}
		v = append(append([]byte(nil), v...), pad)
	}
	c.Value = v
	c.Length = uint32(len(v))
	return &c
}

// leDataSet copies a (big-endian) item as little endian.
func leDataSet(ds *dcm.DataSet) *dcm.DataSet {
	out := &dcm.DataSet{}
	for _, e := range ds.Elements {
		out.Set(leElement(e, ds.BigEndian)) // Set also reads (0008,0005)
	}
	return out
}

func swapped(v []byte, vr dcm.VR) []byte {
	n := 0
	switch vr {
	case "US", "SS", "OW", "AT":
		n = 2
	case "UL", "SL", "FL", "OF", "OL":
		n = 4
	case "FD", "OD", "SV", "UV", "OV":
		n = 8
	}
	if n == 0 {
		return v
	}
	out := make([]byte, len(v))
	copy(out, v)
	for i := 0; i+n <= len(out); i += n {
		for a, b := i, i+n-1; a < b; a, b = a+1, b-1 {
			out[a], out[b] = out[b], out[a]
		}
	}
	return out
}

// nonASCII reports whether a text value (or any text value inside a
// sequence) holds bytes outside ISO 646 (including ESC of ISO 2022).
func nonASCII(el *dcm.Element) bool {
	for _, it := range el.Items {
		for _, e := range it.Elements {
			if nonASCII(e) {
				return true
			}
		}
	}
	return el.VR.Text() && !ascii(el.Value)
}

func ascii(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 || c == 0x1B {
			return false
		}
	}
	return true
}
