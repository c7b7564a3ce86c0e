package station

import (
	"fmt"

	"discdesk/app/handoff"
	"discdesk/app/staff"
)

// RecordPayment records a payment of the request's fee (amount and
// method, optionally a reference such as a check number) or its waiver
// (Waived and a reason), in the name of by at workstation: the desk and
// the command line call it, not the log. Any member records a payment; a
// waiver needs a role that may waive (staff.ActionWaive), else it is
// refused with staff.ErrNotAllowed. The handoff log's rule refuses a
// cancelled request (handoff.ErrClosed), an outside disc's record, more
// than the balance (handoff.ErrOverpaid), nothing due
// (handoff.ErrNothingDue) and any payment after a waiver
// (handoff.ErrFeeWaived); IsRefusal reports each.
func (s *Station) RecordPayment(requestID string, p handoff.Payment, by staff.Member, workstation string) (handoff.Event, error) {
	if p.Waived {
		if err := mayWaive(by, "waive the fee of", requestID); err != nil {
			return handoff.Event{}, err
		}
	}
	return s.Log.RecordPayment(requestID, p, handoff.Actor{Staff: by.Name, Workstation: workstation})
}

// RecordRefund records money given back to the requester (amount, how,
// optionally a reference, and a reason) in the name of by, who must be
// allowed to waive (staff.ActionWaive). The log's rule refunds a cancelled
// request up to what was paid and one whose fee was quoted again lower up
// to the difference (handoff.ErrNothingToRefund, handoff.ErrOverRefund).
func (s *Station) RecordRefund(requestID string, p handoff.Payment, by staff.Member, workstation string) (handoff.Event, error) {
	if err := mayWaive(by, "refund", requestID); err != nil {
		return handoff.Event{}, err
	}
	return s.Log.RecordRefund(requestID, p, handoff.Actor{Staff: by.Name, Workstation: workstation})
}

// mayWaive refuses a member whose role may not waive or refund, naming
// the role and who may.
func mayWaive(by staff.Member, what, requestID string) error {
	if by.Role.Can(staff.ActionWaive) {
		return nil
	}
	return fmt.Errorf("station: %s request %s: %s may not waive or refund a fee (a supervisor may): %w", what, requestID, by.Role.Label(), staff.ErrNotAllowed)
}
