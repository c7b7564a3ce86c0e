package handoff

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

func capsStore(t *testing.T, state string) (*Store, *fakeClock) {
	t.Helper()
	tab, err := ExampleFeeCaps()
	if err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	cfg.Location = time.UTC
	cfg.Fees.State = state
	cfg.Fees.Caps = &tab
	return newTestStore(t, WithConfig(cfg))
}

func TestExampleFeeCapsIsMarkedAndValid(t *testing.T) {
	tab, err := ExampleFeeCaps()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(tab.Notice, "EXAMPLE DATA") || !strings.Contains(tab.Notice, "NOT LEGAL ADVICE") || !strings.Contains(tab.Notice, "compliance office") {
		t.Errorf("notice %q does not mark the table as example data to be checked", tab.Notice)
	}
	if err := tab.Check(); err != nil {
		t.Fatal(err)
	}
	for _, r := range tab.Rules {
		if !strings.Contains(strings.ToLower(r.Name), "example") {
			t.Errorf("rule %s name %q is not marked as an example", r.ID, r.Name)
		}
	}
}

func TestFeeCapTableCheck(t *testing.T) {
	for name, tab := range map[string]FeeCapTable{
		"overlap": {Rules: []FeeRule{
			{ID: "A", State: "NY", Name: "a", EffectiveFrom: "2020-01-01"},
			{ID: "B", State: "ny", Name: "b", EffectiveFrom: "2024-01-01"},
		}},
		"bad date":     {Rules: []FeeRule{{ID: "A", State: "NY", Name: "a", EffectiveFrom: "01/01/2020"}}},
		"end first":    {Rules: []FeeRule{{ID: "A", State: "NY", Name: "a", EffectiveFrom: "2020-01-01", EffectiveTo: "2019-01-01"}}},
		"no name":      {Rules: []FeeRule{{ID: "A", State: "NY", EffectiveFrom: "2020-01-01"}}},
		"dup id":       {Rules: []FeeRule{{ID: "A", State: "NY", Name: "a", EffectiveFrom: "2020-01-01"}, {ID: "A", State: "NJ", Name: "a", EffectiveFrom: "2020-01-01"}}},
		"negative cap": {Rules: []FeeRule{{ID: "A", State: "NY", Name: "a", EffectiveFrom: "2020-01-01", MaxCents: -1}}},
	} {
		if err := tab.Check(); err == nil {
			t.Errorf("%s: Check accepted %+v", name, tab)
		}
	}
	cfg := DefaultConfig()
	cfg.Fees.Caps = &FeeCapTable{Rules: []FeeRule{{ID: "A", State: "NY", EffectiveFrom: "2020-01-01"}}}
	if _, err := Open(nil, WithConfig(cfg)); err == nil || !errors.Is(err, ErrMissing) {
		t.Errorf("Open with a bad table: %v, want ErrMissing", err)
	}
}

func TestFeeAboveCapRefusedWithRuleNamed(t *testing.T) {
	s, _ := capsStore(t, "NY")
	in := pickupInput()
	in.FeeMethod = FeeActual
	in.Costs = Costs{LabourMinutes: 90} // 90 x $0.40 = $36.00 + CD $0.75
	_, err := s.NewRequest(in, desk)
	var fe *FieldError
	if !errors.Is(err, ErrFeeAboveCap) || !errors.As(err, &fe) || fe.Field != "fee" {
		t.Fatalf("NewRequest above the cap: %v, want ErrFeeAboveCap on fee", err)
	}
	for _, w := range []string{"EXAMPLE-NY-1", "Example rule NY-1", "$36.75", "$25.00", "facility state"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("refusal %q does not name %q", err, w)
		}
	}
	if n, _ := s.Count(); n != 0 {
		t.Fatalf("%d events written for a refused request", n)
	}
	// Under the cap: accepted, with the rule kept for the invoice.
	in.Costs = Costs{LabourMinutes: 10}
	r := mustRequest(t, s, in)
	if r.Fee.Rule == nil || r.Fee.Rule.ID != "EXAMPLE-NY-1" || r.Fee.Rule.Cap != 2500 || r.Fee.Rule.Basis != "facility state" {
		t.Fatalf("fee rule %+v", r.Fee.Rule)
	}
	if c := r.Fee.Rule.Cite(); !strings.Contains(c, "Example rule NY-1") || !strings.Contains(c, "cap $25.00") {
		t.Errorf("cite %q", c)
	}
	// A re-quote above the cap is refused too, and nothing is written.
	before, _ := s.Count()
	if _, err := s.QuoteFee(r.ID, FeeActual, Costs{LabourMinutes: 120}, desk); !errors.Is(err, ErrFeeAboveCap) {
		t.Fatalf("QuoteFee above cap: %v", err)
	}
	if after, _ := s.Count(); after != before {
		t.Fatalf("refused quote wrote %d events", after-before)
	}
	mustVerify(t, s)
}

func TestFeeCapPerFormatAndShipping(t *testing.T) {
	s, _ := capsStore(t, "NY")
	// ZIP is capped at $6.50 in the example: the flat $6.50 passes, $6.51 average is refused.
	in := pickupInput()
	in.Format = FormatZIP
	r := mustRequest(t, s, in)
	if r.Fee.Total != 650 || r.Fee.Rule == nil || r.Fee.Rule.Cap != 650 {
		t.Fatalf("ZIP flat fee %v rule %+v", r.Fee.Total, r.Fee.Rule)
	}
	cfg := s.Config()
	cfg.Fees.Average = 651
	s2, _ := newTestStore(t, WithConfig(cfg))
	in.FeeMethod = FeeAverage
	if _, err := s2.NewRequest(in, desk); !errors.Is(err, ErrFeeAboveCap) {
		t.Fatalf("ZIP at $6.51: %v", err)
	}
	// Overnight shipping the requester asked for is outside the NY example cap.
	in = mailInput()
	in.Delivery = DeliveryOvernight
	in.Address.Region = "NY"
	in.Address.City, in.Address.PostalCode = "Albany", "12207"
	r = mustRequest(t, s, in) // flat $6.50 + $32.00 overnight
	if r.Fee.Total != 3850 || r.Fee.Rule == nil {
		t.Fatalf("overnight fee %v rule %+v", r.Fee.Total, r.Fee.Rule)
	}
}

func TestFeeCapRequesterStateAndDates(t *testing.T) {
	s, clk := capsStore(t, "NJ")
	in := pickupInput()
	in.FeeMethod = FeeAverage // $6.50
	// 2025-03-10: NJ-2 is in force ($8.00) and defers to the requester's state.
	r := mustRequest(t, s, in)
	if r.Fee.Rule == nil || r.Fee.Rule.ID != "EXAMPLE-NJ-2" {
		t.Fatalf("rule %+v, want EXAMPLE-NJ-2", r.Fee.Rule)
	}
	in.Requester.State = "ct" // CT-1: $5.00 for patients
	_, err := s.NewRequest(in, desk)
	if !errors.Is(err, ErrFeeAboveCap) || !strings.Contains(err.Error(), "EXAMPLE-CT-1") || !strings.Contains(err.Error(), "requester's state") {
		t.Fatalf("CT patient: %v, want refusal under EXAMPLE-CT-1 (requester's state)", err)
	}
	// CT-1 covers patients and representatives only: a physician's office is not capped by it.
	ph := mailInput()
	ph.Requester.State = "CT"
	r = mustRequest(t, s, ph)
	if r.Fee.Rule != nil {
		t.Fatalf("physician under CT-1: rule %+v, want none", r.Fee.Rule)
	}
	// In 2024 NJ-1 ($10.00) was in force and did not defer.
	clk.Add(-365 * 24 * time.Hour)
	r = mustRequest(t, s, in)
	if r.Fee.Rule == nil || r.Fee.Rule.ID != "EXAMPLE-NJ-1" || r.Fee.Rule.Basis != "facility state" {
		t.Fatalf("2024 rule %+v, want EXAMPLE-NJ-1", r.Fee.Rule)
	}
	// A state without a rule: no cap, no citation.
	s3, _ := capsStore(t, "WI")
	if r := mustRequest(t, s3, pickupInput()); r.Fee.Rule != nil {
		t.Fatalf("WI rule %+v", r.Fee.Rule)
	}
	mustVerify(t, s)
}

func TestFeeRuleKeptInLogJSON(t *testing.T) {
	s, _ := capsStore(t, "NY")
	r := mustRequest(t, s, pickupInput())
	evs, err := s.Events(r.ID, "")
	if err != nil || len(evs) != 1 {
		t.Fatal(err, len(evs))
	}
	b, _ := json.Marshal(evs[0].Fee)
	if !strings.Contains(string(b), `"rule":{"id":"EXAMPLE-NY-1"`) {
		t.Fatalf("logged fee %s lacks the rule", b)
	}
}
