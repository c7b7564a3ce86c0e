package facilitytest

import (
	"fmt"
	"time"

	"github.com/google/uuid"

	"discdesk/app/handoff"
)

// Desk is the actor the suite's events name.
var Desk = handoff.Actor{Staff: "Test Clerk", Workstation: "desk-1"}

// Requested returns a valid "requested" event for patient n due at due.
func Requested(n int, due time.Time) handoff.Event {
	in := handoff.RequestInput{
		Patient:   handoff.Patient{Name: fmt.Sprintf("Doe^Jane%d", n), BirthDate: "1970-01-01", ID: fmt.Sprintf("MRN%06d", n)},
		Requester: handoff.Requester{Kind: handoff.RequesterPatient, Name: "Jane Doe"},
		Identity:  handoff.IdentityCheck{Method: "driver licence", CheckedBy: Desk.Staff},
		Studies:   handoff.Studies{UIDs: []string{fmt.Sprintf("1.2.826.0.1.3680043.10.999.%d", n+1)}},
		Format:    handoff.FormatCD, Recipient: "Jane Doe", Delivery: handoff.DeliveryPickup, Urgency: handoff.UrgencyRoutine,
	}
	fee := handoff.Fee{Method: handoff.FeeFlat, Total: 650}
	return handoff.Event{Time: time.Now(), Kind: handoff.EventRequested, Staff: Desk.Staff, Workstation: Desk.Workstation, Input: &in, Due: due.UTC().Truncate(time.Millisecond), Fee: &fee}
}

// Burned returns a verified "burned" event of a new disc for request.
func Burned(request string) handoff.Event {
	d := uuid.NewString()
	return handoff.Event{Time: time.Now(), Kind: handoff.EventBurned, Request: request, Disc: d, Staff: Desk.Staff, Workstation: Desk.Workstation,
		Burn: &handoff.Burn{DiscUUID: d, N: 1, M: 1, ManifestHash: fmt.Sprintf("%064x", 7), Verified: true, Instances: 3}}
}

// HandedOver returns a pickup handover of disc, naming only the disc.
func HandedOver(disc string) handoff.Event {
	return handoff.Event{Time: time.Now(), Kind: handoff.EventHandedOver, Disc: disc, Staff: Desk.Staff, Workstation: Desk.Workstation,
		Handover: &handoff.Handover{To: "Jane Doe", IdentityCheck: "driver licence"}}
}

// Spoiled returns a "spoiled" event for disc.
func Spoiled(request, disc, why string) handoff.Event {
	return handoff.Event{Time: time.Now(), Kind: handoff.EventSpoiled, Request: request, Disc: disc, Staff: Desk.Staff, Workstation: Desk.Workstation, Text: why}
}
