package library

import (
	"encoding/json"
	"sort"
	"strings"

	bolt "go.etcd.io/bbolt"

	"discdesk/internal/textfold"
)

// Query selects studies. Empty fields match everything.
type Query struct {
	Text      string // free text: name parts in any order, patient ID or accession, partial
	PatientID string
	BirthDate string // YYYYMMDD
	Accession string
	From, To  string // study date range, YYYYMMDD, inclusive
	Modality  string
	Limit     int // 0 = no limit
}

type searchEntry struct {
	study *Study
	name  string // folded name, components separated by spaces
	ids   string // folded patient ID + accession
}

type searchIndex struct {
	entries map[string]*searchEntry
}

// fold and foldJoined are the one text-matching rule (internal/textfold).
func fold(s string) string       { return textfold.Fold(s) }
func foldJoined(s string) string { return textfold.Joined(s) }

func (x *searchIndex) put(st *Study) {
	c := *st
	x.entries[st.UID] = &searchEntry{
		study: &c,
		name:  " " + fold(st.Patient.Name) + " " + foldJoined(st.Patient.Name) + " ",
		ids:   fold(st.Patient.ID + " " + st.AccessionNumber),
	}
}

func (l *Library) index() (*searchIndex, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.search != nil {
		return l.search, nil
	}
	x := &searchIndex{entries: map[string]*searchEntry{}}
	err := l.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketStudies).ForEach(func(k, v []byte) error {
			var st Study
			if err := json.Unmarshal(v, &st); err != nil {
				return err
			}
			x.put(&st)
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	l.search = x
	return x, nil
}

// Search returns the matching studies, newest study date first.
func (l *Library) Search(q Query) ([]Study, error) {
	l.settle()
	x, err := l.index()
	if err != nil {
		return nil, err
	}
	terms := strings.Fields(fold(q.Text))
	pid := fold(q.PatientID)
	acc := fold(q.Accession)
	mod := strings.ToUpper(strings.TrimSpace(q.Modality))
	l.mu.Lock()
	var out []Study
	for _, e := range x.entries {
		st := e.study
		if pid != "" && fold(st.Patient.ID) != pid {
			continue
		}
		if acc != "" && !strings.Contains(fold(st.AccessionNumber), acc) {
			continue
		}
		if q.BirthDate != "" && st.Patient.BirthDate != q.BirthDate {
			continue
		}
		if q.From != "" && st.Date < q.From {
			continue
		}
		if q.To != "" && (st.Date == "" || st.Date > q.To) {
			continue
		}
		if mod != "" && !contains(st.Modalities, mod) {
			continue
		}
		if !matchTerms(e, terms) {
			continue
		}
		out = append(out, *st)
	}
	l.mu.Unlock()
	sort.Slice(out, func(i, j int) bool {
		if out[i].Date != out[j].Date {
			return out[i].Date > out[j].Date
		}
		if out[i].Time != out[j].Time {
			return out[i].Time > out[j].Time
		}
		return out[i].UID < out[j].UID
	})
	if q.Limit > 0 && len(out) > q.Limit {
		out = out[:q.Limit]
	}
	return out, nil
}

// matchTerms: every term is a prefix of a name word, or appears in the IDs.
func matchTerms(e *searchEntry, terms []string) bool {
	for _, t := range terms {
		if strings.Contains(e.name, " "+t) || strings.Contains(e.ids, t) {
			continue
		}
		if len(t) >= 3 && strings.Contains(e.name, t) {
			continue
		}
		return false
	}
	return true
}
