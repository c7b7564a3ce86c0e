package handoff

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// The ways a fee is paid at the desk (Payment.Method).
const (
	PayCash       = "cash"
	PayCard       = "card"
	PayCheck      = "check"
	PayMoneyOrder = "money order"
)

// PayMethods are the payment methods, in the order the desk offers them.
var PayMethods = []string{PayCash, PayCard, PayCheck, PayMoneyOrder}

// A Payment is the requester paying (part of) the fee, staff waiving what
// is left of it with a reason, or (Refund) money given back with a reason.
// In a "fee-paid" or "fee-refunded" event only the fields before Time are
// set; on the request (Request.Payments) Time and Staff are the event's.
type Payment struct {
	Cents     Cents  `json:"cents,omitempty"`     // amount paid or refunded; 0 for a waiver
	Method    string `json:"method,omitempty"`    // PayCash, PayCard, PayCheck, PayMoneyOrder; empty for a waiver
	Reference string `json:"reference,omitempty"` // check or money order number, card slip or receipt number (never a card number)
	Waived    bool   `json:"waived,omitempty"`    // the fee (what is left of it) is waived
	Refund    bool   `json:"refund,omitempty"`    // money given back (a "fee-refunded" event)
	Reason    string `json:"reason,omitempty"`    // why it is waived or refunded; only for a waiver or a refund
	// Time and Staff are set on the request from the event.
	Time  time.Time `json:"time,omitzero"`
	Staff string    `json:"staff,omitempty"`
}

// Errors of the payment rule (apply); each wraps ErrWrongState.
var (
	// ErrOverpaid means a payment is more than the balance due.
	ErrOverpaid = fmt.Errorf("more than the balance due: %w", ErrWrongState)
	// ErrNothingDue means the fee is paid in full (or is $0.00): there is
	// nothing to pay or waive.
	ErrNothingDue = fmt.Errorf("nothing is due: %w", ErrWrongState)
	// ErrFeeWaived means the fee was waived: no payment follows a waiver.
	ErrFeeWaived = fmt.Errorf("the fee was waived: %w", ErrWrongState)
	// ErrNothingToRefund means no money is owed back: only a cancelled
	// request that was paid, or one whose fee was quoted again below what
	// was paid, is refunded.
	ErrNothingToRefund = fmt.Errorf("nothing to refund: %w", ErrWrongState)
	// ErrOverRefund means a refund is more than what may be given back
	// (Request.Refundable).
	ErrOverRefund = fmt.Errorf("more than what was paid and may be refunded: %w", ErrWrongState)
)

// String is the payment in one line, as the log's CSV export and the
// command line show it: "paid $6.50 cash", "paid $6.50 check (ref 1234)",
// "waived: financial hardship", "refunded $6.50 cash: request cancelled".
func (p Payment) String() string {
	if p.Waived {
		return "waived: " + p.Reason
	}
	verb := "paid "
	if p.Refund {
		verb = "refunded "
	}
	s := verb + p.Cents.String() + " " + p.Method
	if p.Reference != "" {
		s += " (ref " + p.Reference + ")"
	}
	if p.Refund {
		s += ": " + p.Reason
	}
	return s
}

// check reports the first field of p that no payment or waiver may have,
// as a *FieldError; it needs no request.
func (p Payment) check() error {
	for _, f := range []struct{ name, v string }{{"method", p.Method}, {"reference", p.Reference}, {"reason", p.Reason}} {
		if !utf8.ValidString(f.v) || strings.ContainsFunc(f.v, unicode.IsControl) || len(f.v) > 200 {
			return fieldErr(f.name, ErrInvalidValue, "invalid text")
		}
	}
	if !p.Time.IsZero() || p.Staff != "" {
		return fieldErr("payment", ErrInvalidValue, "a payment's time and staff are its event's")
	}
	if cardNumber(p.Reference) {
		return fieldErr("reference", ErrInvalidValue, "that looks like a card number: record the slip or receipt number, never the card's")
	}
	if p.Waived && p.Refund {
		return fieldErr("payment", ErrInvalidValue, "a refund is not a waiver")
	}
	if p.Waived {
		switch {
		case strings.TrimSpace(p.Reason) == "":
			return fieldErr("reason", ErrMissing, "a waiver needs a reason")
		case p.Cents != 0:
			return fieldErr("amount", ErrInvalidValue, "a waiver takes no amount (%s)", p.Cents)
		case p.Method != "":
			return fieldErr("method", ErrInvalidValue, "a waiver takes no payment method")
		}
		return nil
	}
	switch {
	case p.Refund && p.Cents <= 0:
		return fieldErr("amount", ErrInvalidValue, "a refund is more than $0.00, got %s", p.Cents)
	case p.Cents <= 0:
		return fieldErr("amount", ErrInvalidValue, "a payment is more than $0.00, got %s", p.Cents)
	case p.Refund && p.Method == "":
		return fieldErr("method", ErrMissing, "how the money was given back: %s", strings.Join(PayMethods, ", "))
	case p.Method == "":
		return fieldErr("method", ErrMissing, "how the fee was paid: %s", strings.Join(PayMethods, ", "))
	case p.Refund && strings.TrimSpace(p.Reason) == "":
		return fieldErr("reason", ErrMissing, "a refund needs a reason")
	case !p.Refund && p.Reason != "":
		return fieldErr("reason", ErrInvalidValue, "a reason is for a waiver, not a payment")
	}
	for _, m := range PayMethods {
		if p.Method == m {
			return nil
		}
	}
	return fieldErr("method", ErrInvalidValue, "%q is not %s", p.Method, strings.Join(PayMethods, ", "))
}

// cardNumber reports whether s holds a run of 13 or more digits (spaces
// and dashes between them allowed): a payment card number, which the log
// must not keep.
func cardNumber(s string) bool {
	n := 0
	for _, c := range s {
		switch {
		case c >= '0' && c <= '9':
			n++
			if n >= 13 {
				return true
			}
		case c == ' ' || c == '-':
		default:
			n = 0
		}
	}
	return false
}

// applyPayment is the payment and refund rule of apply: n is the request
// after ev, a "fee-paid" event (not on a cancelled request: apply refuses
// that first) or a "fee-refunded" one (which may be). The payment is kept
// on the request with the event's time and staff.
func applyPayment(n *Request, ev *Event) error {
	head := fmt.Sprintf("handoff: %s event for request %s", ev.Kind, ev.Request)
	p := ev.Payment
	refund := ev.Kind == EventRefunded
	switch {
	case p == nil || refund && !p.Refund:
		return fmt.Errorf("%s: no payment data: %w", head, ErrWrongState)
	case n.Intake != nil:
		return fmt.Errorf("%s: an outside disc's record has no fee: %w", head, ErrWrongState)
	}
	if err := p.check(); err != nil {
		return fmt.Errorf("%s: %w", head, err)
	}
	if err := paymentFits(n, p, refund); err != nil {
		return fmt.Errorf("%s: %w", head, err)
	}
	rec := *p
	rec.Time, rec.Staff = ev.Time, ev.Staff
	n.Payments = append(append([]Payment(nil), n.Payments...), rec)
	return nil
}

// paymentFits reports why p (checked) does not fit the request's fee: a
// payment or waiver only what is due, a refund (refund true) only what
// may go back (Refundable).
func paymentFits(n *Request, p *Payment, refund bool) error {
	if refund {
		owed := n.Refundable()
		switch {
		case owed <= 0 && n.Paid() <= 0:
			return fmt.Errorf("nothing was paid: %w", ErrNothingToRefund)
		case owed <= 0:
			return fmt.Errorf("%s paid of a fee of %s: only a cancelled request or a fee lowered below what was paid is refunded: %w", n.Paid(), n.Fee.Total, ErrNothingToRefund)
		case p.Cents > owed:
			return fmt.Errorf("%s with %s refundable: %w", p.Cents, owed, ErrOverRefund)
		}
		return nil
	}
	if p.Refund {
		return fmt.Errorf("a refund is a %s event: %w", EventRefunded, ErrWrongState)
	}
	if w := n.Waiver(); w != nil {
		return fmt.Errorf("waived on %s by %s (%s): %w", w.Time.Format(time.DateOnly), w.Staff, w.Reason, ErrFeeWaived)
	}
	bal := n.Balance()
	switch {
	case bal <= 0:
		return fmt.Errorf("the fee of %s is paid: %w", n.Fee.Total, ErrNothingDue)
	case !p.Waived && p.Cents > bal:
		return fmt.Errorf("%s with %s due: %w", p.Cents, bal, ErrOverpaid)
	}
	return nil
}

// Paid is what the requester paid and kept paid: the sum of the request's
// payments less its refunds.
func (r *Request) Paid() Cents {
	var c Cents
	for _, p := range r.Payments {
		switch {
		case p.Refund:
			c -= p.Cents
		case !p.Waived:
			c += p.Cents
		}
	}
	return c
}

// Refunded is the sum of the request's refunds.
func (r *Request) Refunded() Cents {
	var c Cents
	for _, p := range r.Payments {
		if p.Refund {
			c += p.Cents
		}
	}
	return c
}

// Refundable is what may still be given back: everything paid on a
// cancelled request, else what was paid beyond a fee quoted again lower;
// zero for an outside disc's record.
func (r *Request) Refundable() Cents {
	if r.Intake != nil {
		return 0
	}
	if r.Status == StatusCancelled {
		return max(r.Paid(), 0)
	}
	return max(r.Paid()-r.Fee.Total, 0)
}

// Waiver returns the waiver of the request's fee, or nil.
func (r *Request) Waiver() *Payment {
	for i := range r.Payments {
		if r.Payments[i].Waived {
			return &r.Payments[i]
		}
	}
	return nil
}

// Balance is what is left to pay: the fee less what was paid, zero once
// the fee is waived or the request cancelled. It is never negative: what
// was paid beyond a fee quoted again lower is Refundable.
func (r *Request) Balance() Cents {
	if r.Waiver() != nil || r.Status == StatusCancelled {
		return 0
	}
	return max(r.Fee.Total-r.Paid(), 0)
}

// RecordPayment records a payment of the request's fee (Cents and Method,
// optionally a Reference such as a check number) or its waiver (Waived
// and a Reason; no amount or method), in the name of by. It is refused
// for a cancelled request (ErrClosed), an outside disc's record, more
// than the balance (ErrOverpaid), nothing due (ErrNothingDue) and after a
// waiver (ErrFeeWaived); a missing or invalid field is a *FieldError.
// The event's text is the payment in one line (Payment.String), which the
// CSV export shows.
func (s *Store) RecordPayment(requestID string, p Payment, by Actor) (Event, error) {
	return s.recordPayment(EventPaid, requestID, p, by)
}

// recordPayment cleans p's text, checks it and records it as an event of
// kind (fee-paid or fee-refunded), its one line as the event's text.
func (s *Store) recordPayment(kind EventKind, requestID string, p Payment, by Actor) (Event, error) {
	clean := func(v string) string { return strings.Join(strings.Fields(v), " ") }
	p.Method, p.Reference, p.Reason = strings.ToLower(clean(p.Method)), clean(p.Reference), clean(p.Reason)
	if err := p.check(); err != nil {
		return Event{}, err
	}
	return s.event(&Event{Kind: kind, Request: requestID, Payment: &p, Text: p.String()}, by, nil)
}

// RecordRefund records money given back to the requester (Cents, how in
// Method, optionally a Reference, and a Reason), in the name of by: on a
// cancelled request up to what was paid, on one whose fee was quoted
// again below what was paid up to the difference (Request.Refundable).
// Anything else is refused: ErrNothingToRefund, ErrOverRefund; a missing
// or invalid field is a *FieldError. Who may refund is the caller's rule
// (station checks the staff member's role).
func (s *Store) RecordRefund(requestID string, p Payment, by Actor) (Event, error) {
	p.Refund = true
	return s.recordPayment(EventRefunded, requestID, p, by)
}

// ParseDollars reads an amount as staff type it: "6.50", "$6.50", "6",
// "1,200.00"; zero, a negative amount or more than two decimals is an
// error.
func ParseDollars(s string) (Cents, error) {
	t := strings.ReplaceAll(strings.TrimPrefix(strings.TrimSpace(s), "$"), ",", "")
	if t == "" {
		return 0, errors.New("no amount")
	}
	whole, frac, dot := strings.Cut(t, ".")
	if whole == "" {
		whole = "0"
	}
	if dot && (len(frac) == 0 || len(frac) > 2) || len(whole) > 9 {
		return 0, fmt.Errorf("%q is not an amount like 6.50", s)
	}
	for len(frac) < 2 {
		frac += "0"
	}
	var c int64
	for _, ch := range whole + frac {
		if ch < '0' || ch > '9' {
			return 0, fmt.Errorf("%q is not an amount like 6.50", s)
		}
		c = c*10 + int64(ch-'0')
	}
	if c == 0 {
		return 0, errors.New("a payment is more than $0.00")
	}
	return Cents(c), nil
}
