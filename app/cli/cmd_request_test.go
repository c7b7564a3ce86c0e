package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"discdesk/app/handoff"
	"discdesk/app/staff"
)

// run runs the discdesk command line with --data dir and returns exit code,
// stdout and stderr.
func run(t *testing.T, dir string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Run(context.Background(), append([]string{"--data", dir}, args...), &out, &errb)
	return code, out.String(), errb.String()
}

var who = []string{"--staff", "m.rivera", "--workstation", "FRONT-1"}

func newRequestArgs(extra ...string) []string {
	a := []string{"request", "new", "--patient", "Doe, Jane", "--birth-date", "1961-07-04", "--patient-id", "MRN0042",
		"--id-method", "driver licence", "--json"}
	if !strings.Contains(strings.Join(extra, " "), "--studies") {
		a = append(a, "--from", "2024-01-01", "--to", "2024-12-31")
	}
	return append(append(a, who...), extra...)
}

func mustNewRequest(t *testing.T, dir string, extra ...string) handoff.Request {
	t.Helper()
	code, out, errs := run(t, dir, newRequestArgs(extra...)...)
	if code != 0 {
		t.Fatalf("request new: exit %d: %s", code, errs)
	}
	var r handoff.Request
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("request new --json: %v: %s", err, out)
	}
	return r
}

func TestRequestNewRejectsBadInputWritingNothing(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--delivery", "mail", "--address", "12 Elm St; Boston, MA 0211"}, "address.city"},
		{[]string{"--delivery", "mail", "--street", "12 Elm St", "--city", "Boston", "--region", "MA", "--postal-code", "0211"}, "US ZIP code"},
		{[]string{"--due", "2001-01-01"}, "due date is in the past"},
		{[]string{"--studies", "1.2.840.99999.1"}, "unknown study"},
		{[]string{"--requester-kind", "representative", "--requester", "John Doe"}, "requester.relationship"},
	} {
		code, _, errs := run(t, dir, newRequestArgs(tc.args...)...)
		if code != 1 || !strings.Contains(errs, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want 1 and %q", tc.args, code, errs, tc.want)
		}
	}
	code, out, _ := run(t, dir, "log", "--json")
	if code != 0 || out != "" {
		t.Fatalf("rejected requests wrote events: %q", out)
	}
	if code, _, _ := run(t, dir, "request", "new", "--due", "tomorrow"); code != 2 {
		t.Fatalf("bad --due syntax: exit %d, want 2", code)
	}
}

func TestRequestNewListFormInvoice(t *testing.T) {
	dir := t.TempDir()
	settings := `{"facility": {"name": "Lakeside Imaging Center", "address": {"street": "400 Harbor Blvd", "city": "Madison", "region": "WI", "postal_code": "53703"}},
		"target_hours": {"expedited": 24}, "fees": {"method": "flat", "flat_cents": 1000, "postage_cents": {"overnight": 2900}}}`
	importConfig(t, dir, []byte(settings))
	form := filepath.Join(t.TempDir(), "form.pdf")
	r := mustNewRequest(t, dir, "--urgency", "expedited", "--delivery", "overnight", "--requester-kind", "representative",
		"--requester", "John Doe", "--relationship", "son", "--address", "John Doe; 1200 Shore Dr; Suite 3; Madison, WI 53703", "--form", form)
	if r.Fee.Total != 1000+2900 || r.Due.Sub(r.Created).Round(time.Second) != 24*time.Hour || r.Address.Suite != "Suite 3" {
		t.Fatalf("request %+v", r)
	}
	fi, err := os.Stat(form)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("form: %v %v", err, fi)
	}
	text, _ := exec.Command("pdftotext", form, "-").Output()
	for _, want := range []string{"Lakeside Imaging Center", "400 Harbor Blvd", "Doe, Jane", "John Doe", "1200 Shore Dr", staff.RequestCode(r.ID)} {
		if !strings.Contains(string(text), want) {
			t.Errorf("request form lacks %q", want)
		}
	}
	routine := mustNewRequest(t, dir)

	code, out, errs := run(t, dir, "request", "list", "--json")
	if code != 0 {
		t.Fatal(errs)
	}
	var list []handoff.Request
	if err := json.Unmarshal([]byte(out), &list); err != nil || len(list) != 2 || list[0].ID != r.ID || list[1].ID != routine.ID {
		t.Fatalf("request list (expedited first): %v %s", err, out)
	}
	code, out, _ = run(t, dir, "request", "list", "--overdue", "--json")
	if code != 0 || strings.TrimSpace(out) != "[]" {
		t.Fatalf("overdue list: %s", out)
	}
	code, out, _ = run(t, dir, "request", "list", "--patient", "MRN0042")
	if code != 0 || strings.Count(out, "Doe, Jane") != 2 {
		t.Fatalf("patient history: %s", out)
	}
	// Patient ID is matched exactly: another case is another patient, and
	// so is the ID under an issuer.
	other := mustNewRequest(t, dir, "--patient-id", "mrn0042")
	issued := mustNewRequest(t, dir, "--patient-issuer", "HOSP")
	for _, c := range []struct {
		args []string
		want string
	}{{[]string{"--patient", "mrn0042"}, other.ID}, {[]string{"--patient", "MRN0042", "--issuer", "HOSP"}, issued.ID}} {
		code, out, _ = run(t, dir, append([]string{"request", "list", "--json"}, c.args...)...)
		var h []handoff.Request
		if err := json.Unmarshal([]byte(out), &h); code != 0 || err != nil || len(h) != 1 || h[0].ID != c.want {
			t.Errorf("history %v: %d %v %s", c.args, code, err, out)
		}
	}
	if _, out, _ = run(t, dir, "request", "list", "--patient", "MRN0042"); strings.Count(out, "Doe, Jane") != 2 {
		t.Errorf("history of MRN0042 with no issuer: %s", out)
	}
	var plain []string
	for _, a := range newRequestArgs("--patient-issuer", "HOSP") {
		if a != "--json" {
			plain = append(plain, a)
		}
	}
	if _, out, _ = run(t, dir, plain...); !strings.Contains(out, "MRN0042 (issuer HOSP)") {
		t.Errorf("the issuer is not shown: %s", out)
	}
	code, out, _ = run(t, dir, "request", "list", "--search", "john madison")
	if code != 0 || !strings.Contains(out, r.ID) || strings.Contains(out, routine.ID) {
		t.Fatalf("search: %s", out)
	}

	inv := filepath.Join(t.TempDir(), "invoice.pdf")
	if code, _, errs := run(t, dir, "request", "invoice", r.ID, "--out", inv); code != 0 {
		t.Fatal(errs)
	}
	text, _ = exec.Command("pdftotext", "-layout", inv, "-").Output()
	if !strings.Contains(string(text), "$39.00") || !strings.Contains(string(text), "Shipping: overnight") {
		t.Fatalf("invoice text:\n%s", text)
	}
	blank := filepath.Join(t.TempDir(), "blank.pdf")
	if code, _, errs := run(t, dir, "request", "form", "--out", blank); code != 0 {
		t.Fatal(errs)
	}

	if code, out, errs := run(t, dir, append([]string{"request", "cancel", routine.ID, "--reason", "duplicate request"}, who...)...); code != 0 || !strings.Contains(out, "cancelled") {
		t.Fatalf("cancel: %d %s %s", code, out, errs)
	}
	code, out, _ = run(t, dir, "request", "list")
	if code != 0 || strings.Contains(out, routine.ID) || !strings.Contains(out, r.ID) {
		t.Fatalf("cancelled request still open: %s", out)
	}
}

// --requester-state reaches the request, and the state fee rule that defers
// to the requester's state governs (example table: NJ defers, CT caps a
// patient's copy at $5.00).
func TestRequestNewRequesterState(t *testing.T) {
	data := t.TempDir()
	_, out, _ := run(t, data, "feecaps", "example")
	var tab handoff.FeeCapTable
	if err := json.Unmarshal([]byte(out), &tab); err != nil {
		t.Fatal(err)
	}
	pol := handoff.DefaultFeePolicy()
	pol.State, pol.Caps = "NJ", &tab
	set, _ := json.Marshal(map[string]any{"fees": pol})
	importConfig(t, data, set)
	r := mustNewRequest(t, data, "--fee-method", "average")
	if r.Fee.Rule == nil || r.Fee.Rule.State != "NJ" {
		t.Fatalf("without --requester-state: rule %+v, want the facility's NJ rule", r.Fee.Rule)
	}
	code, _, stderr := run(t, data, newRequestArgs("--fee-method", "average", "--requester-state", "ct")...)
	if code == 0 || !strings.Contains(stderr, "EXAMPLE-CT-1") || !strings.Contains(stderr, "requester's state") {
		t.Fatalf("CT requester: exit %d %s; want refusal under EXAMPLE-CT-1", code, stderr)
	}
	r = mustNewRequest(t, data, "--requester-state", "CT", "--requester-kind", "physician", "--requester", "Dr Who", "--organization", "Clinic")
	if r.Requester.State != "CT" {
		t.Fatalf("requester state %q, want CT", r.Requester.State)
	}
}
