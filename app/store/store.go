package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// SchemaVersion is the version of the store layout this build writes.
const SchemaVersion = 1

// FileName is the name of the bbolt file inside the data folder.
const FileName = "discdesk.db"

var metaBucket = []byte("meta")
var schemaKey = []byte("schema")

// ErrInUse is returned when another process (normally the running desk) holds
// the store's lock.
var ErrInUse = errors.New("the library is in use by the running DiscDesk desk; close it or run this command from the desk")

// ErrNewerSchema is returned when the file was written by a newer DiscDesk.
var ErrNewerSchema = errors.New("the store was written by a newer DiscDesk version")

// A Migration upgrades the store from version From to From+1 inside one
// transaction.
type Migration struct {
	From int
	Run  func(tx *bolt.Tx) error
}

// migrations lists every step from version 0 (a new, empty file) upwards.
var migrations = []Migration{
	{From: 0, Run: func(tx *bolt.Tx) error { return nil }},
}

// DataDir resolves the data folder: flag value, else $DISCDESK_DATA, else the
// OS user configuration folder + "DiscDesk".
func DataDir(flagValue string) (string, error) {
	if flagValue != "" {
		return flagValue, nil
	}
	if d := os.Getenv("DISCDESK_DATA"); d != "" {
		return d, nil
	}
	cfg, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("store: no data folder: %w", err)
	}
	return filepath.Join(cfg, "DiscDesk"), nil
}

// Open opens (creating if needed) the store in dir and migrates it to
// SchemaVersion. The folder is created 0700 and the file 0600.
func Open(dir string) (*bolt.DB, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("store: create data folder: %w", err)
	}
	path := filepath.Join(dir, FileName)
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 300 * time.Millisecond})
	if err != nil {
		if errors.Is(err, berrors.ErrTimeout) {
			return nil, ErrInUse
		}
		return nil, fmt.Errorf("store: open %s: %w", FileName, err)
	}
	if err := migrate(db); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// Version reports the schema version recorded in db.
func Version(db *bolt.DB) (int, error) {
	v := 0
	err := db.View(func(tx *bolt.Tx) error {
		v = version(tx)
		return nil
	})
	return v, err
}

func version(tx *bolt.Tx) int {
	b := tx.Bucket(metaBucket)
	if b == nil {
		return 0
	}
	raw := b.Get(schemaKey)
	if len(raw) != 8 {
		return 0
	}
	return int(binary.BigEndian.Uint64(raw))
}

func migrate(db *bolt.DB) error {
	return db.Update(func(tx *bolt.Tx) error {
		v := version(tx)
		if v > SchemaVersion {
			return fmt.Errorf("store: schema %d, this build knows %d: %w", v, SchemaVersion, ErrNewerSchema)
		}
		for _, m := range migrations {
			if m.From < v {
				continue
			}
			if m.From >= SchemaVersion {
				break
			}
			if err := m.Run(tx); err != nil {
				return fmt.Errorf("store: migrate from schema %d: %w", m.From, err)
			}
			v = m.From + 1
		}
		b, err := tx.CreateBucketIfNotExists(metaBucket)
		if err != nil {
			return err
		}
		var buf [8]byte
		binary.BigEndian.PutUint64(buf[:], uint64(v))
		return b.Put(schemaKey, buf[:])
	})
}
