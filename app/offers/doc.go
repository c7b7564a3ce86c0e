// Package offers owns the desk's proactive offers: the list of patients who
// should be offered a copy of their imaging before they leave - studies
// completed today (from the library) and patients being discharged (a
// configurable feed: studies flagged by staff, a DICOM attribute rule such as
// "(0008,1030) contains DISCHARGE", or CSV files the hospital drops from its
// discharge list) - and the staff's "offer a disc" and "declined" actions,
// each recorded with staff, workstation and time in its own append-only
// bbolt bucket.
//
// Most requests for copies are reactive and late (HHS right-of-access
// guidance encourages offering copies proactively); this list makes the
// offer happen at the desk. Ordering notes on the discharge list such as
// "copies to the ordering physician" become a prepared request
// (handoff.RequestInput) that is NOT saved: staff confirm it, complete the
// identity check and address, and save it through package handoff.
//
// # Caveats
//
// The discharge CSV is outside input: it is parsed defensively (size and
// row limits, per-line problems instead of failure) and fuzzed. Matching a
// discharge entry to library studies is by Patient ID only; a patient whose
// ID differs between the hospital list and the images is listed without
// studies, for staff to resolve.
package offers
