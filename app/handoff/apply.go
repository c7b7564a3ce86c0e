package handoff

import (
	"fmt"
)

// apply returns the state of a request after ev; r is the state before (nil
// for a "requested" event). It is the single place where the workflow's
// rules live: writes call it before appending, Verify calls it to replay.
func apply(r *Request, ev *Event) (*Request, error) {
	wrong := func(format string, args ...any) error {
		return fmt.Errorf("handoff: %s event for request %s: %s: %w", ev.Kind, ev.Request, fmt.Sprintf(format, args...), ErrWrongState)
	}
	if ev.Kind == EventOutsideReceived {
		if r != nil {
			return nil, wrong("record exists")
		}
		if ev.Intake == nil || ev.Input == nil {
			return nil, wrong("no intake data")
		}
		in := *ev.Intake
		return &Request{
			ID: ev.Request, Created: ev.Time, RequestInput: *ev.Input, Intake: &in,
			Status: StatusReceived, Updated: ev.Time,
		}, nil
	}
	if ev.Kind == EventRequested {
		if r != nil {
			return nil, wrong("request exists")
		}
		if ev.Input == nil || ev.Fee == nil {
			return nil, wrong("no request data")
		}
		return &Request{
			ID: ev.Request, Created: ev.Time, RequestInput: *ev.Input, Due: ev.Due,
			Fee: *ev.Fee, Status: StatusOpen, Updated: ev.Time,
		}, nil
	}
	if r == nil {
		return nil, wrong("unknown request")
	}
	n := clone(r)
	n.Updated = ev.Time
	if n.Status == StatusCancelled && ev.Kind != EventCorrection && ev.Kind != EventRefunded {
		return nil, fmt.Errorf("handoff: %s event for request %s: %w", ev.Kind, ev.Request, ErrClosed)
	}
	disc := func() (*Disc, error) {
		for i := range n.Discs {
			if n.Discs[i].UUID == ev.Disc {
				return &n.Discs[i], nil
			}
		}
		return nil, fmt.Errorf("handoff: disc %s of request %s: %w", ev.Disc, ev.Request, ErrNotFound)
	}
	switch ev.Kind {
	case EventFeeQuoted:
		if ev.Fee == nil {
			return nil, wrong("no fee")
		}
		// A fee quoted below what was paid stands: the difference is
		// refundable (Request.Refundable).
		n.Fee = *ev.Fee
	case EventPaid, EventRefunded:
		if err := applyPayment(n, ev); err != nil {
			return nil, err
		}
	case EventBurned:
		if ev.Burn == nil || ev.Burn.DiscUUID != ev.Disc {
			return nil, wrong("no burn data")
		}
		if _, err := disc(); err == nil {
			return nil, fmt.Errorf("handoff: disc %s: %w", ev.Disc, ErrDiscExists)
		}
		b := ev.Burn
		if n.Intake != nil {
			return nil, wrong("an outside disc's record takes no burns")
		}
		n.Discs = append(n.Discs, Disc{UUID: b.DiscUUID, N: b.N, M: b.M, ManifestHash: b.ManifestHash, Verified: b.Verified, Studies: b.Studies, Instances: b.Instances,
			Format: b.Format, Destination: b.Destination, Burned: ev.Time})
	case EventHandedOver, EventMailed:
		if _, err := disc(); err != nil {
			return nil, err
		}
		if err := n.CanHandOver(ev.Disc, ev.Kind == EventMailed); err != nil {
			return nil, fmt.Errorf("handoff: %s event for request %s: %w", ev.Kind, ev.Request, err)
		}
		d, _ := disc()
		if ev.Handover == nil {
			return nil, wrong("no handover data")
		}
		d.HandedOver, d.Returned, d.Received, d.Tracking = ev.Time, timeZero, timeZero, ev.Handover.Tracking
		d.Method = "pickup"
		if ev.Kind == EventMailed {
			d.Method = "mail"
		}
	case EventReceived:
		d, err := disc()
		if err != nil {
			return nil, err
		}
		if d.HandedOver.IsZero() || !d.Returned.IsZero() {
			return nil, wrong("disc %s has not left the building", d.UUID)
		}
		d.Received = ev.Time
	case EventReturned:
		d, err := disc()
		if err != nil {
			return nil, err
		}
		if !d.Returned.IsZero() {
			return nil, wrong("disc %s already returned", d.UUID)
		}
		d.Returned = ev.Time
	case EventSpoiled:
		d, err := disc()
		if err != nil {
			return nil, err
		}
		if ev.Text == "" {
			return nil, wrong("say why the disc is spoiled")
		}
		if !d.Spoiled.IsZero() {
			return nil, wrong("disc %s already spoiled", d.UUID)
		}
		if !d.HandedOver.IsZero() && d.Returned.IsZero() {
			return nil, wrong("disc %s is out of the building: record it returned first", d.UUID)
		}
		d.Spoiled = ev.Time
	case EventCancelled:
		if ev.Text == "" {
			return nil, wrong("a cancellation needs a reason")
		}
		n.Status, n.Cancelled = StatusCancelled, ev.Text
		return n, nil
	case EventPatientTold:
		n.PatientTold = ev.Time
	case EventSenderConfirmed:
		if n.Intake == nil {
			return nil, wrong("only an outside disc's receipt is confirmed to its sender")
		}
		if ev.Text == "" {
			return nil, wrong("say how the sender was told")
		}
		n.SenderConfirmed = ev.Time
	case EventCorrection:
		if ev.Text == "" || ev.Corrects == "" {
			return nil, wrong("a correction needs the corrected event and a text")
		}
	default:
		return nil, wrong("unknown kind")
	}
	n.Status = status(n)
	return n, nil
}

var timeZero = Disc{}.Burned

// status derives the status of a request that is not cancelled from its discs.
func status(r *Request) Status {
	if r.Status == StatusCancelled {
		return StatusCancelled
	}
	if r.Intake != nil {
		return StatusReceived // an outside disc: received when recorded
	}
	good, handed, received := 0, 0, 0
	for _, d := range r.Discs {
		if !d.Good() || !d.Returned.IsZero() {
			continue
		}
		good++
		if !d.HandedOver.IsZero() {
			handed++
		}
		if !d.Received.IsZero() {
			received++
		}
	}
	switch {
	case good == 0:
		return StatusOpen
	case handed < good:
		return StatusBurned
	case received == good:
		return StatusReceived
	}
	return StatusDelivered
}
