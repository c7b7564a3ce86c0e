package library

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"discdesk/app/store"
	"discdesk/viewer/dcm/dcmtest"
)

// spool writes object n as a spool file in dir (as the receiver does).
func spool(t testing.TB, dir string, n int) string {
	t.Helper()
	return write(t, filepath.Join(dir, fmt.Sprintf(".rx-%d.part", n)), dcmtest.CT(n, 32, 32).Bytes())
}

func TestReceiveStoresIndexesAndJudgesRepeats(t *testing.T) {
	l, data := openLib(t)
	sp := filepath.Join(data, "spool")
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for a := 0; a < 4; a++ { // four associations at once
		wg.Add(1)
		go func(a int) {
			defer wg.Done()
			for i := 0; i < 10; i++ {
				n := 1 + a*10 + i
				r, err := l.Receive(context.Background(), spool(t, sp, n), "received from TEST")
				if err == nil && r.Duplicate {
					err = fmt.Errorf("%d: duplicate", n)
				}
				if err != nil {
					errs <- err
				}
			}
		}(a)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	study, _, _ := dcmtest.UIDs(1)
	d, err := l.Study(study)
	if err != nil || d.InstanceCount != 40 || len(d.Problems) != 0 {
		t.Fatalf("study after receive: %v, %d instances, problems %.300q", err, d.InstanceCount, d.Problems)
	}
	if err := l.CheckContent(context.Background(), d.Series[0].Instances); err != nil {
		t.Fatal(err)
	}
	if d.Series[0].Instances[0].Source != "received from TEST" {
		t.Errorf("source %q", d.Series[0].Instances[0].Source)
	}
	if ents, _ := os.ReadDir(l.receivedDir()); len(ents) != 0 {
		t.Errorf("%d files left in received/", len(ents))
	}
	// the same instance again, in implicit VR: a duplicate
	again := spool(t, sp, 3)
	if out, err := exec.Command("dcmconv", "+ti", again, again).CombinedOutput(); err != nil {
		t.Fatalf("dcmconv: %v %s", err, out)
	}
	r, err := l.Receive(context.Background(), again, "received from TEST")
	if err != nil || !r.Duplicate {
		t.Fatalf("same instance in another syntax: %v %+v", err, r)
	}
	// other content under a held UID: a conflict, kept in quarantine
	other := spool(t, sp, 4)
	exec.Command("dcmodify", "-nb", "-m", "PatientID=OTHER", other).Run()
	_, err = l.Receive(context.Background(), other, "received from TEST")
	if !errors.Is(err, ErrConflict) {
		t.Fatalf("conflict: %v", err)
	}
	if q, _ := l.Quarantined(); len(q) != 1 || q[0].Source != "received from TEST" {
		t.Errorf("quarantine %+v", q)
	}
	// no Study Instance UID: refused as invalid
	bad := write(t, filepath.Join(sp, "bad.part"), []byte(strings.Replace(string(dcmtest.CT(99, 2, 2).Bytes()), "\x20\x00\x0d\x00UI", "\x20\x00\x0c\x00UI", 1)))
	if _, err := l.Receive(context.Background(), bad, "received from TEST"); !errors.Is(err, ErrInvalidUID) || !errors.Is(err, ErrInvalidObject) {
		t.Errorf("no study UID: %v", err)
	}
	if d, _ := l.Study(study); d.InstanceCount != 40 {
		t.Errorf("instances %d after repeats", d.InstanceCount)
	}
}

// A receiving child is killed at random moments; after each kill every
// object it acknowledged (Receive returned, where the DICOM receiver sends
// the C-STORE-RSP) is in the library after reopening, indexed once, with
// its bytes, checksum and size, and nothing half-stored is left.
func TestKilledReceiveLosesNothingAcknowledged(t *testing.T) {
	if dir := os.Getenv("DISCDESK_RX_CHILD"); dir != "" {
		childReceive(dir)
		return
	}
	data := t.TempDir()
	rng := rand.New(rand.NewSource(2))
	acked := map[int]bool{}
	next := 1
	for trial := 0; trial < 8; trial++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestKilledReceiveLosesNothingAcknowledged$")
		cmd.Env = append(os.Environ(), "DISCDESK_RX_CHILD="+data, "DISCDESK_RX_FIRST="+strconv.Itoa(next))
		out, _ := cmd.StdoutPipe()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		timer := time.AfterFunc(time.Duration(50+rng.Intn(400))*time.Millisecond, func() { cmd.Process.Kill() })
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if n, err := strconv.Atoi(strings.TrimPrefix(sc.Text(), "ACK ")); err == nil {
				acked[n] = true
				if n >= next {
					next = n + 1
				}
			}
		}
		cmd.Wait()
		timer.Stop()
		next += 1 // the object in flight at the kill may or may not be there
		// The indexer commits in batches (up to 30 ms behind): most kills
		// leave acknowledged objects in received/ only, for Open to index.
		checkAcknowledged(t, data, acked)
	}
	if len(acked) < 20 {
		t.Fatalf("only %d objects acknowledged", len(acked))
	}
	db, err := store.Open(data)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	l, err := Open(db, data)
	if err != nil {
		t.Fatal(err)
	}
	indexed := map[string]Instance{}
	db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketInstances).ForEach(func(k, v []byte) error {
			var in Instance
			json.Unmarshal(v, &in)
			indexed[in.SOPInstanceUID] = in
			return nil
		})
	})
	for n := range acked {
		_, _, sop := dcmtest.UIDs(n)
		in, ok := indexed[sop]
		if !ok {
			t.Errorf("acknowledged object %d lost", n)
			continue
		}
		if err := l.CheckContent(context.Background(), []Instance{in}); err != nil {
			t.Errorf("object %d: %v", n, err)
		}
	}
	if ents, _ := os.ReadDir(l.receivedDir()); len(ents) != 0 {
		t.Errorf("%d files left in received/ after reopening", len(ents))
	}
	filepath.Walk(filepath.Join(l.Root(), "objects"), func(p string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			found := false
			for _, in := range indexed {
				if l.FilePath(in) == p {
					found = true
				}
			}
			if !found {
				t.Errorf("stored but not indexed: %s", p)
			}
		}
		return nil
	})
	t.Logf("%d acknowledged, %d indexed", len(acked), len(indexed))
}

func childReceive(data string) {
	db, err := store.Open(data)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	l, err := Open(db, data)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	first, _ := strconv.Atoi(os.Getenv("DISCDESK_RX_FIRST"))
	sp := filepath.Join(data, "spool")
	os.MkdirAll(sp, 0o700)
	for n := first; ; n++ {
		p := filepath.Join(sp, fmt.Sprintf(".rx-%d.part", n))
		os.WriteFile(p, dcmtest.CT(n, 64, 64).Bytes(), 0o600)
		if _, err := l.Receive(context.Background(), p, "kill test"); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Printf("ACK %d\n", n)
	}
}

// checkAcknowledged opens the library a killed child left and checks
// every acknowledged object.
func checkAcknowledged(t *testing.T, data string, acked map[int]bool) {
	t.Helper()
	if ents, _ := os.ReadDir(filepath.Join(data, "library", "received")); len(ents) > 0 {
		t.Logf("killed with %d acknowledged objects not yet indexed", len(ents))
	}
	db, err := store.Open(data)
	if err != nil {
		t.Fatalf("store does not open after kill: %v", err)
	}
	defer db.Close()
	l, err := Open(db, data)
	if err != nil {
		t.Fatalf("library does not open after kill: %v", err)
	}
	study, _, _ := dcmtest.UIDs(1)
	d, err := l.Study(study)
	if errors.Is(err, ErrNoStudy) && len(acked) == 0 {
		return // killed before the first acknowledgement
	}
	if err != nil {
		t.Fatalf("after kill: %v", err)
	}
	held := map[string]Instance{}
	for _, s := range d.Series {
		for _, in := range s.Instances {
			if _, dup := held[in.SOPInstanceUID]; dup {
				t.Errorf("%s indexed twice", in.SOPInstanceUID)
			}
			held[in.SOPInstanceUID] = in
		}
	}
	for n := range acked {
		_, _, sop := dcmtest.UIDs(n)
		in, ok := held[sop]
		if !ok {
			t.Errorf("object %d was acknowledged but is not in the library", n)
			continue
		}
		got, err := os.ReadFile(l.FilePath(in))
		want := dcmtest.CT(n, 64, 64).Bytes()
		if err != nil || string(got) != string(want) {
			t.Errorf("object %d: stored copy unreadable or not the bytes received (%v)", n, err)
			continue
		}
		if crcHex(crc32.Checksum(got, castagnoli)) != in.CRC32C || int64(len(got)) != in.Size {
			t.Errorf("object %d: index checksum or size differs from the file", n)
		}
	}
	if len(d.Problems) > 0 {
		t.Errorf("after kill: %s", d.Problems[0])
	}
	if err := l.CheckContent(context.Background(), d.Series[0].Instances); err != nil {
		t.Error(err)
	}
	if ents, _ := os.ReadDir(l.receivedDir()); len(ents) != 0 {
		t.Errorf("%d files left in received/ after Open", len(ents))
	}
}

func crcHex(sum uint32) string { return fmt.Sprintf("%08x", sum) }
