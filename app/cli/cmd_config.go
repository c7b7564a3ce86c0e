package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"

	"discdesk/app/handoff"
	"discdesk/app/settings"
)

// configOptions are the flags of `discdesk config`.
type configOptions struct {
	Out   string
	Actor func() handoff.Actor
}

func newConfigCommand() *Command {
	return &Command{
		Name:    "config",
		Summary: "the desk's settings (the one configuration source): get KEY, set KEY VALUE, import FILE (a settings export, handoff.json or offers.json), export",
		Usage:   "get [KEY] | set KEY VALUE | import FILE | export [--out FILE]",
		Flags: func(fs *flag.FlagSet) func(context.Context, *Env, []string) error {
			o := &configOptions{}
			fs.StringVar(&o.Out, "out", "", "export: write to this file (0600) instead of standard output")
			o.Actor = actorFlags(fs)
			return func(ctx context.Context, env *Env, args []string) error { return runConfig(ctx, env, o, args) }
		},
	}
}

func runConfig(ctx context.Context, env *Env, o *configOptions, args []string) error {
	usage := &ExitError{Code: 2, Err: errors.New("config: get [KEY] | set KEY VALUE | import FILE | export")}
	if len(args) == 0 {
		return usage
	}
	db, err := env.DB()
	if err != nil {
		return err
	}
	st, err := settings.Open(db)
	if err != nil {
		return err
	}
	cur, err := st.Get()
	if err != nil {
		return err
	}
	save := func(s settings.Settings) error {
		_, err := st.SaveAs("command line: "+o.Actor().Staff, s)
		return err
	}
	switch verb, rest := args[0], args[1:]; {
	case verb == "export" && len(rest) == 0:
		b, err := settings.Export(cur)
		if err != nil {
			return err
		}
		if o.Out != "" {
			return os.WriteFile(o.Out, b, 0o600)
		}
		_, err = env.Stdout.Write(b)
		return err
	case verb == "get" && len(rest) <= 1:
		v, err := configValue(cur, strings.Join(rest, ""))
		if err != nil {
			return err
		}
		if s, ok := v.(string); ok {
			fmt.Fprintln(env.Stdout, s)
			return nil
		}
		b, _ := json.MarshalIndent(v, "", "  ")
		fmt.Fprintln(env.Stdout, string(b))
		return nil
	case verb == "set" && len(rest) == 2:
		s, err := setConfigValue(cur, rest[0], rest[1])
		if err != nil {
			return err
		}
		return save(s)
	case verb == "import" && len(rest) == 1:
		raw, err := os.ReadFile(rest[0])
		if err != nil {
			return fmt.Errorf("config import: %w", err)
		}
		s, format, err := settings.Import(cur, raw)
		if err != nil {
			return fmt.Errorf("config import %s: %w", rest[0], err)
		}
		if err := save(s); err != nil {
			return fmt.Errorf("config import %s: %w", rest[0], err)
		}
		fmt.Fprintf(env.Stdout, "imported %s (%s) into the settings; the file is no longer read\n", rest[0], format)
		return nil
	}
	return usage
}

// configTree is the settings as JSON values, keyed as exported.
func configTree(s settings.Settings) (map[string]any, error) {
	b, err := json.Marshal(s)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	return m, json.Unmarshal(b, &m)
}

// configValue returns the value at a dotted key ("" = all settings).
func configValue(s settings.Settings, key string) (any, error) {
	m, err := configTree(s)
	if err != nil {
		return nil, err
	}
	var v any = m
	for _, part := range strings.Split(key, ".") {
		if part == "" {
			continue
		}
		obj, ok := v.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("config: %q: %q is not a group of settings", key, part)
		}
		if v, ok = obj[part]; !ok {
			return nil, fmt.Errorf("config: unknown key %q (known here: %s)", key, strings.Join(sortedKeys(obj), ", "))
		}
	}
	return v, nil
}

// setConfigValue sets the value at a dotted key: text for a text setting,
// JSON (a number, true/false, a list or an object) for the others.
func setConfigValue(s settings.Settings, key, value string) (settings.Settings, error) {
	m, err := configTree(s)
	if err != nil {
		return s, err
	}
	parts := strings.Split(key, ".")
	obj := m
	for _, part := range parts[:len(parts)-1] {
		next, ok := obj[part].(map[string]any)
		if _, exists := obj[part]; !exists && isOptionalKey(key) {
			next, ok = map[string]any{}, true
			obj[part] = next
		}
		if !ok {
			return s, fmt.Errorf("config: unknown key %q", key)
		}
		obj = next
	}
	last := parts[len(parts)-1]
	old, known := obj[last]
	if !known && !isOptionalKey(key) {
		return s, fmt.Errorf("config: unknown key %q (known here: %s)", key, strings.Join(sortedKeys(obj), ", "))
	}
	if _, text := old.(string); text || old == nil {
		obj[last] = value
	} else {
		var v any
		if err := json.Unmarshal([]byte(value), &v); err != nil {
			return s, fmt.Errorf("config: %s wants a JSON value (number, true/false, list, object): %w", key, err)
		}
		obj[last] = v
	}
	b, err := json.Marshal(m)
	if err != nil {
		return s, err
	}
	var out settings.Settings
	if err := json.Unmarshal(b, &out); err != nil {
		return s, fmt.Errorf("config: %s: %w", key, err)
	}
	return out, nil
}

// isOptionalKey: settings left out of the export while empty.
func isOptionalKey(key string) bool {
	for _, k := range []string{"facility.fax", "facility.email", "facility.contact", "audit_source_id", "nodes", "audit", "offers", "receive.burn_ae", "receive.count_node", "receive.tls_cert", "receive.tls_key", "receive.quiet_seconds"} {
		if key == k || strings.HasPrefix(key, k+".") {
			return true
		}
	}
	return false
}

func sortedKeys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// handoffSettingsOf is the command layer's view of the settings for the
// handoff log (documents' facility, rules, audit repository).
func handoffSettingsOf(cur settings.Settings) *handoffSettings {
	h := &handoffSettings{HandoffFile: settings.HandoffFile{LegalDays: cur.LegalDays, TargetHours: cur.Deadlines, AuditSource: cur.AuditSourceID,
		SyslogAddr: cur.Audit.SyslogAddr, SyslogTLS: cur.Audit.SyslogTLS, SyslogCAFile: cur.Audit.CAFile}}
	fees := cur.Fees
	h.Fees = &fees
	h.Facility = cur.Facility
	return h
}
