package imageview

import (
	"fmt"
	"strings"
)

// Words gives the overlay its words: for each line (or part of a line) of
// the overlay, named by one of the Word keys below, the fmt format that
// shows it with the values its key documents. A format without a verb is
// shown as it is (the values left out), and "" leaves the line out, so one
// Words both translates the overlay and chooses what it shows: a screen
// for patients returns "" for the staff's lines, and a line the widget
// gains later stays off such a screen until its Words names it.
//
// A nil Words is English, the IHE Basic Image Review overlay the disc
// viewer and the staff screens show.
type Words func(key string) string

// Keys of Words, with the values each format takes. Values are strings
// unless said otherwise; dates are YYYY-MM-DD.
const (
	WordName        = "name"        // the patient's name (Family, Given)
	WordID          = "id"          // Patient ID
	WordBorn        = "born"        // birth date
	WordAge         = "age"         // the age as WordAgeYears... give it, beside the birth date
	WordAgeYears    = "age.Y"       // the number of an age in years (AS "067Y")
	WordAgeMonths   = "age.M"       // ... in months
	WordAgeWeeks    = "age.W"       // ... in weeks
	WordAgeDays     = "age.D"       // ... in days
	WordSex         = "sex"         // Patient's Sex as stored (M, F, O)
	WordInstitution = "institution" // Institution Name
	WordStudy       = "study"       // Study Description
	WordStudyDate   = "studydate"   // Study Date
	WordAccession   = "accession"   // Accession Number
	WordSeries      = "series"      // the series' label: modality, number and description ("CT 1: AXIAL")
	WordImage       = "image"       // two ints: the image's place in the stack (from 1) and the stack's length
	WordFrame       = "frame"       // two ints: the frame of a multi-frame image (from 1) and its frames
	WordThickness   = "thickness"   // Slice Thickness in mm, as stored
	WordLocation    = "location"    // Slice Location in mm, as stored
	WordLaterality  = "laterality"  // Laterality as stored (R, L)
	WordWindow      = "window"      // two float64: window width and centre
	WordWindowName  = "windowname"  // the window's name: a WordPreset, WordWindowOwn or WordWindowSet
	WordWindowOwn   = "window.own"  // the name of a window stored in the image that has none
	WordWindowSet   = "window.set"  // the name of a window set by hand (dragged)
	WordZoom        = "zoom"        // float64: the magnification in per cent
	WordRotated     = "rotated"     // int: degrees the image is turned clockwise
	WordMirroredLR  = "mirrored.lr" // the image is mirrored left to right (no value)
	WordMirroredTB  = "mirrored.tb" // ... top to bottom (no value)
	WordDetector    = "detector"    // distances are measured at the detector (no value)
	WordNoSpacing   = "nospacing"   // the pixel spacing is unknown (no value)
	WordLossy       = "lossy"       // the image was compressed with loss (ratios and methods follow)
	WordCine        = "cine"        // cine runs (no value)
	WordError       = "error"       // the loading or rendering error's text
	WordDistance    = "measure.mm"  // float64: a measured distance in mm
	WordPixels      = "measure.px"  // float64: a distance in pixels, the spacing unknown
	WordAngle       = "measure.deg" // float64: a measured angle in degrees
	WordSecondArm   = "measure.arm" // an angle waits for its second arm (no value)

	// WordPreset followed by a window's explanation ("CT lung", the
	// image's own "SOFT TISSUE") is that window's name; "" when not known.
	WordPreset = "preset."
	// WordEdge followed by a patient direction letter (L, R, A, P, H, F)
	// is the letter shown at the image's edges; "" for any letter hides
	// the edge letters.
	WordEdge = "edge."
)

// english is the overlay of the disc viewer and the staff screens.
var english = map[string]string{
	WordName:        "%s",
	WordID:          "ID %s",
	WordBorn:        "Born %s",
	WordAge:         "(%s)",
	WordAgeYears:    "%s y",
	WordAgeMonths:   "%s mo",
	WordAgeWeeks:    "%s wk",
	WordAgeDays:     "%s d",
	WordSex:         "%s",
	WordInstitution: "%s",
	WordStudy:       "%s",
	WordStudyDate:   "%s",
	WordAccession:   "Acc %s",
	WordSeries:      "%s",
	WordImage:       "Im %d/%d",
	WordFrame:       "Frame %d/%d",
	WordThickness:   "Thk %s mm",
	WordLocation:    "Loc %s mm",
	WordLaterality:  "Laterality %s",
	WordWindow:      "W %.0f L %.0f",
	WordWindowOwn:   "image's own",
	WordWindowSet:   "set by hand",
	WordZoom:        "Zoom %.0f%%",
	WordRotated:     "Rotated %d°",
	WordMirroredLR:  "mirrored L-R",
	WordMirroredTB:  "mirrored T-B",
	WordDetector:    "Spacing at detector",
	WordNoSpacing:   "Pixel spacing unknown",
	WordLossy:       "Lossy compressed",
	WordCine:        "Cine",
	WordError:       "Error: %s",
	WordDistance:    "%.1f mm",
	WordPixels:      "%.1f px (pixel spacing unknown)",
	WordAngle:       "%.1f°",
	WordSecondArm:   "drag the second arm",
	WordEdge + "L":  "L",
	WordEdge + "R":  "R",
	WordEdge + "A":  "A",
	WordEdge + "P":  "P",
	WordEdge + "H":  "H",
	WordEdge + "F":  "F",
	// No WordWindowName: the staff read the window's numbers.
}

// English is the overlay's default Words: the staff's English
// abbreviations ("Im 21/40", "Thk 5 mm", "W 400 L 40").
func English(key string) string { return english[key] }

// word is the viewer's format for key.
func (v *Viewer) word(key string) string {
	if v.Words != nil {
		return v.Words(key)
	}
	return English(key)
}

// line formats key's line with its values; "" when the words leave it out.
func (v *Viewer) line(key string, args ...any) string {
	f := v.word(key)
	if f == "" || !strings.Contains(f, "%") {
		return f
	}
	return fmt.Sprintf(f, args...)
}

// labelled formats key's line with a value, or gives "" for no value.
func (v *Viewer) labelled(key, value string) string {
	if strings.TrimSpace(value) == "" {
		return ""
	}
	return v.line(key, strings.TrimSpace(value))
}
