package settings

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode"

	bolt "go.etcd.io/bbolt"

	"discdesk/app/handoff"
	"discdesk/app/offers"
	"discdesk/app/printing"
	"discdesk/app/staff"
	"discdesk/burner/disc"
	"discdesk/burner/drive"
)

var (
	bucketSettings = []byte("settings")
	keyCurrent     = []byte("current")
)

// Errors of settings.
var (
	// ErrInvalid means a field's value is not acceptable; the error names the field.
	ErrInvalid = errors.New("invalid setting")
)

// Facility is who runs the desk (burner/disc's one facility type).
type Facility = disc.Facility

// TargetKind is the kind of a burn target.
type TargetKind string

// The target kinds.
const (
	TargetDevice TargetKind = "device" // an optical drive, Path is its device
	TargetISO    TargetKind = "iso"    // ISO image files written into the folder Path
	TargetFolder TargetKind = "folder" // disc trees written into sub-folders of Path
)

// Target is where burns go.
type Target struct {
	Name string     `json:"name"`
	Kind TargetKind `json:"kind"`
	Path string     `json:"path"`
}

// Spec returns the burner/drive spec for one disc of a job named job (a
// file-system-safe name such as the request code and disc number).
func (t Target) Spec(job string) string {
	switch t.Kind {
	case TargetISO:
		return "iso:" + filepath.Join(t.Path, job+".iso")
	case TargetFolder:
		return "dir:" + filepath.Join(t.Path, job)
	}
	return t.Path
}

// Node is a PACS or modality the desk talks DICOM to.
//
// A node is either a DIMSE peer (AE title, host, port) or, when URL is set,
// a DICOMweb service: QIDO-RS and WADO-RS under that base URL. The secret
// (a password for User, or a bearer token) is never stored here: it is read
// from the environment (DISCDESK_DICOMWEB_PASSWORD, DISCDESK_DICOMWEB_TOKEN)
// or from the file SecretFile names.
type Node struct {
	Name    string `json:"name"`
	AETitle string `json:"ae_title,omitempty"`
	Host    string `json:"host,omitempty"`
	Port    int    `json:"port,omitempty"`
	// URL is a DICOMweb base URL (http:// or https://), e.g.
	// https://pacs.example.org/dicom-web.
	URL string `json:"url,omitempty"`
	// User names the HTTP Basic user; "" with a token is Bearer auth.
	User string `json:"user,omitempty"`
	// SecretFile holds the password (with User) or the bearer token.
	SecretFile string `json:"secret_file,omitempty"`
	// CAFile is a PEM bundle trusted for https:// besides the system's.
	CAFile string `json:"ca_file,omitempty"`
}

// IsDICOMweb reports whether the node is a DICOMweb service.
func (n Node) IsDICOMweb() bool { return n.URL != "" }

// Kiosk holds the patient kiosk's options.
type Kiosk struct {
	IdleSeconds  int    `json:"idle_seconds"` // back to the welcome screen after this long untouched
	Language     string `json:"language"`     // "en" or "es": the welcome screen's first language
	LargeText    bool   `json:"large_text"`
	HighContrast bool   `json:"high_contrast"`
}

// Receive is the desk's DICOM receiver: the Storage SCP (PS3.4 B) that PACS
// nodes and modalities send studies to while the desk runs. It is off by
// default so a desk never opens a port nobody asked for.
type Receive struct {
	Enabled bool `json:"enabled"`
	// Port is the TCP port; 0 takes any free port (tests; the desk shows
	// the port it got).
	Port int `json:"port"`
	// BurnAE is a second called AE title (e.g. DISCDESK_BURN): a study sent
	// to it is queued for a disc once complete. "" turns auto-burn off.
	BurnAE string `json:"burn_ae,omitempty"`
	// QuietSeconds: a study silent this long counts as complete when the
	// PACS gave no instance count (0: 120 s).
	QuietSeconds int `json:"quiet_seconds,omitempty"`
	// CountNode names the PACS node asked for Number of Study Related
	// Instances; "" asks the node that sent the study when it is listed.
	CountNode string `json:"count_node,omitempty"`
	// TLSCert and TLSKey are PEM files: when set, the receiver speaks DICOM
	// over TLS (PS3.15 B.1).
	TLSCert string `json:"tls_cert,omitempty"`
	TLSKey  string `json:"tls_key,omitempty"`
}

// Audit is the audit record repository (PS3.15 A.5, RFC 5424 syslog)
// handoff audit messages are sent to; with no address they stay in the
// handoff log only.
type Audit struct {
	SyslogAddr string `json:"syslog_addr,omitempty"`    // host:port
	SyslogTLS  bool   `json:"syslog_tls,omitempty"`     // RFC 5425
	CAFile     string `json:"syslog_ca_file,omitempty"` // PEM roots for the collector; "" = system roots
}

// DefaultReceivePort is the IANA-registered DICOM port (PS3.8 9.1.2.1:
// 104 is the well-known port, 11112 the registered one, usable without
// administrator rights).
const DefaultReceivePort = 11112

// Quiet is the quiet time after which a silent study counts as complete.
func (r Receive) Quiet() time.Duration {
	if r.QuietSeconds <= 0 {
		return 2 * time.Minute
	}
	return time.Duration(r.QuietSeconds) * time.Second
}

// Settings is the whole of a desk's settings.
type Settings struct {
	Facility    Facility                `json:"facility"`
	Workstation string                  `json:"workstation"`
	Targets     []Target                `json:"targets"`
	Target      string                  `json:"target"` // name of the default target
	Media       disc.Media              `json:"media"`
	LocalAE     string                  `json:"local_ae"`
	Nodes       []Node                  `json:"nodes,omitempty"`
	Receive     Receive                 `json:"receive"`
	Fees        handoff.FeePolicy       `json:"fees"`
	LegalDays   int                     `json:"legal_days"`
	Deadlines   map[handoff.Urgency]int `json:"deadline_hours"` // target turnaround in hours; same-day is end of day
	Kiosk       Kiosk                   `json:"kiosk"`
	// Printing is the printer choice (app/printing): where documents and
	// disc labels print, and the label stock.
	Printing printing.Settings `json:"printing,omitzero"`
	// AuditSourceID names this desk in PS3.15 audit messages ("" =
	// DISCDESK@host); Audit says where they are sent.
	AuditSourceID string `json:"audit_source_id,omitempty"`
	Audit         Audit  `json:"audit,omitzero"`
	// Offers is the discharge feed of proactive offers (app/offers).
	Offers    offers.Settings `json:"offers,omitzero"`
	Updated   time.Time       `json:"updated,omitzero"`
	UpdatedBy string          `json:"updated_by,omitempty"`
}

// Default returns the settings of a new desk: no facility details yet,
// flat fee, the handoff package's default turnarounds, a kiosk that
// forgets after 90 s.
func Default() Settings {
	cfg := handoff.DefaultConfig()
	d := map[handoff.Urgency]int{}
	for u, dur := range cfg.Targets {
		d[u] = int(dur / time.Hour)
	}
	host, _ := os.Hostname()
	if host == "" {
		host = "desk"
	}
	return Settings{
		Workstation: host,
		Media:       disc.CD,
		LocalAE:     "DISCDESK",
		Receive:     Receive{Port: DefaultReceivePort, BurnAE: "DISCDESK_BURN"},
		Fees:        cfg.Fees,
		LegalDays:   cfg.LegalDays,
		Deadlines:   d,
		Kiosk:       Kiosk{IdleSeconds: 90, Language: "en", LargeText: true, HighContrast: true},
	}
}

// ValidAETitle reports whether s is a valid Application Entity title (PS3.5
// 6.2): 1 to 16 characters of the default repertoire, no backslash or
// control character, not only spaces.
func ValidAETitle(s string) bool {
	if len(s) == 0 || len(s) > 16 || strings.TrimSpace(s) == "" {
		return false
	}
	for _, r := range s {
		if r > 0x7e || r < 0x20 || r == '\\' {
			return false
		}
	}
	return true
}

func bad(field, format string, args ...any) error {
	return fmt.Errorf("%w: %s: %s", ErrInvalid, field, fmt.Sprintf(format, args...))
}

// Validate checks every field and returns the first problem, naming the field.
func (s Settings) Validate() error {
	if len(s.Facility.Name) > 64 {
		return bad("facility name", "at most 64 characters")
	}
	if strings.TrimSpace(s.Facility.Address) != "" {
		if _, err := handoff.ParseAddress(s.Facility.Address); err != nil {
			return bad("facility address", "%v", err)
		}
	}
	if strings.ContainsFunc(s.Facility.Phone, func(r rune) bool { return unicode.IsLetter(r) && r != 'x' }) {
		return bad("facility phone", "digits, spaces, + - ( ) and x only")
	}
	if strings.TrimSpace(s.Workstation) == "" {
		return bad("workstation", "needs a name (it is recorded with every handoff)")
	}
	names := map[string]bool{}
	for _, t := range s.Targets {
		if strings.TrimSpace(t.Name) == "" || names[t.Name] {
			return bad("drives", "every target needs its own name")
		}
		names[t.Name] = true
		switch t.Kind {
		case TargetDevice, TargetISO, TargetFolder:
		default:
			return bad("drives", "%q: kind %q is not device, iso or folder", t.Name, t.Kind)
		}
		if strings.TrimSpace(t.Path) == "" {
			return bad("drives", "%q has no path", t.Name)
		}
	}
	if s.Target != "" && !names[s.Target] {
		return bad("default drive", "%q is not one of the drives", s.Target)
	}
	if _, err := disc.ParseMedia(string(s.Media)); err != nil {
		return bad("media", "%v", err)
	}
	if !ValidAETitle(s.LocalAE) {
		return bad("local AE title", "%q: 1-16 characters, no backslash", s.LocalAE)
	}
	for _, n := range s.Nodes {
		if n.IsDICOMweb() {
			u, err := url.Parse(n.URL)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				return bad("PACS node "+n.Name, "DICOMweb URL %q: want an http:// or https:// base URL", n.URL)
			}
			continue
		}
		if !ValidAETitle(n.AETitle) {
			return bad("PACS node "+n.Name, "AE title %q: 1-16 characters, no backslash", n.AETitle)
		}
		if strings.TrimSpace(n.Host) == "" || n.Port < 1 || n.Port > 65535 {
			return bad("PACS node "+n.Name, "needs a host and a port 1-65535")
		}
	}
	if err := s.validateReceive(); err != nil {
		return err
	}
	if s.Fees.Flat < 0 || s.Fees.Average < 0 || s.Fees.LabourPerHour < 0 || s.Fees.Envelope < 0 {
		return bad("fees", "no negative amounts")
	}
	switch s.Fees.Method {
	case handoff.FeeFlat, handoff.FeeActual, handoff.FeeAverage:
	default:
		return bad("fees", "method %q is not flat, actual or average", s.Fees.Method)
	}
	if s.LegalDays < 1 || s.LegalDays > 30 {
		return bad("legal limit", "1 to 30 days (45 CFR 164.524(b)(2))")
	}
	for u, h := range s.Deadlines {
		if h < 1 || h > s.LegalDays*24 {
			return bad("deadline "+string(u), "1 hour to the legal limit (%d days)", s.LegalDays)
		}
	}
	if s.Kiosk.IdleSeconds < 15 || s.Kiosk.IdleSeconds > 600 {
		return bad("kiosk idle timeout", "15 to 600 seconds")
	}
	if s.Kiosk.Language != "en" && s.Kiosk.Language != "es" {
		return bad("kiosk language", "en or es")
	}
	return nil
}

func (s Settings) validateReceive() error {
	r := s.Receive
	if r.Port < 0 || r.Port > 65535 {
		return bad("receive port", "%d: 1-65535 (0: any free port)", r.Port)
	}
	if r.BurnAE != "" {
		if !ValidAETitle(r.BurnAE) {
			return bad("auto-burn AE title", "%q: 1-16 characters, no backslash", r.BurnAE)
		}
		if r.BurnAE == s.LocalAE {
			return bad("auto-burn AE title", "%q is our own AE title: choose another (e.g. DISCDESK_BURN)", r.BurnAE)
		}
	}
	if r.QuietSeconds < 0 || r.QuietSeconds > 24*3600 {
		return bad("quiet time", "0 to 86400 seconds")
	}
	if r.CountNode != "" && !slices.ContainsFunc(s.Nodes, func(n Node) bool { return n.Name == r.CountNode }) {
		return bad("instance count node", "%q is not one of the PACS nodes", r.CountNode)
	}
	if (r.TLSCert == "") != (r.TLSKey == "") {
		return bad("receive TLS", "give both the certificate and its key, or neither")
	}
	return nil
}

// HandoffConfig is the handoff store's configuration from these settings.
func (s Settings) HandoffConfig() handoff.Config {
	cfg := handoff.DefaultConfig()
	cfg.LegalDays = s.LegalDays
	cfg.Fees = s.Fees
	cfg.Targets = map[handoff.Urgency]time.Duration{}
	for u, h := range s.Deadlines {
		cfg.Targets[u] = time.Duration(h) * time.Hour
	}
	return cfg
}

// DefaultTarget returns the default burn target: the one named by Target,
// else the first one; ok is false when there is none.
func (s Settings) DefaultTarget() (Target, bool) {
	for _, t := range s.Targets {
		if t.Name == s.Target {
			return t, true
		}
	}
	if len(s.Targets) > 0 {
		return s.Targets[0], true
	}
	return Target{}, false
}

// WithDetected adds the optical drives found on this computer that the
// settings do not list yet and, when the computer has no optical drive and
// no target is configured, an ISO-file target in dataDir/iso so the desk can
// always burn. It returns whether anything was added.
func (s *Settings) WithDetected(found []drive.Info, dataDir string) bool {
	have := map[string]bool{}
	for _, t := range s.Targets {
		if t.Kind == TargetDevice {
			have[t.Path] = true
		}
	}
	added := false
	for _, d := range found {
		if have[d.Spec] {
			continue
		}
		name := strings.TrimSpace(d.Vendor + " " + d.Product)
		if name == "" {
			name = d.Spec
		}
		s.Targets = append(s.Targets, Target{Name: name + " (" + d.Spec + ")", Kind: TargetDevice, Path: d.Spec})
		added = true
	}
	if len(s.Targets) == 0 {
		s.Targets = append(s.Targets, Target{Name: "ISO files", Kind: TargetISO, Path: filepath.Join(dataDir, "iso")})
		added = true
	}
	if s.Target == "" && len(s.Targets) > 0 {
		s.Target = s.Targets[0].Name
	}
	return added
}

// Store keeps the settings in the desk's bbolt store.
type Store struct {
	db  *bolt.DB
	now func() time.Time
}

// Open returns the settings store of db, creating its bucket.
func Open(db *bolt.DB) (*Store, error) {
	err := db.Update(func(tx *bolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists(bucketSettings)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("settings: create bucket: %w", err)
	}
	return &Store{db: db, now: time.Now}, nil
}

// Get returns the saved settings, or Default() when none were saved.
func (st *Store) Get() (Settings, error) {
	s := Default()
	err := st.db.View(func(tx *bolt.Tx) error {
		raw := tx.Bucket(bucketSettings).Get(keyCurrent)
		if raw == nil {
			return nil
		}
		return json.Unmarshal(raw, &s)
	})
	if err != nil {
		return Default(), fmt.Errorf("settings: read: %w", err)
	}
	return s, nil
}

// Save validates s and stores it; by must be allowed to change settings.
func (st *Store) Save(by staff.Member, s Settings) (Settings, error) {
	if !by.Role.Can(staff.ActionSettings) {
		return Settings{}, fmt.Errorf("settings: save: %w", staff.ErrNotAllowed)
	}
	return st.save(by.Name, s)
}

// SaveSystem stores settings the desk itself derived (detected drives at
// start-up), recorded as by "system".
func (st *Store) SaveSystem(s Settings) (Settings, error) { return st.save("system", s) }

func (st *Store) save(by string, s Settings) (Settings, error) {
	if err := s.Validate(); err != nil {
		return Settings{}, fmt.Errorf("settings: save: %w", err)
	}
	s.Updated, s.UpdatedBy = st.now().UTC(), by
	raw, err := json.Marshal(s)
	if err != nil {
		return Settings{}, fmt.Errorf("settings: save: %w", err)
	}
	err = st.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketSettings).Put(keyCurrent, raw) })
	if err != nil {
		return Settings{}, fmt.Errorf("settings: save: %w", err)
	}
	return s, nil
}
