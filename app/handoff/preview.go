package handoff

import (
	"errors"
	"strings"
	"time"
)

// A Preview is what a request would be if it were recorded now, computed by
// the same rules NewRequest applies, so a form can show the fee and the due
// dates while it is filled and mark every field that would be refused.
type Preview struct {
	// Problems holds one *FieldError per field that NewRequest would
	// refuse, all of them (not only the first), in validation order.
	Problems []*FieldError
	// Fee is the quote for the input as far as it is valid (an invalid
	// address is left out, so no state rule is taken from it); FeeErr is
	// why no fee could be quoted (e.g. ErrFeeAboveCap naming the rule).
	Fee    Fee
	FeeErr error
	// Due is the target due date the request would get (its urgency's
	// target, never after the legal limit); LegalDue is the legal limit,
	// LegalDays days after now.
	Due, LegalDue time.Time
	LegalDays     int
}

// Problem returns the problem of field (or of a part of it, e.g.
// "address" for "address.postal_code"), or nil.
func (p Preview) Problem(field string) *FieldError {
	for _, fe := range p.Problems {
		if fe.Field == field || strings.HasPrefix(fe.Field, field+".") {
			return fe
		}
	}
	return nil
}

// Preview validates in as NewRequest would at the store's clock, with its
// study validator and configuration, and returns every problem, the fee
// and the due dates. Nothing is written.
func (s *Store) Preview(in RequestInput) Preview {
	cfg := s.Config()
	return cfg.Preview(in, s.clock(), s.studies)
}

// Preview is Store.Preview with an explicit clock and study validator.
func (c Config) Preview(in RequestInput, now time.Time, known StudyValidator) Preview {
	p := Preview{LegalDays: c.legalDays(), LegalDue: now.AddDate(0, 0, c.legalDays())}
	badAddress := false
	// validate stops at the first problem: note it, put a valid stand-in
	// in that field only, and validate again, until nothing is refused.
	for range 64 {
		out, due, err := c.validate(in, now, known)
		if err == nil {
			in, p.Due = out, due
			break
		}
		var fe *FieldError
		if !errors.As(err, &fe) || !standIn(&in, fe.Field) {
			p.Problems = append(p.Problems, &FieldError{Field: "request", Err: err, Msg: err.Error()})
			p.Due = c.DueDate(now, in.Urgency).UTC().Truncate(time.Millisecond)
			break
		}
		p.Problems = append(p.Problems, fe)
		if fe.Field == "address" || strings.HasPrefix(fe.Field, "address.") {
			badAddress = true
		}
	}
	if badAddress {
		in.Address = nil
	}
	p.Fee, p.FeeErr = c.Fees.QuoteFor(in, in.FeeMethod, in.Costs, now.In(c.location()))
	return p
}

// standIn replaces the named field of in by a value validate accepts; it
// reports false for a field it does not know.
func standIn(in *RequestInput, field string) bool {
	switch {
	case field == "patient.name":
		in.Patient.Name = "-"
	case field == "patient.id":
		in.Patient.ID = ""
	case field == "patient.birth_date":
		in.Patient.BirthDate = ""
	case field == "requester.kind":
		in.Requester.Kind = RequesterFacility
		in.Requester.Organization, in.Requester.Name = "-", "-"
	case field == "requester.name":
		in.Requester.Name = "-"
	case field == "requester.relationship":
		in.Requester.Relationship = "-"
	case field == "requester.organization":
		in.Requester.Organization = "-"
	case field == "requester.phone":
		in.Requester.Phone = ""
	case field == "requester.email":
		in.Requester.Email = ""
	case field == "requester.state":
		in.Requester.State = ""
	case field == "identity.method":
		in.Identity.Method = "-"
	case field == "identity.checked_by":
		in.Identity.CheckedBy = "-"
	case field == "notes":
		in.Notes = ""
	case field == "recipient":
		in.Recipient = ""
	case field == "studies":
		in.Studies = Studies{From: "2000-01-01", To: "2000-01-01"}
	case field == "format":
		in.Format = FormatCD
	case field == "copies":
		in.Copies = 1
	case field == "delivery":
		in.Delivery = DeliveryPickup
	case field == "address" || strings.HasPrefix(field, "address."):
		in.Address = &Address{Street: "1 Main St", City: "Portland", Region: "ME", PostalCode: "04101", Country: "US"}
	case field == "urgency":
		in.Urgency = UrgencyRoutine
	case field == "due":
		in.Due = time.Time{}
	default:
		return false
	}
	return true
}
