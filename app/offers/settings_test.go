package offers

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestReadSettings(t *testing.T) {
	dir := t.TempDir()
	s, err := ReadSettings(dir)
	if err != nil || s.CSVDir != "" || len(s.Rules) != 0 {
		t.Fatalf("missing file: %+v %v", s, err)
	}
	os.WriteFile(filepath.Join(dir, SettingsFile), []byte(`{"csv_dir":"/drop","rules":["StudyDescription contains discharge"],"quiet_minutes":3}`), 0o600)
	s, err = ReadSettings(dir)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := s.Config("(0008,0060) equals CT")
	if err != nil || cfg.CSVDir != "/drop" || cfg.Quiet != 3*time.Minute || len(cfg.Rules) != 2 {
		t.Fatalf("config %+v %v", cfg, err)
	}
	if _, err := s.Config("nonsense"); err == nil {
		t.Error("a bad rule was accepted")
	}
	os.WriteFile(filepath.Join(dir, SettingsFile), []byte(`{"csv_dir":`), 0o600)
	if _, err := ReadSettings(dir); err == nil {
		t.Error("broken JSON accepted")
	}
}
