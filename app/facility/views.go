package facility

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"discdesk/app/handoff"
)

// Views are the rest of what a desk's handoff store reads from the log
// (package handoff's Store over a Remote): both backends and the Outbox
// offer them.
type Views interface {
	// AppendHook is Append with hook called on the event and the request
	// after it before the event is recorded (the audit message of a
	// handoff is built there, from the request as the log holds it).
	AppendHook(ctx context.Context, ev handoff.Event, hook func(*handoff.Event, *handoff.Request) error) (handoff.Event, handoff.Request, error)
	DiscRequest(ctx context.Context, disc string) (handoff.Request, error)
	Event(ctx context.Context, id string) (handoff.Event, error)
	// EventsOf returns the events of one request (or one disc), oldest first.
	EventsOf(ctx context.Context, request, disc string) ([]handoff.Event, error)
	ToTell(ctx context.Context) ([]handoff.Request, error)
	PatientHistory(ctx context.Context, key string) ([]handoff.Request, error)
	Search(ctx context.Context, query string) ([]handoff.Request, error)
	// RecordHash is the hash (hex) of the facility chain's record n (from 1).
	RecordHash(ctx context.Context, n int) (string, error)
}

var (
	_ Views = (*PG)(nil)
	_ Views = (*Bolt)(nil)
	_ Views = (*Outbox)(nil)
)

// --- PostgreSQL ---

func (p *PG) requestsWhere(ctx context.Context, op, where string, args ...any) ([]handoff.Request, error) {
	rows, err := p.pool.Query(ctx, `SELECT state FROM requests `+where, args...)
	if err != nil {
		return nil, wrapPG(op, err)
	}
	raws, err := pgx.CollectRows(rows, pgx.RowTo[[]byte])
	if err != nil {
		return nil, wrapPG(op, err)
	}
	return decodeRequests(raws)
}

// DiscRequest implements Views.
func (p *PG) DiscRequest(ctx context.Context, disc string) (handoff.Request, error) {
	u, err := uuid.Parse(disc)
	if err != nil {
		return handoff.Request{}, fmt.Errorf("facility: disc %q is not a UUID: %w", disc, handoff.ErrNotFound)
	}
	rs, err := p.requestsWhere(ctx, "disc", `WHERE id = (SELECT request FROM discs WHERE uuid = $1)`, u)
	if err != nil {
		return handoff.Request{}, err
	}
	if len(rs) == 0 {
		return handoff.Request{}, fmt.Errorf("facility: disc %s: %w", disc, handoff.ErrNotFound)
	}
	return rs[0], nil
}

func (p *PG) events(ctx context.Context, op, where string, args ...any) ([]handoff.Event, error) {
	rows, err := p.pool.Query(ctx, `SELECT id, rec FROM events `+where+` ORDER BY (segment = 0), segment, pos`, args...)
	if err != nil {
		return nil, wrapPG(op, err)
	}
	var out []handoff.Event
	var id uuid.UUID
	var rec []byte
	_, err = pgx.ForEachRow(rows, []any{&id, &rec}, func() error {
		k := id
		ev, err := handoff.DecodeRecord(k[:], rec)
		if err != nil {
			return err
		}
		out = append(out, ev)
		return nil
	})
	if err != nil {
		return nil, wrapPG(op, err)
	}
	return out, nil
}

// Event implements Views.
func (p *PG) Event(ctx context.Context, id string) (handoff.Event, error) {
	u, err := uuid.Parse(id)
	if err != nil {
		return handoff.Event{}, fmt.Errorf("facility: event %q is not a UUID: %w", id, handoff.ErrNotFound)
	}
	evs, err := p.events(ctx, "event", `WHERE id = $1`, u)
	if err != nil {
		return handoff.Event{}, err
	}
	if len(evs) == 0 {
		return handoff.Event{}, fmt.Errorf("facility: event %s: %w", id, handoff.ErrNotFound)
	}
	return evs[0], nil
}

// EventsOf implements Views.
func (p *PG) EventsOf(ctx context.Context, request, disc string) ([]handoff.Event, error) {
	col, id := "request", request
	if disc != "" {
		col, id = "disc", disc
	}
	u, err := uuid.Parse(id)
	if err != nil {
		return nil, fmt.Errorf("facility: %s %q is not a UUID: %w", col, id, handoff.ErrNotFound)
	}
	return p.events(ctx, "events", `WHERE `+col+` = $1`, u)
}

// ToTell implements Views.
func (p *PG) ToTell(ctx context.Context) ([]handoff.Request, error) {
	rs, err := p.requestsWhere(ctx, "to tell", `WHERE tell`)
	handoff.SortOldestFirst(rs)
	return rs, err
}

// PatientHistory implements Views.
func (p *PG) PatientHistory(ctx context.Context, key string) ([]handoff.Request, error) {
	rs, err := p.requestsWhere(ctx, "patient history", `WHERE patient = $1`, key)
	handoff.SortOldestFirst(rs)
	return rs, err
}

// Search implements Views: the same words and fields as the desk store
// (handoff.Request.Matches), over every request.
func (p *PG) Search(ctx context.Context, query string) ([]handoff.Request, error) {
	rs, err := p.requestsWhere(ctx, "search", ``)
	if err != nil {
		return nil, err
	}
	words := handoff.SearchWords(query)
	out := rs[:0]
	for i := range rs {
		if rs[i].Matches(words) {
			out = append(out, rs[i])
		}
	}
	handoff.SortNewestFirst(out)
	return out, nil
}

// RecordHash implements Views.
func (p *PG) RecordHash(ctx context.Context, n int) (string, error) {
	var rec []byte
	err := p.pool.QueryRow(ctx, `SELECT rec FROM events WHERE segment = 0 AND pos = $1`, n).Scan(&rec)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", fmt.Errorf("facility: record %d: %w", n, handoff.ErrNotFound)
	}
	if err != nil {
		return "", wrapPG("record", err)
	}
	if len(rec) < 65 {
		return "", fmt.Errorf("facility: record %d: %w", n, handoff.ErrBadRecord)
	}
	return hex.EncodeToString(rec[33:65]), nil
}

// --- bbolt (the desk's handoff store) ---

// AppendHook implements Views.
func (b *Bolt) AppendHook(ctx context.Context, ev handoff.Event, hook func(*handoff.Event, *handoff.Request) error) (handoff.Event, handoff.Request, error) {
	if hook == nil {
		return b.Append(ctx, ev)
	}
	return handoff.Event{}, handoff.Request{}, fmt.Errorf("facility: a hook on the desk store: %w", ErrNotSupported)
}

// DiscRequest implements Views.
func (b *Bolt) DiscRequest(_ context.Context, disc string) (handoff.Request, error) {
	return b.log.DiscRequest(disc)
}

// Event implements Views.
func (b *Bolt) Event(_ context.Context, id string) (handoff.Event, error) { return b.log.Event(id) }

// EventsOf implements Views.
func (b *Bolt) EventsOf(_ context.Context, request, disc string) ([]handoff.Event, error) {
	return b.log.Events(request, disc)
}

// ToTell implements Views.
func (b *Bolt) ToTell(context.Context) ([]handoff.Request, error) { return b.log.ToTell() }

// PatientHistory implements Views.
func (b *Bolt) PatientHistory(_ context.Context, key string) ([]handoff.Request, error) {
	return b.log.PatientHistory(key)
}

// Search implements Views.
func (b *Bolt) Search(_ context.Context, q string) ([]handoff.Request, error) { return b.log.Search(q) }

// RecordHash implements Views.
func (b *Bolt) RecordHash(_ context.Context, n int) (string, error) { return b.log.RecordHash(n) }

// --- the adapter package handoff's Store uses ---

// Remote is the facility log as package handoff's Store keeps its log in
// it (handoff.WithRemote, handoff.Bind): b must offer Views (PG, Outbox).
// Each call is bounded by timeout (0: 30 s), so an unreachable server is
// reported instead of hanging the desk.
func Remote(b Backend, timeout time.Duration) (handoff.Remote, error) {
	v, ok := b.(Views)
	if !ok {
		return nil, fmt.Errorf("facility: the %s backend cannot hold a desk's handoff log: %w", b.Kind(), ErrNotSupported)
	}
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	return &remote{b: b, v: v, timeout: timeout}, nil
}

type remote struct {
	b       Backend
	v       Views
	timeout time.Duration
}

func (r *remote) ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), r.timeout)
}

func (r *remote) Append(ev handoff.Event, hook func(*handoff.Event, *handoff.Request) error) (handoff.Event, handoff.Request, error) {
	ctx, cancel := r.ctx()
	defer cancel()
	return r.v.AppendHook(ctx, ev, hook)
}

func (r *remote) Request(id string) (handoff.Request, error) {
	ctx, cancel := r.ctx()
	defer cancel()
	return r.b.Request(ctx, id)
}

func (r *remote) DiscRequest(disc string) (handoff.Request, error) {
	ctx, cancel := r.ctx()
	defer cancel()
	return r.v.DiscRequest(ctx, disc)
}

func (r *remote) Event(id string) (handoff.Event, error) {
	ctx, cancel := r.ctx()
	defer cancel()
	return r.v.Event(ctx, id)
}

func (r *remote) Events(request, disc string) ([]handoff.Event, error) {
	ctx, cancel := r.ctx()
	defer cancel()
	return r.v.EventsOf(ctx, request, disc)
}

func (r *remote) ForEachEvent(fn func(handoff.Event) error) error {
	// A whole-log walk (export) may take longer than one call.
	return r.b.Events(context.Background(), fn)
}

func (r *remote) OpenRequests(now time.Time, overdueOnly bool) ([]handoff.Request, error) {
	ctx, cancel := r.ctx()
	defer cancel()
	return r.b.OpenRequests(ctx, now, overdueOnly)
}

func (r *remote) ToTell() ([]handoff.Request, error) {
	ctx, cancel := r.ctx()
	defer cancel()
	return r.v.ToTell(ctx)
}

func (r *remote) PatientHistory(key string) ([]handoff.Request, error) {
	ctx, cancel := r.ctx()
	defer cancel()
	return r.v.PatientHistory(ctx, key)
}

func (r *remote) Search(q string) ([]handoff.Request, error) {
	ctx, cancel := r.ctx()
	defer cancel()
	return r.v.Search(ctx, q)
}

func (r *remote) Head() (string, int, error) {
	ctx, cancel := r.ctx()
	defer cancel()
	h, err := r.b.Head(ctx)
	return strings.ToLower(h.Hash), int(h.Count), err
}

func (r *remote) RecordHash(n int) (string, error) {
	ctx, cancel := r.ctx()
	defer cancel()
	return r.v.RecordHash(ctx, n)
}

// Held implements handoff.HoldingRemote.
func (r *remote) Held(study string) (bool, error) {
	ctx, cancel := r.ctx()
	defer cancel()
	hs, err := r.b.Holders(ctx, study)
	return len(hs) > 0, err
}

func (r *remote) Verify() (handoff.VerifyReport, error) {
	return r.b.Verify(context.Background())
}

func (p *PG) holdAll(ctx context.Context, desk string, studies []string) error {
	if len(studies) == 0 {
		return nil
	}
	_, err := p.pool.Exec(ctx, `INSERT INTO holdings (study, desk) SELECT unnest($1::text[]), $2 ON CONFLICT DO NOTHING`, studies, desk)
	return wrapPG("hold", err)
}
