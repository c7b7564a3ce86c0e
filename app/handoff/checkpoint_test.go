package handoff

import (
	"crypto/ed25519"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// rewriteHandover is the attack of 15.12 done with the store's own code:
// it changes the staff member, identity check and recipient of the first
// handover, re-encodes that event and every later one chained to the new
// hashes, moves the head, and stores the request views the edited log
// replays to. Verify cannot tell.
func rewriteHandover(t *testing.T, s *Store, staff, to string) {
	t.Helper()
	err := s.db.Update(func(tx *bolt.Tx) error {
		b, err := open(tx)
		if err != nil {
			return err
		}
		type kv struct{ k, rec []byte }
		var all []kv
		c := b.events.Cursor()
		for k, rec := c.First(); k != nil; k, rec = c.Next() {
			all = append(all, kv{append([]byte(nil), k...), append([]byte(nil), rec...)})
		}
		prev := make([]byte, hashLen)
		edited := false
		for _, e := range all {
			ev, err := decodeBody(e.k, e.rec)
			if err != nil {
				return err
			}
			if !edited && ev.Kind == EventHandedOver {
				ev.Staff, ev.Handover.To, ev.Handover.IdentityCheck = staff, to, "none"
				edited = true
			}
			rec, h, err := encodeRecord(prev, e.k, &ev)
			if err != nil {
				return err
			}
			if err := b.events.Put(e.k, rec); err != nil {
				return err
			}
			prev = h[:]
		}
		if !edited {
			t.Fatal("no handover to rewrite")
		}
		if err := b.head.Put(headHash, prev); err != nil {
			return err
		}
		lg, err := replayLog(b.events)
		if err != nil {
			return err
		}
		for id, r := range lg.state {
			k, _ := idKey("request", id)
			raw, err := marshalRequest(nil, r)
			if err != nil {
				return err
			}
			if err := b.requests.Put(k, raw); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestCheckpointCatchesARewrittenChain(t *testing.T) {
	s, clk := newTestStore(t)
	dir := t.TempDir()
	key, err := LoadKey(filepath.Join(dir, KeyFileName))
	if err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(filepath.Join(dir, KeyFileName)); fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v, want 0600", fi.Mode().Perm())
	}
	again, err := LoadKey(filepath.Join(dir, KeyFileName))
	if err != nil || !again.Equal(key) {
		t.Fatalf("the key does not read back: %v", err)
	}
	pub := key.Public().(ed25519.PublicKey)

	r := mustRequest(t, s, pickupInput())
	b := burn(1, 1)
	if _, err := s.RecordBurn(r.ID, b, desk); err != nil {
		t.Fatal(err)
	}
	if _, err := s.HandOver(b.DiscUUID, false, Handover{To: "Jane Doe", IdentityCheck: "driver licence"}, desk); err != nil {
		t.Fatal(err)
	}
	clk.Add(3600e9)
	cp, err := s.Checkpoint(key)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "cp.json")
	if err := WriteCheckpoint(path, cp); err != nil {
		t.Fatal(err)
	}
	cp, err = ReadCheckpoint(path)
	if err != nil {
		t.Fatal(err)
	}
	// Events after the checkpoint are fine.
	r2 := mustRequest(t, s, mailInput())
	if _, err := s.VerifyAgainst(cp, pub); err != nil {
		t.Fatalf("an untouched log with later events: %v", err)
	}
	head, n, err := s.Head()
	if err != nil || n != cp.Events+1 || head == cp.Head {
		t.Fatalf("Head = %s %d %v", head, n, err)
	}

	// The rewrite: Verify passes (the attack works on the chain alone)...
	rewriteHandover(t, s, "someone.else", "Not Jane")
	if _, err := s.Verify(); err != nil {
		t.Fatalf("the rewrite should pass the chain check (it recomputed every hash): %v", err)
	}
	evs, _ := s.Events(r.ID, "")
	if last := evs[len(evs)-1]; last.Handover == nil || last.Handover.To != "Not Jane" {
		t.Fatalf("rewrite did not take: %+v", last)
	}
	// ...and the checkpoint catches it.
	_, err = s.VerifyAgainst(cp, pub)
	if !errors.Is(err, ErrCheckpoint) || !strings.Contains(err.Error(), "rewritten") {
		t.Fatalf("VerifyAgainst after the rewrite: %v, want ErrCheckpoint", err)
	}
	_ = r2

	// A checkpoint with its head edited, or signed by another key, is refused.
	forged := cp
	forged.Head = head
	if err := forged.CheckSignature(pub); !errors.Is(err, ErrCheckpoint) {
		t.Errorf("edited checkpoint: %v", err)
	}
	_, other, _ := ed25519.GenerateKey(nil)
	resigned := cp
	resigned.Key = ""
	if err := resigned.CheckSignature(other.Public().(ed25519.PublicKey)); !errors.Is(err, ErrCheckpoint) {
		t.Errorf("checkpoint checked with another key: %v", err)
	}
	// A key file others can read is refused.
	os.Chmod(filepath.Join(dir, KeyFileName), 0o644)
	if _, err := LoadKey(filepath.Join(dir, KeyFileName)); err == nil {
		t.Error("a world-readable key file was accepted")
	}
}

// FuzzParseCheckpoint: any bytes give a checkpoint or an error, never a
// panic, and a parsed checkpoint with a random signature never checks.
func FuzzParseCheckpoint(f *testing.F) {
	f.Add([]byte(`{"time":"2026-12-02T07:00:00Z","events":3,"head":"` + strings.Repeat("ab", 32) + `","key":"00","sig":"00"}`))
	f.Add([]byte(`{"events":-1,"head":"zz","sig":""}`))
	f.Add([]byte(`[]`))
	f.Add([]byte{})
	pub, _, _ := ed25519.GenerateKey(nil)
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := ParseCheckpoint(b)
		if err != nil {
			return
		}
		if len(c.Head) != 64 || c.Events < 0 {
			t.Fatalf("accepted %+v", c)
		}
		if c.CheckSignature(pub) == nil {
			t.Fatal("a fuzzed checkpoint checked against a fresh key")
		}
	})
}
