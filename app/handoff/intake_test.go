package handoff

import (
	"errors"
	"strings"
	"testing"
)

func TestElectronicCopyRecordedLikeADisc(t *testing.T) {
	s, _ := newTestStore(t)
	in := pickupInput()
	in.Format = FormatZIP
	r := mustRequest(t, s, in)
	b := burn(1, 1)
	b.Format = FormatZIP
	if _, err := s.RecordBurn(r.ID, b, desk); err == nil || !errors.Is(err, ErrMissing) {
		t.Fatalf("ZIP without destination: %v, want ErrMissing", err)
	}
	b.Destination = "/home/jane/OneDrive/Imaging/CT_2025.zip"
	ev, err := s.RecordBurn(r.ID, b, desk)
	if err != nil {
		t.Fatal(err)
	}
	if d := ev.Detail(); !strings.Contains(d, "ZIP file to /home/jane/OneDrive/Imaging/CT_2025.zip") || !strings.Contains(d, b.ManifestHash) {
		t.Errorf("detail %q", d)
	}
	got, _ := s.Request(r.ID)
	if len(got.Discs) != 1 || got.Discs[0].Format != FormatZIP || got.Discs[0].Destination != b.Destination || got.Discs[0].ManifestHash != b.ManifestHash {
		t.Fatalf("discs %+v", got.Discs)
	}
	bad := burn(1, 1)
	bad.Format = "TAPE"
	if _, err := s.RecordBurn(r.ID, bad, desk); !errors.Is(err, ErrInvalidValue) {
		t.Fatalf("format TAPE: %v", err)
	}
	mustVerify(t, s)
}

func TestOutsideDiscReceipt(t *testing.T) {
	s, _ := newTestStore(t)
	p := Patient{Name: "Doe, Jane", BirthDate: "1961-07-04", ID: "MRN0042"}
	in := Intake{Sender: "Riverside Hospital", Studies: []string{studyA}, Instances: 12,
		Mappings: []IDMapping{{Attribute: "PatientID", Outside: "RS-777", Local: "MRN0042"}},
		Receipt:  "Your images were received on 2025-03-10 from Riverside Hospital."}
	if _, err := s.RecordOutsideDisc(p, Intake{Sender: "X", Studies: []string{studyA}}, desk); !errors.Is(err, ErrMissing) {
		t.Fatalf("no receipt text: %v", err)
	}
	r, err := s.RecordOutsideDisc(p, in, desk)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != StatusReceived || r.Intake == nil || r.Intake.Received.IsZero() || !r.ToTell() {
		t.Fatalf("record %+v", r)
	}
	tell, _ := s.ToTell()
	if len(tell) != 1 || tell[0].ID != r.ID {
		t.Fatalf("tell list %+v", tell)
	}
	// Burns do not belong to an outside disc.
	if _, err := s.RecordBurn(r.ID, burn(1, 1), desk); !errors.Is(err, ErrWrongState) {
		t.Fatalf("burn on intake: %v", err)
	}
	if _, err := s.ConfirmToSender(r.ID, "phoned Riverside film library", desk); err != nil {
		t.Fatal(err)
	}
	if _, err := s.TellPatient(r.ID, "portal message", desk); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Request(r.ID)
	if got.Status != StatusReceived || got.SenderConfirmed.IsZero() || got.PatientTold.IsZero() || got.ToTell() {
		t.Fatalf("after confirmations: %+v", got)
	}
	evs, _ := s.Events(r.ID, "")
	if len(evs) != 3 || evs[0].Kind != EventOutsideReceived || !strings.Contains(evs[0].Detail(), "received on 2025-03-10") {
		t.Fatalf("events %+v", evs)
	}
	// A normal request cannot be "confirmed to sender".
	q := mustRequest(t, s, pickupInput())
	if _, err := s.ConfirmToSender(q.ID, "fax", desk); !errors.Is(err, ErrWrongState) {
		t.Fatalf("confirm on a request: %v", err)
	}
	rep := mustVerify(t, s)
	if rep.Requests != 2 {
		t.Fatalf("verify %+v", rep)
	}
}
