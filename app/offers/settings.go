package offers

import (
	"time"
)

// Settings configure the discharge feed: the drop folder of the
// hospital's CSV lists, attribute rules ("(0008,1030) contains DISCHARGE")
// and the quiet time after which a study counts as complete. They live in
// the desk's settings (app/settings, Settings.Offers); the former
// <data>/offers.json is their import format (`discdesk config import`).
type Settings struct {
	CSVDir       string   `json:"csv_dir,omitempty"`
	Rules        []string `json:"rules,omitempty"`
	QuietMinutes int      `json:"quiet_minutes,omitempty"`
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
