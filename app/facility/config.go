package facility

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// PasswordEnv is the environment variable a desk's database password may
// come from (else PasswordFile, else libpq's PGPASSWORD or ~/.pgpass).
const PasswordEnv = "DISCDESK_DB_PASSWORD"

// ErrPasswordInURL is returned for a connection string that holds a
// password: command lines and settings are seen by others, so the password
// comes from a file or the environment.
var ErrPasswordInURL = errors.New("the connection string holds a password; put it in a file (--password-file) or $" + PasswordEnv)

// Config is how a desk reaches the facility database.
type Config struct {
	// URL is a libpq connection string or postgres:// URL without a
	// password, e.g. "postgres://desk1@db.example.org/discdesk".
	URL string
	// PasswordFile holds the password (first line); it must not be
	// readable by group or others.
	PasswordFile string
	// CAFile is the PEM file of the certificate authority that signed the
	// server's certificate; with it the connection is TLS, verified
	// against the host name (sslmode verify-full).
	CAFile string
	// Desk names the desk to the server (application_name), e.g. its
	// workstation name.
	Desk string
	// ConnectTimeout bounds each connection attempt (default 3 s), so an
	// unreachable server is reported at once.
	ConnectTimeout time.Duration
	// MaxConns bounds the pool (default 4).
	MaxConns int32
}

// Redacted is the connection string as it may appear in logs and support
// bundles: host, port, database and user, never a password.
func (c Config) Redacted() string {
	pc, err := pgxpool.ParseConfig(c.URL)
	if err != nil {
		return "(unreadable connection string)"
	}
	cc := pc.ConnConfig
	tlsNote := "no TLS"
	if cc.TLSConfig != nil {
		tlsNote = "TLS"
		for _, fb := range cc.Fallbacks {
			if fb.TLSConfig == nil {
				tlsNote = "TLS if the server offers it"
			}
		}
	}
	if c.CAFile != "" {
		tlsNote = "TLS verified with " + c.CAFile
	}
	return fmt.Sprintf("host=%s port=%d dbname=%s user=%s (%s)", cc.Host, cc.Port, cc.Database, cc.User, tlsNote)
}

// poolConfig parses c into a pool configuration with the password and TLS
// applied.
func (c Config) poolConfig() (*pgxpool.Config, error) {
	if strings.TrimSpace(c.URL) == "" {
		return nil, errors.New("facility: no database connection string (--db, $DISCDESK_DB)")
	}
	// Parse without the environment's password first, to see the string's own.
	pc, err := pgxpool.ParseConfig(c.URL)
	if err != nil {
		// The driver's message quotes the string, which may hold a password.
		return nil, errors.New("facility: cannot read the connection string: give a postgres:// URL or keyword=value pairs (see discdesk db --help)")
	}
	if hasPassword(c.URL) {
		return nil, fmt.Errorf("facility: %w", ErrPasswordInURL)
	}
	cc := pc.ConnConfig
	switch {
	case c.PasswordFile != "":
		pw, err := ReadPasswordFile(c.PasswordFile)
		if err != nil {
			return nil, err
		}
		cc.Password = pw
	case os.Getenv(PasswordEnv) != "":
		cc.Password = os.Getenv(PasswordEnv)
	}
	if c.CAFile != "" {
		pem, err := os.ReadFile(c.CAFile)
		if err != nil {
			return nil, fmt.Errorf("facility: CA file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("facility: CA file %s: no PEM certificate in it", c.CAFile)
		}
		cc.TLSConfig = &tls.Config{RootCAs: pool, ServerName: cc.Host, MinVersion: tls.VersionTLS12}
		cc.Fallbacks = nil
	}
	if c.Desk != "" {
		cc.RuntimeParams["application_name"] = "discdesk " + c.Desk
	}
	cc.RuntimeParams["search_path"] = schemaName
	cc.ConnectTimeout = c.ConnectTimeout
	if cc.ConnectTimeout == 0 {
		cc.ConnectTimeout = 3 * time.Second
	}
	pc.MaxConns = c.MaxConns
	if pc.MaxConns == 0 {
		pc.MaxConns = 4
	}
	pc.MinConns = 0
	pc.HealthCheckPeriod = 5 * time.Second
	return pc, nil
}

// hasPassword reports whether the connection string itself names a password.
func hasPassword(s string) bool {
	if strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://") {
		rest := s[strings.Index(s, "://")+3:]
		if at := strings.IndexByte(rest, '@'); at >= 0 && strings.Contains(rest[:at], ":") {
			if i := strings.IndexAny(rest, "/?"); i < 0 || i > at {
				return true
			}
		}
		return strings.Contains(strings.ToLower(s), "password=")
	}
	for _, f := range strings.Fields(s) {
		if strings.HasPrefix(strings.ToLower(f), "password=") {
			return true
		}
	}
	return false
}

// scrub removes anything after "password=" from a driver message.
func scrub(msg string) string {
	if i := strings.Index(strings.ToLower(msg), "password="); i >= 0 {
		return msg[:i] + "password=(hidden)"
	}
	return msg
}

// ReadPasswordFile reads a password from the first line of path, refusing
// a file that group or others may read.
func ReadPasswordFile(path string) (string, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return "", fmt.Errorf("facility: password file: %w", err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return "", fmt.Errorf("facility: password file %s is readable by others (mode %v); chmod 600 it", path, fi.Mode().Perm())
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("facility: password file: %w", err)
	}
	pw, _, _ := strings.Cut(string(raw), "\n")
	pw = strings.TrimRight(pw, "\r")
	if pw == "" {
		return "", fmt.Errorf("facility: password file %s is empty", path)
	}
	return pw, nil
}
