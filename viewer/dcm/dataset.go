package dcm

import (
	"encoding/binary"
	"math"
	"strconv"
	"strings"
)

// Get returns the element with tag t at this level of the data set, or nil.
func (ds *DataSet) Get(t Tag) *Element {
	if ds == nil {
		return nil
	}
	// Elements are in ascending tag order in a well-formed set: binary
	// search, with a linear fallback for files that are not.
	els := ds.Elements
	lo, hi := 0, len(els)
	for lo < hi {
		m := (lo + hi) / 2
		if els[m].Tag < t {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < len(els) && els[lo].Tag == t {
		return els[lo]
	}
	for _, e := range els {
		if e.Tag == t {
			return e
		}
	}
	return nil
}

// Has reports whether the element is present (possibly empty).
func (ds *DataSet) Has(t Tag) bool { return ds.Get(t) != nil }

// Charset returns the character set in force for this data set: its own
// Specific Character Set, else its parent's, else the default repertoire.
func (ds *DataSet) Charset() *Charset {
	for d := ds; d != nil; d = d.parent {
		if d.cs != nil {
			return d.cs
		}
	}
	return defaultCharset
}

// Raw returns the raw value bytes of t (nil when absent).
func (ds *DataSet) Raw(t Tag) []byte {
	if e := ds.Get(t); e != nil {
		return e.Value
	}
	return nil
}

// String returns the value of t as text: decoded with the data set's
// character set for text VRs, with padding removed. Several values stay
// joined by backslashes.
func (ds *DataSet) String(t Tag) string {
	e := ds.Get(t)
	if e == nil {
		return ""
	}
	return ds.ElementString(e)
}

// ElementString renders an element's value as text (numbers for binary VRs).
func (ds *DataSet) ElementString(e *Element) string {
	if e.VR.Text() {
		return trimValue(ds.Charset().Decode(e.Value, e.VR), e.VR)
	}
	if e.VR.stringLike() || e.VR == "" || e.VR == "UN" {
		return trimValue(string(e.Value), e.VR)
	}
	nums := ds.numbers(e)
	parts := make([]string, len(nums))
	for i, n := range nums {
		parts[i] = strconv.FormatFloat(n, 'g', -1, 64)
	}
	return strings.Join(parts, `\`)
}

// Strings returns the values of t split on backslash (after decoding).
func (ds *DataSet) Strings(t Tag) []string {
	s := ds.String(t)
	if s == "" {
		return nil
	}
	return splitValues(s)
}

// Int returns the first value of t as an integer (binary or IS/DS text).
func (ds *DataSet) Int(t Tag) (int, bool) {
	f, ok := ds.Float(t)
	if !ok {
		return 0, false
	}
	return int(f), true
}

// Float returns the first numeric value of t.
func (ds *DataSet) Float(t Tag) (float64, bool) {
	fs := ds.Floats(t)
	if len(fs) == 0 {
		return 0, false
	}
	return fs[0], true
}

// Floats returns every numeric value of t (binary VRs or DS/IS text).
func (ds *DataSet) Floats(t Tag) []float64 {
	e := ds.Get(t)
	if e == nil {
		return nil
	}
	return ds.numbers(e)
}

func (ds *DataSet) numbers(e *Element) []float64 {
	var bo binary.ByteOrder = binary.LittleEndian
	if ds.BigEndian {
		bo = binary.BigEndian
	}
	v := e.Value
	var out []float64
	switch e.VR {
	case "US":
		for i := 0; i+2 <= len(v); i += 2 {
			out = append(out, float64(bo.Uint16(v[i:])))
		}
	case "SS":
		for i := 0; i+2 <= len(v); i += 2 {
			out = append(out, float64(int16(bo.Uint16(v[i:]))))
		}
	case "UL":
		for i := 0; i+4 <= len(v); i += 4 {
			out = append(out, float64(bo.Uint32(v[i:])))
		}
	case "SL":
		for i := 0; i+4 <= len(v); i += 4 {
			out = append(out, float64(int32(bo.Uint32(v[i:]))))
		}
	case "FL":
		for i := 0; i+4 <= len(v); i += 4 {
			out = append(out, float64(math.Float32frombits(bo.Uint32(v[i:]))))
		}
	case "FD":
		for i := 0; i+8 <= len(v); i += 8 {
			out = append(out, math.Float64frombits(bo.Uint64(v[i:])))
		}
	case "SV":
		for i := 0; i+8 <= len(v); i += 8 {
			out = append(out, float64(int64(bo.Uint64(v[i:]))))
		}
	case "UV":
		for i := 0; i+8 <= len(v); i += 8 {
			out = append(out, float64(bo.Uint64(v[i:])))
		}
	default:
		for _, s := range splitValues(trimValue(string(v), e.VR)) {
			f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
			if err == nil {
				out = append(out, f)
			}
		}
	}
	return out
}

// Seq returns the items of sequence t.
func (ds *DataSet) Seq(t Tag) []*DataSet {
	if e := ds.Get(t); e != nil {
		return e.Items
	}
	return nil
}

// Parent is the data set containing this item (nil at top level).
func (ds *DataSet) Parent() *DataSet { return ds.parent }

func trimValue(s string, vr VR) string {
	switch vr {
	case "UI", "OB", "UN":
		s = strings.TrimRight(s, "\x00 ")
	case "ST", "LT", "UT":
		s = strings.TrimRight(s, "\x00 ") // leading spaces are significant
	default:
		s = strings.Trim(s, "\x00 ")
	}
	return s
}

func splitValues(s string) []string {
	parts := strings.Split(s, `\`)
	for i := range parts {
		parts[i] = strings.Trim(parts[i], " \x00")
	}
	return parts
}
