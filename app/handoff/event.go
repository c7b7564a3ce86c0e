package handoff

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"
)

// EventKind names what happened.
type EventKind string

// The kinds of event in the handoff log.
const (
	EventRequested   EventKind = "requested"
	EventFeeQuoted   EventKind = "fee-quoted" // a new quote (the first is part of "requested")
	EventBurned      EventKind = "burned"
	EventHandedOver  EventKind = "handed-over" // at the desk, identity checked
	EventMailed      EventKind = "mailed"
	EventReceived    EventKind = "receipt-confirmed"
	EventReturned    EventKind = "returned"
	EventCancelled   EventKind = "cancelled"
	EventPatientTold EventKind = "patient-told"
	EventCorrection  EventKind = "correction"
	// EventOutsideReceived opens the record of a patient's disc from another
	// facility, received, reconciled and imported here (see Intake).
	EventOutsideReceived EventKind = "outside-received"
	// EventSenderConfirmed records that staff confirmed the receipt of an
	// outside disc to the facility that sent it.
	EventSenderConfirmed EventKind = "sender-confirmed"
	// EventSpoiled records that a logged disc must never leave the building
	// (found damaged, unreadable, mislabelled); a replacement is burned.
	EventSpoiled EventKind = "spoiled"
	// EventPaid records a payment of the request's fee, or its waiver with
	// a reason (see Payment, Store.RecordPayment).
	EventPaid EventKind = "fee-paid"
	// EventRefunded records money given back to the requester, with how
	// and why: on a cancelled request, or one whose fee was quoted again
	// below what was paid (see Request.Refundable, Store.RecordRefund).
	EventRefunded EventKind = "fee-refunded"
)

// An Actor is who did something, and where.
type Actor struct {
	Staff       string `json:"staff"`
	Workstation string `json:"workstation"`
}

// A Burn is what the burner reports for one written disc.
type Burn struct {
	DiscUUID     string   `json:"disc_uuid"`
	N            int      `json:"n"` // disc n of m
	M            int      `json:"m"`
	ManifestHash string   `json:"manifest_hash"`           // hex SHA-256 of the disc manifest
	Verified     bool     `json:"verified"`                // read-back verification passed
	VerifyDetail string   `json:"verify_detail,omitempty"` // e.g. the failing file
	Studies      []string `json:"studies,omitempty"`       // Study Instance UIDs on the disc
	Instances    int      `json:"instances,omitempty"`     // number of SOP instances on the disc
	// Format and Destination describe an electronic copy or a stick: the
	// format written (ZIP, ISO, USB; empty = the request's) and where it went
	// (the file or folder the patient chose). Empty for optical discs.
	Format      Format `json:"format,omitempty"`
	Destination string `json:"destination,omitempty"`
}

// A Handover is a disc leaving the building.
type Handover struct {
	To            string `json:"to"`                       // who received it at the desk, or the addressee
	IdentityCheck string `json:"identity_check,omitempty"` // pickup: how the person was identified
	Carrier       string `json:"carrier,omitempty"`        // mail: USPS, UPS, FedEx, ...
	Tracking      string `json:"tracking,omitempty"`
}

// An Event is one entry of the append-only handoff log. Only the fields of
// its kind are set. ID and Time are set by the store; Prev and Hash are the
// chain (hex SHA-256) and are not part of the hashed bytes.
type Event struct {
	ID          string        `json:"id"`
	Time        time.Time     `json:"time"`
	Kind        EventKind     `json:"kind"`
	Request     string        `json:"request"`
	Disc        string        `json:"disc,omitempty"`
	Staff       string        `json:"staff"`
	Workstation string        `json:"workstation"`
	Input       *RequestInput `json:"input,omitempty"` // requested
	Due         time.Time     `json:"due,omitzero"`    // requested
	Fee         *Fee          `json:"fee,omitempty"`   // requested, fee-quoted
	Burn        *Burn         `json:"burn,omitempty"`
	Intake      *Intake       `json:"intake,omitempty"`   // outside-received
	Handover    *Handover     `json:"handover,omitempty"` // handed-over, mailed
	Payment     *Payment      `json:"payment,omitempty"`  // fee-paid, fee-refunded
	Text        string        `json:"text,omitempty"`     // reason (cancelled, returned), how told, who confirmed, correction
	Corrects    string        `json:"corrects,omitempty"` // correction: the event ID corrected
	Audit       string        `json:"audit,omitempty"`    // DICOM PS3.15 audit message (XML), handed-over and mailed
	Prev        string        `json:"prev,omitempty"`
	Hash        string        `json:"hash,omitempty"`
}

// Record layout: version byte, previous hash, own hash, event JSON.
const (
	recordVersion = 1
	hashLen       = sha256.Size
	recordHeader  = 1 + 2*hashLen
)

// chainHash is SHA-256(prev || key || body).
func chainHash(prev, key, body []byte) [hashLen]byte {
	h := sha256.New()
	h.Write(prev)
	h.Write(key)
	h.Write(body)
	var out [hashLen]byte
	h.Sum(out[:0])
	return out
}

// encodeRecord returns the stored record of ev under key, chained to prev.
func encodeRecord(prev []byte, key []byte, ev *Event) ([]byte, [hashLen]byte, error) {
	e := *ev
	e.Prev, e.Hash = "", ""
	body, err := json.Marshal(&e)
	if err != nil {
		return nil, [hashLen]byte{}, fmt.Errorf("handoff: encode event: %w", err)
	}
	h := chainHash(prev, key, body)
	rec := make([]byte, 0, recordHeader+len(body))
	rec = append(rec, recordVersion)
	rec = append(rec, prev...)
	rec = append(rec, h[:]...)
	rec = append(rec, body...)
	return rec, h, nil
}

// splitRecord returns the parts of a stored record without copying.
func splitRecord(rec []byte) (prev, hash, body []byte, err error) {
	if len(rec) < recordHeader+2 || rec[0] != recordVersion {
		return nil, nil, nil, fmt.Errorf("handoff: record of %d bytes: %w", len(rec), ErrBadRecord)
	}
	return rec[1 : 1+hashLen], rec[1+hashLen : recordHeader], rec[recordHeader:], nil
}

// DecodeRecord decodes a stored event record (as kept under key) and checks
// that its hash matches its bytes. It does not check the link to the
// previous record; Verify does.
func DecodeRecord(key, rec []byte) (Event, error) {
	prev, hash, body, err := splitRecord(rec)
	if err != nil {
		return Event{}, err
	}
	if h := chainHash(prev, key, body); !bytes.Equal(h[:], hash) {
		return Event{}, fmt.Errorf("handoff: record hash mismatch: %w", ErrChainBroken)
	}
	return decodeBody(key, rec)
}

// decodeBody decodes a record whose hash was already checked.
func decodeBody(key, rec []byte) (Event, error) {
	prev, hash, body, err := splitRecord(rec)
	if err != nil {
		return Event{}, err
	}
	var ev Event
	if err := decodeEvent(key, body, &ev); err != nil {
		return Event{}, err
	}
	ev.Prev, ev.Hash = hex.EncodeToString(prev), hex.EncodeToString(hash)
	return ev, nil
}

// decodeEvent decodes the JSON body of the record under key into ev and
// checks that it names its key and holds no chain fields; ev.Prev and
// ev.Hash stay empty.
func decodeEvent(key, body []byte, ev *Event) error {
	if err := decodeEventJSON(body, ev); err != nil {
		return fmt.Errorf("handoff: decode event: %v: %w", err, ErrBadRecord)
	}
	if ev.Prev != "" || ev.Hash != "" {
		return fmt.Errorf("handoff: hash fields inside the hashed body: %w", ErrBadRecord)
	}
	if !keyIs(key, ev.ID) {
		return fmt.Errorf("handoff: event id %q stored under another key: %w", ev.ID, ErrBadRecord)
	}
	return nil
}

// keyIs reports whether id is the canonical text of the 16-byte key k, as
// keyID writes it, without allocating.
func keyIs(k []byte, id string) bool {
	const digits = "0123456789abcdef"
	if len(k) != 16 || len(id) != 36 {
		return false
	}
	j := 0
	for i, c := range k {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			if id[j] != '-' {
				return false
			}
			j++
		}
		if id[j] != digits[c>>4] || id[j+1] != digits[c&0xf] {
			return false
		}
		j += 2
	}
	return true
}
