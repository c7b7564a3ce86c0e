package facility_test

import (
	"bufio"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"discdesk/app/facility"
)

// TestHelperClaimer is a child process of TestDeadDeskLosesItsClaim: it
// claims the waiting job with a short lease, starts a disc and hangs.
func TestHelperClaimer(t *testing.T) {
	url := os.Getenv("FACILITY_CLAIMER_URL")
	if url == "" {
		t.Skip("helper process only")
	}
	p, err := facility.OpenPG(ctx, facility.Config{URL: url, PasswordFile: os.Getenv("FACILITY_HELPER_PWFILE")})
	if err != nil {
		t.Fatal(err)
	}
	c, err := p.Claim(ctx, "desk-that-dies", time.Now(), 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Writing(ctx, c.Job.ID, "desk-that-dies", "0190e0c8-0000-7000-8000-0000000000dd"); err != nil {
		t.Fatal(err)
	}
	os.Stdout.WriteString("CLAIMED " + c.Job.ID + "\n")
	select {}
}

// TestDeadDeskLosesItsClaim: a desk process claims a job and is killed
// mid-burn; while its lease runs nobody else gets the job, after it the
// next desk does, told which disc was left spoiled.
func TestDeadDeskLosesItsClaim(t *testing.T) {
	f := newFacilityDB(t, sharedServer(t))
	p := f.open(t)
	job, err := p.Enqueue(ctx, facility.JobRecord{})
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperClaimer$", "-test.count=1", "-test.timeout=2m")
	cmd.Env = append(os.Environ(), "FACILITY_CLAIMER_URL="+f.desk.URL, "FACILITY_HELPER_PWFILE="+f.desk.PasswordFile)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer cmd.Process.Kill()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || strings.TrimSpace(line) != "CLAIMED "+job.ID {
		t.Fatalf("child: %q, %v", line, err)
	}
	cmd.Process.Kill()
	if _, err := p.Claim(ctx, "desk-b", time.Now(), time.Minute); err == nil {
		t.Fatal("the job was claimed while the dead desk's lease still ran")
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, err := p.Claim(ctx, "desk-b", time.Now(), time.Minute)
		if err == nil {
			if c.Job.ID != job.ID || c.Lapsed == nil || c.Lapsed.Desk != "desk-that-dies" || c.Lapsed.Disc != "0190e0c8-0000-7000-8000-0000000000dd" || c.Job.Attempts != 2 {
				t.Fatalf("claim after the lease = %+v, lapsed %+v", c.Job, c.Lapsed)
			}
			if msg := c.Lapsed.Message(); !strings.Contains(msg, "spoiled") || !strings.Contains(msg, "desk-that-dies") {
				t.Fatalf("Lapse message %q", msg)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the lease never lapsed: %v", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
