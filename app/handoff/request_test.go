package handoff

import (
	"errors"
	"testing"
	"time"
)

func TestNewRequestRejectsBadInputAndWritesNothing(t *testing.T) {
	known := func(uid string) error {
		if uid == studyA {
			return nil
		}
		return errors.New("not in the library")
	}
	s, _ := newTestStore(t, WithStudyValidator(known))
	cases := []struct {
		name  string
		edit  func(*RequestInput)
		field string
		want  error
	}{
		{"due in past", func(in *RequestInput) { in.Due = t0.Add(-time.Hour) }, "due", ErrDueInPast},
		{"due after 30 days", func(in *RequestInput) { in.Due = t0.AddDate(0, 0, 31) }, "due", ErrDueAfterLimit},
		{"unknown study", func(in *RequestInput) { in.Studies.UIDs = []string{"1.2.3.4"} }, "studies", ErrUnknownStudy},
		{"bad uid", func(in *RequestInput) { in.Studies.UIDs = []string{"1.02.3"} }, "studies", ErrInvalidUID},
		{"no studies", func(in *RequestInput) { in.Studies = Studies{} }, "studies", ErrMissing},
		{"reversed range", func(in *RequestInput) { in.Studies = Studies{From: "2024-05-01", To: "2024-01-01"} }, "studies", ErrInvalidValue},
		{"mail without address", func(in *RequestInput) { in.Delivery = DeliveryMail }, "address", ErrMissing},
		{"bad zip", func(in *RequestInput) {
			in.Delivery = DeliveryMail
			in.Address = &Address{Street: "12 Elm St", City: "Boston", Region: "MA", PostalCode: "0211"}
		}, "address.postal_code", ErrInvalidAddress},
		{"bad state", func(in *RequestInput) {
			in.Delivery = DeliveryMail
			in.Address = &Address{Street: "12 Elm St", City: "Boston", Region: "XX", PostalCode: "02115"}
		}, "address.region", ErrInvalidAddress},
		{"us street without number", func(in *RequestInput) {
			in.Delivery = DeliveryMail
			in.Address = &Address{Street: "Elm Street", City: "Boston", Region: "MA", PostalCode: "02115"}
		}, "address.street", ErrInvalidAddress},
		{"representative without relationship", func(in *RequestInput) {
			in.Requester = Requester{Kind: RequesterRepresentative, Name: "John Doe"}
		}, "requester.relationship", ErrMissing},
		{"physician without office", func(in *RequestInput) { in.Requester = Requester{Kind: RequesterPhysician, Name: "Dr X"} }, "requester.organization", ErrMissing},
		{"no identity check", func(in *RequestInput) { in.Identity = IdentityCheck{} }, "identity.method", ErrMissing},
		{"bad format", func(in *RequestInput) { in.Format = "floppy" }, "format", ErrInvalidValue},
		{"bad urgency", func(in *RequestInput) { in.Urgency = "whenever" }, "urgency", ErrInvalidValue},
		{"birth date in future", func(in *RequestInput) { in.Patient.BirthDate = "2099-01-01" }, "patient.birth_date", ErrInvalidValue},
		{"no patient", func(in *RequestInput) { in.Patient.Name = "  " }, "patient.name", ErrMissing},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := pickupInput()
			tc.edit(&in)
			_, err := s.NewRequest(in, desk)
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != tc.field || !errors.Is(err, tc.want) {
				t.Fatalf("err = %v; want field %s, %v", err, tc.field, tc.want)
			}
		})
	}
	if n, _ := s.Count(); n != 0 {
		t.Fatalf("%d events written by rejected requests", n)
	}
	if _, err := s.NewRequest(pickupInput(), Actor{Staff: "x"}); !errors.Is(err, ErrMissing) {
		t.Fatalf("missing workstation: %v", err)
	}
	mustRequest(t, s, pickupInput())
	if n, _ := s.Count(); n != 1 {
		t.Fatalf("count = %d after one good request", n)
	}
}

func TestDueDates(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Location = time.UTC
	if got, want := cfg.DueDate(t0, UrgencyRoutine), t0.AddDate(0, 0, 30); !got.Equal(want) {
		t.Errorf("routine due %v, want %v", got, want)
	}
	if got := cfg.DueDate(t0, UrgencyExpedited); !got.Equal(t0.Add(48 * time.Hour)) {
		t.Errorf("expedited due %v", got)
	}
	if got := cfg.DueDate(t0, UrgencyDischarge); !got.Equal(t0.Add(24 * time.Hour)) {
		t.Errorf("discharge due %v", got)
	}
	if got, want := cfg.DueDate(t0, UrgencySameDay), time.Date(2025, 3, 10, 23, 59, 59, 0, time.UTC); !got.Equal(want) {
		t.Errorf("same-day due %v, want %v", got, want)
	}
	cfg.Targets[UrgencyExpedited] = 24 * time.Hour
	if got := cfg.DueDate(t0, UrgencyExpedited); !got.Equal(t0.Add(24 * time.Hour)) {
		t.Errorf("configured expedited due %v", got)
	}
	cfg.Targets[UrgencyRoutine] = 90 * 24 * time.Hour // a target past the law is capped
	if got := cfg.DueDate(t0, UrgencyRoutine); !got.Equal(t0.AddDate(0, 0, 30)) {
		t.Errorf("capped routine due %v", got)
	}

	s, _ := newTestStore(t)
	r := mustRequest(t, s, mailInput())
	if !r.Due.Equal(t0.Add(48*time.Hour)) || r.Urgency != UrgencyExpedited {
		t.Fatalf("expedited request due %v", r.Due)
	}
	if r.Address.Region != "WI" || r.Address.Country != "US" {
		t.Fatalf("address not normalized: %+v", r.Address)
	}
	in := pickupInput()
	in.Due = t0.Add(72 * time.Hour)
	if r := mustRequest(t, s, in); !r.Due.Equal(in.Due) {
		t.Fatalf("explicit due %v, want %v", r.Due, in.Due)
	}
}

func TestFeeQuotes(t *testing.T) {
	p := DefaultFeePolicy()
	f, err := p.Quote("", FormatCD, DeliveryPickup, Costs{})
	if err != nil || f.Total != 650 || f.Method != FeeFlat || len(f.Items) != 1 {
		t.Fatalf("flat: %+v %v", f, err)
	}
	f, err = p.Quote(FeeActual, FormatDVD, DeliveryMail, Costs{LabourMinutes: 10, MediaCount: 2, Postage: 210})
	if err != nil {
		t.Fatal(err)
	}
	want := []LineItem{
		{"Labour (minutes)", 10, 40, 400},
		{"Media: DVD", 2, 95, 190},
		{"Padded envelope", 1, 85, 85},
		{"Postage", 1, 210, 210},
	}
	if len(f.Items) != len(want) {
		t.Fatalf("items %+v", f.Items)
	}
	for i := range want {
		if f.Items[i] != want[i] {
			t.Errorf("item %d = %+v, want %+v", i, f.Items[i], want[i])
		}
	}
	if f.Total != 885 || f.Total.String() != "$8.85" {
		t.Fatalf("actual total %v", f.Total)
	}
	f, _ = p.Quote(FeeFlat, FormatCD, DeliveryOvernight, Costs{})
	if f.Total != 650+3200 || len(f.Items) != 2 {
		t.Fatalf("flat + overnight: %+v", f)
	}
	p.Flat = 1000
	if f, _ := p.Quote(FeeFlat, FormatCD, DeliveryPickup, Costs{}); f.Total != 1000 {
		t.Fatalf("configured flat: %v", f.Total)
	}
	if _, err := p.Quote("haggle", FormatCD, DeliveryPickup, Costs{}); !errors.Is(err, ErrInvalidValue) {
		t.Fatalf("bad method: %v", err)
	}
	if Cents(-105).String() != "-$1.05" {
		t.Fatal(Cents(-105).String())
	}
}

func TestValidUID(t *testing.T) {
	for s, want := range map[string]bool{studyA: true, "1.2": true, "0.1": true, "1..2": false, "1.02": false, "": false, "1.2a": false, "1.2.": false} {
		if ValidUID(s) != want {
			t.Errorf("ValidUID(%q) != %v", s, want)
		}
	}
}
