package facility

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"discdesk/app/handoff"
	"discdesk/app/staff"
)

// Errors of the contract; backends wrap them.
var (
	// ErrUnreachable means the facility database did not answer: the desk
	// says so at once and records into its outbox.
	ErrUnreachable = errors.New("the facility database is unreachable")
	// ErrOldSchema means the database was set up by an older build: the
	// owner runs `discdesk db setup` again before desks use it.
	ErrOldSchema = errors.New("the facility database needs setup by this version")
	// ErrDuplicate means an event with this ID is already in the log (a
	// replayed outbox entry); the log is unchanged.
	ErrDuplicate = errors.New("event already in the log")
	// ErrNoJob means no burn job is waiting.
	ErrNoJob = errors.New("no burn job waiting")
	// ErrLeaseLost means the desk no longer holds the job's claim (its lease
	// expired and another desk may have taken it).
	ErrLeaseLost = errors.New("the burn job's claim was lost")
	// ErrConflict means the settings changed since they were read.
	ErrConflict = errors.New("the settings were changed by another desk")
	// ErrAppendOnly is what the database says when anyone tries to change or
	// delete a logged event.
	ErrAppendOnly = errors.New("the handoff log is append-only")
	// ErrNotSupported means this backend does not offer the operation.
	ErrNotSupported = errors.New("not supported by this backend")
)

// A Backend is everything a desk keeps: one contract, two backends.
type Backend interface {
	Log
	Jobs
	Staff
	Settings
	Holdings
	// Health returns nil when the backend answers, else an error wrapping
	// ErrUnreachable.
	Health(ctx context.Context) error
	// Kind names the backend ("bbolt", "postgresql").
	Kind() string
	Close() error
}

// Head is the end of the log's chain.
type Head struct {
	Count int64  `json:"count"`
	Hash  string `json:"hash"` // hex SHA-256 of the last record (64 zeros when empty)
}

// Log is the append-only, hash-chained handoff log and the request views
// replayed from it.
type Log interface {
	// Append chains ev after the head and applies the workflow rule
	// (handoff.Apply) to the request it names (by Request, else by Disc), in
	// one transaction; it returns the event with ID, Prev and Hash set and
	// the request after it. ev.ID may be preset (an outbox replay); a second
	// Append of the same ID returns ErrDuplicate.
	Append(ctx context.Context, ev handoff.Event) (handoff.Event, handoff.Request, error)
	Head(ctx context.Context) (Head, error)
	Request(ctx context.Context, id string) (handoff.Request, error)
	// OpenRequests returns requests not delivered or cancelled, earliest due
	// first; with overdueOnly, only those due before now.
	OpenRequests(ctx context.Context, now time.Time, overdueOnly bool) ([]handoff.Request, error)
	// Events calls fn for each event in log order.
	Events(ctx context.Context, fn func(handoff.Event) error) error
	// Verify replays the whole log: every record's hash, every link, the
	// head, and the stored request views against the replay.
	Verify(ctx context.Context) (handoff.VerifyReport, error)
}

// JobState is where a burn job stands.
type JobState string

// The states of a burn job.
const (
	JobQueued    JobState = "queued"
	JobClaimed   JobState = "claimed"
	JobDone      JobState = "done"
	JobFailed    JobState = "failed"
	JobCancelled JobState = "cancelled"
)

// A JobRecord is one burn job as the facility knows it. Payload is the
// burn queue's own job description (opaque here).
type JobRecord struct {
	ID         string          `json:"id"`
	Request    string          `json:"request,omitempty"`
	State      JobState        `json:"state"`
	Payload    json.RawMessage `json:"payload,omitempty"`
	Desk       string          `json:"desk,omitempty"`       // the claiming desk
	LeaseUntil time.Time       `json:"lease_until,omitzero"` // the claim lapses after this
	Disc       string          `json:"disc,omitempty"`       // the disc being written under the claim
	Attempts   int             `json:"attempts"`             // claims so far
	Created    time.Time       `json:"created"`
}

// A Lapse is a claim that expired: its desk died or lost the network while
// writing Disc (empty when it had not started a disc), which is spoiled.
type Lapse struct {
	Desk string `json:"desk"`
	Disc string `json:"disc,omitempty"`
}

// A Claim is a job a desk now holds.
type Claim struct {
	Job JobRecord
	// Lapsed is set when the job was taken over from a claim that expired;
	// the desk records Lapsed.Disc as spoiled before it burns again.
	Lapsed *Lapse
}

// Jobs is the facility's burn queue: a job is claimed, not copied.
type Jobs interface {
	Enqueue(ctx context.Context, j JobRecord) (JobRecord, error)
	Job(ctx context.Context, id string) (JobRecord, error)
	// Claim gives desk the oldest queued job, or one whose lease expired
	// before now, for lease; ErrNoJob when none. Two desks never get the
	// same job at once.
	Claim(ctx context.Context, desk string, now time.Time, lease time.Duration) (Claim, error)
	// Renew extends desk's lease; ErrLeaseLost when desk no longer holds it.
	Renew(ctx context.Context, id, desk string, now time.Time, lease time.Duration) error
	// Writing records the disc desk is writing under its claim.
	Writing(ctx context.Context, id, desk, disc string) error
	// Finish ends desk's claim with state (done, failed, or queued to put
	// the job back).
	Finish(ctx context.Context, id, desk string, state JobState) error
}

// Staff keeps the members (with their PIN hashes) shared by the desks.
type Staff interface {
	Members(ctx context.Context) ([]staff.Member, error)
	Member(ctx context.Context, id string) (staff.Member, error)
	PutMember(ctx context.Context, m staff.Member) error
}

// Settings keeps the facility's settings document (facility, fees,
// deadlines, fee caps) as the settings package encodes it.
type Settings interface {
	// LoadSettings returns the document and its version (0: never saved).
	LoadSettings(ctx context.Context) (json.RawMessage, int64, error)
	// SaveSettings stores doc if the stored version is still ifVersion and
	// returns the new version; ErrConflict otherwise.
	SaveSettings(ctx context.Context, doc json.RawMessage, ifVersion int64) (int64, error)
}

// normalize gives ev the time form both backends store: UTC, milliseconds
// (now when unset), so a replay re-encodes the same bytes.
func normalize(ev *handoff.Event) {
	if ev.Time.IsZero() {
		ev.Time = time.Now()
	}
	ev.Time = ev.Time.UTC().Truncate(time.Millisecond)
}

func jsonMarshal(v any) ([]byte, error) { return json.Marshal(v) }

// Message is what the desk shows (and the burn queue records as the disc's
// error) for a lapsed claim, in the words of a single desk's restart.
func (l *Lapse) Message() string {
	if l.Disc == "" {
		return fmt.Sprintf("Desk %s stopped answering before it wrote a disc for this job; the job is burned again here.", l.Desk)
	}
	return fmt.Sprintf("Desk %s stopped answering while writing disc %s: that disc is spoiled, do not hand it out. The job is written again on a new blank disc.", l.Desk, l.Disc)
}

// Holdings records which desk's library holds which study: the images stay
// on each desk, the facility knows where they are, so a request taken at
// one desk can be burned at another that holds the study.
type Holdings interface {
	// Hold records that desk holds the study (again: no change).
	Hold(ctx context.Context, desk, studyUID string) error
	// Release records that desk no longer holds the study.
	Release(ctx context.Context, desk, studyUID string) error
	// Holders returns the desks holding the study, sorted.
	Holders(ctx context.Context, studyUID string) ([]string, error)
}
