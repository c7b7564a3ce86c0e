package handoff

import (
	"bytes"
	"encoding/binary"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"discdesk/internal/textfold"
	bolt "go.etcd.io/bbolt"
)

// Request returns the current state of one request.
func (s *Store) Request(id string) (Request, error) {
	if s.remote != nil {
		return s.remote.Request(strings.TrimSpace(id))
	}
	k, err := idKey("request", strings.TrimSpace(id))
	if err != nil {
		return Request{}, err
	}
	var out Request
	err = s.db.View(func(tx *bolt.Tx) error {
		b, err := open(tx)
		if err != nil {
			return err
		}
		r, err := getRequest(b, k)
		if err == nil {
			out = *r // decoded: owns its memory
		}
		return err
	})
	return out, err
}

// DiscRequest returns the request a disc was burned for.
func (s *Store) DiscRequest(discUUID string) (Request, error) {
	if s.remote != nil {
		return s.remote.DiscRequest(strings.ToLower(strings.TrimSpace(discUUID)))
	}
	k, err := idKey("disc", strings.ToLower(strings.TrimSpace(discUUID)))
	if err != nil {
		return Request{}, err
	}
	var out Request
	err = s.db.View(func(tx *bolt.Tx) error {
		b, err := open(tx)
		if err != nil {
			return err
		}
		rk := b.discs.Get(k)
		if rk == nil {
			return fmt.Errorf("handoff: disc %s: %w", discUUID, ErrNotFound)
		}
		r, err := getRequest(b, rk)
		if err == nil {
			out = *r
		}
		return err
	})
	return out, err
}

// Event returns one event by ID.
func (s *Store) Event(id string) (Event, error) {
	if s.remote != nil {
		return s.remote.Event(strings.TrimSpace(id))
	}
	k, err := idKey("event", strings.TrimSpace(id))
	if err != nil {
		return Event{}, err
	}
	var out Event
	err = s.db.View(func(tx *bolt.Tx) error {
		b, err := open(tx)
		if err != nil {
			return err
		}
		rec := b.events.Get(k)
		if rec == nil {
			return fmt.Errorf("handoff: event %s: %w", id, ErrNotFound)
		}
		out, err = DecodeRecord(k, rec)
		return err
	})
	return out, err
}

// Events returns the events of one request (requestID) or one disc
// (discUUID), oldest first. Give one of the two.
func (s *Store) Events(requestID, discUUID string) ([]Event, error) {
	if s.remote != nil {
		return s.remote.Events(strings.TrimSpace(requestID), strings.ToLower(strings.TrimSpace(discUUID)))
	}
	bucket, id, field := byReqBucket, requestID, "request"
	if discUUID != "" {
		bucket, id, field = byDiscBucket, strings.ToLower(discUUID), "disc"
	}
	prefix, err := idKey(field, strings.TrimSpace(id))
	if err != nil {
		return nil, err
	}
	var out []Event
	err = s.db.View(func(tx *bolt.Tx) error {
		b, err := open(tx)
		if err != nil {
			return err
		}
		idx := b.byReq
		if bytes.Equal(bucket, byDiscBucket) {
			idx = b.byDisc
		}
		c := idx.Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			ek := k[len(prefix):]
			ev, err := DecodeRecord(ek, b.events.Get(ek))
			if err != nil {
				return err
			}
			out = append(out, ev)
		}
		return nil
	})
	return out, err
}

// ForEachEvent calls fn for every event in log order until fn returns an
// error, which is returned.
func (s *Store) ForEachEvent(fn func(Event) error) error {
	if s.remote != nil {
		return s.remote.ForEachEvent(fn)
	}
	return s.db.View(func(tx *bolt.Tx) error {
		b, err := open(tx)
		if err != nil {
			return err
		}
		return b.events.ForEach(func(k, v []byte) error {
			ev, err := DecodeRecord(k, v)
			if err != nil {
				return err
			}
			return fn(ev)
		})
	})
}

// OpenRequests returns the requests not yet delivered or cancelled, by due
// date, earliest (so overdue) first. With overdueOnly, only those due before
// now.
func (s *Store) OpenRequests(now time.Time, overdueOnly bool) ([]Request, error) {
	if s.remote != nil {
		return s.remote.OpenRequests(now, overdueOnly)
	}
	var out []Request
	limit := uint64(now.Unix())
	err := s.db.View(func(tx *bolt.Tx) error {
		b, err := open(tx)
		if err != nil {
			return err
		}
		c := b.due.Cursor()
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			if len(k) != 24 {
				return fmt.Errorf("handoff: due index key of %d bytes: %w", len(k), ErrBadRecord)
			}
			if overdueOnly && binary.BigEndian.Uint64(k[:8]) >= limit {
				break
			}
			r, err := getRequest(b, k[8:])
			if err != nil {
				return err
			}
			out = append(out, *r)
		}
		return nil
	})
	return out, err
}

// ToTell returns the requests whose disc arrived (receipt confirmed) or is
// ready for pickup, and whose patient has not been told yet, oldest first.
func (s *Store) ToTell() ([]Request, error) {
	if s.remote != nil {
		return s.remote.ToTell()
	}
	return s.collect(func(b *buckets) *bolt.Bucket { return b.tell }, nil)
}

// PatientHistory returns every request for the patient with key (see
// Patient.Key), oldest first.
func (s *Store) PatientHistory(key string) ([]Request, error) {
	if s.remote != nil {
		return s.remote.PatientHistory(key)
	}
	prefix := append([]byte(key), 0)
	return s.collect(func(b *buckets) *bolt.Bucket { return b.patient }, prefix)
}

// collect decodes the requests whose IDs end the keys of an index bucket
// (under prefix).
func (s *Store) collect(idx func(*buckets) *bolt.Bucket, prefix []byte) ([]Request, error) {
	var out []Request
	err := s.db.View(func(tx *bolt.Tx) error {
		b, err := open(tx)
		if err != nil {
			return err
		}
		c := idx(b).Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			if len(k) < 16 {
				return fmt.Errorf("handoff: index key of %d bytes: %w", len(k), ErrBadRecord)
			}
			r, err := getRequest(b, k[len(k)-16:])
			if err != nil {
				return err
			}
			out = append(out, *r)
		}
		return nil
	})
	SortOldestFirst(out)
	return out, err
}

// Search returns the requests where every word of query appears
// (case-insensitive) in the patient's name, ID or birth date, the
// requester, recipient, organization, mailing address, request ID, disc
// UUIDs or tracking numbers; newest first.
func (s *Store) Search(query string) ([]Request, error) {
	if s.remote != nil {
		return s.remote.Search(query)
	}
	words := SearchWords(query)
	var out []Request
	err := s.db.View(func(tx *bolt.Tx) error {
		b, err := open(tx)
		if err != nil {
			return err
		}
		return b.requests.ForEach(func(k, v []byte) error {
			var r Request
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("handoff: decode request: %v: %w", err, ErrBadRecord)
			}
			if r.Matches(words) {
				out = append(out, r)
			}
			return nil
		})
	})
	SortNewestFirst(out)
	return out, err
}

// SearchWords are the folded words of a search query (Search, Matches).
func SearchWords(query string) []string { return strings.Fields(textfold.Fold(query)) }

// Matches reports whether every word (SearchWords) appears in the
// request's searchable fields (see Search).
func (r *Request) Matches(words []string) bool {
	hay := []string{r.ID, r.Patient.Name, r.Patient.ID, r.Patient.BirthDate, r.Requester.Name, r.Requester.Organization, r.Recipient}
	for _, d := range r.Discs {
		hay = append(hay, d.UUID, d.Tracking)
	}
	if r.Address != nil {
		hay = append(hay, r.Address.Lines()...)
	}
	text := textfold.Fold(strings.Join(hay, " "))
	// "smithjones" and "stjohn" find Smith-Jones and St. John too.
	text += " " + strings.ReplaceAll(text, " ", "")
	for _, w := range words {
		if !strings.Contains(text, w) {
			return false
		}
	}
	return true
}

// SortNewestFirst orders requests as Search returns them.
func SortNewestFirst(rs []Request) {
	sort.SliceStable(rs, func(i, j int) bool { return rs[i].Created.After(rs[j].Created) })
}

// SortOldestFirst orders requests as ToTell and PatientHistory return them.
func SortOldestFirst(rs []Request) {
	sort.SliceStable(rs, func(i, j int) bool { return rs[i].Created.Before(rs[j].Created) })
}

// CSVHeader is the first row of ExportCSV.
var CSVHeader = []string{"time", "event_id", "kind", "request_id", "disc_uuid", "staff", "workstation", "patient_name", "patient_id", "detail", "hash"}

// ExportCSV writes the whole log, one event a row, for the compliance
// office. Cells that a spreadsheet would read as a formula are prefixed with
// a quote (OWASP CSV injection).
func (s *Store) ExportCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return fmt.Errorf("handoff: export csv: %w", err)
	}
	patients := map[string]Patient{}
	err := s.ForEachEvent(func(ev Event) error {
		if ev.Input != nil {
			patients[ev.Request] = ev.Input.Patient
		}
		p := patients[ev.Request]
		row := []string{ev.Time.Format(time.RFC3339Nano), ev.ID, string(ev.Kind), ev.Request, ev.Disc, ev.Staff, ev.Workstation, p.Name, p.ID, ev.Detail(), ev.Hash}
		for i := range row {
			row[i] = csvSafe(row[i])
		}
		return cw.Write(row)
	})
	if err != nil {
		return fmt.Errorf("handoff: export csv: %w", err)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("handoff: export csv: %w", err)
	}
	return nil
}

func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// Detail is a one-line human summary of the event's kind-specific fields.
func (ev *Event) Detail() string {
	switch ev.Kind {
	case EventPaid, EventRefunded:
		if ev.Payment != nil {
			return ev.Payment.String()
		}
	case EventRequested:
		in := ev.Input
		if in == nil {
			return ""
		}
		return fmt.Sprintf("%s for %s (%s); %s; %s by %s; %s; due %s; fee %s",
			in.Requester.Kind, in.Requester.Name, strings.TrimSpace(in.Requester.Relationship+" "+in.Requester.Organization),
			in.Studies.String(), in.Format, in.Delivery, in.Urgency, ev.Due.Format(time.DateOnly), feeTotal(ev.Fee))
	case EventFeeQuoted:
		return "fee " + feeTotal(ev.Fee)
	case EventBurned:
		if ev.Burn == nil {
			return ""
		}
		v := "verified"
		if !ev.Burn.Verified {
			v = "VERIFICATION FAILED " + ev.Burn.VerifyDetail
		}
		s := fmt.Sprintf("disc %d of %d; manifest %s; %s", ev.Burn.N, ev.Burn.M, ev.Burn.ManifestHash, v)
		if ev.Burn.Format != "" {
			s = fmt.Sprintf("%s to %s; %s", ev.Burn.Format.Label(), ev.Burn.Destination, s)
		}
		return s
	case EventHandedOver, EventMailed:
		if ev.Handover == nil {
			return ""
		}
		h := ev.Handover
		if ev.Kind == EventMailed {
			return fmt.Sprintf("to %s by %s tracking %s", h.To, h.Carrier, h.Tracking)
		}
		return fmt.Sprintf("to %s; identity: %s", h.To, h.IdentityCheck)
	case EventCorrection:
		return "corrects " + ev.Corrects + ": " + ev.Text
	case EventOutsideReceived:
		if ev.Intake == nil {
			return ""
		}
		return ev.Intake.Receipt
	case EventSenderConfirmed:
		return "receipt confirmed to the sender: " + ev.Text
	}
	return ev.Text
}

func feeTotal(f *Fee) string {
	if f == nil {
		return ""
	}
	return f.Total.String() + " (" + string(f.Method) + ")"
}

// Count returns the number of events in the log.
func (s *Store) Count() (int, error) {
	if s.remote != nil {
		_, n, err := s.remote.Head()
		return n, err
	}
	n := 0
	err := s.db.View(func(tx *bolt.Tx) error {
		b, err := open(tx)
		if err != nil {
			return err
		}
		if c := b.head.Get(headCount); len(c) == 8 {
			n = int(binary.BigEndian.Uint64(c))
		}
		return nil
	})
	return n, err
}
