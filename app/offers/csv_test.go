package offers

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"discdesk/internal/corpus"
)

var csvSeeds = []string{
	"patient_id,name,birth_date,discharge_time,notes\nMRN1,\"Doe, Jane\",1961-07-04,2025-03-10 14:30,copies to the ordering physician\n",
	"\xef\xbb\xbfMRN;Name;DOB;Discharge;Notes\r\nMRN2;ROE^RICHARD;19500203;202503101600;CD for patient\r\n",
	"MRN3,Poe,01/19/1950,2025-03-10T09:00:00-05:00,\n",
	"Notes,Discharge,Name\n\"to Dr. X\",2025-03-10,Smith\n",
	"MRN4,\"unterminated,1950-01-01,2025-03-10 10:00\n",
	"a,b\n\n,,,,\n",
	"",
}

func TestParseDischargeCSV(t *testing.T) {
	ds, probs, err := ParseDischargeCSV(strings.NewReader(csvSeeds[0]+"MRN9,X,not-a-date,2025-03-10 10:00,\nMRN10,Y,,yesterday,\n,,,2025-03-10 10:00,\n"), time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 1 || ds[0].PatientID != "MRN1" || ds[0].Name != "Doe, Jane" || ds[0].BirthDate != "1961-07-04" ||
		!ds[0].Time.Equal(time.Date(2025, 3, 10, 14, 30, 0, 0, time.UTC)) || ds[0].Notes != "copies to the ordering physician" || ds[0].Line != 2 {
		t.Fatalf("entries %+v", ds)
	}
	if len(probs) != 3 || probs[0].Line != 3 || probs[1].Line != 4 || probs[2].Line != 5 {
		t.Fatalf("problems %+v", probs)
	}
	// Semicolons, BOM, CRLF, compact dates.
	ny, _ := time.LoadLocation("America/New_York")
	ds, _, err = ParseDischargeCSV(strings.NewReader(csvSeeds[1]), ny)
	if err != nil || len(ds) != 1 || ds[0].BirthDate != "1950-02-03" || ds[0].Time.Location() != ny || ds[0].Time.Hour() != 16 {
		t.Fatalf("semicolon list: %+v %v", ds, err)
	}
	// No header: the five columns in order; RFC 3339 time.
	ds, _, _ = ParseDischargeCSV(strings.NewReader(csvSeeds[2]), time.UTC)
	if len(ds) != 1 || ds[0].PatientID != "MRN3" || ds[0].Time.UTC().Hour() != 14 {
		t.Fatalf("headerless: %+v", ds)
	}
	// Columns in another order, a date alone.
	ds, _, _ = ParseDischargeCSV(strings.NewReader(csvSeeds[3]), time.UTC)
	if len(ds) != 1 || ds[0].Name != "Smith" || ds[0].Notes != "to Dr. X" || ds[0].Time.Day() != 10 {
		t.Fatalf("reordered: %+v", ds)
	}
	// Not text, too large.
	if _, _, err := ParseDischargeCSV(bytes.NewReader([]byte{0xff, 0xfe, 0, 0}), time.UTC); !errors.Is(err, ErrCSVFormat) {
		t.Errorf("binary: %v", err)
	}
	big := strings.Repeat("x", MaxCSVBytes+1)
	if _, _, err := ParseDischargeCSV(strings.NewReader(big), time.UTC); !errors.Is(err, ErrCSVTooLarge) {
		t.Errorf("large: %v", err)
	}
}

func FuzzParseDischargeCSV(f *testing.F) {
	for _, s := range csvSeeds {
		f.Add([]byte(s))
	}
	// A DICOM file from the corpus (read in place) is a realistic wrong drop.
	if b, err := os.ReadFile(corpus.Path(f, "sr_docs", "basic_text_sr.dcm")); err == nil {
		f.Add(b[:min(len(b), 4096)])
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		ds, probs, err := ParseDischargeCSV(bytes.NewReader(b), time.UTC)
		if err != nil {
			if ds != nil || probs != nil {
				t.Fatal("entries returned with an error")
			}
			return
		}
		for _, d := range ds {
			if d.PatientID == "" && d.Name == "" || d.Time.IsZero() || d.Line < 1 {
				t.Fatalf("entry %+v should have been a problem", d)
			}
			if d.BirthDate != "" {
				if _, err := time.Parse(time.DateOnly, d.BirthDate); err != nil {
					t.Fatalf("birth date %q", d.BirthDate)
				}
			}
			for _, s := range []string{d.PatientID, d.Name, d.Notes} {
				if len(s) > maxField {
					t.Fatalf("field of %d bytes", len(s))
				}
			}
		}
		for _, p := range ParseNotes(string(b)) {
			if p.To == "" {
				t.Fatalf("intent without a requester kind: %+v", p)
			}
		}
	})
}
