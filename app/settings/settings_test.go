package settings

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"discdesk/app/handoff"
	"discdesk/app/staff"
	"discdesk/app/store/storetest"
	"discdesk/burner/drive"
)

func TestSaveRoundTripAndRoles(t *testing.T) {
	st, err := Open(storetest.MustOpen(t, t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	s, err := st.Get()
	if err != nil || s.Kiosk.IdleSeconds != 90 || s.LocalAE != "DISCDESK" {
		t.Fatalf("defaults: %+v %v", s, err)
	}
	s.Facility = Facility{Name: "Harbor Imaging", Address: "12 Quay St\nPortland, ME 04101", Phone: "(207) 555-0100"}
	s.Deadlines[handoff.UrgencyExpedited] = 24
	if _, err := st.Save(staff.Member{Name: "Tom", Role: staff.Technologist}, s); !errors.Is(err, staff.ErrNotAllowed) {
		t.Fatalf("technologist saved settings: %v", err)
	}
	if _, err := st.Save(staff.Member{Name: "Sue", Role: staff.Supervisor}, s); err != nil {
		t.Fatal(err)
	}
	got, _ := st.Get()
	if got.Facility.Name != "Harbor Imaging" || got.UpdatedBy != "Sue" || got.Deadlines[handoff.UrgencyExpedited] != 24 {
		t.Errorf("read back %+v", got)
	}
	if cfg := got.HandoffConfig(); cfg.Targets[handoff.UrgencyExpedited] != 24*time.Hour {
		t.Errorf("handoff config targets %v", cfg.Targets)
	}
	if l := got.Facility.AddressLines(); len(l) != 2 || l[1] != "Portland, ME 04101" {
		t.Errorf("facility address lines %q", l)
	}
}

func TestValidateNamesTheField(t *testing.T) {
	cases := map[string]func(*Settings){
		"local AE title":     func(s *Settings) { s.LocalAE = "THIS_AE_IS_WAY_TOO_LONG" },
		"PACS node":          func(s *Settings) { s.Nodes = []Node{{Name: "pacs", AETitle: `A\B`, Host: "h", Port: 104}} },
		"facility address":   func(s *Settings) { s.Facility.Address = "nowhere" },
		"kiosk idle timeout": func(s *Settings) { s.Kiosk.IdleSeconds = 2 },
		"legal limit":        func(s *Settings) { s.LegalDays = 31 },
		"default drive":      func(s *Settings) { s.Target = "missing" },
		"fees":               func(s *Settings) { s.Fees.Flat = -1 },
		"workstation":        func(s *Settings) { s.Workstation = " " },
	}
	for field, mut := range cases {
		s := Default()
		mut(&s)
		err := s.Validate()
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), field) {
			t.Errorf("%s: %v", field, err)
		}
	}
	if err := Default().Validate(); err != nil {
		t.Errorf("defaults invalid: %v", err)
	}
}

func TestDetectedDrivesAndISOFallback(t *testing.T) {
	s := Default()
	if !s.WithDetected(nil, "/data") {
		t.Fatal("no drive: nothing added")
	}
	tg, ok := s.DefaultTarget()
	if !ok || tg.Kind != TargetISO || tg.Path != filepath.Join("/data", "iso") {
		t.Fatalf("fallback target %+v", tg)
	}
	if got := tg.Spec("3FA9-C2E1-1"); got != "iso:"+filepath.Join("/data", "iso", "3FA9-C2E1-1.iso") {
		t.Errorf("spec %q", got)
	}
	s = Default()
	s.WithDetected([]drive.Info{{Spec: "/dev/sr0", Vendor: "HL-DT-ST", Product: "DVDRAM"}}, "/data")
	if tg, _ := s.DefaultTarget(); tg.Kind != TargetDevice || tg.Spec("x") != "/dev/sr0" || len(s.Targets) != 1 {
		t.Errorf("with a drive: %+v", s.Targets)
	}
	if s.WithDetected([]drive.Info{{Spec: "/dev/sr0"}}, "/data") {
		t.Error("the same drive was added twice")
	}
}

func TestReceiveDefaultsAndValidation(t *testing.T) {
	d := Default()
	if d.Receive.Enabled || d.Receive.Port != DefaultReceivePort || d.Receive.BurnAE != "DISCDESK_BURN" || d.Receive.Quiet() != 2*time.Minute {
		t.Fatalf("receive defaults %+v quiet %v", d.Receive, d.Receive.Quiet())
	}
	d.Nodes = []Node{{Name: "pacs", AETitle: "PACS", Host: "10.0.0.5", Port: 104}}
	for _, c := range []struct {
		field string
		edit  func(r *Receive)
	}{
		{"receive port", func(r *Receive) { r.Port = 70000 }},
		{"auto-burn AE title", func(r *Receive) { r.BurnAE = `BAD\AE` }},
		{"auto-burn AE title", func(r *Receive) { r.BurnAE = "DISCDESK" }},
		{"quiet time", func(r *Receive) { r.QuietSeconds = -1 }},
		{"instance count node", func(r *Receive) { r.CountNode = "nope" }},
		{"receive TLS", func(r *Receive) { r.TLSCert = "/etc/cert.pem" }},
	} {
		s := d
		c.edit(&s.Receive)
		if err := s.Validate(); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), c.field) {
			t.Errorf("%s: %v", c.field, err)
		}
	}
	ok := d
	ok.Receive = Receive{Enabled: true, Port: 0, BurnAE: "", QuietSeconds: 5, CountNode: "pacs"}
	if err := ok.Validate(); err != nil || ok.Receive.Quiet() != 5*time.Second {
		t.Fatalf("valid receive settings refused: %v", err)
	}
}

func TestReceiveSurvivesOldSavedSettings(t *testing.T) {
	db := storetest.MustOpen(t, t.TempDir())
	st, err := Open(db)
	if err != nil {
		t.Fatal(err)
	}
	// Settings saved before the receiver existed have no "receive" key.
	if err := db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketSettings).Put(keyCurrent, []byte(`{"workstation":"ws1","local_ae":"DESK","media":"cd"}`))
	}); err != nil {
		t.Fatal(err)
	}
	s, err := st.Get()
	if err != nil || s.Receive.Port != DefaultReceivePort || s.Receive.Enabled || s.LocalAE != "DESK" {
		t.Fatalf("old settings read as %+v, %v", s.Receive, err)
	}
	s.Receive.Enabled, s.Receive.Port = true, 4242
	if _, err := st.Save(staff.Member{Name: "Sue", Role: staff.Supervisor}, s); err != nil {
		t.Fatal(err)
	}
	if got, _ := st.Get(); !got.Receive.Enabled || got.Receive.Port != 4242 {
		t.Fatalf("read back %+v", got.Receive)
	}
}
