package disc

import (
	"errors"
	"fmt"
	"strings"

	"discdesk/viewer/dcm"
)

// Errors of NewPlan.
var (
	// ErrNoInput means the plan was given no instance files.
	ErrNoInput = errors.New("disc: no instance files given")
	// ErrNotDICOM means an input file is not a readable DICOM object.
	ErrNotDICOM = errors.New("disc: not a readable DICOM object")
	// ErrMissingKey means an object lacks a Type 1 key the DICOMDIR needs
	// and staff supplied no value: the MissingKeys error lists every
	// *MissingKeyError, each naming the file and the attribute.
	ErrMissingKey = errors.New("disc: a required DICOMDIR key is missing")
	// ErrSeriesTooLarge means one series does not fit on the chosen medium;
	// series are never split across discs.
	ErrSeriesTooLarge = errors.New("disc: a series is larger than the medium")
	// ErrCannotTranscode means an object's transfer syntax is not allowed by
	// the profile and this build cannot decode it to Explicit VR Little
	// Endian.
	ErrCannotTranscode = errors.New("disc: object cannot be transcoded for the profile")
	// ErrUnknownMedia means the media name is not cd, dvd, dvd-dl, bd or usb.
	ErrUnknownMedia = errors.New("disc: unknown media")
)

// Errors of Build and the writers.
var (
	// ErrUnacknowledged means a warning that needs staff acknowledgement
	// (such as "no report") has not been acknowledged.
	ErrUnacknowledged = errors.New("disc: warning not acknowledged")
	// ErrSourceChanged means a library file changed between planning and
	// building (its size differs).
	ErrSourceChanged = errors.New("disc: source file changed since the plan was made")
	// ErrBadName means a disc path is not ISO 9660 level 1.
	ErrBadName = errors.New("disc: disc path is not ISO 9660 level 1")
)

// MissingKeyError names the file and the attribute of a missing (or
// invalid) Type 1 DICOMDIR key (PS3.3 F.5). The text is shown to staff as
// is.
type MissingKeyError struct {
	File      string  // Supplied.File for a value for this file alone: the imported name, else the input path (Object.SupplyFile)
	Name      string  // the file as staff know it, with its series and study (Object.Describe)
	Record    string  // directory record type, e.g. "STUDY"
	Attribute string  // name and tag, e.g. "Study ID (0020,0010)"
	Tag       dcm.Tag // the attribute's tag, for a Supplied value
	Invalid   bool    // the object has a value, but not a valid one for its VR
	Value     string  // the invalid value ("" when missing), for staff to correct
}

func (e *MissingKeyError) Error() string {
	what := "which is missing or empty"
	if e.Invalid {
		what = "whose value in the object is not valid"
	}
	name := e.Name
	if name == "" {
		name = e.File
	}
	return fmt.Sprintf("%s: %s record needs %s, %s; supply the value or fix the object", name, e.Record, e.Attribute, what)
}

func (e *MissingKeyError) Unwrap() error { return ErrMissingKey }

// MissingKeys is every missing or invalid Type 1 key of a plan, reported
// at once so staff supply them in one go. errors.As finds the first
// *MissingKeyError; errors.Is(err, ErrMissingKey) holds.
type MissingKeys []*MissingKeyError

func (m MissingKeys) Error() string {
	if len(m) == 1 {
		return m[0].Error()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d required DICOMDIR keys are missing or invalid:", len(m))
	for _, e := range m {
		what := "missing"
		if e.Invalid {
			what = "not valid"
		}
		name := e.Name
		if name == "" {
			name = e.File
		}
		fmt.Fprintf(&b, "\n  %s: %s (%s record) %s", name, e.Attribute, e.Record, what)
	}
	b.WriteString("\nsupply the values or fix the objects")
	return b.String()
}

// Unwrap gives the missing keys one by one.
func (m MissingKeys) Unwrap() []error {
	out := make([]error, len(m))
	for i, e := range m {
		out[i] = e
	}
	return out
}

// ToolError reports a failed external program (xorriso).
type ToolError struct {
	Tool     string
	Args     []string
	ExitCode int
	Stderr   string
}

func (e *ToolError) Error() string {
	return fmt.Sprintf("%s exited with status %d: %s", e.Tool, e.ExitCode, e.Stderr)
}
