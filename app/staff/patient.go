package staff

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"discdesk/app/handoff"
	"discdesk/app/library"
	"discdesk/viewer/dcm"
)

// RequestPatient is the patient of a request for st, as every entry point
// records it (the desk's form, the same-day box, auto-burn, offers): the
// name and birth date for people to read, and the exact Patient ID with its
// issuer, which the patient's history and the kiosk match on.
func RequestPatient(st library.Study) handoff.Patient {
	return handoff.Patient{Name: dcm.PersonName(st.Patient.Name), BirthDate: dcm.FormatDate(st.Patient.BirthDate),
		ID: st.Patient.ID, Issuer: st.Patient.Issuer}
}

// ErrAskStaff means the studies a request names cannot be shown as one
// patient's without a person checking: the Patient ID matches under more
// than one issuer, or the name or birth date of a study disagrees with the
// request's. The kiosk tells the patient to ask at the desk and shows
// nothing; the reason is logged for staff without names or IDs.
var ErrAskStaff = errors.New("these studies need a staff member to check whose they are")

// Identity is one patient as every "this patient's studies" lookup matches
// them. ID and Issuer (Patient ID and Issuer of Patient ID) are compared
// exactly, byte for byte after trimming the padding: "abc123" and "ABC123"
// are two patients, and so are one ID under two issuers. Name and BirthDate
// must agree as well (names by their words, in any order, case and accents
// aside; dates with or without dashes).
type Identity struct {
	ID, Issuer string
	Name       string // "Doe, Jane" or the DICOM PN "Doe^Jane"
	BirthDate  string // YYYY-MM-DD or YYYYMMDD
}

// IdentityOf is a library patient's identity.
func IdentityOf(p library.Patient) Identity {
	return Identity{ID: p.ID, Issuer: p.Issuer, Name: p.Name, BirthDate: p.BirthDate}
}

// Mismatch says which attribute of two identities differs ("patient ID",
// "issuer", "name", "birth date"), or "" when they are one patient. It
// names the attribute, never the values, so it can be logged.
func (a Identity) Mismatch(b Identity) string {
	switch {
	case strings.TrimSpace(a.ID) != strings.TrimSpace(b.ID):
		return "patient ID"
	case strings.TrimSpace(a.Issuer) != strings.TrimSpace(b.Issuer):
		return "issuer"
	case nameKey(a.Name) == "" || nameKey(a.Name) != nameKey(b.Name):
		return "name"
	case dateKey(a.BirthDate) == "" || dateKey(a.BirthDate) != dateKey(b.BirthDate):
		return "birth date"
	}
	return ""
}

// nameKey folds a person name to its sorted words: the first (alphabetic)
// component group of a PN only, accents removed, lower case.
func nameKey(s string) string {
	s, _, _ = strings.Cut(s, "=")
	if t, _, err := transform.String(transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC), s); err == nil {
		s = t
	}
	w := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	sort.Strings(w)
	return strings.Join(w, " ")
}

func dateKey(s string) string { return strings.ReplaceAll(strings.TrimSpace(s), "-", "") }

// PatientStudies is the one rule for "this patient's studies" of a request:
// the studies it names, or (for a date range) the library's studies of the
// request's Patient ID in that range. Every study returned belongs to one
// identity (exact ID, one issuer) that agrees with the request's name and
// birth date. When the request would reach a second identity, or a study
// it names disagrees, the answer is ErrAskStaff (wrapped, naming the
// attribute), never a partial list. It also returns that identity.
func PatientStudies(lib *library.Library, r handoff.Request) ([]library.Study, Identity, error) {
	want := Identity{ID: r.Patient.ID, Issuer: strings.TrimSpace(r.Patient.Issuer), Name: r.Patient.Name, BirthDate: r.Patient.BirthDate}
	var sts []library.Study
	if len(r.Studies.UIDs) > 0 {
		for _, uid := range r.Studies.UIDs {
			st, err := lib.Study(uid)
			if err != nil {
				return nil, Identity{}, fmt.Errorf("staff: study %s of the request: %w", uid, err)
			}
			sts = append(sts, st.Study)
		}
	} else {
		if strings.TrimSpace(want.ID) == "" {
			return nil, Identity{}, fmt.Errorf("%w: a date-range request without a patient ID", ErrAskStaff)
		}
		found, err := lib.Search(library.Query{PatientID: strings.TrimSpace(want.ID),
			From: dateKey(r.Studies.From), To: dateKey(r.Studies.To)})
		if err != nil {
			return nil, Identity{}, fmt.Errorf("staff: patient's studies: %w", err)
		}
		for _, st := range found {
			// The library's patient ID search folds case: keep only the
			// exact ID; a case variant is another patient, not a mismatch.
			// A request naming the issuer keeps to that issuer's studies:
			// the same ID under another issuer is another patient.
			if strings.TrimSpace(st.Patient.ID) == strings.TrimSpace(want.ID) &&
				(want.Issuer == "" || strings.TrimSpace(st.Patient.Issuer) == want.Issuer) {
				sts = append(sts, st)
			}
		}
		// A request naming no issuer: when the library holds this exact ID
		// under two identities, even outside the range, the range's studies
		// may be the other patient's. A person decides.
		if want.Issuer == "" {
			all, err := lib.Search(library.Query{PatientID: strings.TrimSpace(want.ID)})
			if err != nil {
				return nil, Identity{}, fmt.Errorf("staff: patient's studies: %w", err)
			}
			var first *Identity
			for _, st := range all {
				if strings.TrimSpace(st.Patient.ID) != strings.TrimSpace(want.ID) {
					continue
				}
				id := IdentityOf(st.Patient)
				if first == nil {
					first = &id
				} else if m := first.Mismatch(id); m != "" {
					return nil, Identity{}, fmt.Errorf("%w: the patient ID is held by two patients (their %s differs)", ErrAskStaff, m)
				}
			}
		}
	}
	if len(sts) == 0 {
		return nil, Identity{}, nil
	}
	id := IdentityOf(sts[0].Patient)
	if want.ID == "" {
		want.ID = id.ID // a request by name and birth date: the named studies give the ID
	}
	if want.Issuer == "" {
		want.Issuer = id.Issuer // else the request's issuer: a study under another is refused
	}
	for _, st := range sts {
		if m := want.Mismatch(IdentityOf(st.Patient)); m != "" {
			return nil, Identity{}, fmt.Errorf("%w: a study's %s differs from the request's", ErrAskStaff, m)
		}
	}
	return sts, id, nil
}

// CheckFile reports whether the file at path names the identity in its own
// header (a library study can hold a file another sender gave the same
// Study Instance UID): "" when it does, else the attribute that differs or
// "unreadable".
func CheckFile(path string, id Identity) string {
	f, err := dcm.ParseFile(path, dcm.StopAt(dcm.T(0x0010, 0x0031)))
	if err != nil {
		return "unreadable"
	}
	ds := f.DataSet
	return id.Mismatch(Identity{ID: ds.String(dcm.PatientID), Issuer: ds.String(dcm.IssuerOfPatientID),
		Name: ds.String(dcm.PatientName), BirthDate: ds.String(dcm.PatientBirthDate)})
}
