package handoff

import "testing"

// A request is found the way a study is: case, accents and punctuation
// aside ("obrien" finds O'Brien, "sean" finds Seán), open or closed.
func TestSearchIgnoresPunctuationAndAccents(t *testing.T) {
	s, _ := newTestStore(t)
	in := pickupInput()
	in.Patient.Name = "O'Brien, Seán"
	r := mustRequest(t, s, in)
	if _, err := s.Cancel(r.ID, "asked twice", desk); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"obrien", "O'Brien", "sean", "o’brien seán", "SEAN OBRIEN"} {
		got, err := s.Search(q)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].ID != r.ID {
			t.Errorf("Search(%q) = %d requests, want the cancelled O'Brien request", q, len(got))
		}
	}
	if got, _ := s.Search("brian"); len(got) != 0 {
		t.Errorf("Search(brian) = %d requests", len(got))
	}
}
