package pgtest

import (
	"os"
	"path/filepath"
	"testing"
)

func TestStartStopRestart(t *testing.T) {
	s := Start(t)
	if got := s.Psql(t, "postgres", "SELECT 40+2"); got != "42" {
		t.Fatalf("SELECT 40+2 = %q", got)
	}
	if got := s.Psql(t, "postgres", "SHOW listen_addresses"); got != "" {
		t.Fatalf("listen_addresses = %q, want none (socket only)", got)
	}
	if _, err := os.Stat(filepath.Join(s.Socket(), ".s.PGSQL.5432")); err != nil {
		t.Fatalf("socket not in the test folder: %v", err)
	}
	s.Stop()
	if _, err := os.Stat(filepath.Join(s.Socket(), ".s.PGSQL.5432")); err == nil {
		t.Fatal("socket still there after Stop")
	}
	s.StartAgain(t)
	s.CreateDB(t, "again")
	if got := s.Psql(t, "again", "SELECT current_database()"); got != "again" {
		t.Fatalf("current_database = %q", got)
	}
}
