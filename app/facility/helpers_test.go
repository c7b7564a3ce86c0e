package facility_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	bolt "go.etcd.io/bbolt"

	"discdesk/app/facility"
	"discdesk/app/store/storetest"
	"discdesk/internal/pgtest"
)

var ctx = context.Background()

func openBolt(t *testing.T) facility.Backend {
	db := storetest.MustOpen(t, t.TempDir())
	b, err := facility.OpenBolt(db)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var dbSeq atomic.Int32

// facilityDB is one facility database on a test server, set up by its
// owner, with a desk role that signs in with a password from a file.
type facilityDB struct {
	srv    *pgtest.Server
	name   string
	admin  facility.Config
	desk   facility.Config
	deskID string
}

func newFacilityDB(t testing.TB, srv *pgtest.Server) *facilityDB {
	t.Helper()
	n := dbSeq.Add(1)
	f := &facilityDB{srv: srv, name: fmt.Sprintf("facility%d", n), deskID: fmt.Sprintf("desk%d", n)}
	srv.CreateDB(t, f.name)
	f.admin = facility.Config{URL: srv.AdminURL(f.name)}
	if err := facility.Setup(ctx, f.admin); err != nil {
		t.Fatal(err)
	}
	adm, err := facility.OpenPG(ctx, f.admin)
	if err != nil {
		t.Fatal(err)
	}
	defer adm.Close()
	pw := fmt.Sprintf("pw-%d-secret", n)
	if err := facility.AddDesk(ctx, adm.Pool(), f.deskID, pw); err != nil {
		t.Fatal(err)
	}
	pwFile := filepath.Join(t.TempDir(), "password")
	if err := os.WriteFile(pwFile, []byte(pw+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	f.desk = facility.Config{URL: srv.URL(f.deskID, "", f.name), PasswordFile: pwFile, Desk: f.deskID, MaxConns: 10}
	return f
}

func (f *facilityDB) open(t testing.TB) *facility.PG {
	t.Helper()
	p, err := facility.OpenPG(ctx, f.desk)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

var _ = bolt.Open

var (
	sharedMu  sync.Mutex
	sharedSrv *pgtest.Server
)

func TestMain(m *testing.M) {
	code := m.Run()
	if sharedSrv != nil {
		sharedSrv.Close()
	}
	if boltDir != "" {
		os.RemoveAll(boltDir)
	}
	os.Exit(code)
}

// sharedServer is one PostgreSQL server for the tests and benchmarks of
// this binary that do not stop it (each gets its own database).
func sharedServer(tb testing.TB) *pgtest.Server {
	tb.Helper()
	sharedMu.Lock()
	defer sharedMu.Unlock()
	if sharedSrv == nil {
		if pgtest.Bin() == "" && os.Getenv("CI") != "true" {
			tb.Skip("PostgreSQL not installed")
		}
		s, err := pgtest.Launch()
		if err != nil {
			tb.Fatal(err)
		}
		sharedSrv = s
	}
	return sharedSrv
}
