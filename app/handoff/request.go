package handoff

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// RequesterKind is who asks for the copy.
type RequesterKind string

// The kinds of requester.
const (
	RequesterPatient        RequesterKind = "patient"
	RequesterRepresentative RequesterKind = "representative" // personal representative or carepartner; Relationship required
	RequesterPhysician      RequesterKind = "physician"      // a physician's office
	RequesterFacility       RequesterKind = "facility"       // another facility
)

// Format is the medium the copy is written to.
type Format string

// The formats offered.
const (
	FormatCD  Format = "CD"
	FormatDVD Format = "DVD"
	FormatUSB Format = "USB"
	FormatISO Format = "ISO" // an ISO image file
	FormatZIP Format = "ZIP" // a ZIP file
)

// Physical reports whether the format is an object that is handed over or mailed.
func (f Format) Physical() bool { return f == FormatCD || f == FormatDVD || f == FormatUSB }

// Label is the human name of the format.
func (f Format) Label() string {
	switch f {
	case FormatISO:
		return "ISO image file"
	case FormatZIP:
		return "ZIP file"
	case FormatUSB:
		return "USB stick"
	}
	return string(f)
}

// Delivery is how the copy reaches its recipient.
type Delivery string

// The deliveries offered.
const (
	DeliveryPickup    Delivery = "pickup"    // picked up at the desk
	DeliveryMail      Delivery = "mail"      // first-class mail
	DeliveryOvernight Delivery = "overnight" // expedited overnight, at the requester's cost
	DeliveryTwoDay    Delivery = "two-day"   // expedited two-day, at the requester's cost
	DeliveryPhysician Delivery = "physician" // sent straight to the ordering physician's office
)

// NeedsAddress reports whether the delivery goes by post or courier.
func (d Delivery) NeedsAddress() bool { return d != DeliveryPickup }

// Expedited reports whether the requester pays for faster shipping.
func (d Delivery) Expedited() bool { return d == DeliveryOvernight || d == DeliveryTwoDay }

// Label is the human name of the delivery.
func (d Delivery) Label() string {
	switch d {
	case DeliveryPickup:
		return "pickup at the desk"
	case DeliveryOvernight:
		return "overnight"
	case DeliveryTwoDay:
		return "two-day"
	case DeliveryPhysician:
		return "to the ordering physician's office"
	}
	return "mail"
}

// Urgency sets the target due date.
type Urgency string

// The urgencies.
const (
	UrgencyRoutine   Urgency = "routine"
	UrgencyExpedited Urgency = "expedited" // e.g. a cancer second opinion
	UrgencySameDay   Urgency = "same-day"  // a technologist's same-day verbal request: due at the end of the day
	UrgencyDischarge Urgency = "discharge" // hospital discharge
)

// Patient identifies whose images are copied.
type Patient struct {
	Name      string `json:"name"`                 // as the desk shows it, e.g. "Doe, Jane"
	BirthDate string `json:"birth_date,omitempty"` // YYYY-MM-DD
	ID        string `json:"id,omitempty"`         // medical record number (Patient ID)
	// Issuer is the Issuer of Patient ID (0010,0021) when known: one ID
	// under two issuers is two patients.
	Issuer string `json:"issuer,omitempty"`
}

// Key is the patient's key in the per-patient index (PatientHistory): the
// Patient ID exactly as recorded, with its issuer when known, else the
// folded name and birth date. The ID's case is kept: Patient ID is a
// case-sensitive LO (PS3.5 6.2), so "ab123" and "AB123" are two patients,
// as app/staff.Identity matches them.
func (p Patient) Key() string {
	if id := strings.TrimSpace(p.ID); id != "" {
		if is := strings.TrimSpace(p.Issuer); is != "" {
			return "id:" + id + issuerSep + is
		}
		return "id:" + id
	}
	return "nb:" + fold(p.Name) + "|" + p.BirthDate
}

// issuerSep parts the ID from its issuer in a Key: a control character,
// which validated text never holds.
const issuerSep = "\x1f"

func fold(s string) string {
	return strings.Join(strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}), " ")
}

// A Requester is who asked.
type Requester struct {
	Kind         RequesterKind `json:"kind"`
	Name         string        `json:"name"`
	Relationship string        `json:"relationship,omitempty"` // for a representative: "daughter", "health care proxy", ...
	Organization string        `json:"organization,omitempty"` // physician's office or facility
	Phone        string        `json:"phone,omitempty"`
	Email        string        `json:"email,omitempty"`
	State        string        `json:"state,omitempty"` // requester's US state, when a state fee rule depends on it
}

// An IdentityCheck records how the requester's identity or authority was checked.
type IdentityCheck struct {
	Method    string `json:"method"`     // e.g. "driver licence", "known to staff", "call-back to office number"
	CheckedBy string `json:"checked_by"` // staff member
}

// Studies selects the imaging: a list of Study Instance UIDs, or all
// imaging between two dates (inclusive, YYYY-MM-DD) when UIDs is empty.
type Studies struct {
	UIDs []string `json:"uids,omitempty"`
	From string   `json:"from,omitempty"`
	To   string   `json:"to,omitempty"`
}

// String describes the selection.
func (s Studies) String() string {
	if len(s.UIDs) > 0 {
		return strings.Join(s.UIDs, " ")
	}
	return "all imaging " + s.From + " to " + s.To
}

// RequestInput is what staff enter for a new request.
type RequestInput struct {
	Patient   Patient       `json:"patient"`
	Requester Requester     `json:"requester"`
	Identity  IdentityCheck `json:"identity"`
	Studies   Studies       `json:"studies"`
	Format    Format        `json:"format"`
	Copies    int           `json:"copies,omitempty"` // 0 means 1
	Recipient string        `json:"recipient"`        // who receives it; defaults to the requester's name
	Delivery  Delivery      `json:"delivery"`
	Address   *Address      `json:"address,omitempty"` // required unless Delivery is pickup
	Urgency   Urgency       `json:"urgency"`
	Due       time.Time     `json:"due,omitzero"`         // zero: computed from Urgency
	FeeMethod FeeMethod     `json:"fee_method,omitempty"` // zero: the policy's
	Costs     Costs         `json:"costs,omitzero"`
	Notes     string        `json:"notes,omitempty"`
}

// Status is where a request stands.
type Status string

// The statuses, in the usual order.
const (
	StatusOpen      Status = "open"      // requested, nothing burned yet
	StatusBurned    Status = "burned"    // at least one disc burned, not all handed over
	StatusDelivered Status = "delivered" // every good disc handed over or mailed
	StatusReceived  Status = "received"  // receipt confirmed
	StatusCancelled Status = "cancelled"
)

// Disc is one disc of a request as the log knows it.
type Disc struct {
	UUID         string    `json:"uuid"`
	N            int       `json:"n"` // disc n of m
	M            int       `json:"m"`
	ManifestHash string    `json:"manifest_hash"`
	Verified     bool      `json:"verified"`
	Studies      []string  `json:"studies,omitempty"`     // Study Instance UIDs on the disc
	Instances    int       `json:"instances,omitempty"`   // SOP instances on the disc
	Format       Format    `json:"format,omitempty"`      // electronic copy or stick: ZIP, ISO, USB
	Destination  string    `json:"destination,omitempty"` // electronic copy: the file or folder written
	Burned       time.Time `json:"burned"`
	HandedOver   time.Time `json:"handed_over,omitzero"` // handed over at the desk or mailed
	Method       string    `json:"method,omitempty"`     // pickup or mail
	Tracking     string    `json:"tracking,omitempty"`
	Received     time.Time `json:"received,omitzero"`
	Returned     time.Time `json:"returned,omitzero"`
	Spoiled      time.Time `json:"spoiled,omitzero"` // never to leave the building (see Good)
}

// A Request is the current state of one request, replayed from its events.
type Request struct {
	ID      string    `json:"id"`
	Created time.Time `json:"created"`
	RequestInput
	Due    time.Time `json:"due"`
	Fee    Fee       `json:"fee"`
	Status Status    `json:"status"`
	Discs  []Disc    `json:"discs,omitempty"`
	// Payments are the fee's payments and its waiver, oldest first, each
	// with the time and staff of its event (see Balance).
	Payments    []Payment `json:"payments,omitempty"`
	PatientTold time.Time `json:"patient_told,omitzero"`
	Cancelled   string    `json:"cancel_reason,omitempty"`
	// Intake is set on the record of an outside disc (EventOutsideReceived).
	Intake          *Intake   `json:"intake,omitempty"`
	SenderConfirmed time.Time `json:"sender_confirmed,omitzero"`
	Updated         time.Time `json:"updated"`
}

// Open reports whether the request still counts against its due date.
func (r *Request) Open() bool { return r.Status == StatusOpen || r.Status == StatusBurned }

// Overdue reports whether the request is open past its due date.
func (r *Request) Overdue(now time.Time) bool { return r.Open() && now.After(r.Due) }

// ToTell reports whether the patient should be told the copy arrived (receipt
// confirmed by the receiving practice), is ready at the desk, or (an
// outside disc) was received and imported, and has not been told yet: the
// tell-the-patient list. CanTell is nil exactly when ToTell holds, so the
// list never holds a request the desk may not mark told.
func (r *Request) ToTell() bool {
	if !r.PatientTold.IsZero() || r.Status == StatusCancelled {
		return false
	}
	if r.Status == StatusReceived {
		return true // receipt confirmed, or an outside disc recorded
	}
	return r.Delivery == DeliveryPickup && r.Status == StatusBurned && r.goodDiscs() > 0
}

func (r *Request) goodDiscs() int {
	n := 0
	for _, d := range r.Discs {
		if d.Good() && d.Returned.IsZero() {
			n++
		}
	}
	return n
}

// A StudyValidator reports whether a Study Instance UID is in the library; it
// returns an error (wrapped into ErrUnknownStudy) when it is not. The caller
// injects it (normally app/library's lookup).
type StudyValidator func(studyUID string) error

// Config holds the facility's rules for requests.
type Config struct {
	LegalDays int                       `json:"legal_days"` // the statutory limit in calendar days (30)
	Targets   map[Urgency]time.Duration `json:"targets"`    // target turnaround per urgency; same-day is end of day
	Fees      FeePolicy                 `json:"fees"`
	Location  *time.Location            `json:"-"` // for end-of-day; nil means time.Local
}

// DefaultConfig returns 30 days by law, expedited 48 h, discharge 24 h.
func DefaultConfig() Config {
	return Config{
		LegalDays: 30,
		Targets: map[Urgency]time.Duration{
			UrgencyRoutine:   30 * 24 * time.Hour,
			UrgencyExpedited: 48 * time.Hour,
			UrgencyDischarge: 24 * time.Hour,
		},
		Fees: DefaultFeePolicy(),
	}
}

// DueDate returns the due date of a request created at now with urgency u:
// the urgency's target, never later than the legal limit; same-day requests
// are due at the end of the local day.
func (c Config) DueDate(now time.Time, u Urgency) time.Time {
	loc := c.Location
	if loc == nil {
		loc = time.Local
	}
	limit := now.AddDate(0, 0, c.legalDays())
	if u == UrgencySameDay {
		t := now.In(loc)
		return time.Date(t.Year(), t.Month(), t.Day(), 23, 59, 59, 0, loc)
	}
	d, ok := c.Targets[u]
	if !ok || d <= 0 {
		return limit
	}
	if due := now.Add(d); due.Before(limit) {
		return due
	}
	return limit
}

func (c Config) location() *time.Location {
	if c.Location == nil {
		return time.Local
	}
	return c.Location
}

func (c Config) legalDays() int {
	if c.LegalDays <= 0 {
		return 30
	}
	return c.LegalDays
}

// validate normalizes in and checks every field; it returns the normalized
// input and the computed due date. Nothing is written on error.
func (c Config) validate(in RequestInput, now time.Time, known StudyValidator) (RequestInput, time.Time, error) {
	text := func(field, v string, required bool) (string, error) {
		v = strings.Join(strings.Fields(v), " ")
		if required && v == "" {
			return v, fieldErr(field, ErrMissing, "")
		}
		if !utf8.ValidString(v) || strings.ContainsFunc(v, unicode.IsControl) || len(v) > 200 {
			return v, fieldErr(field, ErrInvalidValue, "invalid text")
		}
		return v, nil
	}
	var err error
	if in.Patient.Name, err = text("patient.name", in.Patient.Name, true); err != nil {
		return in, time.Time{}, err
	}
	if in.Patient.ID, err = text("patient.id", in.Patient.ID, false); err != nil {
		return in, time.Time{}, err
	}
	if in.Patient.Issuer, err = text("patient.issuer", in.Patient.Issuer, false); err != nil {
		return in, time.Time{}, err
	}
	if in.Patient.Issuer != "" && in.Patient.ID == "" {
		return in, time.Time{}, fieldErr("patient.issuer", ErrInvalidValue, "an issuer is the issuer of a patient ID: give the ID")
	}
	if in.Patient.BirthDate != "" {
		bd, perr := time.Parse(time.DateOnly, in.Patient.BirthDate)
		if perr != nil || bd.After(now) {
			return in, time.Time{}, fieldErr("patient.birth_date", ErrInvalidValue, "want a past date YYYY-MM-DD, got %q", in.Patient.BirthDate)
		}
	}
	switch in.Requester.Kind {
	case RequesterPatient:
		if in.Requester.Name == "" {
			in.Requester.Name = in.Patient.Name
		}
	case RequesterRepresentative:
		if in.Requester.Relationship, err = text("requester.relationship", in.Requester.Relationship, true); err != nil {
			return in, time.Time{}, err
		}
	case RequesterPhysician, RequesterFacility:
		if in.Requester.Organization, err = text("requester.organization", in.Requester.Organization, true); err != nil {
			return in, time.Time{}, err
		}
	default:
		return in, time.Time{}, fieldErr("requester.kind", ErrInvalidValue, "%q is not patient, representative, physician or facility", in.Requester.Kind)
	}
	for _, f := range []struct {
		name string
		v    *string
		req  bool
	}{{"requester.name", &in.Requester.Name, true}, {"requester.phone", &in.Requester.Phone, false}, {"requester.email", &in.Requester.Email, false},
		{"requester.state", &in.Requester.State, false}, {"identity.method", &in.Identity.Method, true}, {"identity.checked_by", &in.Identity.CheckedBy, true}, {"notes", &in.Notes, false}} {
		if *f.v, err = text(f.name, *f.v, f.req); err != nil {
			return in, time.Time{}, err
		}
	}
	if err := validateStudies(&in.Studies, now, known); err != nil {
		return in, time.Time{}, err
	}
	switch in.Format {
	case FormatCD, FormatDVD, FormatUSB, FormatISO, FormatZIP:
	default:
		return in, time.Time{}, fieldErr("format", ErrInvalidValue, "%q is not CD, DVD, USB, ISO or ZIP", in.Format)
	}
	if in.Copies < 0 || in.Copies > 20 {
		return in, time.Time{}, fieldErr("copies", ErrInvalidValue, "%d copies (1-20)", in.Copies)
	}
	if in.Copies == 0 {
		in.Copies = 1
	}
	switch in.Delivery {
	case DeliveryPickup, DeliveryMail, DeliveryOvernight, DeliveryTwoDay, DeliveryPhysician:
	default:
		return in, time.Time{}, fieldErr("delivery", ErrInvalidValue, "%q is not pickup, mail, overnight, two-day or physician", in.Delivery)
	}
	if in.Delivery.NeedsAddress() {
		if in.Address == nil {
			return in, time.Time{}, fieldErr("address", ErrMissing, "delivery %s needs a mailing address", in.Delivery)
		}
		a := in.Address.Normalize()
		if err := a.Validate(); err != nil {
			return in, time.Time{}, err
		}
		in.Address = &a
	} else if in.Address != nil {
		a := in.Address.Normalize()
		if err := a.Validate(); err != nil {
			return in, time.Time{}, err
		}
		in.Address = &a
	}
	if in.Recipient, err = text("recipient", in.Recipient, false); err != nil {
		return in, time.Time{}, err
	}
	if in.Recipient == "" {
		in.Recipient = in.Requester.Name
	}
	switch in.Urgency {
	case "":
		in.Urgency = UrgencyRoutine
	case UrgencyRoutine, UrgencyExpedited, UrgencySameDay, UrgencyDischarge:
	default:
		return in, time.Time{}, fieldErr("urgency", ErrInvalidValue, "%q is not routine, expedited, same-day or discharge", in.Urgency)
	}
	due := c.DueDate(now, in.Urgency)
	if !in.Due.IsZero() {
		if !in.Due.After(now) {
			return in, time.Time{}, fieldErr("due", ErrDueInPast, "%s is before now", in.Due.Format(time.RFC3339))
		}
		if limit := now.AddDate(0, 0, c.legalDays()); in.Due.After(limit) {
			return in, time.Time{}, fieldErr("due", ErrDueAfterLimit, "%s is after %s (%d days)", in.Due.Format(time.DateOnly), limit.Format(time.DateOnly), c.legalDays())
		}
		due = in.Due
	}
	in.Due = time.Time{}
	return in, due.UTC().Truncate(time.Millisecond), nil
}

func validateStudies(s *Studies, now time.Time, known StudyValidator) error {
	if len(s.UIDs) == 0 {
		if s.From == "" && s.To == "" {
			return fieldErr("studies", ErrMissing, "give Study Instance UIDs or a date range")
		}
		from, err1 := time.Parse(time.DateOnly, s.From)
		to, err2 := time.Parse(time.DateOnly, s.To)
		if err1 != nil || err2 != nil {
			return fieldErr("studies", ErrInvalidValue, "date range wants YYYY-MM-DD to YYYY-MM-DD, got %q to %q", s.From, s.To)
		}
		if to.Before(from) {
			return fieldErr("studies", ErrInvalidValue, "range ends (%s) before it starts (%s)", s.To, s.From)
		}
		return nil
	}
	if s.From != "" || s.To != "" {
		return fieldErr("studies", ErrInvalidValue, "give either UIDs or a date range, not both")
	}
	seen := map[string]bool{}
	var uids []string
	for _, u := range s.UIDs {
		u = strings.TrimSpace(u)
		if !ValidUID(u) {
			return fieldErr("studies", ErrInvalidUID, "%q", u)
		}
		if seen[u] {
			continue
		}
		seen[u] = true
		if known != nil {
			if err := known(u); err != nil {
				return &FieldError{Field: "studies", Err: ErrUnknownStudy, Msg: u + ": " + err.Error()}
			}
		}
		uids = append(uids, u)
	}
	s.UIDs = uids
	return nil
}

// ValidUID reports whether s is a DICOM UID (PS3.5 9.1): at most 64
// characters, digits and dots, no empty component, no leading zero.
func ValidUID(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, c := range strings.Split(s, ".") {
		if c == "" || (len(c) > 1 && c[0] == '0') {
			return false
		}
		for i := 0; i < len(c); i++ {
			if c[i] < '0' || c[i] > '9' {
				return false
			}
		}
	}
	return true
}
