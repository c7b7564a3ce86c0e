// Package burnqueue owns the desk's persistent burn queue: jobs (studies, a
// target, copies) kept in the bbolt store, run one at a time per drive and
// in parallel across drives, each disc written, read back and verified
// (burner/drive), with a manifest kept per disc UUID so a disc can be
// re-verified later.
//
// States. A job is queued, burning, verifying, done or failed; a disc is
// burning, verifying, done (verified) or spoiled. A fault never loses a job:
// the job goes back to queued, held for staff with a plain message
// (drive.Message), and runs again after Retry. A disc that did not verify is
// recorded as spoiled, never as done, so nothing unverified is handed out.
//
// Crashes. Before the first byte of a disc is written, the disc is recorded
// as burning. Recover, run at startup before any worker, finds discs left
// burning or verifying by a crash or power cut, records them as spoiled and
// queues their jobs again, to be written on a new disc.
//
// Caveats: bbolt allows one writing process, so the queue runs inside the
// process that owns the store (the desk, or a CLI command when the desk is
// not running). Copies on a physical drive need a new blank disc each: the
// job is held with "Insert a blank ..." between copies.
package burnqueue
