package facility_test

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"discdesk/app/facility"
	"discdesk/app/facility/facilitytest"
	"discdesk/app/handoff"
)

// TestDeskRoleCannotChangeTheLog tries, as a desk and as the owner, to
// change and delete a logged event: the grants refuse the desk, the trigger
// refuses even the owner; an edit slipped past the trigger by a superuser
// is caught by Verify.
func TestDeskRoleCannotChangeTheLog(t *testing.T) {
	srv := sharedServer(t)
	f := newFacilityDB(t, srv)
	desk := f.open(t)
	ev, _, err := desk.Append(ctx, facilitytest.Requested(1, time.Now().Add(time.Hour)))
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`UPDATE events SET kind = 'cancelled'`,
		`DELETE FROM events`,
		`TRUNCATE events`,
	} {
		_, err := desk.Pool().Exec(ctx, q)
		if err == nil || !strings.Contains(err.Error(), "permission denied") {
			t.Fatalf("desk %q: %v, want permission denied", q, err)
		}
	}
	owner, err := facility.OpenPG(ctx, f.admin)
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close()
	for _, q := range []string{
		`UPDATE events SET kind = 'cancelled'`,
		`DELETE FROM events WHERE id = '` + ev.ID + `'`,
		`TRUNCATE events CASCADE`,
	} {
		_, err := owner.Pool().Exec(ctx, q)
		if err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Fatalf("owner %q: %v, want the append-only trigger's refusal", q, err)
		}
	}
	if _, err := desk.Verify(ctx); err != nil {
		t.Fatalf("Verify after refused changes: %v", err)
	}
	// A superuser can switch the trigger off; the chain still tells.
	srv.Psql(t, f.name, `ALTER TABLE discdesk.events DISABLE TRIGGER events_append_only;
		UPDATE discdesk.events SET rec = overlay(rec placing 'X'::bytea from length(rec) - 5 for 1);
		ALTER TABLE discdesk.events ENABLE TRIGGER events_append_only`)
	if _, err := desk.Verify(ctx); !errors.Is(err, handoff.ErrChainBroken) && !errors.Is(err, handoff.ErrBadRecord) {
		t.Fatalf("Verify of an edited event: %v, want ErrChainBroken", err)
	}
}

// TestHelperAppender is a child process of TestAppendsFromSeveralProcesses:
// it records requests and burns into the facility database it is given.
func TestHelperAppender(t *testing.T) {
	url := os.Getenv("FACILITY_HELPER_URL")
	if url == "" {
		t.Skip("helper process only")
	}
	n, _ := strconv.Atoi(os.Getenv("FACILITY_HELPER_N"))
	base, _ := strconv.Atoi(os.Getenv("FACILITY_HELPER_BASE"))
	p, err := facility.OpenPG(ctx, facility.Config{URL: url, PasswordFile: os.Getenv("FACILITY_HELPER_PWFILE"), Desk: "helper"})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	secs, _ := strconv.Atoi(os.Getenv("FACILITY_HELPER_SECONDS"))
	deadline := time.Now().Add(time.Duration(secs) * time.Second)
	var lat []time.Duration
	timed := func(ev handoff.Event) handoff.Event {
		t0 := time.Now()
		e, _, err := p.Append(ctx, ev)
		if err != nil {
			t.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
		return e
	}
	for i := 0; i < n || secs > 0 && time.Now().Before(deadline); i++ {
		r := timed(facilitytest.Requested(base+i, time.Now().Add(time.Hour)))
		burn := timed(facilitytest.Burned(r.ID))
		if secs > 0 {
			timed(facilitytest.HandedOver(burn.Disc))
		}
	}
	var parts []string
	for _, d := range lat {
		parts = append(parts, strconv.FormatInt(d.Microseconds(), 10))
	}
	fmt.Println("LATENCIES " + strings.Join(parts, ","))
}

// helperEnv is the environment of a child appender.
func (f *facilityDB) helperEnv(n, base int) []string {
	return append(os.Environ(), "FACILITY_HELPER_URL="+f.desk.URL, "FACILITY_HELPER_PWFILE="+f.desk.PasswordFile,
		"FACILITY_HELPER_N="+strconv.Itoa(n), "FACILITY_HELPER_BASE="+strconv.Itoa(base))
}

// runAppenders starts procs child processes recording n requests (and
// their burns) each, concurrently, and returns their latencies. With secs,
// each child records request, burn and handover until secs have passed.
func runAppenders(t testing.TB, f *facilityDB, procs, n, secs int) []time.Duration {
	t.Helper()
	var wg sync.WaitGroup
	var mu sync.Mutex
	var lat []time.Duration
	errs := make(chan error, procs)
	for p := range procs {
		wg.Go(func() {
			cmd := exec.Command(os.Args[0], "-test.run=^TestHelperAppender$", "-test.count=1", "-test.v")
			cmd.Env = append(f.helperEnv(n, 100000*(p+1)), "FACILITY_HELPER_SECONDS="+strconv.Itoa(secs))
			out, err := cmd.CombinedOutput()
			if err != nil {
				errs <- fmt.Errorf("appender %d: %v\n%s", p, err, out)
				return
			}
			for _, line := range strings.Split(string(out), "\n") {
				if rest, ok := strings.CutPrefix(line, "LATENCIES "); ok {
					mu.Lock()
					for _, s := range strings.Split(rest, ",") {
						us, _ := strconv.Atoi(s)
						lat = append(lat, time.Duration(us)*time.Microsecond)
					}
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	return lat
}

// TestAppendsFromSeveralProcesses: four desks (processes) and this one
// append at once; the log is one chain with every event once.
func TestAppendsFromSeveralProcesses(t *testing.T) {
	srv := sharedServer(t)
	f := newFacilityDB(t, srv)
	p := f.open(t)
	done := make(chan error, 1)
	go func() {
		for i := range 20 {
			if _, _, err := p.Append(ctx, facilitytest.Requested(i, time.Now().Add(time.Hour))); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	lat := runAppenders(t, f, 4, 15, 0)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if len(lat) != 4*15*2 {
		t.Fatalf("%d latencies from the children, want %d", len(lat), 4*15*2)
	}
	want := 20 + 4*15*2
	rep, err := p.Verify(ctx)
	if err != nil || rep.Events != want || rep.Requests != 20+4*15 {
		t.Fatalf("Verify = %+v, %v; want %d events", rep, err, want)
	}
	h, _ := p.Head(ctx)
	if h.Count != int64(want) || h.Hash != rep.Head {
		t.Fatalf("Head = %+v, verify head %s", h, rep.Head)
	}
}
