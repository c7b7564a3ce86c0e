package station

import (
	"discdesk/app/handoff"
)

// RecordPayment records a payment of the request's fee (amount and
// method, optionally a reference such as a check number) or its waiver
// (Waived and a reason), in the name of by: the desk and the command line
// call it, not the log. The handoff log's rule refuses a cancelled request
// (handoff.ErrClosed), an outside disc's record, more than the balance
// (handoff.ErrOverpaid), nothing due (handoff.ErrNothingDue) and any
// payment after a waiver (handoff.ErrFeeWaived); IsRefusal reports each.
func (s *Station) RecordPayment(requestID string, p handoff.Payment, by handoff.Actor) (handoff.Event, error) {
	return s.Log.RecordPayment(requestID, p, by)
}
