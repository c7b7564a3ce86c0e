package offers

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Errors of the discharge list parser.
var (
	// ErrCSVTooLarge means a discharge file is larger than MaxCSVBytes.
	ErrCSVTooLarge = errors.New("discharge list too large")
	// ErrCSVFormat means a discharge file is not CSV with the expected columns.
	ErrCSVFormat = errors.New("discharge list format")
)

// Limits of the discharge list parser.
const (
	MaxCSVBytes = 4 << 20
	MaxCSVRows  = 20000
	maxField    = 500
)

// A Discharge is one line of the hospital's discharge list.
type Discharge struct {
	PatientID string    `json:"patient_id"`
	Name      string    `json:"name"`       // as the list gives it, e.g. "DOE^JANE" or "Doe, Jane"
	BirthDate string    `json:"birth_date"` // YYYY-MM-DD, "" when absent
	Time      time.Time `json:"time"`       // discharge time
	Notes     string    `json:"notes,omitempty"`
	Line      int       `json:"line"` // line in its file
}

// A LineProblem is a discharge line that could not be used.
type LineProblem struct {
	Line   int    `json:"line"`
	Reason string `json:"reason"`
}

func (p LineProblem) String() string { return fmt.Sprintf("line %d: %s", p.Line, p.Reason) }

// columns the parser knows, by normalized header name.
var headerNames = map[string]int{
	"patientid": 0, "mrn": 0, "id": 0, "medicalrecordnumber": 0,
	"name": 1, "patientname": 1, "patient": 1,
	"birthdate": 2, "dob": 2, "dateofbirth": 2,
	"dischargetime": 3, "discharge": 3, "dischargedate": 3, "dischargedatetime": 3, "time": 3,
	"notes": 4, "orderingnotes": 4, "note": 4, "comments": 4,
}

func normHeader(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return unicode.ToLower(r)
		}
		return -1
	}, s)
}

// ParseDischargeCSV reads a discharge list: CSV (comma, or semicolon when
// the first line has more semicolons than commas), UTF-8 with an optional
// BOM, with a header naming the columns (patient id/MRN, name, birth date/DOB,
// discharge time, notes; any order) or, without a header, those five columns
// in that order. Dates are YYYY-MM-DD, YYYYMMDD or MM/DD/YYYY; times add
// HH:MM[:SS] (or are RFC 3339), read in loc. Lines that cannot be used are
// returned as problems; the error is for files that are not such a list.
func ParseDischargeCSV(r io.Reader, loc *time.Location) ([]Discharge, []LineProblem, error) {
	if loc == nil {
		loc = time.Local
	}
	raw, err := io.ReadAll(io.LimitReader(r, MaxCSVBytes+1))
	if err != nil {
		return nil, nil, fmt.Errorf("offers: read discharge list: %w", err)
	}
	if len(raw) > MaxCSVBytes {
		return nil, nil, fmt.Errorf("offers: discharge list over %d bytes: %w", MaxCSVBytes, ErrCSVTooLarge)
	}
	raw = bytes.TrimPrefix(raw, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(raw) {
		return nil, nil, fmt.Errorf("offers: discharge list is not UTF-8 text: %w", ErrCSVFormat)
	}
	first, _, _ := bytes.Cut(raw, []byte("\n"))
	cr := csv.NewReader(bytes.NewReader(raw))
	if bytes.Count(first, []byte(";")) > bytes.Count(first, []byte(",")) {
		cr.Comma = ';'
	}
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = false
	cols := [5]int{0, 1, 2, 3, 4}
	var out []Discharge
	var probs []LineProblem
	header := true
	for n := 0; ; n++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				if len(out) == 0 && len(probs) == 0 && n == 0 {
					return nil, nil, fmt.Errorf("offers: discharge list: %v: %w", err, ErrCSVFormat)
				}
				probs = append(probs, LineProblem{Line: pe.Line, Reason: "not valid CSV: " + pe.Err.Error()})
				continue
			}
			return nil, nil, fmt.Errorf("offers: discharge list: %w", err)
		}
		line, _ := cr.FieldPos(0)
		if n >= MaxCSVRows {
			probs = append(probs, LineProblem{Line: line, Reason: fmt.Sprintf("more than %d lines; the rest was not read", MaxCSVRows)})
			break
		}
		if isBlank(rec) {
			continue
		}
		if header {
			header = false
			if c, ok := headerColumns(rec); ok {
				cols = c
				continue
			}
		}
		d, reason := dischargeOf(rec, cols, loc)
		if reason != "" {
			probs = append(probs, LineProblem{Line: line, Reason: reason})
			continue
		}
		d.Line = line
		out = append(out, d)
	}
	return out, probs, nil
}

func isBlank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// headerColumns maps a header line to column positions; ok is false when
// the line is data (it names neither an ID nor a name column).
func headerColumns(rec []string) ([5]int, bool) {
	cols := [5]int{-1, -1, -1, -1, -1}
	for i, h := range rec {
		if c, ok := headerNames[normHeader(h)]; ok && cols[c] < 0 {
			cols[c] = i
		}
	}
	if cols[0] < 0 && cols[1] < 0 {
		return [5]int{0, 1, 2, 3, 4}, false
	}
	return cols, true
}

func dischargeOf(rec []string, cols [5]int, loc *time.Location) (Discharge, string) {
	get := func(c int) string {
		i := cols[c]
		if i < 0 || i >= len(rec) {
			return ""
		}
		return strings.TrimSpace(rec[i])
	}
	var d Discharge
	d.PatientID, d.Name, d.Notes = get(0), get(1), get(4)
	for _, f := range []string{d.PatientID, d.Name, d.Notes, get(2), get(3)} {
		if len(f) > maxField || strings.ContainsFunc(f, func(r rune) bool { return unicode.IsControl(r) && r != '\t' }) {
			return d, "a field is too long or holds control characters"
		}
	}
	if d.PatientID == "" && d.Name == "" {
		return d, "neither patient ID nor name"
	}
	if b := get(2); b != "" {
		t, ok := parseDate(b)
		if !ok {
			return d, fmt.Sprintf("birth date %q is not YYYY-MM-DD, YYYYMMDD or MM/DD/YYYY", b)
		}
		d.BirthDate = t.Format(time.DateOnly)
	}
	ts := get(3)
	if ts == "" {
		return d, "no discharge time"
	}
	t, ok := parseTime(ts, loc)
	if !ok {
		return d, fmt.Sprintf("discharge time %q is not a date and time", ts)
	}
	d.Time = t
	return d, ""
}

var dateLayouts = []string{time.DateOnly, "20060102", "01/02/2006", "1/2/2006"}

func parseDate(s string) (time.Time, bool) {
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil && t.Year() >= 1850 && t.Year() <= 2200 {
			return t, true
		}
	}
	return time.Time{}, false
}

var timeLayouts = []string{"2006-01-02 15:04", "2006-01-02 15:04:05", "2006-01-02T15:04", "2006-01-02T15:04:05",
	"200601021504", "20060102150405", "01/02/2006 15:04", "1/2/2006 15:04"}

func parseTime(s string, loc *time.Location) (time.Time, bool) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, t.Year() >= 1900 && t.Year() <= 2200
	}
	for _, l := range timeLayouts {
		if t, err := time.ParseInLocation(l, s, loc); err == nil {
			return t, t.Year() >= 1900 && t.Year() <= 2200
		}
	}
	if t, ok := parseDate(s); ok { // a date alone: discharged that day
		return time.Date(t.Year(), t.Month(), t.Day(), 12, 0, 0, 0, loc), true
	}
	return time.Time{}, false
}
