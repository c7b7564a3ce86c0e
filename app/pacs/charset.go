package pacs

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"

	"discdesk/app/pacs/dimse"
	"discdesk/viewer/dcm"
)

// Character sets of C-FIND identifiers (PS3.5 6.1, PS3.3 C.12.1.1.2).
//
// A query whose values are all ASCII declares nothing (the default
// repertoire). Otherwise its text values are sent in Client.QueryCharset
// (default ISO_IR 192, UTF-8) and Specific Character Set says so; a value
// that set cannot hold goes as UTF-8 instead. Replies are decoded with the
// Specific Character Set each carries, ISO 2022 code extensions included
// (dcm.Charset).

// queryCharmaps are the single-byte sets a query can be encoded in.
var queryCharmaps = map[string]*charmap.Charmap{
	"ISO_IR 100": charmap.ISO8859_1, "ISO_IR 101": charmap.ISO8859_2, "ISO_IR 109": charmap.ISO8859_3,
	"ISO_IR 110": charmap.ISO8859_4, "ISO_IR 144": charmap.ISO8859_5, "ISO_IR 127": charmap.ISO8859_6,
	"ISO_IR 126": charmap.ISO8859_7, "ISO_IR 138": charmap.ISO8859_8, "ISO_IR 148": charmap.ISO8859_9,
	"ISO_IR 203": charmap.ISO8859_15,
}

// ErrCharset means a query character set is not one DiscDesk can encode.
var ErrCharset = fmt.Errorf("query character set must be ISO_IR 192 or a single-byte ISO_IR set")

// textVR reports the VRs whose values a Specific Character Set governs.
func textVR(vr string) bool {
	switch vr {
	case "SH", "LO", "ST", "LT", "UT", "PN", "UC":
		return true
	}
	return false
}

// encodeQuery returns the identifier with its text values in the query
// character set and (0008,0005) set when any value is not ASCII.
func encodeQuery(es dimse.Elements, charset string) (dimse.Elements, error) {
	ascii := true
	for _, e := range es {
		if textVR(vrOf(e)) && !isASCII(e.Value) {
			ascii = false
		}
	}
	if ascii {
		return es, nil
	}
	if charset == "" {
		charset = "ISO_IR 192"
	}
	cm, single := queryCharmaps[charset]
	if !single && charset != "ISO_IR 192" {
		return nil, fmt.Errorf("%w: %q", ErrCharset, charset)
	}
	if single {
		var enc dimse.Elements
		ok := true
		for _, e := range es {
			if textVR(vrOf(e)) && !isASCII(e.Value) {
				b, err := cm.NewEncoder().Bytes(e.Value)
				if err != nil {
					ok = false // not representable: send UTF-8
					break
				}
				if len(b)%2 == 1 {
					b = append(b, ' ') // even length again (PS3.5 6.2)
				}
				e.Value = b
			}
			enc = append(enc, e)
		}
		if ok {
			enc.SetString(TagSpecificCharacterSet, "CS", charset)
			return enc, nil
		}
		charset = "ISO_IR 192"
	}
	out := append(dimse.Elements(nil), es...)
	for _, e := range out {
		if textVR(vrOf(e)) && !utf8.Valid(e.Value) {
			return nil, fmt.Errorf("query value of %v is not UTF-8", e.Tag)
		}
	}
	out.SetString(TagSpecificCharacterSet, "CS", charset)
	return out, nil
}

func vrOf(e dimse.Element) string {
	if e.VR != "" {
		return e.VR
	}
	return dimse.DictVR(e.Tag)
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

// replyText decodes the text of one reply value under the reply's
// Specific Character Set (UI, CS, DA and other ASCII values pass as is).
func replyText(es dimse.Elements, t dimse.Tag) string {
	e := es.Get(t)
	if e == nil {
		return ""
	}
	v := strings.TrimRight(string(e.Value), "\x00 ")
	vr := vrOf(*e)
	if !textVR(vr) || isASCII([]byte(v)) && !strings.Contains(v, "\x1b") {
		return v
	}
	// Keep empty values: "\ISO 2022 IR 87" starts in the default repertoire.
	cs := dcm.NewCharset(strings.Split(es.String(TagSpecificCharacterSet), `\`))
	return strings.TrimRight(cs.Decode([]byte(v), dcm.VR(vr)), " ")
}
