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
	if _, err := runPayment(t, dir, "request waive", append(who, r.ID)...); !errors.Is(err, handoff.ErrMissing) {
		t.Errorf("waiver without a reason: %v", err)
	}
	out, err := runPayment(t, dir, "request pay", append([]string{"--amount", "$2.50", "--method", "check", "--reference", "1001"}, append(who, r.ID)...)...)
	if err != nil || !strings.Contains(out, ": paid $2.50 check (ref 1001)\n") || !strings.Contains(out, "fee $6.50, paid $2.50, balance due $4.00\n") {
		t.Fatalf("pay: %q %v", out, err)
	}
	out, err = runPayment(t, dir, "request waive", append([]string{"--reason", "financial hardship"}, append(who, r.ID)...)...)
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
