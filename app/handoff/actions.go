package handoff

import (
	"fmt"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

func (a Actor) check() error {
	if strings.TrimSpace(a.Staff) == "" {
		return fieldErr("staff", ErrMissing, "every event names the staff member")
	}
	if strings.TrimSpace(a.Workstation) == "" {
		return fieldErr("workstation", ErrMissing, "every event names the workstation")
	}
	return nil
}

func (s *Store) clock() time.Time { return s.now().UTC().Truncate(time.Millisecond) }

// NewRequest validates in, quotes its fee and records a "requested" event.
// On any validation error (a *FieldError: invalid address, due date in the
// past, unknown study, ...) nothing is written.
func (s *Store) NewRequest(in RequestInput, by Actor) (Request, error) {
	if err := by.check(); err != nil {
		return Request{}, err
	}
	now := s.clock()
	cfg := s.Config()
	in, due, err := cfg.validate(in, now, s.studies)
	if err != nil {
		return Request{}, err
	}
	fee, err := cfg.Fees.QuoteFor(in, in.FeeMethod, in.Costs, now.In(cfg.location()))
	if err != nil {
		return Request{}, err
	}
	ev := &Event{Time: now, Kind: EventRequested, Staff: by.Staff, Workstation: by.Workstation, Input: &in, Due: due, Fee: &fee}
	return s.create(ev, "new request")
}

// create appends an event that opens a record (requested,
// outside-received) in one write transaction and returns the record.
func (s *Store) create(ev *Event, op string) (Request, error) {
	if s.remote != nil {
		r, err := s.remoteAppend(ev, nil)
		if err != nil {
			return Request{}, fmt.Errorf("handoff: %s: %w", op, err)
		}
		return r, nil
	}
	var out Request
	err := s.db.Update(func(tx *bolt.Tx) error {
		b, err := open(tx)
		if err != nil {
			return err
		}
		r, err := s.writeRequest(b, ev)
		if err == nil {
			out = *r
		}
		return err
	})
	if err != nil {
		return Request{}, fmt.Errorf("handoff: %s: %w", op, err)
	}
	return out, nil
}

// event appends ev (of an existing request, found by ev.Request or, when
// that is empty, by ev.Disc) and returns it with ID and hashes set.
func (s *Store) event(ev *Event, by Actor, hook func(ev *Event, r *Request) error) (Event, error) {
	if err := by.check(); err != nil {
		return Event{}, err
	}
	ev.Time, ev.Staff, ev.Workstation = s.clock(), strings.TrimSpace(by.Staff), strings.TrimSpace(by.Workstation)
	if s.remote != nil {
		if _, err := s.remoteAppend(ev, hook); err != nil {
			return Event{}, err
		}
		return *ev, nil
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		b, err := open(tx)
		if err != nil {
			return err
		}
		return s.writeEvent(b, ev, hook)
	})
	if err != nil {
		return Event{}, fmt.Errorf("handoff: record %s: %w", ev.Kind, err)
	}
	return *ev, nil
}

// QuoteFee recomputes the fee with method and costs and records it; the
// requester must be shown the new fee before the burn.
func (s *Store) QuoteFee(requestID string, method FeeMethod, c Costs, by Actor) (Fee, error) {
	r, err := s.Request(requestID)
	if err != nil {
		return Fee{}, err
	}
	cfg := s.Config()
	fee, err := cfg.Fees.QuoteFor(r.RequestInput, method, c, s.clock().In(cfg.location()))
	if err != nil {
		return Fee{}, err
	}
	if _, err := s.event(&Event{Kind: EventFeeQuoted, Request: r.ID, Fee: &fee}, by, nil); err != nil {
		return Fee{}, err
	}
	return fee, nil
}

// RecordBurn records a burned disc of a request (called by `discdesk burn
// --request ID` once the burn and its verification finished).
func (s *Store) RecordBurn(requestID string, b Burn, by Actor) (Event, error) {
	if _, err := idKey("burn.disc_uuid", b.DiscUUID); err != nil {
		return Event{}, err
	}
	if b.M < 1 || b.N < 1 || b.N > b.M {
		return Event{}, fieldErr("burn", ErrInvalidValue, "disc %d of %d", b.N, b.M)
	}
	if len(b.ManifestHash) != 64 || strings.Trim(strings.ToLower(b.ManifestHash), "0123456789abcdef") != "" {
		return Event{}, fieldErr("burn.manifest_hash", ErrInvalidValue, "want 64 hex digits of SHA-256")
	}
	switch b.Format {
	case "", FormatCD, FormatDVD, FormatUSB, FormatISO, FormatZIP:
	default:
		return Event{}, fieldErr("burn.format", ErrInvalidValue, "%q is not CD, DVD, USB, ISO or ZIP", b.Format)
	}
	if b.Format != "" && !b.Format.Physical() && strings.TrimSpace(b.Destination) == "" {
		return Event{}, fieldErr("burn.destination", ErrMissing, "an electronic copy names the file it was written to")
	}
	b.Destination = strings.TrimSpace(b.Destination)
	b.ManifestHash = strings.ToLower(b.ManifestHash)
	b.DiscUUID = strings.ToLower(b.DiscUUID)
	return s.event(&Event{Kind: EventBurned, Request: requestID, Disc: b.DiscUUID, Burn: &b}, by, nil)
}

// HandOver records a disc leaving the building: handed over at the desk
// (mail false; IdentityCheck required) or mailed (Carrier required). When
// the store has an Auditor, the event carries the DICOM audit message.
func (s *Store) HandOver(discUUID string, mail bool, h Handover, by Actor) (Event, error) {
	h.To, h.IdentityCheck = strings.TrimSpace(h.To), strings.TrimSpace(h.IdentityCheck)
	h.Carrier, h.Tracking = strings.TrimSpace(h.Carrier), strings.TrimSpace(h.Tracking)
	if h.To == "" {
		return Event{}, fieldErr("to", ErrMissing, "who received the disc")
	}
	kind := EventHandedOver
	if mail {
		kind = EventMailed
		if h.Carrier == "" {
			return Event{}, fieldErr("carrier", ErrMissing, "a mailed disc names its carrier")
		}
	} else if h.IdentityCheck == "" {
		return Event{}, fieldErr("identity_check", ErrMissing, "a disc handed over at the desk needs an identity check")
	}
	disc := strings.ToLower(discUUID)
	if _, err := idKey("disc", disc); err != nil {
		return Event{}, err
	}
	ev := &Event{Kind: kind, Disc: disc, Handover: &h}
	return s.event(ev, by, func(ev *Event, r *Request) error {
		if s.auditor == nil {
			return nil
		}
		for i := range r.Discs {
			if r.Discs[i].UUID == disc {
				xml, err := s.auditor(r, &r.Discs[i], ev)
				if err != nil {
					return fmt.Errorf("audit message: %w", err)
				}
				ev.Audit = string(xml)
			}
		}
		return nil
	})
}

// ConfirmReceipt records that the receiving practice (or person) confirmed
// the disc arrived; who is the person who confirmed.
func (s *Store) ConfirmReceipt(discUUID, who string, by Actor) (Event, error) {
	if strings.TrimSpace(who) == "" {
		return Event{}, fieldErr("confirmed_by", ErrMissing, "")
	}
	return s.event(&Event{Kind: EventReceived, Disc: strings.ToLower(discUUID), Text: strings.TrimSpace(who)}, by, nil)
}

// Return records a disc that came back (undeliverable, refused, damaged).
func (s *Store) Return(discUUID, reason string, by Actor) (Event, error) {
	if strings.TrimSpace(reason) == "" {
		return Event{}, fieldErr("reason", ErrMissing, "")
	}
	return s.event(&Event{Kind: EventReturned, Disc: strings.ToLower(discUUID), Text: strings.TrimSpace(reason)}, by, nil)
}

// Spoil records that a logged disc must never leave the building (found
// damaged or unreadable at the desk, or back from the post unusable); the
// request then needs a replacement disc.
func (s *Store) Spoil(discUUID, reason string, by Actor) (Event, error) {
	if strings.TrimSpace(reason) == "" {
		return Event{}, fieldErr("reason", ErrMissing, "say why the disc is spoiled")
	}
	return s.event(&Event{Kind: EventSpoiled, Disc: strings.ToLower(discUUID), Text: strings.TrimSpace(reason)}, by, nil)
}

// Cancel closes a request with a reason.
func (s *Store) Cancel(requestID, reason string, by Actor) (Event, error) {
	if strings.TrimSpace(reason) == "" {
		return Event{}, fieldErr("reason", ErrMissing, "a cancellation needs a reason")
	}
	return s.event(&Event{Kind: EventCancelled, Request: requestID, Text: strings.TrimSpace(reason)}, by, nil)
}

// TellPatient records that the patient was told (how: "phone", "portal", ...).
func (s *Store) TellPatient(requestID, how string, by Actor) (Event, error) {
	if strings.TrimSpace(how) == "" {
		return Event{}, fieldErr("how", ErrMissing, "")
	}
	return s.event(&Event{Kind: EventPatientTold, Request: requestID, Text: strings.TrimSpace(how)}, by, nil)
}

// Correct appends a correction note to the event eventID; the corrected event
// stays as it was.
func (s *Store) Correct(eventID, text string, by Actor) (Event, error) {
	if strings.TrimSpace(text) == "" {
		return Event{}, fieldErr("text", ErrMissing, "")
	}
	ev, err := s.Event(eventID)
	if err != nil {
		return Event{}, err
	}
	return s.event(&Event{Kind: EventCorrection, Request: ev.Request, Disc: ev.Disc, Corrects: ev.ID, Text: strings.TrimSpace(text)}, by, nil)
}

// writeRequest appends a "requested" event inside a write transaction; the
// request's ID is the event's ID (append sets both).
func (s *Store) writeRequest(b *buckets, ev *Event) (*Request, error) {
	after, err := apply(nil, ev)
	if err != nil {
		return nil, err
	}
	if err := s.append(b, ev, nil, after); err != nil {
		return nil, err
	}
	return after, nil
}

// writeEvent appends an event of an existing request, found by ev.Request
// or, when that is empty, by ev.Disc, inside a write transaction.
func (s *Store) writeEvent(b *buckets, ev *Event, hook func(ev *Event, r *Request) error) error {
	var reqKey []byte
	var err error
	if ev.Request == "" {
		dk, err := idKey("disc", ev.Disc)
		if err != nil {
			return err
		}
		v := b.discs.Get(dk)
		if v == nil {
			return fmt.Errorf("handoff: disc %s: %w", ev.Disc, ErrNotFound)
		}
		reqKey = append([]byte(nil), v...)
		ev.Request, _ = keyID(reqKey)
	} else if reqKey, err = idKey("request", ev.Request); err != nil {
		return err
	}
	before, err := getRequest(b, reqKey)
	if err != nil {
		return err
	}
	after, err := apply(before, ev)
	if err != nil {
		return err
	}
	if hook != nil {
		if err := hook(ev, after); err != nil {
			return err
		}
	}
	return s.append(b, ev, before, after)
}
