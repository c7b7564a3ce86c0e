package handoff

import (
	"strings"
	"time"
)

// An Intake is a patient's disc from another facility as the receiving
// practice recorded it: who sent it, what was on it, how its identifiers
// were mapped to local ones (the originals stay in each object's Original
// Attributes Sequence, PS3.3 C.12.1.1.9), where it went, and the receipt
// text given to the patient.
type Intake struct {
	Sender    string      `json:"sender"`   // the facility (or person) that made the disc
	Received  time.Time   `json:"received"` // when the disc was received at the desk
	Studies   []string    `json:"studies"`  // Study Instance UIDs imported
	Instances int         `json:"instances"`
	Mappings  []IDMapping `json:"mappings,omitempty"`
	Forwarded string      `json:"forwarded,omitempty"` // the PACS it was sent to (AE@host:port), when configured
	Receipt   string      `json:"receipt"`             // the text given to the patient
	Problems  []string    `json:"problems,omitempty"`  // files not imported or not forwarded
}

// An IDMapping is one identifier coerced from the outside value to the local
// one (Patient ID, Accession Number).
type IDMapping struct {
	Attribute string `json:"attribute"` // "PatientID", "AccessionNumber", "IssuerOfPatientID"
	Outside   string `json:"outside"`
	Local     string `json:"local"`
}

// RecordOutsideDisc opens the record of an outside disc: patient (the local
// identity it was matched to) and intake. The record is "received" at once
// and stands on the tell-the-patient list until TellPatient is recorded;
// ConfirmToSender records that the sender was told.
func (s *Store) RecordOutsideDisc(p Patient, in Intake, by Actor) (Request, error) {
	if err := by.check(); err != nil {
		return Request{}, err
	}
	p.Name, p.ID, p.Issuer = strings.TrimSpace(p.Name), strings.TrimSpace(p.ID), strings.TrimSpace(p.Issuer)
	in.Sender, in.Receipt = strings.TrimSpace(in.Sender), strings.TrimSpace(in.Receipt)
	switch {
	case p.Name == "":
		return Request{}, fieldErr("patient.name", ErrMissing, "")
	case in.Sender == "":
		return Request{}, fieldErr("intake.sender", ErrMissing, "who sent the disc")
	case len(in.Studies) == 0:
		return Request{}, fieldErr("intake.studies", ErrMissing, "no study was imported")
	case in.Receipt == "":
		return Request{}, fieldErr("intake.receipt", ErrMissing, "the receipt text for the patient")
	}
	for _, u := range in.Studies {
		if !ValidUID(u) {
			return Request{}, fieldErr("intake.studies", ErrInvalidUID, "%q", u)
		}
	}
	now := s.clock()
	if in.Received.IsZero() {
		in.Received = now
	}
	in.Received = in.Received.UTC().Truncate(time.Millisecond)
	input := RequestInput{
		Patient:   p,
		Requester: Requester{Kind: RequesterFacility, Name: in.Sender, Organization: in.Sender},
		Studies:   Studies{UIDs: append([]string(nil), in.Studies...)},
		Recipient: p.Name,
	}
	ev := &Event{Time: now, Kind: EventOutsideReceived, Staff: strings.TrimSpace(by.Staff), Workstation: strings.TrimSpace(by.Workstation), Input: &input, Intake: &in}
	return s.create(ev, "record outside disc")
}

// ConfirmToSender records that staff confirmed the receipt of an outside
// disc to its sender (how: "phone to film library", "fax", ...).
func (s *Store) ConfirmToSender(recordID, how string, by Actor) (Event, error) {
	if strings.TrimSpace(how) == "" {
		return Event{}, fieldErr("how", ErrMissing, "")
	}
	return s.event(&Event{Kind: EventSenderConfirmed, Request: recordID, Text: strings.TrimSpace(how)}, by, nil)
}
