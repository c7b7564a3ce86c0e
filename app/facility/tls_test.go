package facility_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"discdesk/app/facility"
	"discdesk/internal/pgtest"
)

// TestTLSWithCAFile: the desk reaches a server that takes only TLS, with
// the CA file; without it, or with another CA, it does not get in, and the
// password appears in no message.
func TestTLSWithCAFile(t *testing.T) {
	srv := pgtest.StartTLS(t)
	srv.CreateDB(t, "facility")
	admin := facility.Config{URL: srv.AdminURL("facility")}
	if err := facility.Setup(ctx, admin); err != nil {
		t.Fatal(err)
	}
	adm, err := facility.OpenPG(ctx, admin)
	if err != nil {
		t.Fatal(err)
	}
	defer adm.Close()
	const pw = "tls-desk-Secret-42"
	if err := facility.AddDesk(ctx, adm.Pool(), "tlsdesk", pw); err != nil {
		t.Fatal(err)
	}
	t.Setenv(facility.PasswordEnv, pw)
	c := facility.Config{URL: srv.TCPURL("tlsdesk", "facility"), CAFile: srv.CAFile}
	p, err := facility.OpenPG(ctx, c)
	if err != nil {
		t.Fatalf("TLS with the CA file: %v", err)
	}
	defer p.Close()
	var ssl bool
	if err := p.Pool().QueryRow(ctx, `SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()`).Scan(&ssl); err != nil || !ssl {
		t.Fatalf("connection is TLS: %v, %v", ssl, err)
	}
	if r := c.Redacted(); strings.Contains(r, pw) || !strings.Contains(r, "TLS") {
		t.Fatalf("Redacted = %q", r)
	}

	// Another CA: the server's certificate is not trusted.
	other := pgtest.StartTLS(t)
	bad := facility.Config{URL: c.URL, CAFile: other.CAFile, ConnectTimeout: c.ConnectTimeout}
	if _, err := facility.OpenPG(ctx, bad); err == nil || !strings.Contains(err.Error(), "certificate") || strings.Contains(err.Error(), pw) {
		t.Fatalf("with another CA: %v, want a certificate error without the password", err)
	}
	// No TLS at all: the server refuses.
	plain := facility.Config{URL: c.URL + " sslmode=disable"}
	if _, err := facility.OpenPG(ctx, plain); err == nil || strings.Contains(err.Error(), pw) {
		t.Fatalf("without TLS: %v, want refused", err)
	}
	// A CA file that is not PEM names the file.
	junk := filepath.Join(t.TempDir(), "junk.pem")
	os.WriteFile(junk, []byte("not a certificate"), 0o644)
	if _, err := facility.OpenPG(ctx, facility.Config{URL: c.URL, CAFile: junk}); err == nil || !strings.Contains(err.Error(), junk) {
		t.Fatalf("junk CA file: %v", err)
	}
}

func TestPasswordNeverFromTheConnectionString(t *testing.T) {
	for _, u := range []string{
		"postgres://desk:hunter2@db.example.org/discdesk",
		"host=db.example.org user=desk password=hunter2 dbname=discdesk",
		"postgres://desk@db.example.org/discdesk?password=hunter2",
	} {
		_, err := facility.OpenPG(ctx, facility.Config{URL: u})
		if !errors.Is(err, facility.ErrPasswordInURL) || strings.Contains(err.Error(), "hunter2") {
			t.Fatalf("%s: %v, want ErrPasswordInURL without the password", strings.ReplaceAll(u, "hunter2", "***"), err)
		}
	}
	pw := filepath.Join(t.TempDir(), "pw")
	os.WriteFile(pw, []byte("hunter2\n"), 0o644)
	if _, err := facility.OpenPG(ctx, facility.Config{URL: "host=db.example.org user=desk", PasswordFile: pw}); err == nil || !strings.Contains(err.Error(), "readable by others") {
		t.Fatalf("world-readable password file: %v", err)
	}
	r := facility.Config{URL: "postgres://desk@db.example.org:6543/discdesk"}.Redacted()
	if r != "host=db.example.org port=6543 dbname=discdesk user=desk (TLS if the server offers it)" {
		t.Fatalf("Redacted = %q", r)
	}
}
