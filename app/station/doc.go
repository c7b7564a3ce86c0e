// Package station owns the lifecycle of a request for a copy of imaging,
// from the request recorded to the patient told, as one headless workflow
// that the desk's screens, every command of the command line and auto-burn
// call.
//
// # The lifecycle
//
//	recorded   Record: the request is in the handoff log (app/handoff).
//	planned    Plan: a disc plan of the request's studies (burner/disc); its
//	           warnings are shown, and each one that needs it is
//	           acknowledged by a named staff member (Plan.Acknowledge).
//	queued     Enqueue: refused while a warning is unacknowledged; the job
//	           keeps the plan options and the acknowledgements (who), so the
//	           burn queue plans the same disc again after a restart.
//	burned     the queue (burnqueue) writes and reads back each disc; Event
//	           logs each verified disc exactly once, with its manifest hash.
//	handed     HandOver: at the desk (identity check required) or mailed
//	           (carrier required, and the request must have an address).
//	delivered  ConfirmReceipt: the receiving practice confirmed arrival.
//	told       TellPatient: only once a good disc is ready (pickup) or
//	           arrived (mail).
//
// Beside the usual path: Cancel (the request and its queued jobs), Reburn
// (a held job after a new blank disc went in), Spoil (a logged disc that
// must never leave the building) and Replace (spoil it and queue a new
// disc with the same plan options). A disc the burn queue itself found
// spoiled (verification failed, or a crash while writing) is never logged
// and never handed over.
//
// Money: RecordPayment records a payment or a waiver, RecordRefund money
// given back (the handoff log's fee-paid and fee-refunded events); waiving
// and refunding need a role allowed to (staff.ActionWaive: a supervisor).
//
// Ahead of a burn: PrepareViewer and PrepareStudies pack a plan's browser
// viewer frames into the data folder's frame cache (disc.FrameCache) in
// the background, while staff read the plan, so the burn only writes.
//
// Which disc may be handed over, what awaits receipt and whether the
// patient can be told are rules on handoff.Request (CanHandOver,
// AwaitingReceipt, CanTell, NeedsDisc); station checks them before it
// writes, and the handoff log's own replay enforces them again.
//
// # Caveats
//
// A Plan holds a work folder (transcoded objects) until Close; the plans
// of a running job are kept until its last disc is verified or Close is
// called. Station never imports Fyne.
package station
