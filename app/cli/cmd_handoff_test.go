package cli

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	bolt "go.etcd.io/bbolt"

	"discdesk/app/handoff"
	"discdesk/app/store"
)

// recordBurn does what `discdesk burn --request ID` does after a burn.
func recordBurn(t *testing.T, dir, requestID string) string {
	t.Helper()
	env := &Env{DataFlag: dir}
	defer env.Close()
	s, err := env.Handoff()
	if err != nil {
		t.Fatal(err)
	}
	disc := uuid.NewString()
	_, err = s.RecordBurn(requestID, handoff.Burn{DiscUUID: disc, N: 1, M: 1, ManifestHash: strings.Repeat("0f", 32), Verified: true}, handoff.Actor{Staff: "m.rivera", Workstation: "BURN-1"})
	if err != nil {
		t.Fatal(err)
	}
	return disc
}

// syslogFrames accepts connections on loopback and returns each
// octet-counted frame's MSG.
func syslogFrames(t *testing.T) (string, <-chan string) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	ch := make(chan string, 4)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			r := bufio.NewReader(c)
			head, _ := r.ReadString(' ')
			n, _ := strconv.Atoi(strings.TrimSpace(head))
			buf := make([]byte, n)
			io.ReadFull(r, buf)
			c.Close()
			ch <- string(buf)
		}
	}()
	return ln.Addr().String(), ch
}

func TestHandoffLogVerifyExport(t *testing.T) {
	dir := t.TempDir()
	addr, frames := syslogFrames(t)
	os.MkdirAll(dir, 0o700)
	importConfig(t, dir, []byte(fmt.Sprintf(`{"syslog_addr": %q, "audit_source_id": "DISCDESK@TEST"}`, addr)))

	r := mustNewRequest(t, dir)
	disc := recordBurn(t, dir, r.ID)
	code, _, errs := run(t, dir, append([]string{"handoff", disc, "--to", "Jane Doe", "--method", "pickup"}, who...)...)
	if code != 1 || !strings.Contains(errs, "identity_check") {
		t.Fatalf("pickup without --id-check: %d %s", code, errs)
	}
	code, out, errs := run(t, dir, append([]string{"handoff", disc, "--to", "Jane Doe", "--method", "pickup", "--id-check", "driver licence"}, who...)...)
	if code != 0 || !strings.Contains(out, "handed-over") {
		t.Fatalf("handoff: %d %s %s", code, out, errs)
	}
	select {
	case msg := <-frames:
		if !strings.Contains(msg, `csd-code="110106"`) || !strings.Contains(msg, disc) || !strings.Contains(msg, `AuditSourceID="DISCDESK@TEST"`) {
			t.Fatalf("audit frame %q", msg)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no audit message reached the collector")
	}
	if code, _, _ := run(t, dir, "handoff", disc, "--to", "x", "--method", "courier"); code != 2 {
		t.Fatalf("bad method: exit %d", code)
	}

	code, out, _ = run(t, dir, "log", "--json")
	var kinds []string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var ev handoff.Event
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			t.Fatalf("log --json line %q: %v", line, err)
		}
		kinds = append(kinds, string(ev.Kind))
	}
	if code != 0 || strings.Join(kinds, ",") != "requested,burned,handed-over" {
		t.Fatalf("log: %v", kinds)
	}
	code, out, _ = run(t, dir, "log", "--disc", disc)
	if code != 0 || strings.Count(out, "\n") != 2 || !strings.Contains(out, "m.rivera@FRONT-1") {
		t.Fatalf("log --disc: %s", out)
	}
	code, out, _ = run(t, dir, "log", "verify")
	if code != 0 || !strings.Contains(out, "OK: 3 events, 1 requests") {
		t.Fatalf("log verify: %d %s", code, out)
	}
	csvPath := filepath.Join(t.TempDir(), "log.csv")
	if code, _, errs := run(t, dir, "log", "export", "--csv", csvPath); code != 0 {
		t.Fatal(errs)
	}
	f, _ := os.Open(csvPath)
	rows, err := csv.NewReader(f).ReadAll()
	f.Close()
	fi, _ := os.Stat(csvPath)
	if err != nil || len(rows) != 4 || rows[3][2] != "handed-over" || rows[3][7] != "Doe, Jane" || fi.Mode().Perm() != 0o600 {
		t.Fatalf("csv: %v %v %v", err, rows, fi.Mode())
	}

	// Edit an event behind the log's back: verify fails with exit 3.
	db, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte("handoff")).Bucket([]byte("events"))
		k, v := b.Cursor().Last()
		return b.Put(append([]byte(nil), k...), []byte(strings.Replace(string(v), "Jane Doe", "Jane Roe", 1)))
	})
	db.Close()
	code, _, errs = run(t, dir, "log", "verify")
	if code != 3 || !strings.Contains(errs, "FAILED") || !strings.Contains(errs, "edited event") {
		t.Fatalf("verify after tampering: %d %s", code, errs)
	}
}

func TestHandoffMailReceiptTell(t *testing.T) {
	dir := t.TempDir()
	r := mustNewRequest(t, dir, "--delivery", "mail", "--street", "1200 Shore Dr", "--city", "Madison", "--region", "WI", "--postal-code", "53703")
	disc := recordBurn(t, dir, r.ID)
	if code, _, errs := run(t, dir, append([]string{"handoff", disc, "--to", "Jane Doe", "--method", "mail", "--carrier", "USPS", "--tracking", "9400100000000000000000"}, who...)...); code != 0 {
		t.Fatal(errs)
	}
	if code, _, errs := run(t, dir, append([]string{"handoff", disc, "--received-by", "Jane Doe by phone"}, who...)...); code != 0 {
		t.Fatal(errs)
	}
	code, out, _ := run(t, dir, "request", "list", "--tell")
	if code != 0 || !strings.Contains(out, r.ID) {
		t.Fatalf("tell list: %s", out)
	}
	if code, _, errs := run(t, dir, append([]string{"request", "tell", r.ID, "--how", "phone"}, who...)...); code != 0 {
		t.Fatal(errs)
	}
	code, out, _ = run(t, dir, "request", "list", "--tell")
	if code != 0 || strings.Contains(out, r.ID) {
		t.Fatalf("told patient still listed: %s", out)
	}
}
