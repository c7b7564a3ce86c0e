package offers

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	dtag "github.com/suyashkumar/dicom/pkg/tag"

	"discdesk/viewer/dcm"
)

// ErrBadRule means an attribute rule is not "TAG equals|contains VALUE".
var ErrBadRule = errors.New("attribute rule must be TAG equals|contains VALUE")

// A Rule marks a study as a discharge when one attribute of its objects
// equals (case-insensitive, trimmed) or contains a value, e.g.
// "(0008,1030) contains DISCHARGE" or "PatientState equals inpatient".
type Rule struct {
	Tag   dcm.Tag `json:"tag"`
	Op    string  `json:"op"` // "equals" or "contains"
	Value string  `json:"value"`
}

func (r Rule) String() string { return fmt.Sprintf("%s %s %q", r.Tag.Name(), r.Op, r.Value) }

// ParseRule reads "TAG OP VALUE": TAG is (GGGG,EEEE), GGGGEEEE or a keyword.
func ParseRule(s string) (Rule, error) {
	f := strings.Fields(s)
	if len(f) < 3 {
		return Rule{}, fmt.Errorf("%w: %q", ErrBadRule, s)
	}
	t, err := parseTag(f[0])
	if err != nil {
		return Rule{}, fmt.Errorf("%w: %q: %v", ErrBadRule, s, err)
	}
	op := strings.ToLower(f[1])
	if op != "equals" && op != "contains" {
		return Rule{}, fmt.Errorf("%w: %q: operator %q", ErrBadRule, s, f[1])
	}
	// The value is the rest of the line after the operator, spaces kept.
	rest := strings.TrimSpace(s[strings.Index(s, f[1])+len(f[1]):])
	return Rule{Tag: t, Op: op, Value: strings.Trim(rest, `"`)}, nil
}

func parseTag(s string) (dcm.Tag, error) {
	if h := strings.Trim(strings.ReplaceAll(s, ",", ""), "()"); len(h) == 8 {
		if n, err := strconv.ParseUint(h, 16, 32); err == nil {
			return dcm.Tag(n), nil
		}
	}
	info, err := dtag.FindByName(s)
	if err != nil {
		return 0, fmt.Errorf("unknown attribute %q", s)
	}
	return dcm.T(info.Tag.Group, info.Tag.Element), nil
}

// Match reports whether ds satisfies the rule.
func (r Rule) Match(ds *dcm.DataSet) bool {
	if ds == nil || !ds.Has(r.Tag) {
		return false
	}
	want := strings.ToLower(strings.TrimSpace(r.Value))
	for _, v := range append(ds.Strings(r.Tag), ds.String(r.Tag)) {
		v = strings.ToLower(strings.TrimSpace(v))
		if r.Op == "equals" && v == want || r.Op == "contains" && strings.Contains(v, want) {
			return true
		}
	}
	return false
}
