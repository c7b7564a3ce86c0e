// Package storetest opens a DiscDesk store for tests and checks its
// invariants on cleanup.
package storetest

import (
	"testing"

	bolt "go.etcd.io/bbolt"

	"discdesk/app/store"
)

// MustOpen opens a store in dir for a test and, on cleanup, runs bbolt's
// consistency checker before closing it, so every test also checks the
// file's invariants.
func MustOpen(t testing.TB, dir string) *bolt.DB {
	t.Helper()
	db, err := store.Open(dir)
	if err != nil {
		t.Fatalf("store.Open: %v", err)
	}
	t.Cleanup(func() {
		err := db.View(func(tx *bolt.Tx) error {
			for e := range tx.Check() {
				return e
			}
			return nil
		})
		if err != nil {
			t.Errorf("store consistency check: %v", err)
		}
		db.Close()
	})
	return db
}
