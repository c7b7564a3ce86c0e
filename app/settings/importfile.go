package settings

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"discdesk/app/handoff"
	"discdesk/app/offers"
)

// Import formats, as Import reports them.
const (
	FormatExport  = "settings" // what `discdesk config export` writes: the whole settings
	FormatHandoff = "handoff.json"
	FormatOffers  = "offers.json"
)

// HandoffFile is the import format of the command line's former settings
// file, <data>/handoff.json: the facility printed on documents, the legal
// limit and target hours, the fee policy, and the audit repository. It is
// read once, by `discdesk config import`; the settings in the store are the
// only source afterwards.
type HandoffFile struct {
	Facility struct {
		Name    string          `json:"name"`
		Address handoff.Address `json:"address"`
		Phone   string          `json:"phone"`
		Fax     string          `json:"fax"`
		Email   string          `json:"email"`
	} `json:"facility"`
	LegalDays    int                     `json:"legal_days"`
	TargetHours  map[handoff.Urgency]int `json:"target_hours"`
	Fees         *handoff.FeePolicy      `json:"fees"`
	AuditSource  string                  `json:"audit_source_id"`
	SyslogAddr   string                  `json:"syslog_addr"`
	SyslogTLS    bool                    `json:"syslog_tls"`
	SyslogCAFile string                  `json:"syslog_ca_file"`
}

// Import merges an import file into s and returns the result (not saved,
// not validated) and the format it read: a settings export, handoff.json
// (HandoffFile) or offers.json (offers.Settings, the discharge feed). Only
// the fields the file sets change.
func Import(s Settings, raw []byte) (Settings, string, error) {
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(raw, &keys); err != nil {
		return s, "", fmt.Errorf("settings: import: not a JSON object: %w", err)
	}
	has := func(names ...string) bool {
		for _, n := range names {
			if _, ok := keys[n]; ok {
				return true
			}
		}
		return false
	}
	strict := func(v any) error {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		return dec.Decode(v)
	}
	switch {
	case has("workstation", "targets", "kiosk", "receive", "deadline_hours"):
		out := s
		if err := strict(&out); err != nil {
			return s, "", fmt.Errorf("settings: import %s: %w", FormatExport, err)
		}
		return out, FormatExport, nil
	case has("csv_dir", "rules", "quiet_minutes"):
		var o offers.Settings
		if err := strict(&o); err != nil {
			return s, "", fmt.Errorf("settings: import %s: %w", FormatOffers, err)
		}
		if _, err := o.Config(); err != nil {
			return s, "", fmt.Errorf("settings: import %s: %w", FormatOffers, err)
		}
		s.Offers = o
		return s, FormatOffers, nil
	case has("facility", "legal_days", "target_hours", "fees", "audit_source_id", "syslog_addr"):
		var h HandoffFile
		if err := strict(&h); err != nil {
			return s, "", fmt.Errorf("settings: import %s: %w", FormatHandoff, err)
		}
		s.mergeHandoff(h)
		return s, FormatHandoff, nil
	}
	return s, "", fmt.Errorf("settings: import: %w: not a settings export, handoff.json or offers.json", ErrInvalid)
}

func (s *Settings) mergeHandoff(h HandoffFile) {
	f := h.Facility
	set := func(dst *string, v string) {
		if v = strings.TrimSpace(v); v != "" {
			*dst = v
		}
	}
	set(&s.Facility.Name, f.Name)
	set(&s.Facility.Phone, f.Phone)
	set(&s.Facility.Fax, f.Fax)
	set(&s.Facility.Email, f.Email)
	var lines []string
	for _, l := range f.Address.Normalize().Lines() {
		if strings.Trim(l, ", ") != "" { // an empty address still gives a "," line
			lines = append(lines, l)
		}
	}
	set(&s.Facility.Address, strings.Join(lines, "\n"))
	if h.LegalDays > 0 {
		s.LegalDays = h.LegalDays
		// handoff.json's targets beyond the limit were capped by it; the
		// settings hold them capped.
		for u, hours := range s.Deadlines {
			s.Deadlines[u] = min(hours, h.LegalDays*24)
		}
	}
	for u, hours := range h.TargetHours {
		if s.Deadlines == nil {
			s.Deadlines = map[handoff.Urgency]int{}
		}
		s.Deadlines[u] = hours
	}
	if h.Fees != nil {
		s.Fees = *h.Fees
	}
	set(&s.AuditSourceID, h.AuditSource)
	if h.SyslogAddr != "" {
		s.Audit = Audit{SyslogAddr: h.SyslogAddr, SyslogTLS: h.SyslogTLS, CAFile: h.SyslogCAFile}
	}
}

// Export is the settings as `discdesk config export` writes them: indented
// JSON that Import reads back.
func Export(s Settings) ([]byte, error) {
	s.Updated, s.UpdatedBy = time.Time{}, ""
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("settings: export: %w", err)
	}
	return append(b, '\n'), nil
}

// SaveAs validates s and stores it, recorded as changed by by: the
// command line (`discdesk config`), run by whoever may write the data
// folder.
func (st *Store) SaveAs(by string, s Settings) (Settings, error) {
	if strings.TrimSpace(by) == "" {
		return Settings{}, fmt.Errorf("settings: save: %w: name who changes the settings", ErrInvalid)
	}
	return st.save(by, s)
}
