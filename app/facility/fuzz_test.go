package facility

import (
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

// FuzzConnString: any connection string is parsed without a crash, and a
// password it holds never appears in an error or in Redacted.
func FuzzConnString(f *testing.F) {
	for _, s := range []string{
		"postgres://desk@db.example.org/discdesk",
		"postgres://desk:SECRETPW@db.example.org:5433/discdesk?sslmode=verify-full",
		"host=/run/postgresql user=desk dbname=discdesk password=SECRETPW",
		"postgresql://desk@db/discdesk?password=SECRETPW&application_name=x",
		"host='a b' password = 'SECRETPW'",
		"",
		"postgres://%zz",
		"p 000000000SECRETPW0", // the driver once quoted an unparsable string in its error
		"user=desk password=SECRETPW host='' x",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c := Config{URL: s}
		_, err := c.poolConfig()
		red := c.Redacted()
		// The password as the driver reads it, unless it is also part of
		// what may be shown (host, user, database).
		pc, perr := pgconn.ParseConfig(s)
		if perr != nil || len(pc.Password) < 4 || strings.Contains(pc.Host+pc.User+pc.Database, pc.Password) {
			return
		}
		if err != nil && strings.Contains(err.Error(), pc.Password) {
			t.Fatalf("error shows the password: %v", err)
		}
		if strings.Contains(red, pc.Password) {
			t.Fatalf("Redacted shows the password: %s", red)
		}
	})
}
