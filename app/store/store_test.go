package store_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	. "discdesk/app/store"
	"discdesk/app/store/storetest"
)

func TestOpenCreatesPrivateFileWithSchema(t *testing.T) {
	dir := t.TempDir()
	db := storetest.MustOpen(t, dir)
	v, err := Version(db)
	if err != nil || v != SchemaVersion {
		t.Fatalf("Version = %d, %v; want %d", v, err, SchemaVersion)
	}
	fi, err := os.Stat(filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("store file mode %v, want 0600", fi.Mode().Perm())
	}
}

func TestSecondOpenFailsFastWithErrInUse(t *testing.T) {
	dir := t.TempDir()
	storetest.MustOpen(t, dir)
	_, err := Open(dir)
	if !errors.Is(err, ErrInUse) {
		t.Fatalf("second Open: %v, want ErrInUse", err)
	}
}

func TestDataDirPrecedence(t *testing.T) {
	t.Setenv("DISCDESK_DATA", "/from/env")
	if d, _ := DataDir("/from/flag"); d != "/from/flag" {
		t.Fatalf("flag should win, got %s", d)
	}
	if d, _ := DataDir(""); d != "/from/env" {
		t.Fatalf("env should win over default, got %s", d)
	}
}
