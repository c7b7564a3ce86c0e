package handoff

import (
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// ErrFeeAboveCap means a quoted fee is higher than the state rule in force
// allows; the *FieldError that wraps it names the rule.
var ErrFeeAboveCap = errors.New("fee above the state cap")

// A FeeCapTable is the facility's table of state fee limits for copies of
// medical records, kept with the fee policy (handoff.json "fees.caps"). Each
// state may have several rules over time; the rule in force on the day of
// the quote applies. The table is configuration, not law: the facility's
// compliance office keeps it current.
type FeeCapTable struct {
	// Notice is shown with the table (e.g. "example data, not legal advice").
	Notice string    `json:"notice,omitempty"`
	Rules  []FeeRule `json:"rules"`
}

// A FeeRule is one state's limit on what a requester may be charged, in
// force from EffectiveFrom (inclusive) until EffectiveTo (exclusive; empty =
// open ended). Dates are YYYY-MM-DD.
type FeeRule struct {
	ID            string `json:"id"`    // short stable name, e.g. "NY-2024"
	State         string `json:"state"` // US state code, e.g. "NY"
	Name          string `json:"name"`  // what the invoice cites, e.g. "New York PHL 18(2)(e)"
	Citation      string `json:"citation,omitempty"`
	EffectiveFrom string `json:"effective_from"`
	EffectiveTo   string `json:"effective_to,omitempty"`
	// MaxCents caps the total fee for any format; MaxByFormat overrides it
	// per format (e.g. a lower cap for electronic copies). 0 = no cap.
	MaxCents    Cents            `json:"max_cents,omitempty"`
	MaxByFormat map[Format]Cents `json:"max_by_format,omitempty"`
	// ExcludeRequestedShipping leaves expedited shipping the requester
	// asked for out of the capped amount.
	ExcludeRequestedShipping bool `json:"exclude_requested_shipping,omitempty"`
	// Requesters limits the rule to these kinds of requester (empty = all).
	Requesters []RequesterKind `json:"requesters,omitempty"`
	// RequesterStateGoverns: when this rule is the facility state's, the
	// rule of the requester's state (if it has one in force) applies
	// instead.
	RequesterStateGoverns bool `json:"requester_state_governs,omitempty"`
}

// An AppliedRule is the state rule a fee was checked against, kept with the
// fee and cited on the invoice.
type AppliedRule struct {
	ID       string `json:"id"`
	State    string `json:"state"`
	Name     string `json:"name"`
	Citation string `json:"citation,omitempty"`
	Cap      Cents  `json:"cap_cents,omitempty"` // 0 = the rule sets no cap for this format
	Basis    string `json:"basis"`               // "facility state" or "requester's state"
}

// Cite is the one line the invoice prints.
func (a *AppliedRule) Cite() string {
	s := fmt.Sprintf("State fee rule applied: %s (%s, %s", a.Name, a.State, a.Basis)
	if a.Citation != "" {
		s += "; " + a.Citation
	}
	if a.Cap > 0 {
		s += "; cap " + a.Cap.String()
	}
	return s + ")"
}

//go:embed feecaps_example.json
var exampleFeeCaps []byte

// ExampleFeeCaps returns the small example table shipped with DiscDesk. It
// is EXAMPLE DATA for trying the feature: the amounts and names are
// illustrative, not legal advice, and must be replaced by the facility's
// compliance office before use.
func ExampleFeeCaps() (FeeCapTable, error) {
	var t FeeCapTable
	if err := json.Unmarshal(exampleFeeCaps, &t); err != nil {
		return t, fmt.Errorf("handoff: embedded feecaps_example.json: %w", err)
	}
	return t, nil
}

// ExampleFeeCapsJSON returns the example table's JSON as shipped.
func ExampleFeeCapsJSON() []byte { return append([]byte(nil), exampleFeeCaps...) }

// Check validates the table: every rule has an ID, a state, a name and a
// valid effective date range, and no two rules of one state overlap.
func (t *FeeCapTable) Check() error {
	type span struct {
		id       string
		from, to time.Time
	}
	byState := map[string][]span{}
	ids := map[string]bool{}
	for i, r := range t.Rules {
		field := fmt.Sprintf("fees.caps.rules[%d]", i)
		if r.ID == "" || r.State == "" || r.Name == "" {
			return fieldErr(field, ErrMissing, "a rule needs id, state and name")
		}
		if ids[r.ID] {
			return fieldErr(field, ErrInvalidValue, "rule id %q used twice", r.ID)
		}
		ids[r.ID] = true
		from, to, err := r.span()
		if err != nil {
			return fieldErr(field, ErrInvalidValue, "%s: %v", r.ID, err)
		}
		if r.MaxCents < 0 {
			return fieldErr(field, ErrInvalidValue, "%s: negative cap", r.ID)
		}
		for f, c := range r.MaxByFormat {
			if c < 0 {
				return fieldErr(field, ErrInvalidValue, "%s: negative cap for %s", r.ID, f)
			}
		}
		st := strings.ToUpper(r.State)
		for _, o := range byState[st] {
			if from.Before(o.to) && o.from.Before(to) {
				return fieldErr(field, ErrInvalidValue, "rules %s and %s of %s are in force at the same time", o.id, r.ID, st)
			}
		}
		byState[st] = append(byState[st], span{r.ID, from, to})
	}
	return nil
}

var farFuture = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)

func (r FeeRule) span() (from, to time.Time, err error) {
	from, err = time.Parse(time.DateOnly, r.EffectiveFrom)
	if err != nil {
		return from, to, fmt.Errorf("effective_from %q: want YYYY-MM-DD", r.EffectiveFrom)
	}
	to = farFuture
	if r.EffectiveTo != "" {
		if to, err = time.Parse(time.DateOnly, r.EffectiveTo); err != nil {
			return from, to, fmt.Errorf("effective_to %q: want YYYY-MM-DD", r.EffectiveTo)
		}
		if !to.After(from) {
			return from, to, fmt.Errorf("effective_to %s is not after effective_from %s", r.EffectiveTo, r.EffectiveFrom)
		}
	}
	return from, to, nil
}

// InForce returns the rule of state in force on day (only its date
// counts), or nil.
func (t *FeeCapTable) InForce(state string, day time.Time) *FeeRule {
	if t == nil || state == "" {
		return nil
	}
	d := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, time.UTC)
	for i := range t.Rules {
		r := &t.Rules[i]
		if !strings.EqualFold(r.State, state) {
			continue
		}
		from, to, err := r.span()
		if err == nil && !d.Before(from) && d.Before(to) {
			return r
		}
	}
	return nil
}

// Governing returns the rule that governs a quote on day for a facility in
// facilityState and a requester in requesterState, and the basis.
func (t *FeeCapTable) Governing(facilityState, requesterState string, day time.Time) (*FeeRule, string) {
	r := t.InForce(facilityState, day)
	if r == nil {
		return nil, ""
	}
	if r.RequesterStateGoverns && requesterState != "" && !strings.EqualFold(requesterState, facilityState) {
		if rr := t.InForce(requesterState, day); rr != nil {
			return rr, "requester's state"
		}
	}
	return r, "facility state"
}

func (r *FeeRule) covers(k RequesterKind) bool {
	if len(r.Requesters) == 0 {
		return true
	}
	for _, x := range r.Requesters {
		if x == k {
			return true
		}
	}
	return false
}

func (r *FeeRule) capFor(f Format) Cents {
	if c, ok := r.MaxByFormat[f]; ok {
		return c
	}
	return r.MaxCents
}

// RequesterState is the state whose rule may govern: the requester's own
// state when staff entered it, else the mailing address's region.
func (in RequestInput) RequesterState() string {
	if s := strings.TrimSpace(in.Requester.State); s != "" {
		return strings.ToUpper(s)
	}
	if in.Address != nil && (in.Address.Country == "" || strings.EqualFold(in.Address.Country, "US")) {
		return strings.ToUpper(strings.TrimSpace(in.Address.Region))
	}
	return ""
}

// QuoteFor quotes the fee of a request (as Quote, with the request's method,
// format, delivery and costs) and checks it against the state rule in force
// on day: the facility's state (p.State) by default, the requester's state
// where the facility state's rule says so. A fee above the cap is refused
// with a *FieldError wrapping ErrFeeAboveCap that names the rule; an
// accepted fee carries the rule in Fee.Rule so the invoice can cite it.
func (p FeePolicy) QuoteFor(in RequestInput, method FeeMethod, c Costs, day time.Time) (Fee, error) {
	f, err := p.Quote(method, in.Format, in.Delivery, c)
	if err != nil {
		return f, err
	}
	r, basis := p.Caps.Governing(p.State, in.RequesterState(), day)
	if r == nil || !r.covers(in.Requester.Kind) {
		return f, nil
	}
	capped := f.Total
	if r.ExcludeRequestedShipping && in.Delivery.Expedited() {
		for _, it := range f.Items {
			if strings.HasPrefix(it.Desc, "Shipping: ") {
				capped -= it.Cents
			}
		}
	}
	limit := r.capFor(in.Format)
	if limit > 0 && capped > limit {
		return Fee{}, fieldErr("fee", ErrFeeAboveCap, "%s is more than %s allows under %s (%s, %s)", capped, limit, r.Name, r.ID, basis)
	}
	f.Rule = &AppliedRule{ID: r.ID, State: strings.ToUpper(r.State), Name: r.Name, Citation: r.Citation, Cap: limit, Basis: basis}
	return f, nil
}

// sortRules orders a table by state then start date (for display).
func (t *FeeCapTable) sortRules() {
	sort.SliceStable(t.Rules, func(i, j int) bool {
		a, b := t.Rules[i], t.Rules[j]
		if !strings.EqualFold(a.State, b.State) {
			return strings.ToUpper(a.State) < strings.ToUpper(b.State)
		}
		return a.EffectiveFrom < b.EffectiveFrom
	})
}

// Sorted returns a copy of the table ordered by state and start date.
func (t FeeCapTable) Sorted() FeeCapTable {
	c := FeeCapTable{Notice: t.Notice, Rules: append([]FeeRule(nil), t.Rules...)}
	c.sortRules()
	return c
}
