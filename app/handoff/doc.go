// Package handoff owns the patient-access workflow in the desk's bbolt store:
// requests for copies of imaging (who asked, the identity check, which
// studies, format, delivery, address, urgency and the due date that the
// HIPAA right of access sets at 30 calendar days, 45 CFR 164.524(b)(2)), the
// fee quoted before the burn (164.524(c)(4): flat, actual or average cost) and
// the handoff log: an append-only, hash-chained history of every request and
// every disc (requested, burned, handed over or mailed, receipt confirmed,
// returned, cancelled, patient told).
//
// # Model
//
// A [Store] wraps an open *bbolt.DB (see app/store) and owns the buckets
// below the top-level "handoff" bucket. Every change is one [Event] appended
// to the log inside one bbolt Update together with the derived views (the
// request's current state, the due-date index of open requests, the
// per-request, per-disc and per-patient indexes and the "tell the patient"
// list). The state of a request is a pure function of its events: [Store.Verify]
// replays the log and compares the result with the stored views, so a view
// edited behind the log's back is caught as surely as an edited event.
//
// Event keys are UUIDv7 (time-ordered), so a cursor walks the log in the
// order it was written. Each record holds the SHA-256 of the previous record,
// and its own hash over previous hash, key and the event's JSON bytes exactly
// as stored. A correction is a new event ([Store.Correct]); nothing is edited
// or deleted.
//
// Subpackages: handoff/audit builds the PS3.15 Export audit message kept
// with each handoff and sends it by syslog; handoff/docs renders the request
// form, invoice, disc label and jewel-case insert as PDF.
//
// Outside dependencies are injected: the study library is reached only
// through a [StudyValidator] func, the clock through [WithClock].
//
// # Caveats
//
// The hash chain detects accidental damage and naive edits; someone who can
// write the file can also recompute every hash. The chain's head is therefore
// also carried outside the file by the per-disc DICOM audit messages
// (package handoff/audit) that a syslog collector keeps.
//
// bbolt allows one writing process per file; the store's lock belongs to the
// desk while it runs (see app/store).
package handoff
