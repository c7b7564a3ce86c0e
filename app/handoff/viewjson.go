package handoff

import (
	"encoding/json"
	"strconv"
	"time"
	"unicode/utf8"
)

// Verify compares every stored request with json.Marshal of its replayed
// state. appendRequestJSON writes those same bytes into a reused buffer,
// several times faster; a string that json.Marshal would escape is written
// by json.Marshal itself, and TestAppendRequestJSONMatchesMarshal checks the
// whole output against json.Marshal on random requests (every field set by
// reflection, so a field added to Request and forgotten here fails it).

// marshalRequest returns json.Marshal(r), appended to buf[:0].
func marshalRequest(buf []byte, r *Request) ([]byte, error) {
	w := jsonWriter{b: buf[:0]}
	w.request(r)
	if w.ok {
		return w.b, nil
	}
	b, err := json.Marshal(r)
	return append(buf[:0], b...), err
}

// jsonWriter appends canonical JSON; ok turns false if a value cannot be
// written (a time outside RFC 3339), and the caller falls back to
// json.Marshal for its error.
type jsonWriter struct {
	b  []byte
	ok bool
}

// key writes ,"name": (the comma unless first).
func (w *jsonWriter) key(name string, first bool) {
	if !first {
		w.b = append(w.b, ',')
	}
	w.b = append(w.b, '"')
	w.b = append(w.b, name...)
	w.b = append(w.b, '"', ':')
}

// plainOut marks the ASCII bytes json.Marshal writes as they are.
var plainOut = func() (t [256]bool) {
	for c := ' '; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return t
}()

// str writes s as json.Marshal does (HTML-safe escaping).
func (w *jsonWriter) str(s string) {
	for i := 0; i < len(s); {
		c := s[i]
		if plainOut[c] {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			w.quoted(s)
			return
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 || r == '\u2028' || r == '\u2029' {
			w.quoted(s)
			return
		}
		i += n
	}
	w.b = append(w.b, '"')
	w.b = append(w.b, s...)
	w.b = append(w.b, '"')
}

// quoted writes a string that needs escaping through encoding/json.
func (w *jsonWriter) quoted(s string) {
	q, err := json.Marshal(s)
	if err != nil {
		w.ok = false
		return
	}
	w.b = append(w.b, q...)
}

func (w *jsonWriter) int(v int64) { w.b = strconv.AppendInt(w.b, v, 10) }

func (w *jsonWriter) bool(v bool) { w.b = strconv.AppendBool(w.b, v) }

func (w *jsonWriter) time(t time.Time) {
	w.b = append(w.b, '"')
	b, err := t.AppendText(w.b)
	if err != nil {
		w.ok = false
		return
	}
	w.b = append(b, '"')
}

func (w *jsonWriter) strs(v []string) {
	if v == nil {
		w.b = append(w.b, "null"...)
		return
	}
	w.b = append(w.b, '[')
	for i, s := range v {
		if i > 0 {
			w.b = append(w.b, ',')
		}
		w.str(s)
	}
	w.b = append(w.b, ']')
}

// request writes a Request. RequestInput is embedded: its fields are
// promoted, except Due, which Request.Due shadows.
func (w *jsonWriter) request(r *Request) {
	w.ok = true
	w.b = append(w.b, '{')
	w.key("id", true)
	w.str(r.ID)
	w.key("created", false)
	w.time(r.Created)
	w.inputFields(&r.RequestInput)
	w.key("due", false)
	w.time(r.Due)
	w.key("fee", false)
	w.fee(&r.Fee)
	w.key("status", false)
	w.str(string(r.Status))
	if len(r.Discs) > 0 {
		w.key("discs", false)
		w.b = append(w.b, '[')
		for i := range r.Discs {
			if i > 0 {
				w.b = append(w.b, ',')
			}
			w.disc(&r.Discs[i])
		}
		w.b = append(w.b, ']')
	}
	if len(r.Payments) > 0 {
		w.key("payments", false)
		w.b = append(w.b, '[')
		for i := range r.Payments {
			if i > 0 {
				w.b = append(w.b, ',')
			}
			w.payment(&r.Payments[i])
		}
		w.b = append(w.b, ']')
	}
	if !r.PatientTold.IsZero() {
		w.key("patient_told", false)
		w.time(r.PatientTold)
	}
	if r.Cancelled != "" {
		w.key("cancel_reason", false)
		w.str(r.Cancelled)
	}
	if r.Intake != nil {
		w.key("intake", false)
		w.intake(r.Intake)
	}
	if !r.SenderConfirmed.IsZero() {
		w.key("sender_confirmed", false)
		w.time(r.SenderConfirmed)
	}
	w.key("updated", false)
	w.time(r.Updated)
	w.b = append(w.b, '}')
}

// inputFields writes the promoted fields of RequestInput (not Due).
func (w *jsonWriter) inputFields(in *RequestInput) {
	p := &in.Patient
	w.key("patient", false)
	w.b = append(w.b, '{')
	w.key("name", true)
	w.str(p.Name)
	if p.BirthDate != "" {
		w.key("birth_date", false)
		w.str(p.BirthDate)
	}
	if p.ID != "" {
		w.key("id", false)
		w.str(p.ID)
	}
	w.optStr("issuer", p.Issuer)
	w.b = append(w.b, '}')

	rq := &in.Requester
	w.key("requester", false)
	w.b = append(w.b, '{')
	w.key("kind", true)
	w.str(string(rq.Kind))
	w.key("name", false)
	w.str(rq.Name)
	w.optStr("relationship", rq.Relationship)
	w.optStr("organization", rq.Organization)
	w.optStr("phone", rq.Phone)
	w.optStr("email", rq.Email)
	w.optStr("state", rq.State)
	w.b = append(w.b, '}')

	w.key("identity", false)
	w.b = append(w.b, '{')
	w.key("method", true)
	w.str(in.Identity.Method)
	w.key("checked_by", false)
	w.str(in.Identity.CheckedBy)
	w.b = append(w.b, '}')

	st := &in.Studies
	w.key("studies", false)
	w.b = append(w.b, '{')
	first := true
	if len(st.UIDs) > 0 {
		w.key("uids", first)
		w.strs(st.UIDs)
		first = false
	}
	if st.From != "" {
		w.key("from", first)
		w.str(st.From)
		first = false
	}
	if st.To != "" {
		w.key("to", first)
		w.str(st.To)
	}
	w.b = append(w.b, '}')

	w.key("format", false)
	w.str(string(in.Format))
	if in.Copies != 0 {
		w.key("copies", false)
		w.int(int64(in.Copies))
	}
	w.key("recipient", false)
	w.str(in.Recipient)
	w.key("delivery", false)
	w.str(string(in.Delivery))
	if a := in.Address; a != nil {
		w.key("address", false)
		w.b = append(w.b, '{')
		first := true
		if a.Name != "" {
			w.key("name", true)
			w.str(a.Name)
			first = false
		}
		w.key("street", first)
		w.str(a.Street)
		w.optStr("suite", a.Suite)
		w.key("city", false)
		w.str(a.City)
		w.optStr("region", a.Region)
		w.key("postal_code", false)
		w.str(a.PostalCode)
		w.key("country", false)
		w.str(a.Country)
		w.b = append(w.b, '}')
	}
	w.key("urgency", false)
	w.str(string(in.Urgency))
	w.optStr("fee_method", string(in.FeeMethod))
	if in.Costs != (Costs{}) {
		w.key("costs", false)
		w.b = append(w.b, '{')
		w.key("labour_minutes", true)
		w.int(int64(in.Costs.LabourMinutes))
		w.key("media_count", false)
		w.int(int64(in.Costs.MediaCount))
		w.key("postage_cents", false)
		w.int(int64(in.Costs.Postage))
		w.b = append(w.b, '}')
	}
	w.optStr("notes", in.Notes)
}

// optStr writes ,"name":"v" unless v is empty (omitempty, never first).
func (w *jsonWriter) optStr(name, v string) {
	if v != "" {
		w.key(name, false)
		w.str(v)
	}
}

func (w *jsonWriter) fee(f *Fee) {
	w.b = append(w.b, '{')
	w.key("method", true)
	w.str(string(f.Method))
	w.key("items", false)
	if f.Items == nil {
		w.b = append(w.b, "null"...)
	} else {
		w.b = append(w.b, '[')
		for i, li := range f.Items {
			if i > 0 {
				w.b = append(w.b, ',')
			}
			w.b = append(w.b, '{')
			w.key("desc", true)
			w.str(li.Desc)
			w.key("qty", false)
			w.int(int64(li.Qty))
			w.key("unit_cents", false)
			w.int(int64(li.UnitCents))
			w.key("cents", false)
			w.int(int64(li.Cents))
			w.b = append(w.b, '}')
		}
		w.b = append(w.b, ']')
	}
	w.key("total_cents", false)
	w.int(int64(f.Total))
	if r := f.Rule; r != nil {
		w.key("rule", false)
		w.b = append(w.b, '{')
		w.key("id", true)
		w.str(r.ID)
		w.key("state", false)
		w.str(r.State)
		w.key("name", false)
		w.str(r.Name)
		w.optStr("citation", r.Citation)
		if r.Cap != 0 {
			w.key("cap_cents", false)
			w.int(int64(r.Cap))
		}
		w.key("basis", false)
		w.str(r.Basis)
		w.b = append(w.b, '}')
	}
	w.b = append(w.b, '}')
}

func (w *jsonWriter) disc(d *Disc) {
	w.b = append(w.b, '{')
	w.key("uuid", true)
	w.str(d.UUID)
	w.key("n", false)
	w.int(int64(d.N))
	w.key("m", false)
	w.int(int64(d.M))
	w.key("manifest_hash", false)
	w.str(d.ManifestHash)
	w.key("verified", false)
	w.bool(d.Verified)
	if len(d.Studies) > 0 {
		w.key("studies", false)
		w.strs(d.Studies)
	}
	if d.Instances != 0 {
		w.key("instances", false)
		w.int(int64(d.Instances))
	}
	w.optStr("format", string(d.Format))
	w.optStr("destination", d.Destination)
	w.key("burned", false)
	w.time(d.Burned)
	w.optTime("handed_over", d.HandedOver)
	w.optStr("method", d.Method)
	w.optStr("tracking", d.Tracking)
	w.optTime("received", d.Received)
	w.optTime("returned", d.Returned)
	w.optTime("spoiled", d.Spoiled)
	w.b = append(w.b, '}')
}

// optTime writes ,"name":"t" unless t.IsZero() (omitzero, never first).
func (w *jsonWriter) optTime(name string, t time.Time) {
	if !t.IsZero() {
		w.key(name, false)
		w.time(t)
	}
}

func (w *jsonWriter) intake(in *Intake) {
	w.b = append(w.b, '{')
	w.key("sender", true)
	w.str(in.Sender)
	w.key("received", false)
	w.time(in.Received)
	w.key("studies", false)
	w.strs(in.Studies)
	w.key("instances", false)
	w.int(int64(in.Instances))
	if len(in.Mappings) > 0 {
		w.key("mappings", false)
		w.b = append(w.b, '[')
		for i, m := range in.Mappings {
			if i > 0 {
				w.b = append(w.b, ',')
			}
			w.b = append(w.b, '{')
			w.key("attribute", true)
			w.str(m.Attribute)
			w.key("outside", false)
			w.str(m.Outside)
			w.key("local", false)
			w.str(m.Local)
			w.b = append(w.b, '}')
		}
		w.b = append(w.b, ']')
	}
	w.optStr("forwarded", in.Forwarded)
	w.key("receipt", false)
	w.str(in.Receipt)
	if len(in.Problems) > 0 {
		w.key("problems", false)
		w.strs(in.Problems)
	}
	w.b = append(w.b, '}')
}

// payment writes a Payment; every field is optional (omitempty, omitzero).
func (w *jsonWriter) payment(p *Payment) {
	w.b = append(w.b, '{')
	first := true
	key := func(name string) {
		w.key(name, first)
		first = false
	}
	if p.Cents != 0 {
		key("cents")
		w.int(int64(p.Cents))
	}
	if p.Method != "" {
		key("method")
		w.str(p.Method)
	}
	if p.Reference != "" {
		key("reference")
		w.str(p.Reference)
	}
	if p.Waived {
		key("waived")
		w.bool(true)
	}
	if p.Refund {
		key("refund")
		w.bool(true)
	}
	if p.Reason != "" {
		key("reason")
		w.str(p.Reason)
	}
	if !p.Time.IsZero() {
		key("time")
		w.time(p.Time)
	}
	if p.Staff != "" {
		key("staff")
		w.str(p.Staff)
	}
	w.b = append(w.b, '}')
}
