package handoff

import (
	"encoding/json"
	"strconv"
	"time"
	"unicode/utf8"
)

// Event bodies are JSON written by json.Marshal; reading them back is most of
// the cost of Verify. decodeEventJSON reads the form json.Marshal writes
// (no white space, known keys, each key once) directly into an Event, and
// hands anything else to json.Unmarshal, so the result and every error are
// exactly json.Unmarshal's; FuzzDecodeEventJSON checks that on any input.
//
// Decoded strings share one copy of the body (one allocation per event).

// decodeEventJSON decodes body into ev as json.Unmarshal(body, ev) would.
func decodeEventJSON(body []byte, ev *Event) error {
	if readEventJSON(body, ev) {
		return nil
	}
	*ev = Event{}
	return json.Unmarshal(body, ev)
}

// readEventJSON is the fast path: it reports false, leaving ev partly set,
// when body is not in the form json.Marshal writes.
func readEventJSON(body []byte, ev *Event) bool {
	*ev = Event{}
	d := jsonReader{b: body, s: string(body)}
	return d.event(ev) && d.i == len(d.s)
}

// jsonReader reads canonical JSON. Every method returns false on anything
// outside that form; the caller then falls back to encoding/json.
type jsonReader struct {
	b []byte // the body (for time.Time.UnmarshalJSON and escaped strings)
	s string // the same bytes as one string that decoded strings slice
	i int
}

func (d *jsonReader) eat(c byte) bool {
	if d.i < len(d.s) && d.s[d.i] == c {
		d.i++
		return true
	}
	return false
}

func (d *jsonReader) null() bool {
	if len(d.s)-d.i >= 4 && d.s[d.i:d.i+4] == "null" {
		d.i += 4
		return true
	}
	return false
}

// object reads {"key":value,...}, calling field for each key with the
// reader at the value; seen catches a repeated key (which json.Unmarshal
// would merge), bit is the key's bit returned by field.
func (d *jsonReader) object(field func(key string) (bit uint32, ok bool)) bool {
	if !d.eat('{') {
		return false
	}
	if d.eat('}') {
		return true
	}
	var seen uint32
	for {
		k, ok := d.str()
		if !ok || !d.eat(':') {
			return false
		}
		bit, ok := field(k)
		if !ok || bit == 0 || seen&bit != 0 {
			return false
		}
		seen |= bit
		if d.eat(',') {
			continue
		}
		return d.eat('}')
	}
}

// plainIn marks the ASCII bytes that stand for themselves inside a string.
var plainIn = func() (t [256]bool) {
	for c := ' '; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// str reads a string. Without escapes it is a slice of d.s, as json keeps
// such strings byte for byte; with escapes encoding/json unquotes it.
func (d *jsonReader) str() (string, bool) {
	q := d.i
	if !d.eat('"') {
		return "", false
	}
	for d.i < len(d.s) {
		c := d.s[d.i]
		if plainIn[c] {
			d.i++
			continue
		}
		switch {
		case c == '"':
			d.i++
			return d.s[q+1 : d.i-1], true
		case c == '\\':
			return d.escaped(q)
		case c < ' ':
			return "", false
		case c < utf8.RuneSelf:
			d.i++
		default:
			r, n := utf8.DecodeRuneInString(d.s[d.i:])
			if r == utf8.RuneError && n == 1 {
				return "", false // json replaces it; leave that to json
			}
			d.i += n
		}
	}
	return "", false
}

// escaped reads the string opening at q, which holds an escape.
func (d *jsonReader) escaped(q int) (string, bool) {
	for i := q + 1; i < len(d.s); i++ {
		switch d.s[i] {
		case '\\':
			i++
		case '"':
			var v string
			if json.Unmarshal(d.b[q:i+1], &v) != nil {
				return "", false
			}
			d.i = i + 1
			return v, true
		}
	}
	return "", false
}

// int reads an integer as json.Marshal writes it (no fraction or exponent,
// no leading zeros); out of the int64 range it is refused, as json does.
func (d *jsonReader) int() (int64, bool) {
	sign := d.i
	neg := d.eat('-')
	start := d.i
	var v int64
	for d.i < len(d.s) && d.s[d.i] >= '0' && d.s[d.i] <= '9' {
		v = v*10 + int64(d.s[d.i]-'0')
		d.i++
	}
	n := d.i - start
	if n == 0 || n > 1 && d.s[start] == '0' {
		return 0, false
	}
	if d.i < len(d.s) {
		if c := d.s[d.i]; c == '.' || c == 'e' || c == 'E' {
			return 0, false
		}
	}
	if n > 18 { // may have overflowed: let strconv decide, as json does
		big, err := strconv.ParseInt(d.s[sign:d.i], 10, 64)
		return big, err == nil
	}
	if neg {
		v = -v
	}
	return v, true
}

func (d *jsonReader) bool() (bool, bool) {
	switch {
	case len(d.s)-d.i >= 4 && d.s[d.i:d.i+4] == "true":
		d.i += 4
		return true, true
	case len(d.s)-d.i >= 5 && d.s[d.i:d.i+5] == "false":
		d.i += 5
		return false, true
	}
	return false, false
}

// time reads a time.Time through its own UnmarshalJSON, as json does.
func (d *jsonReader) time() (time.Time, bool) {
	q := d.i
	if !d.eat('"') {
		return time.Time{}, false
	}
	for d.i < len(d.s) && d.s[d.i] != '"' {
		if d.s[d.i] == '\\' || d.s[d.i] < ' ' {
			return time.Time{}, false
		}
		d.i++
	}
	if !d.eat('"') {
		return time.Time{}, false
	}
	var t time.Time
	if t.UnmarshalJSON(d.b[q:d.i]) != nil {
		return time.Time{}, false
	}
	return t, true
}

// readPtr reads null (nil) or a new T.
func readPtr[T any](d *jsonReader, read func(*T) bool) (*T, bool) {
	if d.null() {
		return nil, true
	}
	v := new(T)
	return v, read(v)
}

// readSlice reads null (nil) or an array ([] is empty, not nil, as in json).
func readSlice[T any](d *jsonReader, read func(*T) bool) ([]T, bool) {
	if d.null() {
		return nil, true
	}
	if !d.eat('[') {
		return nil, false
	}
	out := []T{}
	if d.eat(']') {
		return out, true
	}
	for {
		var v T
		if !read(&v) {
			return nil, false
		}
		out = append(out, v)
		if d.eat(',') {
			continue
		}
		return out, d.eat(']')
	}
}

func (d *jsonReader) strInto(p *string) bool {
	var ok bool
	*p, ok = d.str()
	return ok
}

func (d *jsonReader) strs() ([]string, bool) { return readSlice(d, d.strInto) }

// str2 reads a string into a string-kinded type.
func str2[S ~string](d *jsonReader) (S, bool) {
	s, ok := d.str()
	return S(s), ok
}

func int2[I ~int | ~int64](d *jsonReader) (I, bool) {
	v, ok := d.int()
	return I(v), ok
}

func (d *jsonReader) event(ev *Event) bool {
	return d.object(func(k string) (uint32, bool) {
		var ok bool
		switch k {
		case "id":
			ev.ID, ok = d.str()
			return 1 << 0, ok
		case "time":
			ev.Time, ok = d.time()
			return 1 << 1, ok
		case "kind":
			ev.Kind, ok = str2[EventKind](d)
			return 1 << 2, ok
		case "request":
			ev.Request, ok = d.str()
			return 1 << 3, ok
		case "disc":
			ev.Disc, ok = d.str()
			return 1 << 4, ok
		case "staff":
			ev.Staff, ok = d.str()
			return 1 << 5, ok
		case "workstation":
			ev.Workstation, ok = d.str()
			return 1 << 6, ok
		case "input":
			ev.Input, ok = readPtr(d, d.requestInput)
			return 1 << 7, ok
		case "due":
			ev.Due, ok = d.time()
			return 1 << 8, ok
		case "fee":
			ev.Fee, ok = readPtr(d, d.fee)
			return 1 << 9, ok
		case "burn":
			ev.Burn, ok = readPtr(d, d.burn)
			return 1 << 10, ok
		case "intake":
			ev.Intake, ok = readPtr(d, d.intake)
			return 1 << 11, ok
		case "handover":
			ev.Handover, ok = readPtr(d, d.handover)
			return 1 << 12, ok
		case "payment":
			ev.Payment, ok = readPtr(d, d.payment)
			return 1 << 18, ok
		case "text":
			ev.Text, ok = d.str()
			return 1 << 13, ok
		case "corrects":
			ev.Corrects, ok = d.str()
			return 1 << 14, ok
		case "audit":
			ev.Audit, ok = d.str()
			return 1 << 15, ok
		case "prev":
			ev.Prev, ok = d.str()
			return 1 << 16, ok
		case "hash":
			ev.Hash, ok = d.str()
			return 1 << 17, ok
		}
		return 0, false
	})
}

func (d *jsonReader) requestInput(in *RequestInput) bool {
	return d.object(func(k string) (uint32, bool) {
		var ok bool
		switch k {
		case "patient":
			return 1 << 0, d.patient(&in.Patient)
		case "requester":
			return 1 << 1, d.requester(&in.Requester)
		case "identity":
			return 1 << 2, d.identity(&in.Identity)
		case "studies":
			return 1 << 3, d.studies(&in.Studies)
		case "format":
			in.Format, ok = str2[Format](d)
			return 1 << 4, ok
		case "copies":
			in.Copies, ok = int2[int](d)
			return 1 << 5, ok
		case "recipient":
			in.Recipient, ok = d.str()
			return 1 << 6, ok
		case "delivery":
			in.Delivery, ok = str2[Delivery](d)
			return 1 << 7, ok
		case "address":
			in.Address, ok = readPtr(d, d.address)
			return 1 << 8, ok
		case "urgency":
			in.Urgency, ok = str2[Urgency](d)
			return 1 << 9, ok
		case "due":
			in.Due, ok = d.time()
			return 1 << 10, ok
		case "fee_method":
			in.FeeMethod, ok = str2[FeeMethod](d)
			return 1 << 11, ok
		case "costs":
			return 1 << 12, d.costs(&in.Costs)
		case "notes":
			in.Notes, ok = d.str()
			return 1 << 13, ok
		}
		return 0, false
	})
}

func (d *jsonReader) patient(p *Patient) bool {
	return d.object(func(k string) (uint32, bool) {
		var ok bool
		switch k {
		case "name":
			p.Name, ok = d.str()
			return 1 << 0, ok
		case "birth_date":
			p.BirthDate, ok = d.str()
			return 1 << 1, ok
		case "id":
			p.ID, ok = d.str()
			return 1 << 2, ok
		case "issuer":
			p.Issuer, ok = d.str()
			return 1 << 3, ok
		}
		return 0, false
	})
}

func (d *jsonReader) requester(r *Requester) bool {
	return d.object(func(k string) (uint32, bool) {
		var ok bool
		switch k {
		case "kind":
			r.Kind, ok = str2[RequesterKind](d)
			return 1 << 0, ok
		case "name":
			r.Name, ok = d.str()
			return 1 << 1, ok
		case "relationship":
			r.Relationship, ok = d.str()
			return 1 << 2, ok
		case "organization":
			r.Organization, ok = d.str()
			return 1 << 3, ok
		case "phone":
			r.Phone, ok = d.str()
			return 1 << 4, ok
		case "email":
			r.Email, ok = d.str()
			return 1 << 5, ok
		case "state":
			r.State, ok = d.str()
			return 1 << 6, ok
		}
		return 0, false
	})
}

func (d *jsonReader) identity(c *IdentityCheck) bool {
	return d.object(func(k string) (uint32, bool) {
		var ok bool
		switch k {
		case "method":
			c.Method, ok = d.str()
			return 1 << 0, ok
		case "checked_by":
			c.CheckedBy, ok = d.str()
			return 1 << 1, ok
		}
		return 0, false
	})
}

func (d *jsonReader) studies(s *Studies) bool {
	return d.object(func(k string) (uint32, bool) {
		var ok bool
		switch k {
		case "uids":
			s.UIDs, ok = d.strs()
			return 1 << 0, ok
		case "from":
			s.From, ok = d.str()
			return 1 << 1, ok
		case "to":
			s.To, ok = d.str()
			return 1 << 2, ok
		}
		return 0, false
	})
}

func (d *jsonReader) address(a *Address) bool {
	return d.object(func(k string) (uint32, bool) {
		var ok bool
		switch k {
		case "name":
			a.Name, ok = d.str()
			return 1 << 0, ok
		case "street":
			a.Street, ok = d.str()
			return 1 << 1, ok
		case "suite":
			a.Suite, ok = d.str()
			return 1 << 2, ok
		case "city":
			a.City, ok = d.str()
			return 1 << 3, ok
		case "region":
			a.Region, ok = d.str()
			return 1 << 4, ok
		case "postal_code":
			a.PostalCode, ok = d.str()
			return 1 << 5, ok
		case "country":
			a.Country, ok = d.str()
			return 1 << 6, ok
		}
		return 0, false
	})
}

func (d *jsonReader) costs(c *Costs) bool {
	return d.object(func(k string) (uint32, bool) {
		var ok bool
		switch k {
		case "labour_minutes":
			c.LabourMinutes, ok = int2[int](d)
			return 1 << 0, ok
		case "media_count":
			c.MediaCount, ok = int2[int](d)
			return 1 << 1, ok
		case "postage_cents":
			c.Postage, ok = int2[Cents](d)
			return 1 << 2, ok
		}
		return 0, false
	})
}

func (d *jsonReader) fee(f *Fee) bool {
	return d.object(func(k string) (uint32, bool) {
		var ok bool
		switch k {
		case "method":
			f.Method, ok = str2[FeeMethod](d)
			return 1 << 0, ok
		case "items":
			f.Items, ok = readSlice(d, d.lineItem)
			return 1 << 1, ok
		case "total_cents":
			f.Total, ok = int2[Cents](d)
			return 1 << 2, ok
		case "rule":
			f.Rule, ok = readPtr(d, d.appliedRule)
			return 1 << 3, ok
		}
		return 0, false
	})
}

func (d *jsonReader) lineItem(li *LineItem) bool {
	return d.object(func(k string) (uint32, bool) {
		var ok bool
		switch k {
		case "desc":
			li.Desc, ok = d.str()
			return 1 << 0, ok
		case "qty":
			li.Qty, ok = int2[int](d)
			return 1 << 1, ok
		case "unit_cents":
			li.UnitCents, ok = int2[Cents](d)
			return 1 << 2, ok
		case "cents":
			li.Cents, ok = int2[Cents](d)
			return 1 << 3, ok
		}
		return 0, false
	})
}

func (d *jsonReader) appliedRule(r *AppliedRule) bool {
	return d.object(func(k string) (uint32, bool) {
		var ok bool
		switch k {
		case "id":
			r.ID, ok = d.str()
			return 1 << 0, ok
		case "state":
			r.State, ok = d.str()
			return 1 << 1, ok
		case "name":
			r.Name, ok = d.str()
			return 1 << 2, ok
		case "citation":
			r.Citation, ok = d.str()
			return 1 << 3, ok
		case "cap_cents":
			r.Cap, ok = int2[Cents](d)
			return 1 << 4, ok
		case "basis":
			r.Basis, ok = d.str()
			return 1 << 5, ok
		}
		return 0, false
	})
}

func (d *jsonReader) burn(b *Burn) bool {
	return d.object(func(k string) (uint32, bool) {
		var ok bool
		switch k {
		case "disc_uuid":
			b.DiscUUID, ok = d.str()
			return 1 << 0, ok
		case "n":
			b.N, ok = int2[int](d)
			return 1 << 1, ok
		case "m":
			b.M, ok = int2[int](d)
			return 1 << 2, ok
		case "manifest_hash":
			b.ManifestHash, ok = d.str()
			return 1 << 3, ok
		case "verified":
			b.Verified, ok = d.bool()
			return 1 << 4, ok
		case "verify_detail":
			b.VerifyDetail, ok = d.str()
			return 1 << 5, ok
		case "studies":
			b.Studies, ok = d.strs()
			return 1 << 6, ok
		case "instances":
			b.Instances, ok = int2[int](d)
			return 1 << 7, ok
		case "format":
			b.Format, ok = str2[Format](d)
			return 1 << 8, ok
		case "destination":
			b.Destination, ok = d.str()
			return 1 << 9, ok
		}
		return 0, false
	})
}

func (d *jsonReader) intake(in *Intake) bool {
	return d.object(func(k string) (uint32, bool) {
		var ok bool
		switch k {
		case "sender":
			in.Sender, ok = d.str()
			return 1 << 0, ok
		case "received":
			in.Received, ok = d.time()
			return 1 << 1, ok
		case "studies":
			in.Studies, ok = d.strs()
			return 1 << 2, ok
		case "instances":
			in.Instances, ok = int2[int](d)
			return 1 << 3, ok
		case "mappings":
			in.Mappings, ok = readSlice(d, d.idMapping)
			return 1 << 4, ok
		case "forwarded":
			in.Forwarded, ok = d.str()
			return 1 << 5, ok
		case "receipt":
			in.Receipt, ok = d.str()
			return 1 << 6, ok
		case "problems":
			in.Problems, ok = d.strs()
			return 1 << 7, ok
		}
		return 0, false
	})
}

func (d *jsonReader) idMapping(m *IDMapping) bool {
	return d.object(func(k string) (uint32, bool) {
		var ok bool
		switch k {
		case "attribute":
			m.Attribute, ok = d.str()
			return 1 << 0, ok
		case "outside":
			m.Outside, ok = d.str()
			return 1 << 1, ok
		case "local":
			m.Local, ok = d.str()
			return 1 << 2, ok
		}
		return 0, false
	})
}

func (d *jsonReader) handover(h *Handover) bool {
	return d.object(func(k string) (uint32, bool) {
		var ok bool
		switch k {
		case "to":
			h.To, ok = d.str()
			return 1 << 0, ok
		case "identity_check":
			h.IdentityCheck, ok = d.str()
			return 1 << 1, ok
		case "carrier":
			h.Carrier, ok = d.str()
			return 1 << 2, ok
		case "tracking":
			h.Tracking, ok = d.str()
			return 1 << 3, ok
		}
		return 0, false
	})
}

func (d *jsonReader) payment(p *Payment) bool {
	return d.object(func(k string) (uint32, bool) {
		var ok bool
		switch k {
		case "cents":
			p.Cents, ok = int2[Cents](d)
			return 1 << 0, ok
		case "method":
			p.Method, ok = d.str()
			return 1 << 1, ok
		case "reference":
			p.Reference, ok = d.str()
			return 1 << 2, ok
		case "waived":
			p.Waived, ok = d.bool()
			return 1 << 3, ok
		case "reason":
			p.Reason, ok = d.str()
			return 1 << 4, ok
		case "time":
			p.Time, ok = d.time()
			return 1 << 5, ok
		case "staff":
			p.Staff, ok = d.str()
			return 1 << 6, ok
		case "refund":
			p.Refund, ok = d.bool()
			return 1 << 7, ok
		}
		return 0, false
	})
}
