// Package handoff owns the patient-access workflow in the desk's bbolt store:
// requests for copies of imaging (who asked, the identity check, which
// studies, format, delivery, address, urgency and the due date that the
// HIPAA right of access sets at 30 calendar days, 45 CFR 164.524(b)(2)), the
// fee quoted before the burn (164.524(c)(4): flat, actual or average cost) and
// the handoff log: an append-only, hash-chained history of every request and
// every disc (requested, burned, handed over or mailed, receipt confirmed,
// returned, cancelled, patient told) and of the fee (paid, waived, refunded:
// a refund only of what may go back, Request.Refundable).
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
// When the rule of an index changes (the per-patient index matched the
// Patient ID's case only from views version 2 on), [Open] rebuilds that
// index from the stored request states once, so older stores keep
// verifying.
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
// write the file can also recompute every hash after an edited event and
// move the head, and [Store.Verify] then passes (a test does exactly this).
// Two anchors outside the file catch such a rewrite:
//
//   - Signed checkpoints ([Store.Checkpoint], `discdesk log checkpoint`,
//     and one with every `discdesk log export`, which prints the head): an
//     ed25519 signature over the event count and head hash, made with a key
//     kept in a file (0600) beside the store, never in it.
//     [Store.VerifyAgainst] (`discdesk log verify --against FILE`) then
//     fails when any event up to the checkpoint was changed, removed or
//     inserted, even with every later hash recomputed.
//   - Every audit frame sent to the syslog collector carries the head hash
//     and event count at send time (package handoff/audit, Sender.Anchor),
//     so the collector's copy can be compared with the desk's log.
//
// What this does not protect against: events after the newest checkpoint
// (or syslog frame) the auditor holds can still be rewritten unnoticed;
// someone who can read the key file can sign a checkpoint of a rewritten
// log, so checkpoints prove something only when copies were kept off the
// desk (printed, mailed, on another machine) before the rewrite, or the key
// file was out of the attacker's reach; a log deleted whole, or a desk that
// never sent a frame or made a checkpoint, is anchored by nothing; and the
// anchors say nothing about whether an event was true when it was written
// (a member recording a handover that did not happen).
//
// bbolt allows one writing process per file; the store's lock belongs to the
// desk while it runs (see app/store).
package handoff
