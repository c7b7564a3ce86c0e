// Package facility owns the storage contract the desks share (the handoff
// log with its request views, burn-job claims with leases, staff, settings,
// which desk holds which study) and its two backends: the desk's own bbolt
// file (the default, adapting package handoff's store) and a facility
// database on PostgreSQL shared by every desk.
//
// The handoff log keeps the same record bytes and hash chain on both
// backends (handoff.EncodeRecord, handoff.Apply), so one Verify rule holds.
// On PostgreSQL every append takes the chain head row FOR UPDATE, so
// concurrent desks form one chain; the desks' role may insert events but a
// trigger and the grants refuse UPDATE, DELETE and TRUNCATE.
//
// Burn jobs are claimed with FOR UPDATE SKIP LOCKED and a lease: a desk that
// stops renewing loses its claim, the next claim reports the disc it was
// writing as spoiled and the job is retried.
//
// Outbox wraps a backend for a desk whose database may be unreachable: it
// reports the outage at once (ErrUnreachable, Health) and keeps what staff
// record in a local file until the server answers again.
//
// Migrate copies a desk's bbolt store into the facility database
// (idempotent and resumable); Config reads the connection settings (TLS CA
// file, password from a file or the environment, never logged).
package facility
