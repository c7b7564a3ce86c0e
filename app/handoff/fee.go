package handoff

import (
	"fmt"
)

// Cents is an amount of money in US cents. Money is never a float.
type Cents int64

// String formats c as dollars, e.g. "$6.50" or "-$1.05".
func (c Cents) String() string {
	sign := ""
	if c < 0 {
		sign, c = "-", -c
	}
	return fmt.Sprintf("%s$%d.%02d", sign, c/100, c%100)
}

// FeeMethod is how the facility charges for a copy, 45 CFR 164.524(c)(4).
type FeeMethod string

// The three methods a covered entity may use.
const (
	FeeFlat    FeeMethod = "flat"    // a flat fee per request, any medium ($6.50 by default)
	FeeActual  FeeMethod = "actual"  // actual cost, itemized
	FeeAverage FeeMethod = "average" // the facility's average cost per request
)

// A LineItem is one line of an itemized fee or invoice.
type LineItem struct {
	Desc      string `json:"desc"`
	Qty       int    `json:"qty"`
	UnitCents Cents  `json:"unit_cents"`
	Cents     Cents  `json:"cents"` // Qty * UnitCents
}

// A Fee is what the requester is told before the burn and what is kept with
// the request.
type Fee struct {
	Method FeeMethod  `json:"method"`
	Items  []LineItem `json:"items"`
	Total  Cents      `json:"total_cents"`
	// Rule is the state fee rule the total was checked against (nil when
	// no rule applies); the invoice cites it.
	Rule *AppliedRule `json:"rule,omitempty"`
}

// FeePolicy holds the facility's prices. DefaultFeePolicy gives the defaults.
type FeePolicy struct {
	Method        FeeMethod          `json:"method"`        // used when a request names none
	Flat          Cents              `json:"flat_cents"`    // flat fee
	Average       Cents              `json:"average_cents"` // average cost per request
	LabourPerHour Cents              `json:"labour_per_hour"`
	Media         map[Format]Cents   `json:"media_cents"`    // per disc or stick
	Envelope      Cents              `json:"envelope_cents"` // padded envelope, mailed requests
	Postage       map[Delivery]Cents `json:"postage_cents"`  // default postage/shipping by delivery
	// State is the facility's US state: its rule in Caps applies by default.
	State string `json:"state,omitempty"`
	// Caps is the table of state fee limits (see FeeCapTable; nil = none).
	Caps *FeeCapTable `json:"caps,omitempty"`
}

// DefaultFeePolicy returns a flat $6.50 policy with typical actual-cost prices.
func DefaultFeePolicy() FeePolicy {
	return FeePolicy{
		Method:        FeeFlat,
		Flat:          650,
		Average:       650,
		LabourPerHour: 2400,
		Media:         map[Format]Cents{FormatCD: 75, FormatDVD: 95, FormatUSB: 600, FormatISO: 0, FormatZIP: 0},
		Envelope:      85,
		Postage:       map[Delivery]Cents{DeliveryMail: 170, DeliveryPhysician: 170, DeliveryTwoDay: 1450, DeliveryOvernight: 3200},
	}
}

// Costs are the actual-cost inputs of one request.
type Costs struct {
	LabourMinutes int   `json:"labour_minutes"` // staff time copying (not searching or retrieving)
	MediaCount    int   `json:"media_count"`    // discs or sticks; 0 means 1 for physical formats
	Postage       Cents `json:"postage_cents"`  // actual postage/shipping; 0 means the policy default
}

// Quote computes the fee for a request under method (empty: the policy's
// method). Expedited shipping asked for by the requester (overnight,
// two-day) is added to every method as its own line, at the requester's
// cost.
func (p FeePolicy) Quote(method FeeMethod, format Format, delivery Delivery, c Costs) (Fee, error) {
	if method == "" {
		method = p.Method
	}
	if c.LabourMinutes < 0 || c.MediaCount < 0 || c.Postage < 0 {
		return Fee{}, fieldErr("fee", ErrInvalidValue, "negative cost")
	}
	f := Fee{Method: method}
	add := func(desc string, qty int, unit Cents) {
		f.Items = append(f.Items, LineItem{Desc: desc, Qty: qty, UnitCents: unit, Cents: Cents(qty) * unit})
	}
	postage := c.Postage
	if postage == 0 {
		postage = p.Postage[delivery]
	}
	mailed := delivery.NeedsAddress()
	switch method {
	case FeeFlat:
		add("Flat fee (HIPAA flat-fee option), any medium", 1, p.Flat)
	case FeeAverage:
		add("Average cost per request", 1, p.Average)
	case FeeActual:
		if c.LabourMinutes > 0 {
			// Labour is charged per started minute at the hourly rate, rounded to the cent.
			unit := (p.LabourPerHour + 30) / 60
			add("Labour (minutes)", c.LabourMinutes, unit)
		}
		n := c.MediaCount
		if n == 0 && format.Physical() {
			n = 1
		}
		if n > 0 && p.Media[format] > 0 {
			add("Media: "+format.Label(), n, p.Media[format])
		}
		if mailed {
			add("Padded envelope", 1, p.Envelope)
			if !delivery.Expedited() {
				add("Postage", 1, postage)
			}
		}
	default:
		return Fee{}, fieldErr("fee.method", ErrInvalidValue, "%q is not flat, actual or average", method)
	}
	if delivery.Expedited() {
		add("Shipping: "+delivery.Label()+" (requested)", 1, postage)
	}
	for _, it := range f.Items {
		f.Total += it.Cents
	}
	return f, nil
}
