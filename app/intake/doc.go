// Package intake owns how studies arriving over DICOM become the desk's
// work: it builds the Storage SCP (app/pacs, PS3.4 B) from the desk
// settings, imports every received object into the library, and turns a
// study sent to the auto-burn AE title (e.g. DISCDESK_BURN) into a request
// and a burn job once the study is complete - when its instance count
// reaches the PACS's Number of Study Related Instances (PS3.4 C.6.1.1.5,
// asked by C-FIND) or after the quiet time (pacs.AutoBurn decides).
//
// It also holds the request both the desk's two-click same-day disc and
// auto-burn make, so they stay one: SameDayInput (patient's own copy,
// pickup at the desk today, on a CD). Recording it and queueing its disc
// go through app/station, like every other entry point.
//
// # Auto-burn requests
//
// Every auto-burned disc belongs to a handoff request, so the disc is
// logged like any other (burn, verification, pickup with the identity
// check): a same-day pickup request for the patient, recorded by the staff
// name "auto-burn", whose identity check says who sent the study and that
// identity is checked at pickup. No staff member sees the plan before the
// burn, so the job carries the "no report" acknowledgement in auto-burn's
// name (burnqueue.Job.Acks): the disc holds what the PACS sent. When the
// request cannot be made (a study without a patient name, say), the job is
// queued without one and the problem reported: the disc is still burned and
// staff create the request by hand.
//
// # Preparation
//
// A study sent for auto-burn has its disc's browser viewer frames packed
// into the data folder's frame cache whenever its transfer pauses
// (Options.Prepare, 3 s by default), well before the quiet time ends, so
// the burn that follows only writes (station.PrepareStudies, as the desk
// does once staff have seen a plan). Packed files stay packed: more
// instances only add their own.
//
// # Caveats
//
// A study still being watched when the receiver stops (desk closed before
// the quiet time ran out) is not queued: send it again. Intake never
// imports Fyne; the desk calls Start and Stop and renders the hooks.
package intake
