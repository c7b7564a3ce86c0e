package library

import (
	"context"
	"encoding/json"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"discdesk/app/store"
	"discdesk/internal/corpus"
)

// TestKilledImportLeavesNoHalfFile kills an importing child process at random
// moments; after each kill the store opens, and every object is stored and
// indexed, or neither.
func TestKilledImportLeavesNoHalfFile(t *testing.T) {
	if dir := os.Getenv("DISCDESK_KILL_CHILD"); dir != "" {
		childImport(t, dir)
		return
	}
	src := corpus.Path(t, "mr_series")
	data := t.TempDir()
	rng := rand.New(rand.NewSource(1))
	trials := 12
	for i := 0; i < trials; i++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestKilledImportLeavesNoHalfFile$")
		cmd.Env = append(os.Environ(), "DISCDESK_KILL_CHILD="+data, "DISCDESK_KILL_SRC="+src)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(30+rng.Intn(600)) * time.Millisecond)
		cmd.Process.Kill()
		cmd.Wait()
		checkConsistent(t, data)
	}
	// finally let one run to the end: everything arrives exactly once
	db, err := store.Open(data)
	if err != nil {
		t.Fatal(err)
	}
	l, err := Open(db, data)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := l.Import(context.Background(), []string{src}, Options{BatchFiles: 8})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	db.View(func(tx *bolt.Tx) error { n = tx.Bucket(bucketInstances).Stats().KeyN; return nil })
	db.Close()
	if n != 167-rep.Rejected || rep.Conflicts != 0 {
		t.Fatalf("after recovery: %d instances indexed, report %+v", n, rep)
	}
	checkConsistent(t, data)
}

func childImport(t *testing.T, data string) {
	db, err := store.Open(data)
	if err != nil {
		t.Fatal(err)
	}
	l, err := Open(db, data)
	if err != nil {
		t.Fatal(err)
	}
	l.Import(context.Background(), []string{os.Getenv("DISCDESK_KILL_SRC")}, Options{BatchFiles: 8})
	db.Close()
}

func checkConsistent(t *testing.T, data string) {
	t.Helper()
	db, err := store.Open(data)
	if err != nil {
		t.Fatalf("store does not open after kill: %v", err)
	}
	defer db.Close()
	l, err := Open(db, data)
	if err != nil {
		t.Fatalf("library does not open after kill: %v", err)
	}
	indexed := map[string]bool{}
	err = db.View(func(tx *bolt.Tx) error {
		for e := range tx.Check() {
			return e
		}
		if k, _ := tx.Bucket(bucketPending).Cursor().First(); k != nil {
			t.Error("journal not cleared by recovery")
		}
		return tx.Bucket(bucketInstances).ForEach(func(k, v []byte) error {
			var in Instance
			if err := json.Unmarshal(v, &in); err != nil {
				return err
			}
			sum, err := fileCRC32C(l.FilePath(in))
			if err != nil || sum != in.CRC32C {
				t.Errorf("indexed %s but its file is missing or differs (%v)", in.SOPInstanceUID, err)
			}
			indexed[filepath.Clean(l.FilePath(in))] = true
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	filepath.Walk(filepath.Join(l.Root(), "objects"), func(p string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() && !indexed[filepath.Clean(p)] {
			t.Errorf("stored but not indexed: %s", p)
		}
		return nil
	})
	if ents, _ := os.ReadDir(filepath.Join(l.Root(), "incoming")); len(ents) != 0 {
		t.Errorf("%d temporary files left in incoming/", len(ents))
	}
}
