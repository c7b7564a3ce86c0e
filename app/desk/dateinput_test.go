package desk

import "testing"

func TestParseDateInput(t *testing.T) {
	for in, want := range map[string]string{
		"": "", "2026-11-01": "20261101", "11/01/2026": "20261101", "1/2/2026": "20260102",
		"20261101": "20261101", " 2026-11-01 ": "20261101",
	} {
		got, err := parseDateInput(in)
		if err != nil || got != want {
			t.Errorf("parseDateInput(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"yesterday", "2026-13-01", "31/12/2026", "11/01"} {
		if got, err := parseDateInput(bad); err == nil {
			t.Errorf("parseDateInput(%q) = %q, want an error", bad, got)
		}
	}
	if plural(1, "study", "studies") != "1 study" || plural(2, "study", "studies") != "2 studies" || plural(0, "study", "studies") != "0 studies" {
		t.Error("plural")
	}
}
