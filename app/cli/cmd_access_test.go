package cli

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"discdesk/app/handoff"
	"discdesk/app/offers"
	"discdesk/internal/corpus"
)

func TestOffersCommands(t *testing.T) {
	data := t.TempDir()
	if code, _, stderr := run(t, data, "import", corpus.Path(t, "mr_series", "dcm4che_mr16")); code != 0 {
		t.Fatalf("import: %d %s", code, stderr)
	}
	drop := t.TempDir()
	today := time.Now().Format(time.DateOnly)
	os.WriteFile(filepath.Join(drop, "list.csv"), []byte("mrn,name,dob,discharge,notes\n583295,DOE^J1,,"+today+" 23:59,copies to the ordering physician\nX1,\"Bad\",,never,\n"), 0o600)
	code, out, stderr := run(t, data, "offers", "--json", "--quiet", "1h", "--csv-dir", drop)
	if code != 0 {
		t.Fatalf("offers: %d %s", code, stderr)
	}
	var list []offers.Candidate
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if len(list) != 1 || list[0].Patient.ID != "583295" || len(list[0].Prepared) != 1 || list[0].Prepared[0].Delivery != handoff.DeliveryPhysician {
		t.Fatalf("list %+v", list)
	}
	if !strings.Contains(stderr, "problem: list.csv: line 3") {
		t.Errorf("bad CSV line not reported: %s", stderr)
	}
	// Text form shows the prepared request as not saved.
	_, text, _ := run(t, data, "offers", "--quiet", "1h", "--csv-dir", drop)
	if !strings.Contains(text, "prepared request (not saved") || !strings.Contains(text, "pending") {
		t.Errorf("text list: %s", text)
	}
	if code, _, _ := run(t, data, "offers", "decline", "583295", "--csv-dir", drop, "--quiet", "1h", "--staff", "m.rivera", "--workstation", "FRONT-1"); code != 2 {
		t.Errorf("decline without reason: exit %d", code)
	}
	code, out, stderr = run(t, data, "offers", "decline", "583295", "--reason", "has portal access", "--csv-dir", drop, "--quiet", "1h", "--staff", "m.rivera", "--workstation", "FRONT-1")
	if code != 0 || !strings.Contains(out, "declined: DOE, J1") || !strings.Contains(out, "by m.rivera") {
		t.Fatalf("decline: %d %s %s", code, out, stderr)
	}
	_, text, _ = run(t, data, "offers", "--quiet", "1h", "--csv-dir", drop)
	if !strings.HasPrefix(text, "declined") {
		t.Errorf("after decline: %s", text)
	}
	// Flag: a study shows without the discharge list.
	code, out, _ = run(t, data, "offers", "flag", "1.113654.3.13.1026", "--staff", "a.chen", "--workstation", "FRONT-2")
	if code != 0 || !strings.Contains(out, "flagged") {
		t.Fatalf("flag: %d %s", code, out)
	}
	_, text, _ = run(t, data, "offers", "--quiet", "1h")
	if !strings.Contains(text, "flagged for discharge by a.chen") {
		t.Errorf("flagged list: %s", text)
	}
	if code, _, _ := run(t, data, "offers", "--rule", "Nonsense like x"); code != 2 {
		t.Errorf("bad rule: exit %d", code)
	}
}

func TestReconcileCommand(t *testing.T) {
	data := t.TempDir()
	disc := corpus.Path(t, "mr_series", "dcm4che_mr16")
	code, out, stderr := run(t, data, "reconcile", disc)
	if code != 0 || !strings.Contains(out, "outside patient DOE^J1 (ID 583295") || !strings.Contains(out, "no local patient matches") {
		t.Fatalf("show: %d %s %s", code, out, stderr)
	}
	receipt := filepath.Join(t.TempDir(), "receipt.txt")
	code, out, stderr = run(t, data, "reconcile", disc, "--patient-id", "MRN0042", "--accession", "MOF5026=LAKE-1", "--sender", "Riverside Hospital",
		"--receipt", receipt, "--staff", "m.rivera", "--workstation", "FRONT-1")
	if code != 0 {
		t.Fatalf("reconcile: %d %s", code, stderr)
	}
	for _, w := range []string{"coerced 16, imported 16", "PatientID 583295 -> MRN0042", "AccessionNumber MOF5026 -> LAKE-1", "Your images were received on"} {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q: %s", w, out)
		}
	}
	b, err := os.ReadFile(receipt)
	if err != nil || !strings.Contains(string(b), "from Riverside Hospital") {
		t.Fatalf("receipt file %q %v", b, err)
	}
	// The library now holds the local IDs; the log holds the receipt on the tell list.
	_, out, _ = run(t, data, "studies", "--json")
	if !strings.Contains(out, `"MRN0042"`) || strings.Contains(out, `"583295"`) {
		t.Errorf("studies: %s", out)
	}
	_, out, _ = run(t, data, "log", "--json")
	if !strings.Contains(out, `"kind":"outside-received"`) || !strings.Contains(out, "Your images were received on") {
		t.Errorf("log: %s", out)
	}
	if code, _, _ := run(t, data, "reconcile", disc, "--patient-id", "MRN0042", "--accession", "bad", "--staff", "x"); code != 2 {
		t.Errorf("bad accession mapping: exit %d", code)
	}
}

func TestFeeCapsCommands(t *testing.T) {
	data := t.TempDir()
	code, out, _ := run(t, data, "feecaps", "example")
	if code != 0 || !strings.Contains(out, "EXAMPLE DATA ONLY - NOT LEGAL ADVICE") {
		t.Fatalf("example: %d %s", code, out)
	}
	var tab handoff.FeeCapTable
	if err := json.Unmarshal([]byte(out), &tab); err != nil {
		t.Fatal(err)
	}
	pol := handoff.DefaultFeePolicy()
	pol.State, pol.Caps = "NY", &tab
	set, _ := json.Marshal(map[string]any{"fees": pol})
	importConfig(t, data, set)
	code, out, _ = run(t, data, "feecaps", "show", "--date", "2025-03-10")
	if code != 0 || !strings.Contains(out, "NOTICE: EXAMPLE DATA") || !strings.Contains(out, "EXAMPLE-NY-1") {
		t.Fatalf("show: %d %s", code, out)
	}
	// A request whose fee is above the cap is refused, naming the rule; under it the invoice cites it.
	code, _, stderr := run(t, data, newRequestArgs("--fee-method", "actual", "--labour-minutes", "120")...)
	if code == 0 || !strings.Contains(stderr, "EXAMPLE-NY-1") || !strings.Contains(stderr, "fee above the state cap") {
		t.Fatalf("above cap: exit %d %s", code, stderr)
	}
	r := mustNewRequest(t, data)
	if r.Fee.Rule == nil || r.Fee.Rule.ID != "EXAMPLE-NY-1" {
		t.Fatalf("fee %+v", r.Fee)
	}
	inv := filepath.Join(t.TempDir(), "inv.pdf")
	if code, _, stderr := run(t, data, "request", "invoice", r.ID, "--out", inv); code != 0 {
		t.Fatalf("invoice: %d %s", code, stderr)
	}
	if b, err := exec.Command("pdftotext", inv, "-").Output(); err != nil || !strings.Contains(strings.Join(strings.Fields(string(b)), " "), "State fee rule applied: Example rule NY-1") {
		t.Fatalf("invoice text %v: %s", err, b)
	}
}
