package cli

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"strings"
	"testing"

	"discdesk/app/handoff"
	"discdesk/app/staff"
	"discdesk/app/store"
)

// runPayment runs one of cmd_payment.go's commands as the command line
// does (parsing its flags), with --data dir.
func runPayment(t *testing.T, dir, name string, args ...string) (string, error) {
	t.Helper()
	r := registry{}
	addPayment(r)
	c := r[name]
	if c == nil {
		t.Fatalf("no command %q", name)
	}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fn := c.Flags(fs)
	if err := fs.Parse(args); err != nil {
		return "", err
	}
	var out bytes.Buffer
	env := &Env{DataFlag: dir, Stdout: &out, Stderr: io.Discard}
	defer env.Close()
	err := fn(context.Background(), env, fs.Args())
	return out.String(), err
}

// `request pay` and `request waive` record through the station: the
// amount defaults to the balance, refusals are the log's, and the log
// shows each line.
func TestRequestPayAndWaive(t *testing.T) {
	dir := t.TempDir()
	r := mustNewRequest(t, dir)
	if _, err := runPayment(t, dir, "request pay", append([]string{"--amount", "7", "--method", "cash"}, append(who, r.ID)...)...); !errors.Is(err, handoff.ErrOverpaid) {
		t.Errorf("more than due: %v", err)
	}
	var ee *ExitError
	if _, err := runPayment(t, dir, "request pay", append([]string{"--amount", "six", "--method", "cash"}, append(who, r.ID)...)...); !errors.As(err, &ee) || ee.Code != 2 {
		t.Errorf("unreadable amount: %v", err)
	}
	sup := withStaff(t, dir)
	if _, err := runPayment(t, dir, "request waive", append(sup, r.ID)...); !errors.Is(err, handoff.ErrMissing) {
		t.Errorf("waiver without a reason: %v", err)
	}
	out, err := runPayment(t, dir, "request pay", append([]string{"--amount", "$2.50", "--method", "check", "--reference", "1001"}, append(who, r.ID)...)...)
	if err != nil || !strings.Contains(out, ": paid $2.50 check (ref 1001)\n") || !strings.Contains(out, "fee $6.50, paid $2.50, balance due $4.00\n") {
		t.Fatalf("pay: %q %v", out, err)
	}
	// Waiving is a supervisor's: the front desk is refused, and so is a
	// wrong PIN or none.
	for _, c := range []struct {
		args []string
		want error
	}{
		{[]string{"--staff", "m.rivera", "--pin", "4321"}, staff.ErrNotAllowed},
		{[]string{"--staff", staff.DemoName, "--pin", "9999"}, staff.ErrWrongPIN},
		{[]string{"--staff", "Nobody", "--pin", "1234"}, staff.ErrNoMember},
	} {
		if _, err := runPayment(t, dir, "request waive", append(append([]string{"--reason", "financial hardship", "--workstation", "FRONT-1"}, c.args...), r.ID)...); !errors.Is(err, c.want) {
			t.Errorf("waive as %v: %v, want %v", c.args, err, c.want)
		}
	}
	var noPIN *ExitError
	if _, err := runPayment(t, dir, "request waive", append([]string{"--reason", "financial hardship"}, append(who, r.ID)...)...); !errors.As(err, &noPIN) || noPIN.Code != 2 || !strings.Contains(err.Error(), "--pin") {
		t.Errorf("waive without a PIN: %v", err)
	}
	out, err = runPayment(t, dir, "request waive", append([]string{"--reason", "financial hardship"}, append(sup, r.ID)...)...)
	if err != nil || !strings.Contains(out, ": waived: financial hardship\n") || !strings.Contains(out, "balance due $0.00") {
		t.Fatalf("waive: %q %v", out, err)
	}
	for _, amount := range [][]string{nil, {"--amount", "1"}} {
		if _, err := runPayment(t, dir, "request pay", append(append(amount, "--method", "cash"), append(who, r.ID)...)...); !errors.Is(err, handoff.ErrFeeWaived) {
			t.Errorf("after a waiver (%v): %v", amount, err)
		}
	}
	code, logOut, _ := run(t, dir, "log", "--request", r.ID)
	if code != 0 || !strings.Contains(logOut, "paid $2.50 check (ref 1001)") || !strings.Contains(logOut, "waived: financial hardship") {
		t.Errorf("log: %d %q", code, logOut)
	}
}

// withStaff adds the demo supervisor (PIN 1234) and m.rivera of the front
// desk (PIN 4321) to the store in dir, clears $DISCDESK_PIN, and returns
// the supervisor's flags.
func withStaff(t *testing.T, dir string) []string {
	t.Helper()
	t.Setenv("DISCDESK_PIN", "")
	db, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s, err := staff.Open(db, staff.WithParams(staff.Params{Time: 1, MemoryKiB: 256, Threads: 1}))
	if err != nil {
		t.Fatal(err)
	}
	sup, err := s.EnsureDemo()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Add(sup, "m.rivera", staff.FrontDesk, "4321"); err != nil {
		t.Fatal(err)
	}
	return []string{"--staff", staff.DemoName, "--pin", staff.DemoPIN, "--workstation", "FRONT-1"}
}

// `request refund` gives money back on a cancelled request, up to what
// was paid (all of it by default), a supervisor only, with a reason; the
// request shows it and the log replays it.
func TestRequestRefund(t *testing.T) {
	dir := t.TempDir()
	r := mustNewRequest(t, dir)
	sup := withStaff(t, dir)
	if _, err := runPayment(t, dir, "request pay", append([]string{"--method", "card", "--reference", "slip 12"}, append(who, r.ID)...)...); err != nil {
		t.Fatal(err)
	}
	refund := func(args ...string) (string, error) {
		return runPayment(t, dir, "request refund", append(args, r.ID)...)
	}
	if _, err := refund(append([]string{"--method", "cash", "--reason", "withdrawn"}, sup...)...); !errors.Is(err, handoff.ErrNothingToRefund) {
		t.Errorf("refund of an open request paid in full: %v", err)
	}
	if code, _, errs := run(t, dir, append([]string{"request", "cancel", "--reason", "patient withdrew"}, append(who, r.ID)...)...); code != 0 {
		t.Fatalf("cancel: %d %s", code, errs)
	}
	if _, err := refund("--method", "cash", "--reason", "withdrawn", "--staff", "m.rivera", "--pin", "4321", "--workstation", "FRONT-1"); !errors.Is(err, staff.ErrNotAllowed) || !strings.Contains(err.Error(), "Front desk may not waive or refund a fee") {
		t.Errorf("the front desk refunds: %v", err)
	}
	if _, err := refund(append([]string{"--method", "cash"}, sup...)...); !errors.Is(err, handoff.ErrMissing) {
		t.Errorf("refund without a reason: %v", err)
	}
	if _, err := refund(append([]string{"--amount", "7", "--method", "cash", "--reason", "withdrawn"}, sup...)...); !errors.Is(err, handoff.ErrOverRefund) {
		t.Errorf("refund beyond what was paid: %v", err)
	}
	out, err := refund(append([]string{"--amount", "2.50", "--method", "cash", "--reason", "withdrawn"}, sup...)...)
	if err != nil || !strings.Contains(out, "fee-refunded ") || !strings.Contains(out, ": refunded $2.50 cash: withdrawn\n") || !strings.Contains(out, "paid $4.00, balance due $0.00, refundable $4.00\n") {
		t.Fatalf("refund $2.50: %q %v", out, err)
	}
	out, err = refund(append([]string{"--method", "card", "--reference", "slip 13", "--reason", "withdrawn"}, sup...)...)
	if err != nil || !strings.Contains(out, ": refunded $4.00 card (ref slip 13): withdrawn\n") || strings.Contains(out, "refundable") {
		t.Fatalf("refund the rest: %q %v", out, err)
	}
	if _, err := refund(append([]string{"--method", "cash", "--reason", "again"}, sup...)...); !errors.Is(err, handoff.ErrNothingToRefund) {
		t.Errorf("refund once all went back: %v", err)
	}
	code, logOut, _ := run(t, dir, "log", "--request", r.ID)
	if code != 0 || !strings.Contains(logOut, "refunded $2.50 cash: withdrawn") || !strings.Contains(logOut, "refunded $4.00 card (ref slip 13): withdrawn") {
		t.Errorf("log: %d %q", code, logOut)
	}
	if code, out, errs := run(t, dir, "log", "verify"); code != 0 {
		t.Errorf("log verify: %d %s %s", code, out, errs)
	}
}
