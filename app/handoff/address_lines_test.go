package handoff

import "testing"

// An address with parts missing prints no stray separator lines.
func TestAddressLinesSkipEmptyParts(t *testing.T) {
	for _, tc := range []struct {
		a    Address
		want []string
	}{
		{Address{Country: "US"}, nil},
		{Address{Street: "1 Main St", City: "Springfield", Country: "US"}, []string{"1 Main St", "Springfield"}},
		{Address{Street: "1 Main St", City: "Springfield", Region: "IL", PostalCode: "62701", Country: "US"}, []string{"1 Main St", "Springfield, IL 62701"}},
	} {
		got := tc.a.Lines()
		if len(got) != len(tc.want) {
			t.Errorf("%+v: %q, want %q", tc.a, got, tc.want)
			continue
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("%+v: %q, want %q", tc.a, got, tc.want)
			}
		}
	}
}
