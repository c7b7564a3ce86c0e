package handoff

import (
	"fmt"
)

// Errors of the request rules (CanHandOver, CanTell); each reaches the
// caller wrapped with the disc or request it is about, and wraps
// ErrWrongState so older callers keep matching.
var (
	// ErrSpoiled means the disc failed verification or was marked spoiled:
	// it must never leave the building.
	ErrSpoiled = fmt.Errorf("disc is spoiled: never hand it out: %w", ErrWrongState)
	// ErrNoAddress means a disc is to be mailed but the request has no
	// mailing address.
	ErrNoAddress = fmt.Errorf("no mailing address: %w", ErrWrongState)
	// ErrAlreadyOut means the disc has left the building and has not come back.
	ErrAlreadyOut = fmt.Errorf("disc already left the building: %w", ErrWrongState)
	// ErrNothingToTell means the patient cannot be told yet: no good disc
	// is ready, or they were told already, or the request is cancelled.
	ErrNothingToTell = fmt.Errorf("nothing to tell the patient: %w", ErrWrongState)
)

// Good reports whether the disc may go to its recipient: it passed its
// read-back verification and nobody marked it spoiled.
func (d Disc) Good() bool { return d.Verified && d.Spoiled.IsZero() }

// Out reports whether the disc left the building and has not come back.
func (d Disc) Out() bool { return !d.HandedOver.IsZero() && d.Returned.IsZero() }

// AwaitsReceipt reports whether the disc was mailed and its arrival is not
// confirmed yet.
func (d Disc) AwaitsReceipt() bool { return d.Out() && d.Method == "mail" && d.Received.IsZero() }

// Disc returns the disc with that UUID, or nil.
func (r *Request) Disc(uuid string) *Disc {
	for i := range r.Discs {
		if r.Discs[i].UUID == uuid {
			return &r.Discs[i]
		}
	}
	return nil
}

// CanHandOver reports why the disc may not be handed over at the desk (mail
// false) or mailed now: it is not a disc of the request, it is spoiled or
// failed verification, it is out already, or it is to be mailed and the
// request has no address. nil means it may go.
func (r *Request) CanHandOver(discUUID string, mail bool) error {
	if r.Status == StatusCancelled {
		return ErrClosed
	}
	d := r.Disc(discUUID)
	if d == nil {
		return fmt.Errorf("disc %s of request %s: %w", discUUID, r.ID, ErrNotFound)
	}
	if !d.Good() {
		return fmt.Errorf("disc %s: %w", d.UUID, ErrSpoiled)
	}
	if d.Out() {
		return fmt.Errorf("disc %s on %s: %w", d.UUID, d.HandedOver.Format("2006-01-02"), ErrAlreadyOut)
	}
	if mail && r.Address == nil {
		return fmt.Errorf("request %s (%s): %w: record the address first", r.ID, r.Delivery.Label(), ErrNoAddress)
	}
	return nil
}

// ToHandOver returns the discs that may be handed over or mailed now (the
// latest last); the desk offers the last one.
func (r *Request) ToHandOver() []Disc {
	var out []Disc
	for _, d := range r.Discs {
		if r.CanHandOver(d.UUID, false) == nil {
			out = append(out, d)
		}
	}
	return out
}

// AwaitingReceipt returns the mailed discs whose arrival is not confirmed.
func (r *Request) AwaitingReceipt() []Disc {
	var out []Disc
	for _, d := range r.Discs {
		if d.AwaitsReceipt() {
			out = append(out, d)
		}
	}
	return out
}

// NeedsDisc reports whether the request is open and has no good disc that
// is in the building or out with its recipient: a (replacement) disc is
// to be burned.
func (r *Request) NeedsDisc() bool {
	if !r.Open() || r.Intake != nil {
		return false
	}
	for _, d := range r.Discs {
		if d.Good() && d.Returned.IsZero() {
			return false
		}
	}
	return true
}

// CanTell reports why the patient may not be told yet: they were told
// already, the request is cancelled, or no good disc is ready (at the desk
// for a pickup, arrived for a mailed copy). nil means tell them. An
// outside disc's record may be told at once: its images were received
// and imported (the receipt is theirs). The tell-the-patient list
// (ToTell) is the same rule: CanTell is nil exactly when ToTell holds, and
// otherwise says why.
func (r *Request) CanTell() error {
	switch {
	case r.Status == StatusCancelled:
		return fmt.Errorf("request %s is cancelled: %w", r.ID, ErrNothingToTell)
	case !r.PatientTold.IsZero():
		return fmt.Errorf("request %s: told on %s: %w", r.ID, r.PatientTold.Format("2006-01-02"), ErrNothingToTell)
	case r.ToTell():
		return nil
	case r.Status == StatusDelivered && r.Delivery == DeliveryPickup:
		return fmt.Errorf("request %s: the disc was handed over at the desk: %w", r.ID, ErrNothingToTell)
	case r.goodDiscs() > 0 && r.Delivery != DeliveryPickup:
		return fmt.Errorf("request %s: the copy has not arrived yet (confirm its receipt first): %w", r.ID, ErrNothingToTell)
	}
	return fmt.Errorf("request %s: no verified disc is ready yet: %w", r.ID, ErrNothingToTell)
}
