package disc

import (
	"strings"

	"discdesk/viewer/dcm"
)

// Attributes that name who read a study.
var (
	tagVerifyingObserverSeq  = dcm.T(0x0040, 0xA073) // Verifying Observer Sequence (PS3.3 C.17.2)
	tagVerifyingObserverName = dcm.T(0x0040, 0xA075)
)

// radiologists names the reading radiologist(s) of every study in the plan,
// by Study Instance UID, in display form. The first source that names
// anyone wins, in this order:
//
//  1. what staff entered (Input.ReadingPhysician), for every study;
//  2. the Verifying Observer Name (0040,A073 > 0040,A075) of the study's
//     structured reports whose Verification Flag is VERIFIED;
//  3. Name of Physician(s) Reading Study (0008,1060);
//  4. Physician(s) of Record (0008,1048).
//
// A study nobody is named for has no entry. Later sources are fallbacks,
// not additions: Physician(s) of Record is often the referring or
// attending physician, so it is shown only when nothing better is known.
func (p *Plan) radiologists() map[string][]string {
	out := map[string][]string{}
	if staff := staffNames(p.ReadingPhysician); len(staff) > 0 {
		for _, o := range p.Objects {
			out[o.StudyUID] = staff
		}
		return out
	}
	const levels = 3
	found := map[string]*[levels][]string{}
	for _, o := range p.Objects {
		lv := found[o.StudyUID]
		if lv == nil {
			lv = new([levels][]string)
			found[o.StudyUID] = lv
		}
		h := o.header
		if o.Kind == KindSR && strings.EqualFold(strings.TrimSpace(h.String(dcm.VerificationFlag)), "VERIFIED") {
			for _, it := range h.Seq(tagVerifyingObserverSeq) {
				lv[0] = addNames(lv[0], it.Strings(tagVerifyingObserverName))
			}
		}
		lv[1] = addNames(lv[1], h.Strings(dcm.NameOfPhysiciansReadingStudy))
		lv[2] = addNames(lv[2], h.Strings(dcm.PhysiciansOfRecord))
	}
	for uid, lv := range found {
		for _, names := range lv {
			if len(names) > 0 {
				out[uid] = names
				break
			}
		}
	}
	return out
}

// addNames appends the display form of each PN value not yet in names.
func addNames(names []string, pns []string) []string {
	for _, pn := range pns {
		n := physicianName(pn)
		if n == "" {
			continue
		}
		dup := false
		for _, have := range names {
			if strings.EqualFold(have, n) {
				dup = true
				break
			}
		}
		if !dup {
			names = append(names, n)
		}
	}
	return names
}

// staffNames splits what staff entered into names (";" or a new line
// separate several); a value with "^" is read as a PN value.
func staffNames(s string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == '\n' || r == '\r' }) {
		var n string
		if strings.Contains(f, "^") {
			n = physicianName(f)
		} else {
			n = strings.Join(strings.Fields(f), " ")
		}
		if n != "" {
			out = append(out, n)
		}
	}
	return out
}

// physicianName shows a PN value (PS3.5 6.2.1.1: Family^Given^Middle^
// Prefix^Suffix) the way a patient reads a doctor's name: "Dr Astrid M
// Lindqvist, MD". The alphabetic group is used; when it is empty, the
// ideographic (then phonetic) group, its components in stored order.
func physicianName(pn string) string {
	groups := strings.Split(pn, "=")
	alpha := strings.TrimSpace(groups[0])
	if strings.Trim(alpha, "^ ") == "" {
		for _, g := range groups[1:] {
			if strings.Trim(g, "^ ") != "" {
				return strings.Join(strings.Fields(strings.ReplaceAll(g, "^", " ")), " ")
			}
		}
		return ""
	}
	c := strings.Split(alpha, "^")
	for len(c) < 5 {
		c = append(c, "")
	}
	var words []string
	for _, w := range []string{c[3], c[1], c[2], c[0]} { // prefix, given, middle, family
		if w = strings.TrimSpace(w); w != "" {
			words = append(words, w)
		}
	}
	name := strings.Join(words, " ")
	if suffix := strings.TrimSpace(c[4]); suffix != "" {
		if name == "" {
			return suffix
		}
		name += ", " + suffix
	}
	return name
}
