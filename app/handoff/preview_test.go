package handoff

import (
	"errors"
	"testing"
	"time"
)

// Preview names every field NewRequest would refuse, not only the first,
// and still quotes the fee and the due dates of what is valid.
func TestPreviewAllProblemsFeeAndDue(t *testing.T) {
	now := time.Date(2026, 11, 2, 15, 0, 0, 0, time.UTC)
	c := DefaultConfig()
	c.Location = time.UTC
	in := RequestInput{
		Patient:   Patient{Name: "Doe, Jane", BirthDate: "2099-01-01"},
		Requester: Requester{Kind: RequesterRepresentative},
		Studies:   Studies{UIDs: []string{"1.2.3"}},
		Format:    FormatCD,
		Delivery:  DeliveryMail,
		Address:   &Address{Street: "Quay St", City: "Portland", Region: "ME", PostalCode: "04101"},
		Urgency:   UrgencyExpedited,
	}
	p := c.Preview(in, now, nil)
	var got []string
	for _, fe := range p.Problems {
		got = append(got, fe.Field)
	}
	want := []string{"patient.birth_date", "requester.relationship", "requester.name", "identity.method", "identity.checked_by", "address.street"}
	if len(got) != len(want) {
		t.Fatalf("problems %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("problems %v, want %v", got, want)
		}
	}
	if fe := p.Problem("address"); fe == nil || !errors.Is(fe, ErrInvalidAddress) {
		t.Errorf("Problem(address) = %v", fe)
	}
	if p.FeeErr != nil || p.Fee.Total != 650 {
		t.Errorf("fee %+v %v", p.Fee, p.FeeErr)
	}
	if !p.Due.Equal(now.Add(48*time.Hour)) || !p.LegalDue.Equal(now.AddDate(0, 0, 30)) || p.LegalDays != 30 {
		t.Errorf("due %v, legal %v (%d days)", p.Due, p.LegalDue, p.LegalDays)
	}
	in.Patient.BirthDate, in.Requester.Relationship, in.Requester.Name = "1990-01-01", "daughter", "Doe, Ann"
	in.Identity = IdentityCheck{Method: "driver licence", CheckedBy: "clerk"}
	in.Address.Street = "12 Quay St"
	if p := c.Preview(in, now, nil); len(p.Problems) != 0 {
		t.Errorf("valid input: problems %v", p.Problems)
	}
}
