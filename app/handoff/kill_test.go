package handoff

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"
	bolt "go.etcd.io/bbolt"

	"discdesk/app/store"
)

const killChildEnv = "DISCDESK_HANDOFF_KILL_CHILD"

// TestKillChild is the child of TestKillDuringWrites: it writes requests,
// burns and handoffs in a loop and prints "ack ID" after each write returned.
// It does nothing when run on its own.
func TestKillChild(t *testing.T) {
	dir := os.Getenv(killChildEnv)
	if dir == "" {
		return
	}
	db, err := store.Open(dir)
	if err != nil {
		fmt.Println("open:", err)
		os.Exit(3)
	}
	s, err := Open(db)
	if err != nil {
		fmt.Println("handoff open:", err)
		os.Exit(3)
	}
	ack := func(id string, err error) {
		if err != nil {
			fmt.Println("error:", err)
			os.Exit(4)
		}
		os.Stdout.WriteString("ack " + id + "\n")
	}
	for i := 0; ; i++ {
		in := pickupInput()
		if i%2 == 1 {
			in = mailInput()
		}
		in.Patient.ID = fmt.Sprintf("MRN%d", i)
		r, err := s.NewRequest(in, desk)
		ack(r.ID, err)
		b := burn(1, 1)
		ev, err := s.RecordBurn(r.ID, b, desk)
		ack(ev.ID, err)
		if i%2 == 1 {
			ev, err = s.HandOver(b.DiscUUID, true, Handover{To: "Lakeside", Carrier: "UPS", Tracking: uuid.NewString()}, desk)
		} else {
			ev, err = s.HandOver(b.DiscUUID, false, Handover{To: "Jane Doe", IdentityCheck: "driver licence"}, desk)
		}
		ack(ev.ID, err)
	}
}

// TestKillDuringWrites kills a writing child process with SIGKILL at random
// points, 100 times; after each kill the store must open, the chain verify
// and every acknowledged event be present.
func TestKillDuringWrites(t *testing.T) {
	if os.Getenv(killChildEnv) != "" {
		t.Skip("child")
	}
	trials := 100
	if testing.Short() {
		trials = 20
	}
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 6))
	var acked []string
	killedMidWrite, extra := 0, 0
	for trial := 0; trial < trials; trial++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestKillChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), killChildEnv+"="+dir)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(out)
		lines := make(chan string)
		go func() {
			for sc.Scan() {
				lines <- sc.Text()
			}
			close(lines)
		}()
		// Wait for a random number of acknowledgements (0-6), then a random
		// 0-3 ms, so the kill lands anywhere: before the first write, inside
		// a transaction, between fsync and the ack line.
		want := rng.IntN(7)
		got := 0
		var childErr string
		for got < want {
			l, ok := <-lines
			if !ok {
				break
			}
			if id, ok := strings.CutPrefix(l, "ack "); ok {
				acked = append(acked, id)
				got++
			} else {
				childErr = l
			}
		}
		time.Sleep(time.Duration(rng.IntN(3000)) * time.Microsecond)
		cmd.Process.Signal(syscall.SIGKILL)
		for l := range lines {
			if id, ok := strings.CutPrefix(l, "ack "); ok {
				acked = append(acked, id)
			} else {
				childErr = l
			}
		}
		err = cmd.Wait()
		if childErr != "" {
			t.Fatalf("trial %d: child failed: %s (%v)", trial, childErr, err)
		}
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() {
			t.Fatalf("trial %d: child was not killed: %v", trial, err)
		}
		n := checkAfterKill(t, trial, dir, acked)
		// More events than acks: this kill came between commit and ack line.
		if n-len(acked) > extra {
			killedMidWrite++
		}
		extra = n - len(acked)
	}
	if len(acked) < trials {
		t.Fatalf("only %d acknowledged writes in %d trials: the child barely wrote", len(acked), trials)
	}
	t.Logf("%d trials, %d acknowledged events all present, %d kills came between a commit and its ack", trials, len(acked), killedMidWrite)
}

// checkAfterKill opens the store as a restarted desk would and checks it. It
// returns the number of events in the log.
func checkAfterKill(t *testing.T, trial int, dir string, acked []string) int {
	t.Helper()
	db, err := store.Open(dir)
	if err != nil {
		t.Fatalf("trial %d: reopen: %v", trial, err)
	}
	defer db.Close()
	if err := db.View(func(tx *bolt.Tx) error {
		for e := range tx.Check() {
			return e
		}
		return nil
	}); err != nil {
		t.Fatalf("trial %d: bbolt check: %v", trial, err)
	}
	s, err := Open(db)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := s.Verify()
	if err != nil {
		t.Fatalf("trial %d: verify: %v", trial, err)
	}
	if err := db.View(func(tx *bolt.Tx) error {
		b, err := open(tx)
		if err != nil {
			return err
		}
		for _, id := range acked {
			k := uuid.MustParse(id)
			if _, err := DecodeRecord(k[:], b.events.Get(k[:])); err != nil {
				return fmt.Errorf("acknowledged event %s lost: %w", id, err)
			}
		}
		return nil
	}); err != nil {
		t.Fatalf("trial %d: %v", trial, err)
	}
	return rep.Events
}
