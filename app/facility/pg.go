package facility

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"discdesk/app/handoff"
	"discdesk/app/staff"
)

// PG is the facility database backend.
type PG struct {
	pool *pgxpool.Pool
	cfg  Config
}

var _ Backend = (*PG)(nil)

// OpenPG connects to the facility database described by c. It does not
// create the schema (see Setup); it fails at once, wrapping ErrUnreachable,
// when the server does not answer.
func OpenPG(ctx context.Context, c Config) (*PG, error) {
	pc, err := c.poolConfig()
	if err != nil {
		return nil, err
	}
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return nil, wrapPG("connect", err)
	}
	p := &PG{pool: pool, cfg: c}
	if err := p.Health(ctx); err != nil {
		// Keep the pool: an outbox wrapping p replays once the server is back.
		return p, err
	}
	return p, nil
}

// Pool is the connection pool (tests, Setup helpers).
func (p *PG) Pool() *pgxpool.Pool { return p.pool }

// Kind implements Backend.
func (p *PG) Kind() string { return "postgresql" }

// Close implements Backend.
func (p *PG) Close() error { p.pool.Close(); return nil }

// Health implements Backend.
func (p *PG) Health(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, p.timeout())
	defer cancel()
	var v string
	if err := p.pool.QueryRow(ctx, `SELECT value FROM meta WHERE key = 'schema'`).Scan(&v); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return errors.New("facility: the database has no DiscDesk schema (run discdesk db setup)")
		}
		return wrapPG("health", err)
	}
	if n, err := strconv.Atoi(v); err != nil || n < schemaVersion {
		return fmt.Errorf("%w: the database has schema %s, this build needs %d: run discdesk db setup as the database owner", ErrOldSchema, v, schemaVersion)
	}
	return nil
}

func (p *PG) timeout() time.Duration {
	if p.cfg.ConnectTimeout > 0 {
		return p.cfg.ConnectTimeout
	}
	return 3 * time.Second
}

// wrapPG classifies a driver error: the server's own refusals keep their
// meaning, anything that means no answer wraps ErrUnreachable.
func wrapPG(op string, err error) error {
	if err == nil {
		return nil
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case pe.Code == appendOnlyCode:
			return fmt.Errorf("facility: %s: %w (%s)", op, ErrAppendOnly, pe.Message)
		case pe.Code == "42501":
			return fmt.Errorf("facility: %s: permission denied (%s): %w", op, pe.Message, ErrAppendOnly)
		case pe.Code == "57P01" || pe.Code == "57P02" || pe.Code == "57P03" || pe.Code[:2] == "08":
			return fmt.Errorf("facility: %s: %w (%s)", op, ErrUnreachable, pe.Message)
		}
		return fmt.Errorf("facility: %s: %s (SQLSTATE %s)", op, pe.Message, pe.Code)
	}
	for _, known := range []error{ErrDuplicate, ErrNoJob, ErrLeaseLost, ErrConflict, ErrClaimed, ErrNotSupported, handoff.ErrNotFound, handoff.ErrWrongState, handoff.ErrBadRecord, handoff.ErrChainBroken, handoff.ErrViewMismatch} {
		if errors.Is(err, known) {
			return err
		}
	}
	var ne net.Error
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) || errors.As(err, &ne) || pgconn.Timeout(err) || pgconn.SafeToRetry(err) || errors.Is(err, net.ErrClosed) || isConnClosed(err) {
		return fmt.Errorf("facility: %s: %w (%s)", op, ErrUnreachable, scrub(err.Error()))
	}
	if errors.Is(err, context.Canceled) {
		return fmt.Errorf("facility: %s: %w", op, err)
	}
	return fmt.Errorf("facility: %s: %w (%s)", op, ErrUnreachable, scrub(err.Error()))
}

func isConnClosed(err error) bool {
	var s string
	if err != nil {
		s = err.Error()
	}
	return s == "conn closed" || s == "unexpected EOF" || s == "EOF"
}

// --- the log ---

// Append implements Log. It costs two round trips to the server: the
// first begins, takes the head row's lock (which serializes every appender
// of every desk) and reads the request; the second writes the event, the
// head and the view, commits, and waits until the commit is on disk.
func (p *PG) Append(ctx context.Context, ev handoff.Event) (handoff.Event, handoff.Request, error) {
	return p.AppendHook(ctx, ev, nil)
}

// AppendHook implements Views: Append, calling hook (when not nil) with the
// event and the request after it while the chain's head is held.
func (p *PG) AppendHook(ctx context.Context, ev handoff.Event, hook func(*handoff.Event, *handoff.Request) error) (handoff.Event, handoff.Request, error) {
	normalize(&ev)
	after, err := p.append(ctx, &ev, hook)
	if err != nil {
		return handoff.Event{}, handoff.Request{}, wrapPG("record "+string(ev.Kind), err)
	}
	return ev, *after, nil
}

func opens(k handoff.EventKind) bool {
	return k == handoff.EventRequested || k == handoff.EventOutsideReceived
}

func (p *PG) append(ctx context.Context, ev *handoff.Event, hook func(*handoff.Event, *handoff.Request) error) (*handoff.Request, error) {
	var key uuid.UUID
	if ev.ID == "" {
		u, err := uuid.NewV7()
		if err != nil {
			return nil, err
		}
		key = u
	} else {
		u, err := uuid.Parse(ev.ID)
		if err != nil {
			return nil, fmt.Errorf("event id %q: %w", ev.ID, handoff.ErrBadRecord)
		}
		key = u
	}
	ev.ID = key.String()
	if opens(ev.Kind) {
		ev.Request = ev.ID
	}
	conn, err := p.pool.Acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Release()
	done := false
	defer func() {
		if !done {
			// The transaction failed or was cut short: end it (a broken
			// connection is dropped by the pool).
			conn.Exec(context.WithoutCancel(ctx), `ROLLBACK`)
		}
	}()

	b := &pgx.Batch{}
	b.Queue(`BEGIN`)
	// The head lock is held until COMMIT; committing without waiting for the
	// disk keeps that short, and the write after COMMIT (below) waits for
	// the disk instead, outside the lock, grouped with other desks' waits.
	b.Queue(`SET LOCAL synchronous_commit = off`)
	b.Queue(`SELECT count, hash FROM segments WHERE id = 0 FOR UPDATE`)
	b.Queue(`SELECT EXISTS (SELECT FROM events WHERE id = $1)`, key)
	switch {
	case opens(ev.Kind):
	case ev.Request == "":
		b.Queue(`SELECT r.id, r.state FROM discs d JOIN requests r ON r.id = d.request WHERE d.uuid = $1`, ev.Disc)
	default:
		u, err := uuid.Parse(ev.Request)
		if err != nil {
			done = true
			return nil, fmt.Errorf("request %q is not a UUID: %w", ev.Request, handoff.ErrNotFound)
		}
		b.Queue(`SELECT id, state FROM requests WHERE id = $1`, u)
	}
	var count int64
	var prev, state []byte
	var dup bool
	var reqID uuid.UUID
	br := conn.SendBatch(ctx, b)
	_, err = br.Exec()
	if err == nil {
		_, err = br.Exec()
	}
	if err == nil {
		err = br.QueryRow().Scan(&count, &prev)
	}
	if err == nil {
		err = br.QueryRow().Scan(&dup)
	}
	if err == nil && !opens(ev.Kind) {
		err = br.QueryRow().Scan(&reqID, &state)
		if errors.Is(err, pgx.ErrNoRows) {
			if ev.Request == "" {
				err = fmt.Errorf("disc %s: %w", ev.Disc, handoff.ErrNotFound)
			} else {
				err = fmt.Errorf("request %s: %w", ev.Request, handoff.ErrNotFound)
			}
		}
	}
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	if dup {
		return nil, fmt.Errorf("event %s: %w", ev.ID, ErrDuplicate)
	}
	var before *handoff.Request
	if !opens(ev.Kind) {
		ev.Request = reqID.String()
		var r handoff.Request
		if err := json.Unmarshal(state, &r); err != nil {
			return nil, fmt.Errorf("request %s: %v: %w", ev.Request, err, handoff.ErrBadRecord)
		}
		before = &r
	}
	after, err := handoff.Apply(before, ev)
	if err != nil {
		return nil, err
	}
	if hook != nil {
		if err := hook(ev, after); err != nil {
			return nil, err
		}
	}
	ev.Prev, ev.Hash = "", ""
	rec, h, err := handoff.EncodeRecord(prev, key[:], ev)
	if err != nil {
		return nil, err
	}
	var disc any
	if ev.Disc != "" {
		disc = ev.Disc
	}
	b = &pgx.Batch{}
	b.Queue(`INSERT INTO events (segment, pos, id, request, disc, kind, at, rec) VALUES (0, $1, $2, $3, $4, $5, $6, $7)`,
		count+1, key, ev.Request, disc, string(ev.Kind), ev.Time, rec)
	b.Queue(`UPDATE segments SET count = $1, hash = $2 WHERE id = 0`, count+1, h[:])
	if err := queueView(b, after); err != nil {
		return nil, err
	}
	if ev.Kind == handoff.EventBurned && ev.Disc != "" {
		b.Queue(`INSERT INTO discs (uuid, request) VALUES ($1, $2) ON CONFLICT (uuid) DO UPDATE SET request = EXCLUDED.request`, ev.Disc, ev.Request)
	}
	b.Queue(`COMMIT`)
	// A synchronous commit flushes the log up to and past the event's own
	// commit: the reply means the event is on disk. Were the server to stop
	// before, every later event (chained on this one) is lost with it, so
	// the chain on disk never has a gap; a replay of the same ID is refused
	// as a duplicate when it did reach the disk.
	b.Queue(`INSERT INTO flushes (pid, at) VALUES (pg_backend_pid(), now()) ON CONFLICT (pid) DO UPDATE SET at = EXCLUDED.at`)
	if err := conn.SendBatch(ctx, b).Close(); err != nil {
		return nil, err
	}
	done = true
	ev.Prev, ev.Hash = hex.EncodeToString(prev), hex.EncodeToString(h[:])
	return after, nil
}

// queueView queues the upsert of a request's stored state.
func queueView(b *pgx.Batch, r *handoff.Request) error {
	state, err := handoff.MarshalRequest(nil, r)
	if err != nil {
		return err
	}
	var due any
	if r.Open() {
		due = r.Due
	}
	b.Queue(`INSERT INTO requests (id, open, due, tell, patient, state) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (id) DO UPDATE SET open = EXCLUDED.open, due = EXCLUDED.due, tell = EXCLUDED.tell, patient = EXCLUDED.patient, state = EXCLUDED.state`,
		r.ID, r.Open(), due, r.ToTell(), r.Patient.Key(), state)
	return nil
}

func requestTx(ctx context.Context, q interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}, id string) (handoff.Request, error) {
	u, err := uuid.Parse(id)
	if err != nil {
		return handoff.Request{}, fmt.Errorf("request %q is not a UUID: %w", id, handoff.ErrNotFound)
	}
	var state []byte
	if err := q.QueryRow(ctx, `SELECT state FROM requests WHERE id = $1`, u).Scan(&state); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return handoff.Request{}, fmt.Errorf("request %s: %w", id, handoff.ErrNotFound)
		}
		return handoff.Request{}, err
	}
	var r handoff.Request
	if err := json.Unmarshal(state, &r); err != nil {
		return handoff.Request{}, fmt.Errorf("request %s: %v: %w", id, err, handoff.ErrBadRecord)
	}
	return r, nil
}

// Head implements Log: the facility chain's head (segment 0).
func (p *PG) Head(ctx context.Context) (Head, error) {
	var h Head
	var hash []byte
	if err := p.pool.QueryRow(ctx, `SELECT count, hash FROM segments WHERE id = 0`).Scan(&h.Count, &hash); err != nil {
		return Head{}, wrapPG("head", err)
	}
	h.Hash = hex.EncodeToString(hash)
	return h, nil
}

// Request implements Log.
func (p *PG) Request(ctx context.Context, id string) (handoff.Request, error) {
	r, err := requestTx(ctx, p.pool, id)
	return r, wrapPG("request", err)
}

// OpenRequests implements Log.
func (p *PG) OpenRequests(ctx context.Context, now time.Time, overdueOnly bool) ([]handoff.Request, error) {
	q := `SELECT state FROM requests WHERE open ORDER BY due, id`
	args := []any{}
	if overdueOnly {
		q = `SELECT state FROM requests WHERE open AND due < $1 ORDER BY due, id`
		args = append(args, now)
	}
	rows, err := p.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, wrapPG("open requests", err)
	}
	raws, err := pgx.CollectRows(rows, pgx.RowTo[[]byte])
	if err != nil {
		return nil, wrapPG("open requests", err)
	}
	return decodeRequests(raws)
}

// decodeRequests decodes stored request views on all cores.
func decodeRequests(raws [][]byte) ([]handoff.Request, error) {
	out := make([]handoff.Request, len(raws))
	workers := runtime.GOMAXPROCS(0)
	if len(raws) < 64 {
		workers = 1
	}
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(raws); i += workers {
				if err := json.Unmarshal(raws[i], &out[i]); err != nil {
					errs[w] = fmt.Errorf("facility: stored request: %v: %w", err, handoff.ErrBadRecord)
					return
				}
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// rawEvents calls fn with every stored record in replay order: merged
// segments in the order they were merged, then the facility's own chain.
func (p *PG) rawEvents(ctx context.Context, fn func(segment int, key, rec []byte) error) error {
	return scanEvents(ctx, p.pool, fn)
}

type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// scanEvents walks the events segment by segment along the primary key, so
// the server streams rows in index order instead of sorting the log.
func scanEvents(ctx context.Context, q querier, fn func(segment int, key, rec []byte) error) error {
	rows, err := q.Query(ctx, `SELECT id FROM segments ORDER BY (id = 0), id`)
	if err != nil {
		return err
	}
	segs, err := pgx.CollectRows(rows, pgx.RowTo[int])
	if err != nil {
		return err
	}
	for _, seg := range segs {
		rows, err := q.Query(ctx, `SELECT id, rec FROM events WHERE segment = $1 ORDER BY segment, pos`, seg)
		if err != nil {
			return err
		}
		var id uuid.UUID
		var rec []byte
		_, err = pgx.ForEachRow(rows, []any{&id, &rec}, func() error {
			k := id // a new array per row: fn may keep the slice
			return fn(seg, k[:], rec)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// Events implements Log.
func (p *PG) Events(ctx context.Context, fn func(handoff.Event) error) error {
	err := p.rawEvents(ctx, func(_ int, key, rec []byte) error {
		ev, err := handoff.DecodeRecord(key, rec)
		if err != nil {
			return err
		}
		return fn(ev)
	})
	return wrapPG("events", err)
}

// --- burn jobs ---

const jobCols = `id, coalesce(request::text, ''), state, payload, desk, lease_until, coalesce(disc::text, ''), attempts, created`

func scanJob(row pgx.Row) (JobRecord, error) {
	var j JobRecord
	var id uuid.UUID
	var lease *time.Time
	var state string
	err := row.Scan(&id, &j.Request, &state, &j.Payload, &j.Desk, &lease, &j.Disc, &j.Attempts, &j.Created)
	if err != nil {
		return JobRecord{}, err
	}
	j.ID, j.State = id.String(), JobState(state)
	if lease != nil {
		j.LeaseUntil = lease.UTC()
	}
	j.Created = j.Created.UTC()
	return j, nil
}

// Enqueue implements Jobs.
func (p *PG) Enqueue(ctx context.Context, j JobRecord) (JobRecord, error) {
	j, err := newJob(j)
	if err != nil {
		return JobRecord{}, err
	}
	var req any
	if j.Request != "" {
		req = j.Request
	}
	_, err = p.pool.Exec(ctx, `INSERT INTO jobs (id, request, state, payload, created) VALUES ($1, $2, $3, $4, $5)`,
		j.ID, req, string(j.State), []byte(j.Payload), j.Created)
	if err != nil {
		return JobRecord{}, wrapPG("enqueue", err)
	}
	return j, nil
}

func newJob(j JobRecord) (JobRecord, error) {
	if j.ID == "" {
		u, err := uuid.NewV7()
		if err != nil {
			return JobRecord{}, err
		}
		j.ID = u.String()
	}
	if j.Created.IsZero() {
		j.Created = time.Now()
	}
	j.Created = j.Created.UTC().Truncate(time.Microsecond)
	j.State, j.Desk, j.LeaseUntil, j.Disc, j.Attempts = JobQueued, "", time.Time{}, "", 0
	return j, nil
}

// Job implements Jobs.
func (p *PG) Job(ctx context.Context, id string) (JobRecord, error) {
	j, err := scanJob(p.pool.QueryRow(ctx, `SELECT `+jobCols+` FROM jobs WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return JobRecord{}, fmt.Errorf("facility: job %s: %w", id, handoff.ErrNotFound)
	}
	return j, wrapPG("job", err)
}

// Claim implements Jobs.
func (p *PG) Claim(ctx context.Context, desk string, now time.Time, lease time.Duration) (Claim, error) {
	var c Claim
	err := pgx.BeginTxFunc(ctx, p.pool, pgx.TxOptions{}, func(tx pgx.Tx) error {
		j, err := scanJob(tx.QueryRow(ctx, `SELECT `+jobCols+` FROM jobs
			WHERE state = 'queued' OR (state = 'claimed' AND lease_until < $1)
			ORDER BY created, id LIMIT 1 FOR UPDATE SKIP LOCKED`, now))
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNoJob
		}
		if err != nil {
			return err
		}
		if j.State == JobClaimed {
			c.Lapsed = &Lapse{Desk: j.Desk, Disc: j.Disc}
		}
		j.State, j.Desk, j.LeaseUntil, j.Disc = JobClaimed, desk, now.Add(lease).UTC().Truncate(time.Microsecond), ""
		j.Attempts++
		_, err = tx.Exec(ctx, `UPDATE jobs SET state = 'claimed', desk = $2, lease_until = $3, disc = NULL, attempts = $4 WHERE id = $1`,
			j.ID, desk, j.LeaseUntil, j.Attempts)
		c.Job = j
		return err
	})
	if err != nil {
		return Claim{}, wrapPG("claim", err)
	}
	return c, nil
}

// Renew implements Jobs.
func (p *PG) Renew(ctx context.Context, id, desk string, now time.Time, lease time.Duration) error {
	tag, err := p.pool.Exec(ctx, `UPDATE jobs SET lease_until = $3 WHERE id = $1 AND desk = $2 AND state = 'claimed'`,
		id, desk, now.Add(lease).UTC())
	if err != nil {
		return wrapPG("renew", err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("facility: renew job %s: %w", id, ErrLeaseLost)
	}
	return nil
}

// Writing implements Jobs.
func (p *PG) Writing(ctx context.Context, id, desk, disc string) error {
	tag, err := p.pool.Exec(ctx, `UPDATE jobs SET disc = $3 WHERE id = $1 AND desk = $2 AND state = 'claimed'`, id, desk, disc)
	if err != nil {
		return wrapPG("writing", err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("facility: job %s: %w", id, ErrLeaseLost)
	}
	return nil
}

// Finish implements Jobs.
func (p *PG) Finish(ctx context.Context, id, desk string, state JobState) error {
	if err := finishable(state); err != nil {
		return err
	}
	q := `UPDATE jobs SET state = $3, lease_until = NULL WHERE id = $1 AND desk = $2 AND state = 'claimed'`
	if state == JobQueued {
		q = `UPDATE jobs SET state = $3, lease_until = NULL, desk = '', disc = NULL WHERE id = $1 AND desk = $2 AND state = 'claimed'`
	}
	tag, err := p.pool.Exec(ctx, q, id, desk, string(state))
	if err != nil {
		return wrapPG("finish", err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("facility: finish job %s: %w", id, ErrLeaseLost)
	}
	return nil
}

func finishable(s JobState) error {
	switch s {
	case JobDone, JobFailed, JobQueued, JobCancelled:
		return nil
	}
	return fmt.Errorf("facility: a claim ends done, failed, cancelled or queued, not %q", s)
}

// --- staff ---

// Members implements Staff.
func (p *PG) Members(ctx context.Context) ([]staff.Member, error) {
	rows, err := p.pool.Query(ctx, `SELECT member FROM staff ORDER BY id`)
	if err != nil {
		return nil, wrapPG("staff", err)
	}
	var out []staff.Member
	var raw []byte
	_, err = pgx.ForEachRow(rows, []any{&raw}, func() error {
		var m staff.Member
		if err := json.Unmarshal(raw, &m); err != nil {
			return fmt.Errorf("stored member: %v: %w", err, handoff.ErrBadRecord)
		}
		out = append(out, m)
		return nil
	})
	return out, wrapPG("staff", err)
}

// Member implements Staff.
func (p *PG) Member(ctx context.Context, id string) (staff.Member, error) {
	var raw []byte
	if err := p.pool.QueryRow(ctx, `SELECT member FROM staff WHERE id = $1`, id).Scan(&raw); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return staff.Member{}, fmt.Errorf("facility: staff member %s: %w", id, staff.ErrNoMember)
		}
		return staff.Member{}, wrapPG("staff", err)
	}
	var m staff.Member
	err := json.Unmarshal(raw, &m)
	return m, err
}

// PutMember implements Staff.
func (p *PG) PutMember(ctx context.Context, m staff.Member) error {
	if m.ID == "" {
		return errors.New("facility: a staff member needs an ID")
	}
	raw, err := json.Marshal(m)
	if err != nil {
		return err
	}
	_, err = p.pool.Exec(ctx, `INSERT INTO staff (id, member) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET member = EXCLUDED.member`, m.ID, raw)
	return wrapPG("staff", err)
}

// --- settings ---

// LoadSettings implements Settings.
func (p *PG) LoadSettings(ctx context.Context) (json.RawMessage, int64, error) {
	var doc []byte
	var v int64
	err := p.pool.QueryRow(ctx, `SELECT doc, version FROM settings WHERE id = 1`).Scan(&doc, &v)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, wrapPG("settings", err)
	}
	return doc, v, nil
}

// SaveSettings implements Settings.
func (p *PG) SaveSettings(ctx context.Context, doc json.RawMessage, ifVersion int64) (int64, error) {
	if !json.Valid(doc) {
		return 0, errors.New("facility: settings are not JSON")
	}
	var tag pgconn.CommandTag
	var err error
	if ifVersion == 0 {
		tag, err = p.pool.Exec(ctx, `INSERT INTO settings (id, doc, version) VALUES (1, $1, 1) ON CONFLICT DO NOTHING`, []byte(doc))
	} else {
		tag, err = p.pool.Exec(ctx, `UPDATE settings SET doc = $1, version = version + 1 WHERE id = 1 AND version = $2`, []byte(doc), ifVersion)
	}
	if err != nil {
		return 0, wrapPG("settings", err)
	}
	if tag.RowsAffected() == 0 {
		return 0, fmt.Errorf("facility: save settings: %w", ErrConflict)
	}
	return ifVersion + 1, nil
}

// --- holdings ---

// Hold implements Holdings.
func (p *PG) Hold(ctx context.Context, desk, studyUID string) error {
	_, err := p.pool.Exec(ctx, `INSERT INTO holdings (study, desk) VALUES ($1, $2) ON CONFLICT DO NOTHING`, studyUID, desk)
	return wrapPG("hold", err)
}

// Release implements Holdings.
func (p *PG) Release(ctx context.Context, desk, studyUID string) error {
	_, err := p.pool.Exec(ctx, `DELETE FROM holdings WHERE study = $1 AND desk = $2`, studyUID, desk)
	return wrapPG("release", err)
}

// Holders implements Holdings.
func (p *PG) Holders(ctx context.Context, studyUID string) ([]string, error) {
	rows, err := p.pool.Query(ctx, `SELECT desk FROM holdings WHERE study = $1 ORDER BY desk`, studyUID)
	if err != nil {
		return nil, wrapPG("holders", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	return out, wrapPG("holders", err)
}
