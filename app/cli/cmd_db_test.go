package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"discdesk/app/facility"
	"discdesk/app/facility/facilitytest"
	"discdesk/app/store"
	"discdesk/internal/pgtest"
)

func TestDBMigrateCommand(t *testing.T) {
	srv := pgtest.Start(t)
	srv.CreateDB(t, "facility")
	dir := t.TempDir()
	db, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	b, err := facility.OpenBolt(db)
	if err != nil {
		t.Fatal(err)
	}
	_, r, err := b.Append(context.Background(), facilitytest.Requested(1, time.Now().Add(time.Hour)))
	if err != nil {
		t.Fatal(err)
	}
	db.Close()

	run := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := Run(context.Background(), append([]string{"--data", dir}, args...), &out, &errb)
		return code, out.String(), errb.String()
	}
	// A password on the command line is refused and never echoed.
	code, out, errs := run("db", "migrate", "--to", srv.URL("postgres", "s3cret-on-cmdline", "facility"))
	if code == 0 || strings.Contains(out+errs, "s3cret-on-cmdline") || !strings.Contains(errs, "password") {
		t.Fatalf("password in --to: exit %d\n%s%s", code, out, errs)
	}
	url := srv.AdminURL("facility")
	for i := range 2 {
		code, out, errs = run("db", "migrate", "--to", url, "--as", "front-desk")
		if code != 0 {
			t.Fatalf("db migrate: exit %d\n%s%s", code, out, errs)
		}
		want := "1 events copied now, 1 in all"
		if i == 1 {
			want = "0 events copied now, 1 in all"
		}
		if !strings.Contains(out, want) || !strings.Contains(out, "facility log verified: 1 events, 1 requests") {
			t.Fatalf("db migrate run %d output:\n%s", i+1, out)
		}
	}
	code, out, errs = run("db", "status", "--to", url)
	if code != 0 || !strings.Contains(out, "answers; handoff chain: 0 events") {
		t.Fatalf("db status: exit %d\n%s%s", code, out, errs)
	}
	pw := filepath.Join(t.TempDir(), "desk.pw")
	os.WriteFile(pw, []byte("desk-secret\n"), 0o600)
	code, out, errs = run("db", "add-desk", "--to", url, "--desk-password-file", pw, "desk_front")
	if code != 0 || strings.Contains(out+errs, "desk-secret") {
		t.Fatalf("db add-desk: exit %d\n%s%s", code, out, errs)
	}
	// The new desk login signs in with the password from its file and sees the migrated request.
	pg, err := facility.OpenPG(context.Background(), facility.Config{URL: srv.URL("desk_front", "", "facility"), PasswordFile: pw})
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	if got, err := pg.Request(context.Background(), r.ID); err != nil || got.ID != r.ID {
		t.Fatalf("migrated request seen by the desk login: %v", err)
	}
}
