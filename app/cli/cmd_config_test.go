package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"discdesk/app/settings"
)

// importConfig imports a former handoff.json or offers.json (raw) into the
// settings of data, as `discdesk config import FILE` does.
func importConfig(t *testing.T, data string, raw []byte) {
	t.Helper()
	f := filepath.Join(t.TempDir(), "import.json")
	if err := os.WriteFile(f, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out, errs := runCLI(data, "config", "import", f, "--staff", "test"); code != 0 {
		t.Fatalf("config import: exit %d\n%s\n%s", code, out, errs)
	}
}

// One configuration source: handoff.json and offers.json are imported
// once into the settings, which `config get|set|export` read and change,
// and which the disc, the documents and the offers feed then use.
func TestConfigImportGetSetExport(t *testing.T) {
	data := t.TempDir()
	importConfig(t, data, []byte(`{"facility": {"name": "Lakeside Imaging", "address": {"street": "400 Harbor Blvd", "city": "Madison", "region": "WI", "postal_code": "53703"}, "fax": "(608) 555-0101"},
		"legal_days": 15, "audit_source_id": "DESK-7"}`))
	importConfig(t, data, []byte(`{"csv_dir": "/drop", "rules": ["StudyDescription contains discharge"], "quiet_minutes": 4}`))
	for key, want := range map[string]string{
		"facility.name": "Lakeside Imaging", "facility.address": "400 Harbor Blvd\nMadison, WI 53703", "facility.fax": "(608) 555-0101",
		"legal_days": "15", "audit_source_id": "DESK-7", "offers.csv_dir": "/drop", "offers.quiet_minutes": "4",
	} {
		code, out, errs := runCLI(data, "config", "get", key)
		if code != 0 || strings.TrimSpace(out) != want {
			t.Errorf("config get %s: exit %d %q %s, want %q", key, code, out, errs, want)
		}
	}
	if code, _, errs := runCLI(data, "config", "set", "facility.phone", "(608) 555-0100", "--staff", "ann"); code != 0 {
		t.Fatalf("config set: %d %s", code, errs)
	}
	// The one Facility type: whom patients ask for is a setting too.
	if code, _, errs := runCLI(data, "config", "set", "facility.contact", "the reading room", "--staff", "ann"); code != 0 {
		t.Fatalf("config set facility.contact: %d %s", code, errs)
	}
	if code, got, _ := runCLI(data, "config", "get", "facility.contact"); code != 0 || strings.TrimSpace(got) != "the reading room" {
		t.Fatalf("config get facility.contact: %d %q", code, got)
	}
	if code, _, errs := runCLI(data, "config", "set", "legal_days", "45", "--staff", "ann"); code != 1 || !strings.Contains(errs, "legal limit") {
		t.Fatalf("config set of an invalid value: %d %s", code, errs)
	}
	if code, _, errs := runCLI(data, "config", "get", "facility.nme"); code != 1 || !strings.Contains(errs, "known here") {
		t.Fatalf("unknown key: %d %s", code, errs)
	}
	// The disc takes the facility from the settings.
	code, out, errs := runCLI(data, "config", "export")
	if code != 0 {
		t.Fatalf("export: %d %s", code, errs)
	}
	var s settings.Settings
	if err := json.Unmarshal([]byte(out), &s); err != nil || s.Facility.Phone != "(608) 555-0100" || s.LegalDays != 15 || s.Offers.CSVDir != "/drop" {
		t.Fatalf("export: %v %+v", err, s)
	}
	// An export imports into another desk as it is.
	other := t.TempDir()
	importConfig(t, other, []byte(out))
	if code, got, _ := runCLI(other, "config", "get", "facility.phone"); code != 0 || strings.TrimSpace(got) != "(608) 555-0100" {
		t.Fatalf("export round trip: %d %q", code, got)
	}
	bad := filepath.Join(t.TempDir(), "x.json")
	os.WriteFile(bad, []byte(`{"colour": "blue"}`), 0o600)
	if code, _, errs := runCLI(data, "config", "import", bad, "--staff", "x"); code != 1 || !strings.Contains(errs, "not a settings export, handoff.json or offers.json") {
		t.Fatalf("unknown import file: %d %s", code, errs)
	}
}
