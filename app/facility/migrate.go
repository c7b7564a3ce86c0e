package facility

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	bolt "go.etcd.io/bbolt"

	"discdesk/app/handoff"
)

// MigrateOptions tune Migrate.
type MigrateOptions struct {
	// Name labels the desk's chain in the facility database (e.g. its
	// workstation name); default "desk".
	Name string
	// Batch is how many events go in one transaction (default 2000): an
	// interrupted migration resumes after the last whole batch.
	Batch int
	// Progress, if set, is called after each batch with the events copied
	// so far and the desk's total.
	Progress func(copied, total int64)
}

// MigrateReport says what Migrate did.
type MigrateReport struct {
	Segment  int    `json:"segment"`  // the desk's chain in the facility database
	Name     string `json:"name"`     // its label
	Copied   int64  `json:"copied"`   // events copied by this run
	Events   int64  `json:"events"`   // the desk's events now in the facility database
	Staff    int    `json:"staff"`    // members added (existing ones are kept)
	Settings string `json:"settings"` // "copied", "kept the facility's" or "none"
	// Verified is the facility database's Verify after the copy.
	Verified handoff.VerifyReport `json:"verified"`
}

// Migrate copies a desk's bbolt store (src) into the facility database c:
// the handoff log, with its chain verified before and after, as its own
// segment (chain) under the records' own bytes and IDs; the request views;
// staff members (with PIN hashes) not yet there; and the settings when the
// facility has none. It is idempotent (a second run copies nothing new) and
// resumable (an interrupted run continues after the last whole batch; a
// desk that recorded more since continues its segment). It runs as the
// database owner (it calls Setup).
func Migrate(ctx context.Context, src *bolt.DB, c Config, opt MigrateOptions) (MigrateReport, error) {
	if opt.Name == "" {
		opt.Name = "desk"
	}
	if opt.Batch <= 0 {
		opt.Batch = 2000
	}
	rep := MigrateReport{Name: opt.Name, Settings: "none"}
	desk, err := OpenBolt(src)
	if err != nil {
		return rep, err
	}
	srcRep, err := desk.Verify(ctx)
	if err != nil {
		return rep, fmt.Errorf("facility: migrate: the desk's own log does not verify, nothing copied: %w", err)
	}
	if err := Setup(ctx, c); err != nil {
		return rep, err
	}
	pg, err := OpenPG(ctx, c)
	if err != nil {
		return rep, err
	}
	defer pg.Close()

	if srcRep.Events > 0 {
		if err := pg.copyLog(ctx, src, int64(srcRep.Events), opt, &rep); err != nil {
			return rep, err
		}
	}
	// Staff: members the facility does not know yet.
	members, err := desk.Members(ctx)
	if err != nil {
		return rep, err
	}
	for _, m := range members {
		raw, err := jsonMarshal(m)
		if err != nil {
			return rep, err
		}
		tag, err := pg.pool.Exec(ctx, `INSERT INTO staff (id, member) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING`, m.ID, raw)
		if err != nil {
			return rep, wrapPG("migrate staff", err)
		}
		rep.Staff += int(tag.RowsAffected())
	}
	// Settings: the desk's, unless the facility already has its own.
	doc, v, err := desk.LoadSettings(ctx)
	if err != nil {
		return rep, err
	}
	if v > 0 {
		if _, fv, err := pg.LoadSettings(ctx); err != nil {
			return rep, err
		} else if fv == 0 {
			if _, err := pg.SaveSettings(ctx, doc, 0); err != nil && !errors.Is(err, ErrConflict) {
				return rep, err
			}
			rep.Settings = "copied"
		} else {
			rep.Settings = "kept the facility's"
		}
	}
	rep.Verified, err = pg.Verify(ctx)
	if err != nil {
		return rep, fmt.Errorf("facility: migrate: the facility database does not verify after the copy: %w", err)
	}
	return rep, nil
}

// copyLog copies the desk's records after those already copied, batch by
// batch, then rebuilds the views of the desk's requests from the whole log.
func (p *PG) copyLog(ctx context.Context, src *bolt.DB, total int64, opt MigrateOptions, rep *MigrateReport) error {
	var origin uuid.UUID
	if err := rawBoltEvents(src, 0, func(k, _ []byte) error {
		copy(origin[:], k)
		return errStop
	}); err != nil && !errors.Is(err, errStop) {
		return err
	}
	var count int64
	var hash []byte
	err := pgx.BeginTxFunc(ctx, p.pool, pgx.TxOptions{}, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `LOCK TABLE segments IN SHARE ROW EXCLUSIVE MODE`); err != nil {
			return err
		}
		err := tx.QueryRow(ctx, `SELECT id, count, hash FROM segments WHERE origin = $1`, origin).Scan(&rep.Segment, &count, &hash)
		if errors.Is(err, pgx.ErrNoRows) {
			return tx.QueryRow(ctx, `INSERT INTO segments (id, name, origin) SELECT max(id) + 1, $1, $2 FROM segments RETURNING id, count, hash`,
				opt.Name, origin).Scan(&rep.Segment, &count, &hash)
		}
		return err
	})
	if err != nil {
		return wrapPG("migrate", err)
	}
	type row struct {
		key, rec []byte
		ev       handoff.Event
	}
	var batch []row
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := pgx.BeginTxFunc(ctx, p.pool, pgx.TxOptions{}, func(tx pgx.Tx) error {
			var c int64
			var h []byte
			if err := tx.QueryRow(ctx, `SELECT count, hash FROM segments WHERE id = $1 FOR UPDATE`, rep.Segment).Scan(&c, &h); err != nil {
				return err
			}
			if c != count || !bytes.Equal(h, hash) {
				return fmt.Errorf("facility: migrate: another migration of this desk is running: %w", ErrConflict)
			}
			rows := make([][]any, len(batch))
			for i, r := range batch {
				var disc any
				if r.ev.Disc != "" {
					disc = r.ev.Disc
				}
				u, _ := uuid.FromBytes(r.key)
				rows[i] = []any{rep.Segment, count + int64(i) + 1, u, r.ev.Request, disc, string(r.ev.Kind), r.ev.Time, r.rec}
			}
			if _, err := tx.CopyFrom(ctx, pgx.Identifier{"events"}, []string{"segment", "pos", "id", "request", "disc", "kind", "at", "rec"}, pgx.CopyFromRows(rows)); err != nil {
				return err
			}
			last := batch[len(batch)-1].rec[33:65]
			_, err := tx.Exec(ctx, `UPDATE segments SET count = $2, hash = $3 WHERE id = $1`, rep.Segment, count+int64(len(batch)), last)
			return err
		})
		if err != nil {
			return wrapPG("migrate", err)
		}
		count += int64(len(batch))
		hash = append([]byte(nil), batch[len(batch)-1].rec[33:65]...)
		rep.Copied += int64(len(batch))
		batch = batch[:0]
		if opt.Progress != nil {
			opt.Progress(count, total)
		}
		return ctx.Err()
	}
	prev := hash
	first := true
	err = rawBoltEvents(src, count, func(k, rec []byte) error {
		ev, err := handoff.DecodeRecord(k, rec)
		if err != nil {
			return fmt.Errorf("facility: migrate: desk event %s: %w", uuidText(k), err)
		}
		if !bytes.Equal(rec[1:33], prev) {
			if first {
				return fmt.Errorf("facility: migrate: the desk's log no longer continues the %d events copied before (chain ends %s): %w", count, hex.EncodeToString(prev), handoff.ErrChainBroken)
			}
			return fmt.Errorf("facility: migrate: desk event %s does not link to the one before: %w", ev.ID, handoff.ErrChainBroken)
		}
		first = false
		prev = append([]byte(nil), rec[33:65]...)
		batch = append(batch, row{key: append([]byte(nil), k...), rec: append([]byte(nil), rec...), ev: ev})
		if len(batch) >= opt.Batch {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		return err
	}
	rep.Events = count
	if _, err := p.pool.Exec(ctx, `UPDATE segments SET complete = true WHERE id = $1`, rep.Segment); err != nil {
		return wrapPG("migrate", err)
	}
	return p.rebuildViews(ctx, rep.Segment)
}

var errStop = errors.New("stop")

// rebuildViews replays the whole log and stores the views of the requests
// that have events in segment seg.
func (p *PG) rebuildViews(ctx context.Context, seg int) error {
	var discs [][2]string
	lg, err := replayRecords(func(emit func(int, []byte, []byte) error) error {
		return p.rawEvents(ctx, emit)
	})
	if err != nil {
		return wrapPG("migrate", err)
	}
	reqs := map[string]bool{}
	if err := p.rawEvents(ctx, func(s int, key, rec []byte) error {
		if s != seg {
			return nil
		}
		ev, err := handoff.DecodeRecord(key, rec)
		if err != nil {
			return err
		}
		reqs[ev.Request] = true
		if ev.Kind == handoff.EventBurned && ev.Disc != "" {
			discs = append(discs, [2]string{ev.Disc, ev.Request})
		}
		return nil
	}); err != nil {
		return wrapPG("migrate", err)
	}
	return wrapPG("migrate views", pgx.BeginTxFunc(ctx, p.pool, pgx.TxOptions{}, func(tx pgx.Tx) error {
		b := &pgx.Batch{}
		for id := range reqs {
			r := lg.state[id]
			if r == nil {
				return fmt.Errorf("request %s has no state after replay: %w", id, handoff.ErrViewMismatch)
			}
			if err := queueView(b, r); err != nil {
				return err
			}
		}
		for _, d := range discs {
			b.Queue(`INSERT INTO discs (uuid, request) VALUES ($1, $2) ON CONFLICT (uuid) DO UPDATE SET request = EXCLUDED.request`, d[0], d[1])
		}
		return tx.SendBatch(ctx, b).Close()
	}))
}
