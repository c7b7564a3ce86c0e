package offers

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// SettingsFile is the optional file in the data folder that configures the
// discharge feed; the command line and the desk both read it.
const SettingsFile = "offers.json"

// Settings are the contents of SettingsFile: the drop folder of the
// hospital's CSV lists, attribute rules ("(0008,1030) contains DISCHARGE")
// and the quiet time after which a study counts as complete.
type Settings struct {
	CSVDir       string   `json:"csv_dir"`
	Rules        []string `json:"rules"`
	QuietMinutes int      `json:"quiet_minutes"`
}

// ReadSettings reads SettingsFile from dataDir; a missing file gives the
// zero Settings (no discharge feed, default quiet time).
func ReadSettings(dataDir string) (Settings, error) {
	var s Settings
	raw, err := os.ReadFile(filepath.Join(dataDir, SettingsFile))
	switch {
	case errors.Is(err, os.ErrNotExist):
		return s, nil
	case err != nil:
		return s, fmt.Errorf("offers: read %s: %w", SettingsFile, err)
	}
	if err := json.Unmarshal(raw, &s); err != nil {
		return s, fmt.Errorf("offers: %s: %w", SettingsFile, err)
	}
	return s, nil
}

// Config turns the settings, plus extra rules, into a Config; a rule that
// does not parse is an error naming it.
func (s Settings) Config(extraRules ...string) (Config, error) {
	cfg := Config{CSVDir: s.CSVDir, Quiet: time.Duration(s.QuietMinutes) * time.Minute}
	for _, r := range append(append([]string(nil), s.Rules...), extraRules...) {
		rule, err := ParseRule(r)
		if err != nil {
			return Config{}, err
		}
		cfg.Rules = append(cfg.Rules, rule)
	}
	return cfg, nil
}
