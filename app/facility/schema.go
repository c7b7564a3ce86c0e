package facility

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"discdesk/app/handoff"
)

// schemaName is the PostgreSQL schema holding the facility's tables.
const schemaName = "discdesk"

// DeskRole is the group role every desk's login role belongs to: it may
// read everything and insert events, never change or delete them.
const DeskRole = "discdesk_desk"

// schemaVersion is the layout this build writes. 2: requests.patient is
// handoff.Patient.Key as it is now (the exact Patient ID with its issuer;
// schema 1 folded the ID's case, so two patients could share a history).
const schemaVersion = 2

// appendOnlyCode is the SQLSTATE the append-only trigger raises.
const appendOnlyCode = "DD001"

var schemaSQL = []string{
	`CREATE SCHEMA IF NOT EXISTS discdesk`,
	`CREATE TABLE IF NOT EXISTS discdesk.meta (key text PRIMARY KEY, value text NOT NULL)`,
	// A segment is one hash chain: 0 is the facility's own, others are desk
	// stores merged in by Migrate, kept as their own chains.
	`CREATE TABLE IF NOT EXISTS discdesk.segments (
		id int PRIMARY KEY,
		name text NOT NULL,
		origin uuid UNIQUE,
		count bigint NOT NULL DEFAULT 0,
		hash bytea NOT NULL DEFAULT '\x0000000000000000000000000000000000000000000000000000000000000000',
		complete boolean NOT NULL DEFAULT false)`,
	`INSERT INTO discdesk.segments (id, name, complete) VALUES (0, 'facility', true) ON CONFLICT DO NOTHING`,
	`CREATE TABLE IF NOT EXISTS discdesk.events (
		segment int NOT NULL REFERENCES discdesk.segments,
		pos bigint NOT NULL,
		id uuid NOT NULL UNIQUE,
		request uuid NOT NULL,
		disc uuid,
		kind text NOT NULL,
		at timestamptz NOT NULL,
		rec bytea NOT NULL,
		PRIMARY KEY (segment, pos))`,
	`CREATE INDEX IF NOT EXISTS events_request ON discdesk.events (request)`,
	`CREATE INDEX IF NOT EXISTS events_disc ON discdesk.events (disc) WHERE disc IS NOT NULL`,
	`CREATE OR REPLACE FUNCTION discdesk.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
	BEGIN
		RAISE EXCEPTION 'the handoff log is append-only: % refused', TG_OP USING ERRCODE = 'DD001';
	END $$`,
	`CREATE OR REPLACE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON discdesk.events
		FOR EACH ROW EXECUTE FUNCTION discdesk.refuse_change()`,
	`CREATE OR REPLACE TRIGGER events_no_truncate BEFORE TRUNCATE ON discdesk.events
		FOR EACH STATEMENT EXECUTE FUNCTION discdesk.refuse_change()`,
	`CREATE TABLE IF NOT EXISTS discdesk.requests (
		id uuid PRIMARY KEY,
		open boolean NOT NULL,
		due timestamptz,
		tell boolean NOT NULL,
		patient text NOT NULL,
		state bytea NOT NULL)`,
	`CREATE INDEX IF NOT EXISTS requests_open_due ON discdesk.requests (due, id) WHERE open`,
	`CREATE INDEX IF NOT EXISTS requests_patient ON discdesk.requests (patient)`,
	`CREATE INDEX IF NOT EXISTS requests_tell ON discdesk.requests (id) WHERE tell`,
	`CREATE TABLE IF NOT EXISTS discdesk.discs (uuid uuid PRIMARY KEY, request uuid NOT NULL)`,
	`CREATE TABLE IF NOT EXISTS discdesk.jobs (
		id uuid PRIMARY KEY,
		request uuid,
		state text NOT NULL,
		payload bytea,
		desk text NOT NULL DEFAULT '',
		lease_until timestamptz,
		disc uuid,
		attempts int NOT NULL DEFAULT 0,
		created timestamptz NOT NULL)`,
	`CREATE INDEX IF NOT EXISTS jobs_waiting ON discdesk.jobs (created, id) WHERE state IN ('queued', 'claimed')`,
	`CREATE TABLE IF NOT EXISTS discdesk.staff (id text PRIMARY KEY, member bytea NOT NULL)`,
	`CREATE TABLE IF NOT EXISTS discdesk.holdings (study text NOT NULL, desk text NOT NULL, since timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (study, desk))`,
	// One row per connection: the synchronous write after each append.
	`CREATE TABLE IF NOT EXISTS discdesk.flushes (pid int PRIMARY KEY, at timestamptz NOT NULL)`,
	`CREATE TABLE IF NOT EXISTS discdesk.settings (id int PRIMARY KEY CHECK (id = 1), doc bytea NOT NULL, version bigint NOT NULL)`,
	`DO $$ BEGIN
		IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'discdesk_desk') THEN
			CREATE ROLE discdesk_desk NOLOGIN;
		END IF;
	END $$`,
	`GRANT USAGE ON SCHEMA discdesk TO discdesk_desk`,
	`REVOKE ALL ON ALL TABLES IN SCHEMA discdesk FROM discdesk_desk`,
	`GRANT SELECT ON discdesk.meta TO discdesk_desk`,
	`GRANT SELECT, INSERT ON discdesk.events TO discdesk_desk`,
	`GRANT SELECT, UPDATE ON discdesk.segments TO discdesk_desk`,
	`GRANT SELECT, INSERT, UPDATE ON discdesk.requests, discdesk.discs, discdesk.jobs, discdesk.staff, discdesk.settings, discdesk.flushes, discdesk.holdings TO discdesk_desk`,
	`GRANT DELETE ON discdesk.holdings TO discdesk_desk`,
}

// Setup creates (or brings up to date) the facility's schema, the
// append-only trigger and the desks' group role. It is idempotent and runs
// as the database owner, not as a desk.
func Setup(ctx context.Context, c Config) error {
	pc, err := c.poolConfig()
	if err != nil {
		return err
	}
	pc.ConnConfig.RuntimeParams["search_path"] = "pg_catalog"
	conn, err := pgx.ConnectConfig(ctx, pc.ConnConfig)
	if err != nil {
		return wrapPG("setup", err)
	}
	defer conn.Close(ctx)
	var v string
	if err := conn.QueryRow(ctx, `SELECT value FROM discdesk.meta WHERE key = 'schema'`).Scan(&v); err == nil && v > fmt.Sprint(schemaVersion) {
		return fmt.Errorf("facility: the database has schema %s, this build knows %d", v, schemaVersion)
	}
	// One setup at a time.
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock(4711)`); err != nil {
		return wrapPG("setup", err)
	}
	defer conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(4711)`)
	for _, q := range schemaSQL {
		if _, err := conn.Exec(ctx, q); err != nil {
			return wrapPG("setup", err)
		}
	}
	if err := rekeyPatients(ctx, conn); err != nil {
		return err
	}
	if _, err := conn.Exec(ctx, `INSERT INTO discdesk.meta VALUES ('schema', $1) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`, fmt.Sprint(schemaVersion)); err != nil {
		return wrapPG("setup", err)
	}
	return nil
}

// rekeyPatients sets every request's patient column to its patient's key
// as this build makes it (handoff.Patient.Key), in one transaction: the
// history a desk looks up is then every request of exactly that patient.
// Rows already right are left alone, so a second run writes nothing.
func rekeyPatients(ctx context.Context, conn *pgx.Conn) error {
	tx, err := conn.Begin(ctx)
	if err != nil {
		return wrapPG("setup: patient keys", err)
	}
	defer tx.Rollback(ctx)
	rows, err := tx.Query(ctx, `SELECT id, patient, state FROM discdesk.requests`)
	if err != nil {
		return wrapPG("setup: patient keys", err)
	}
	type rekey struct {
		id  uuid.UUID
		key string
	}
	var todo []rekey
	for rows.Next() {
		var (
			id    uuid.UUID
			old   string
			state []byte
		)
		if err := rows.Scan(&id, &old, &state); err != nil {
			rows.Close()
			return wrapPG("setup: patient keys", err)
		}
		var r handoff.Request
		if err := json.Unmarshal(state, &r); err != nil {
			rows.Close()
			return fmt.Errorf("facility: setup: patient keys: request %s: %v: %w", id, err, handoff.ErrBadRecord)
		}
		if k := r.Patient.Key(); k != old {
			todo = append(todo, rekey{id, k})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return wrapPG("setup: patient keys", err)
	}
	b := &pgx.Batch{}
	for _, r := range todo {
		b.Queue(`UPDATE discdesk.requests SET patient = $2 WHERE id = $1`, r.id, r.key)
	}
	if len(todo) > 0 {
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return wrapPG("setup: patient keys", err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return wrapPG("setup: patient keys", err)
	}
	return nil
}

// AddDesk creates (or updates the password of) the login role of one desk,
// a member of DeskRole. Run as the database owner.
func AddDesk(ctx context.Context, pool *pgxpool.Pool, name, password string) error {
	ident := pgx.Identifier{name}.Sanitize()
	var exists bool
	if err := pool.QueryRow(ctx, `SELECT EXISTS (SELECT FROM pg_roles WHERE rolname = $1)`, name).Scan(&exists); err != nil {
		return wrapPG("add desk", err)
	}
	verb := "CREATE"
	if exists {
		verb = "ALTER"
	}
	// A role's password cannot be a bind parameter; quote it as a literal.
	lit := "'" + escapeLiteral(password) + "'"
	if _, err := pool.Exec(ctx, verb+" ROLE "+ident+" LOGIN PASSWORD "+lit); err != nil {
		return wrapPG("add desk", err)
	}
	if _, err := pool.Exec(ctx, "GRANT "+DeskRole+" TO "+ident); err != nil {
		return wrapPG("add desk", err)
	}
	return nil
}

func escapeLiteral(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '\'' {
			out = append(out, '\'')
		}
		if s[i] == 0 {
			continue
		}
		out = append(out, s[i])
	}
	return string(out)
}
