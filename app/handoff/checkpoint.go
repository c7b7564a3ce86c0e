package handoff

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"
)

// ErrCheckpoint means a checkpoint does not hold: its signature is not the
// desk's, or the log no longer has the head the checkpoint recorded.
var ErrCheckpoint = errors.New("handoff log does not match the checkpoint")

// KeyFileName is the checkpoint signing key's file in the data folder,
// beside the store file (not in it), created 0600.
const KeyFileName = "handoff-checkpoint.key"

// A Checkpoint is a signed statement that the log had Events events ending
// in Head at Time. Kept outside the store (printed, mailed, on another
// machine), it lets an auditor prove later that nothing up to that event
// was rewritten: the hash chain alone cannot, since whoever can write the
// store can recompute every hash after an edited event.
type Checkpoint struct {
	Time   time.Time `json:"time"`
	Events int       `json:"events"`
	Head   string    `json:"head"` // hex SHA-256 of the last record
	Key    string    `json:"key"`  // hex ed25519 public key of the desk that signed
	Sig    string    `json:"sig"`  // hex ed25519 signature of signed()
}

// signed is the exact text a checkpoint's signature covers.
func (c Checkpoint) signed() []byte {
	return []byte("discdesk handoff checkpoint v1\n" + strconv.Itoa(c.Events) + "\n" + c.Head + "\n" + c.Time.UTC().Format(time.RFC3339Nano) + "\n")
}

// LoadKey reads the signing key at path, creating a new one (0600) when
// the file does not exist. A key file others can read is refused.
func LoadKey(path string) (ed25519.PrivateKey, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return nil, fmt.Errorf("handoff: checkpoint key: %w", err)
		}
		f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
		if err != nil {
			return nil, fmt.Errorf("handoff: create checkpoint key %s: %w", filepath.Base(path), err)
		}
		_, err = f.WriteString(hex.EncodeToString(priv.Seed()) + "\n")
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(path)
			return nil, fmt.Errorf("handoff: write checkpoint key %s: %w", filepath.Base(path), err)
		}
		return priv, nil
	}
	if err != nil {
		return nil, fmt.Errorf("handoff: checkpoint key: %w", err)
	}
	if fi, err := os.Stat(path); err == nil && fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("handoff: checkpoint key %s is readable by others (mode %v): chmod 600 it", filepath.Base(path), fi.Mode().Perm())
	}
	seed, err := hex.DecodeString(string(bytes.TrimSpace(b)))
	if err != nil || len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("handoff: checkpoint key %s: not a hex ed25519 seed", filepath.Base(path))
	}
	return ed25519.NewKeyFromSeed(seed), nil
}

// Checkpoint verifies the whole log (Verify) and signs its head with key.
func (s *Store) Checkpoint(key ed25519.PrivateKey) (Checkpoint, error) {
	rep, err := s.Verify()
	if err != nil {
		return Checkpoint{}, fmt.Errorf("handoff: checkpoint: the log does not verify: %w", err)
	}
	if s.remote != nil {
		// The facility chain's own head: merged desk chains stand before it.
		if rep.Head, rep.Events, err = s.remote.Head(); err != nil {
			return Checkpoint{}, fmt.Errorf("handoff: checkpoint: %w", err)
		}
	}
	c := Checkpoint{Time: s.now().UTC(), Events: rep.Events, Head: rep.Head,
		Key: hex.EncodeToString(key.Public().(ed25519.PublicKey))}
	c.Sig = hex.EncodeToString(ed25519.Sign(key, c.signed()))
	return c, nil
}

// CheckSignature checks the checkpoint was signed by pub (the desk's key;
// a checkpoint signed by any other key proves nothing about this desk).
func (c Checkpoint) CheckSignature(pub ed25519.PublicKey) error {
	k, err := hex.DecodeString(c.Key)
	if err != nil || !bytes.Equal(k, pub) {
		return fmt.Errorf("handoff: checkpoint of %s is signed by another key: %w", c.Time.Format(time.RFC3339), ErrCheckpoint)
	}
	sig, err := hex.DecodeString(c.Sig)
	if err != nil || !ed25519.Verify(pub, c.signed(), sig) {
		return fmt.Errorf("handoff: checkpoint of %s: bad signature (edited checkpoint): %w", c.Time.Format(time.RFC3339), ErrCheckpoint)
	}
	return nil
}

// ReadCheckpoint reads a checkpoint file written by WriteCheckpoint.
func ReadCheckpoint(path string) (Checkpoint, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("handoff: checkpoint: %w", err)
	}
	c, err := ParseCheckpoint(b)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("handoff: checkpoint %s: %w", filepath.Base(path), err)
	}
	return c, nil
}

// ParseCheckpoint decodes a checkpoint file's bytes: JSON with a 64-digit
// hex head, a non-negative count and a signature.
func ParseCheckpoint(b []byte) (Checkpoint, error) {
	var c Checkpoint
	if err := json.Unmarshal(b, &c); err != nil {
		return Checkpoint{}, fmt.Errorf("not a checkpoint file: %w", err)
	}
	if h, err := hex.DecodeString(c.Head); err != nil || len(h) != hashLen || c.Events < 0 || c.Sig == "" {
		return Checkpoint{}, errors.New("not a checkpoint file: needs a 64-digit hex head, an event count and a signature")
	}
	return c, nil
}

// WriteCheckpoint writes c as JSON to path, 0600.
func WriteCheckpoint(path string, c Checkpoint) error {
	b, _ := json.MarshalIndent(c, "", "  ")
	return os.WriteFile(path, append(b, '\n'), 0o600)
}

// VerifyAgainst verifies the log (Verify) and then that its record number
// c.Events still has the hash c.Head, after checking c's signature with
// pub. An edit of any event up to the checkpoint, even with every later
// hash and the head recomputed, changes that record's hash and fails with
// ErrCheckpoint; so does a log cut shorter than the checkpoint.
func (s *Store) VerifyAgainst(c Checkpoint, pub ed25519.PublicKey) (VerifyReport, error) {
	if err := c.CheckSignature(pub); err != nil {
		return VerifyReport{}, err
	}
	rep, err := s.Verify()
	if err != nil {
		return rep, err
	}
	events := rep.Events
	var got []byte
	if s.remote != nil {
		h, n, err := s.verifyAgainstRemote(c)
		if err != nil {
			return rep, err
		}
		events = n
		got, _ = hex.DecodeString(h)
	}
	if events < c.Events {
		return rep, fmt.Errorf("handoff: the log has %d events, the checkpoint of %s counted %d (events removed): %w",
			events, c.Time.Format(time.RFC3339), c.Events, ErrCheckpoint)
	}
	if s.remote == nil {
		err = s.viewRecordHash(c.Events, &got)
	}
	if err != nil {
		return rep, err
	}
	if hex.EncodeToString(got) != c.Head {
		return rep, fmt.Errorf("handoff: event %d has hash %x, the checkpoint of %s signed %s: the log was rewritten up to there: %w",
			c.Events, got, c.Time.Format(time.RFC3339), c.Head, ErrCheckpoint)
	}
	return rep, nil
}

// RecordHash is the hash (hex) of the log's record number n (from 1).
func (s *Store) RecordHash(n int) (string, error) {
	if s.remote != nil {
		return s.remote.RecordHash(n)
	}
	var got []byte
	if err := s.viewRecordHash(n, &got); err != nil {
		return "", err
	}
	if got == nil {
		return "", fmt.Errorf("handoff: record %d: %w", n, ErrNotFound)
	}
	return hex.EncodeToString(got), nil
}

// viewRecordHash sets *got to the hash of the desk store's record number n.
func (s *Store) viewRecordHash(n int, got *[]byte) error {
	return s.db.View(func(tx *bolt.Tx) error {
		b, err := open(tx)
		if err != nil {
			return err
		}
		if n == 0 {
			*got = make([]byte, hashLen)
			return nil
		}
		i := 0
		cur := b.events.Cursor()
		for k, rec := cur.First(); k != nil; k, rec = cur.Next() {
			if i++; i == n {
				_, h, _, err := splitRecord(rec)
				*got = h
				return err
			}
		}
		return nil
	})
}

// Head returns the log's current head hash (hex) and event count without
// verifying, for stamping an export or an audit message.
func (s *Store) Head() (head string, events int, err error) {
	if s.remote != nil {
		return s.remote.Head()
	}
	err = s.db.View(func(tx *bolt.Tx) error {
		b, err := open(tx)
		if err != nil {
			return err
		}
		h := b.head.Get(headHash)
		if h == nil {
			h = make([]byte, hashLen)
		}
		head = hex.EncodeToString(h)
		if c := b.head.Get(headCount); len(c) == 8 {
			events = int(binary.BigEndian.Uint64(c))
		}
		return nil
	})
	return head, events, err
}
