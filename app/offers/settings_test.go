package offers

import (
	"testing"
	"time"
)

func TestSettingsConfig(t *testing.T) {
	s := Settings{CSVDir: "/drop", Rules: []string{"StudyDescription contains discharge"}, QuietMinutes: 3}
	cfg, err := s.Config("(0008,0060) equals CT")
	if err != nil || cfg.CSVDir != "/drop" || cfg.Quiet != 3*time.Minute || len(cfg.Rules) != 2 {
		t.Fatalf("config %+v %v", cfg, err)
	}
	if _, err := s.Config("nonsense"); err == nil {
		t.Error("a bad rule was accepted")
	}
}
