package disc

import (
	"fmt"
	"strings"
	"time"

	"discdesk/internal/version"
	"discdesk/viewer/dcm"
)

// Media is the kind of medium a disc is written to (PS3.12).
type Media string

// The media DiscDesk writes.
const (
	CD    Media = "cd"     // CD-R, 700 MB
	DVD   Media = "dvd"    // DVD±R, 4.7 GB
	DVDDL Media = "dvd-dl" // DVD+R DL, 8.5 GB
	BD    Media = "bd"     // BD-R, 25 GB
	USB   Media = "usb"    // USB stick (FAT32, one file-set in the first partition)
)

// ParseMedia reads a media name as the command line spells it.
func ParseMedia(s string) (Media, error) {
	switch m := Media(strings.ToLower(strings.TrimSpace(s))); m {
	case CD, DVD, DVDDL, BD, USB:
		return m, nil
	case "":
		return CD, nil
	}
	return "", fmt.Errorf("%w %q (want cd, dvd, dvd-dl, bd or usb)", ErrUnknownMedia, s)
}

// Capacity is the user data capacity of one medium in bytes (2048-byte
// sectors: CD-R 80 min 360,000; DVD±R 2,295,104; DVD+R DL 4,173,824; BD-R
// single layer 12,219,392). USB has no fixed size: 0 means unlimited.
func (m Media) Capacity() int64 {
	switch m {
	case CD:
		return 360000 * 2048
	case DVD:
		return 2295104 * 2048
	case DVDDL:
		return 4173824 * 2048
	case BD:
		return 12219392 * 2048
	}
	return 0
}

// profileMedia is the media part of a PS3.11 profile name.
func (m Media) profileMedia() string {
	switch m {
	case DVD, DVDDL:
		return "DVD"
	case BD:
		return "BD"
	case USB:
		return "USB"
	}
	return "CD"
}

// Profile is a PS3.11 general-purpose application profile.
type Profile string

// ProfileCD is STD-GEN-CD: every object in Explicit VR Little Endian. It is
// what every reader can open, so it is the default on every medium.
const ProfileCD Profile = "STD-GEN-CD"

// JPEGProfile is STD-GEN-{DVD,BD,USB}-JPEG for the medium ("" on CD).
func JPEGProfile(m Media) Profile {
	if m == CD || m == "" {
		return ""
	}
	return Profile("STD-GEN-" + m.profileMedia() + "-JPEG")
}

// J2KProfile is STD-GEN-{DVD,BD,USB}-J2K for the medium ("" on CD).
func J2KProfile(m Media) Profile {
	if m == CD || m == "" {
		return ""
	}
	return Profile("STD-GEN-" + m.profileMedia() + "-J2K")
}

// Allows reports whether the profile allows objects in the transfer syntax
// on the disc as they are (PS3.11 D.3, D.5, D.7 and their BD/USB kin).
func (p Profile) Allows(ts string) bool {
	if ts == dcm.ExplicitVRLittleEndian {
		return true
	}
	switch {
	case strings.HasSuffix(string(p), "-JPEG"):
		return ts == dcm.JPEGLosslessSV1 || ts == dcm.JPEGBaseline8Bit || ts == dcm.JPEGExtended12Bit
	case strings.HasSuffix(string(p), "-J2K"):
		return ts == dcm.JPEG2000Lossless || ts == dcm.JPEG2000
	}
	return false
}

// Compressed reports whether the profile allows compressed objects (so
// validate-disc must be run with --allow-compressed).
func (p Profile) Compressed() bool {
	return strings.HasSuffix(string(p), "-JPEG") || strings.HasSuffix(string(p), "-J2K")
}

// Facility is who runs the desk: printed on every disc (README.TXT, the web
// pages), on forms, invoices and labels (app/handoff/docs), and kept in the
// desk's settings (app/settings). It is the one facility type; the desk's
// settings store it as JSON with these keys.
type Facility struct {
	Name    string `json:"name"`
	Address string `json:"address"` // free text, lines separated by newlines
	Phone   string `json:"phone"`
	Fax     string `json:"fax,omitempty"`
	Email   string `json:"email,omitempty"`
	// Contact is whom patients ask for about the images or the report
	// (a department or a person, e.g. "the radiology reading room,
	// Mon-Fri 8-17"); "" = the facility.
	Contact string `json:"contact,omitempty"`
}

// AddressLines are the address's non-empty lines, trimmed.
func (f Facility) AddressLines() []string {
	var out []string
	for _, l := range strings.Split(f.Address, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// Configured reports whether any facility detail is set.
func (f Facility) Configured() bool {
	return strings.TrimSpace(f.Name+f.Address+f.Phone+f.Email+f.Contact) != ""
}

// Supplied is a value staff provide for a missing (or invalid) Type 1 key.
// With File set it is written into that file, replacing any invalid value;
// with File empty into every object that lacks the attribute. The plan
// records it.
type Supplied struct {
	File  string  // input path; "" = every object missing the attribute
	Tag   dcm.Tag // e.g. dcm.StudyID
	Value string
	By    string // staff member, for the record
}

// Options choose the medium, profile and content of the discs.
type Options struct {
	Media Media
	// Capacity overrides the medium's capacity in bytes (0 = the medium's;
	// tests use a small value to make a study span several discs).
	Capacity int64
	// Profile: "" or ProfileCD transcodes everything to Explicit VR Little
	// Endian; JPEGProfile/J2KProfile keep JPEG-family objects as they are
	// (DVD, BD and USB only).
	Profile Profile
	// NoWeb leaves out INDEX.HTM and IHE_PDI/ (a "DICOM ONLY" disc).
	NoWeb bool
	// NoViewer leaves out the viewer folder even when binaries exist.
	NoViewer bool
	// ViewerDir is where packaging put the disc viewer binaries; "" means
	// $DISCDESK_VIEWER_DIR, else assets/viewer beside the executable. When
	// the folder is missing or empty the disc has no viewer and README.TXT
	// says so.
	ViewerDir string
	// FileSetID is the DICOMDIR File-set ID and ISO volume id ("" = derived
	// from the date: DISCDESK_YYMMDD, with _n of m appended when spanning).
	FileSetID string
	// WorkDir receives transcoded objects and staged files ("" = a new
	// folder under the system temp folder, removed by Plan.Close).
	WorkDir string
	// MaxWebImages is how many JPEG images a series gets in the web pages;
	// longer series get that many evenly spaced key images (0 = 24).
	MaxWebImages int
	// Software and Version name the burning application in README.TXT
	// ("" = DiscDesk and its release version, internal/version).
	Software, Version string
	// FrameCache, when set, keeps the browser viewer's packed frames
	// between plans (Plan.PrepareViewer fills it ahead of Build).
	FrameCache *FrameCache
	// Supplied values for missing Type 1 keys.
	Supplied []Supplied
	// Now stamps generated objects and files (nil = time.Now).
	Now func() time.Time
}

func (o *Options) normalise() error {
	if o.Media == "" {
		o.Media = CD
	}
	if _, err := ParseMedia(string(o.Media)); err != nil {
		return err
	}
	if o.Profile == "" {
		o.Profile = ProfileCD
	}
	if o.Profile != ProfileCD && o.Media == CD {
		return fmt.Errorf("disc: profile %s is not allowed on CD (STD-GEN-CD only)", o.Profile)
	}
	if o.Profile.Compressed() && o.Profile != JPEGProfile(o.Media) && o.Profile != J2KProfile(o.Media) {
		return fmt.Errorf("disc: profile %s does not match media %s", o.Profile, o.Media)
	}
	if o.Capacity == 0 {
		o.Capacity = o.Media.Capacity()
	}
	if o.MaxWebImages <= 0 {
		o.MaxWebImages = 24
	}
	if o.Software == "" {
		o.Software = version.Software
	}
	if o.Version == "" {
		o.Version = version.Version
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return nil
}
