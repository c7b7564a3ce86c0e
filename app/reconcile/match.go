package reconcile

import (
	"sort"
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"discdesk/app/library"
)

// A Match is a local patient the outside patient may be, with why.
type Match struct {
	Patient library.Patient
	Studies int      // local studies of that patient
	Reasons []string // "patient ID", "name", "birth date"
	Score   int      // number of reasons
}

// Matches returns the library's patients that share the outside patient's
// Patient ID, name or birth date, best first. A match on the ID alone is a
// hint, not proof: different facilities hand out the same numbers; staff
// confirm with name and birth date.
func Matches(lib *library.Library, p OutsidePatient) ([]Match, error) {
	var cands []library.Study
	if p.ID != "" {
		s, err := lib.Search(library.Query{PatientID: p.ID})
		if err != nil {
			return nil, err
		}
		cands = append(cands, s...)
	}
	if fam := familyName(p.Name); fam != "" {
		s, err := lib.Search(library.Query{Text: fam})
		if err != nil {
			return nil, err
		}
		cands = append(cands, s...)
	}
	if p.BirthDate != "" {
		s, err := lib.Search(library.Query{BirthDate: p.BirthDate})
		if err != nil {
			return nil, err
		}
		cands = append(cands, s...)
	}
	byKey := map[string]*Match{}
	seen := map[string]bool{}
	for _, st := range cands {
		m := byKey[st.Patient.Key]
		if m == nil {
			m = &Match{Patient: st.Patient}
			// The exact ID under the same issuer (as app/staff.Identity
			// compares them): the library's search folds case, but
			// "abc123" is not "ABC123".
			if id := strings.TrimSpace(p.ID); id != "" && strings.TrimSpace(st.Patient.ID) == id &&
				(p.Issuer == "" || st.Patient.Issuer == "" || strings.TrimSpace(st.Patient.Issuer) == strings.TrimSpace(p.Issuer)) {
				m.Reasons = append(m.Reasons, "patient ID")
			}
			if p.Name != "" && foldName(st.Patient.Name) == foldName(p.Name) {
				m.Reasons = append(m.Reasons, "name")
			}
			if p.BirthDate != "" && st.Patient.BirthDate == p.BirthDate {
				m.Reasons = append(m.Reasons, "birth date")
			}
			m.Score = len(m.Reasons)
			byKey[st.Patient.Key] = m
		}
		if !seen[st.Patient.Key+"\x00"+st.UID] {
			seen[st.Patient.Key+"\x00"+st.UID] = true
			m.Studies++
		}
	}
	var out []Match
	for _, m := range byKey {
		if m.Score > 0 {
			out = append(out, *m)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		return out[i].Patient.Key < out[j].Patient.Key
	})
	return out, nil
}

func familyName(pn string) string {
	alpha, _, _ := strings.Cut(pn, "=")
	fam, _, _ := strings.Cut(alpha, "^")
	return strings.TrimSpace(fam)
}

// foldName compares person names: alphabetic group only, accents and case
// ignored, empty trailing components dropped.
func foldName(pn string) string {
	alpha, _, _ := strings.Cut(pn, "=")
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	if s, _, err := transform.String(t, alpha); err == nil {
		alpha = s
	}
	parts := strings.Split(strings.ToLower(alpha), "^")
	for i := range parts {
		parts[i] = strings.Join(strings.Fields(parts[i]), " ")
	}
	for len(parts) > 0 && parts[len(parts)-1] == "" {
		parts = parts[:len(parts)-1]
	}
	return strings.Join(parts, "^")
}
