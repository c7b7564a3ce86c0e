package handoff

import "testing"

// Settings saved while the desk runs apply to the next request; requests
// already recorded keep what they were quoted.
func TestSetConfigAppliesToTheNextRequest(t *testing.T) {
	s, _ := newTestStore(t)
	first := mustRequest(t, s, pickupInput())
	cfg := s.Config()
	cfg.Fees.Method, cfg.Fees.Flat = FeeFlat, first.Fee.Total+100
	if err := s.SetConfig(cfg); err != nil {
		t.Fatal(err)
	}
	second := mustRequest(t, s, pickupInput())
	if second.Fee.Total != first.Fee.Total+100 {
		t.Errorf("fee after SetConfig %v, want %v", second.Fee.Total, first.Fee.Total+100)
	}
	again, err := s.Request(first.ID)
	if err != nil || again.Fee.Total != first.Fee.Total {
		t.Errorf("the first request's fee changed to %v (%v)", again.Fee.Total, err)
	}
}
