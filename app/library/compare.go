package library

import (
	"bytes"
	"fmt"

	"discdesk/viewer/dcm"
	"discdesk/viewer/render"
)

// Elements that may change when one data set is sent in another transfer
// syntax (PS3.5 8.2: a decoder rewrites the pixel description), besides
// group lengths and the File Meta Information: they are not compared; the
// decoded pixels are.
var transcodeTags = map[dcm.Tag]bool{
	dcm.T(0x0028, 0x0004): true, // Photometric Interpretation
	dcm.T(0x0028, 0x0006): true, // Planar Configuration
	dcm.T(0x0028, 0x2110): true, // Lossy Image Compression
	dcm.T(0x0028, 0x2112): true, // Lossy Image Compression Ratio
	dcm.T(0x0028, 0x2114): true, // Lossy Image Compression Method
	dcm.T(0x7FE0, 0x0001): true, // Extended Offset Table
	dcm.T(0x7FE0, 0x0002): true, // Extended Offset Table Lengths
	dcm.T(0xFFFC, 0xFFFC): true, // Data Set Trailing Padding
	dcm.PixelData:         true,
}

// sameObject reports whether two Part 10 files hold the same object: equal
// data sets (whatever their transfer syntax or File Meta Information), with
// pixel data compared decoded when either copy is compressed. why says
// where they differ.
func sameObject(a, b string) (same bool, why string) {
	fa, err := dcm.ParseFile(a)
	if err != nil {
		return false, fmt.Sprintf("stored copy does not parse: %v", err)
	}
	fb, err := dcm.ParseFile(b)
	if err != nil {
		return false, fmt.Sprintf("new copy does not parse: %v", err)
	}
	if why := diffSets(fa.DataSet, fb.DataSet, fa.Syntax.BigEndian, fb.Syntax.BigEndian, ""); why != "" {
		return false, why
	}
	pa, pb := fa.DataSet.Get(dcm.PixelData), fb.DataSet.Get(dcm.PixelData)
	switch {
	case pa == nil && pb == nil:
		return true, ""
	case pa == nil || pb == nil:
		return false, "only one copy has Pixel Data"
	case pa.Fragments == nil && pb.Fragments == nil:
		if bytes.Equal(dcm.LittleEndianValue(pa, fa.Syntax.BigEndian), dcm.LittleEndianValue(pb, fb.Syntax.BigEndian)) &&
			fa.DataSet.String(dcm.PhotometricInterpretation) == fb.DataSet.String(dcm.PhotometricInterpretation) {
			return true, ""
		}
		return false, "Pixel Data differs"
	}
	da, err := render.Describe(fa.DataSet, fa.Syntax.UID)
	if err != nil {
		return false, fmt.Sprintf("stored pixels: %v", err)
	}
	db, err := render.Describe(fb.DataSet, fb.Syntax.UID)
	if err != nil {
		return false, fmt.Sprintf("new pixels: %v", err)
	}
	if da.NumberOfFrames != db.NumberOfFrames {
		return false, "frame counts differ"
	}
	for i := 0; i < da.NumberOfFrames; i++ {
		xa, err := render.Frame(fa, da, i)
		if err != nil {
			return false, fmt.Sprintf("stored frame %d does not decode: %v", i+1, err)
		}
		xb, err := render.Frame(fb, db, i)
		if err != nil {
			return false, fmt.Sprintf("new frame %d does not decode: %v", i+1, err)
		}
		if !bytes.Equal(xa, xb) {
			return false, fmt.Sprintf("decoded pixels of frame %d differ", i+1)
		}
	}
	return true, ""
}

// diffSets compares two data sets element by element (values in
// little-endian order, sequences item by item), skipping group lengths and
// transcodeTags; it returns where they first differ ("" = equal).
func diffSets(a, b *dcm.DataSet, abig, bbig bool, at string) string {
	ea, eb := compared(a), compared(b)
	for i := 0; i < len(ea) || i < len(eb); i++ {
		switch {
		case i >= len(ea):
			return fmt.Sprintf("%s%s only in the new copy", at, eb[i].Tag)
		case i >= len(eb):
			return fmt.Sprintf("%s%s only in the stored copy", at, ea[i].Tag)
		case ea[i].Tag != eb[i].Tag:
			return fmt.Sprintf("%s%s / %s: element lists differ", at, ea[i].Tag, eb[i].Tag)
		}
		x, y := ea[i], eb[i]
		if len(x.Items) != len(y.Items) {
			return fmt.Sprintf("%s%s: %d items vs %d", at, x.Tag, len(x.Items), len(y.Items))
		}
		for j := range x.Items {
			if why := diffSets(x.Items[j], y.Items[j], abig, bbig, fmt.Sprintf("%s%s item %d: ", at, x.Tag, j+1)); why != "" {
				return why
			}
		}
		if len(x.Items) == 0 && !sameValue(x, dcm.LittleEndianValue(x, abig), dcm.LittleEndianValue(y, bbig)) {
			return fmt.Sprintf("%s%s %s differs", at, x.Tag, x.Tag.Name())
		}
	}
	return ""
}

// sameValue compares two values of one element. Trailing spaces (and a
// UI's trailing NUL) of text values are padding, not content (PS3.5 6.2):
// a copy a tool re-padded is the same instance.
func sameValue(e *dcm.Element, a, b []byte) bool {
	if bytes.Equal(a, b) {
		return true
	}
	switch string(e.VR) {
	case "AE", "AS", "CS", "DA", "DS", "DT", "IS", "LO", "LT", "PN", "SH", "ST", "TM", "UC", "UI", "UR", "UT":
		trim := func(v []byte) []byte { return bytes.TrimRight(v, " \x00") }
		return bytes.Equal(trim(a), trim(b))
	}
	return false
}

func compared(ds *dcm.DataSet) []*dcm.Element {
	var out []*dcm.Element
	for _, e := range ds.Elements {
		if e.Tag.Element() == 0 || e.Tag.Group() == 0x0002 || transcodeTags[e.Tag] {
			continue
		}
		out = append(out, e)
	}
	return out
}
