package intake

import (
	"fmt"

	"discdesk/app/handoff"
	"discdesk/app/library"
	"discdesk/app/staff"
)

// AutoBurnStaff is the staff name auto-burn records requests and
// acknowledgements under.
const AutoBurnStaff = "auto-burn"

// SameDayInput is a same-day request for one study: the patient asks for
// their own copy, picked up at the desk today, on a CD, at the facility's
// usual fee; checkedBy vouches for the order (the technologist, or
// auto-burn) and how says how it came.
func SameDayInput(st library.Study, checkedBy, how string) handoff.RequestInput {
	return handoff.RequestInput{
		Patient:   staff.RequestPatient(st),
		Requester: handoff.Requester{Kind: handoff.RequesterPatient},
		Identity:  handoff.IdentityCheck{Method: how + "; identity checked at pickup", CheckedBy: checkedBy},
		Studies:   handoff.Studies{UIDs: []string{st.UID}},
		Format:    handoff.FormatCD,
		Delivery:  handoff.DeliveryPickup,
		Urgency:   handoff.UrgencySameDay,
	}
}

// AutoBurnInput is the request auto-burn makes for a complete study that
// sender (a calling AE title) sent to burnAE.
func AutoBurnInput(st library.Study, sender, burnAE string) handoff.RequestInput {
	in := SameDayInput(st, AutoBurnStaff, fmt.Sprintf("auto-burn: study sent by %s to %s", orUnknown(sender), burnAE))
	in.Notes = "Queued automatically when the study arrived complete."
	return in
}

func orUnknown(s string) string {
	if s == "" {
		return "an unknown sender"
	}
	return s
}
