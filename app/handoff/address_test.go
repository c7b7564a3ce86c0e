package handoff

import (
	"errors"
	"strings"
	"testing"
)

func TestAddressValidate(t *testing.T) {
	good := []Address{
		{Street: "12 Elm St", City: "Boston", Region: "ma", PostalCode: "02115"},
		{Street: "PO Box 77", City: "Juneau", Region: "AK", PostalCode: "99801-0077", Country: "usa"},
		{Street: "24 Sussex Dr", City: "Ottawa", Region: "ON", PostalCode: "k1m 1m4", Country: "Canada"},
		{Street: "10 Downing Street", City: "London", PostalCode: "SW1A 2AA", Country: "GB"},
		{Street: "Hauptstraße 5", City: "München", PostalCode: "80331", Country: "DE"},
		{Street: "Rose Cottage", City: "Dublin", Country: "IE"}, // no house number, no postcode: allowed abroad
	}
	for _, a := range good {
		if err := a.Normalize().Validate(); err != nil {
			t.Errorf("%+v: %v", a, err)
		}
	}
	bad := map[string]Address{
		"address.postal_code": {Street: "12 Elm St", City: "Boston", Region: "MA", PostalCode: "2115"},
		"address.region":      {Street: "12 Elm St", City: "Boston", Region: "Mass", PostalCode: "02115"},
		"address.street":      {City: "Boston", Region: "MA", PostalCode: "02115"},
		"address.city":        {Street: "12 Elm St", City: "02115", Region: "MA", PostalCode: "02115"},
		"address.country":     {Street: "12 Elm St", City: "Paris", Country: "XX"},
		"address.name":        {Name: "a\x00b", Street: "12 Elm St", City: "Boston", Region: "MA", PostalCode: "02115"},
	}
	for field, a := range bad {
		err := a.Normalize().Validate()
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Field != field || !errors.Is(err, ErrInvalidAddress) {
			t.Errorf("%+v: err %v, want field %s", a, err, field)
		}
	}
	gb := Address{Street: "10 Downing Street", City: "London", PostalCode: "SW1A 2AA", Country: "GB"}.Normalize()
	if got := strings.Join(gb.Lines(), "|"); got != "10 Downing Street|London|SW1A 2AA|GB" {
		t.Errorf("GB lines %q", got)
	}
}

var parseCases = []struct {
	in   string
	want Address
	err  error
}{
	{"1200 Shore Dr\nSuite 300\nMadison, WI 53703", Address{Street: "1200 Shore Dr", Suite: "Suite 300", City: "Madison", Region: "WI", PostalCode: "53703", Country: "US"}, nil},
	{"Lakeside Oncology; 1200 Shore Dr; Madison WI 53703-1234; USA", Address{Name: "Lakeside Oncology", Street: "1200 Shore Dr", City: "Madison", Region: "WI", PostalCode: "53703-1234", Country: "US"}, nil},
	{"Hauptstraße 5\n80331 München\nDE", Address{Street: "Hauptstraße 5", City: "München", PostalCode: "80331", Country: "DE"}, nil},
	{"10 Downing Street\nLondon SW1A 2AA\nUnited Kingdom", Address{Street: "10 Downing Street", City: "London", PostalCode: "SW1A 2AA", Country: "GB"}, nil},
	{"24 Sussex Dr\nOttawa, ON K1M 1M4\nCanada", Address{Street: "24 Sussex Dr", City: "Ottawa", Region: "ON", PostalCode: "K1M 1M4", Country: "CA"}, nil},
	{"12 Elm St\nBoston, MA 0211", Address{}, ErrInvalidAddress},
	{"12 Elm St\nBoston, ZZ 02115", Address{}, ErrInvalidAddress},
	{"Boston, MA 02115", Address{}, ErrInvalidAddress},
	{"", Address{}, ErrInvalidAddress},
}

func TestParseAddress(t *testing.T) {
	for _, tc := range parseCases {
		got, err := ParseAddress(tc.in)
		if tc.err != nil {
			if !errors.Is(err, tc.err) {
				t.Errorf("ParseAddress(%q) err %v, want %v", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseAddress(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
	}
}

// FuzzParseAddress: no panic; an accepted address is valid, normalized and
// survives formatting to lines and parsing again.
func FuzzParseAddress(f *testing.F) {
	for _, tc := range parseCases {
		f.Add(tc.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParseAddress(s)
		if err != nil {
			var fe *FieldError
			if !errors.As(err, &fe) || !errors.Is(err, ErrInvalidAddress) {
				t.Fatalf("error %v is not an address FieldError", err)
			}
			return
		}
		if a != a.Normalize() {
			t.Fatalf("accepted address not normalized: %+v", a)
		}
		if err := a.Validate(); err != nil {
			t.Fatalf("accepted address invalid: %v", err)
		}
	})
}
