package disc

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"discdesk/viewer/dcm"
)

// Action says how an object reaches the disc.
type Action string

// The actions of a plan.
const (
	Copy      Action = "copy"      // the library file, byte for byte
	Transcode Action = "transcode" // rewritten as Explicit VR Little Endian (or with supplied values)
	Generate  Action = "generate"  // made by DiscDesk (a wrapped report)
)

// Kind is what an object is, for the pages and the report logic.
type Kind string

// Object kinds.
const (
	KindImage   Kind = "image"
	KindSR      Kind = "sr"
	KindPDF     Kind = "pdf"
	KindPR      Kind = "presentation"
	KindOther   Kind = "other"
	encapPDFUID      = "1.2.840.10008.5.1.4.1.1.104.1"
)

// An Object is one DICOM object of the plan.
type Object struct {
	Source string // input path ("" for generated objects)
	// Name is what staff know the file as (Input.Names, else the base
	// name of Source).
	Name   string
	FileID string // e.g. DICOM/P0000001/S0000001/I0000001
	Action Action
	Reason string // why it is transcoded (empty for Copy)
	Kind   Kind

	SourceSyntax string // transfer syntax of the input
	Syntax       string // transfer syntax on the disc
	SOPClassUID  string
	SOPInstance  string

	PatientID, StudyUID, SeriesUID string
	Modality                       string
	SeriesNumber, InstanceNumber   int
	Frames                         int

	SourceSize int64 // bytes of the input file
	Size       int64 // bytes on the disc (an estimate until Build for transcoded objects)

	// Supplied lists staff-supplied values written into this object.
	Supplied []Supplied

	header      *dcm.DataSet     // trimmed header (no pixel data, no private elements)
	now         func() time.Time // the plan's clock, for rewritten objects
	software    string           // the plan's Software and Version
	pixelLen    int64            // encoded length of the pixel data in the input
	metaProblem string           // why the meta group must be rewritten ("" = fine)
	supplyName  string           // imported name unique in the plan (SupplyFile)
	addEmpty    []dcm.Tag        // Type 2 attributes the object lacks, added empty
	generated   []byte           // complete Part 10 bytes of a generated object
	digest      string           // SHA-256 of the bytes on the disc (hex), when Build read them for the browser viewer
	digestSize  int64            // how many bytes digest covers
	staffText   string           // the staff text a generated report PDF was made from (its page shows it)
}

// Header returns the object's trimmed header (top-level keys without pixel
// data or private elements): what the DICOMDIR and the pages are made from.
func (o *Object) Header() *dcm.DataSet { return o.header }

// bulkSequences are top-level sequences that can be large and that no
// directory record or page needs from the header (pages re-read the file).
var bulkSequences = map[dcm.Tag]bool{
	dcm.T(0x0040, 0xA730): true, // Content Sequence (SR)
	dcm.T(0x5200, 0x9229): true, // Shared Functional Groups Sequence
	dcm.T(0x5200, 0x9230): true, // Per-frame Functional Groups Sequence
	dcm.T(0x5400, 0x0100): true, // Waveform Sequence
	dcm.T(0x3006, 0x0039): true, // ROI Contour Sequence
	dcm.T(0x300A, 0x00B0): true, // Beam Sequence
	dcm.T(0x3004, 0x0050): true, // DVH Sequence
	dcm.T(0x0070, 0x0001): true, // Graphic Annotation Sequence
}

// readObject parses the header of one input file.
func readObject(path, name string) (*Object, error) {
	f, err := dcm.ParseFile(path, dcm.SkipPixelData())
	if err != nil {
		return nil, fmt.Errorf("%w: file %s: %v", ErrNotDICOM, name, err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	ds := f.DataSet
	o := &Object{
		Source:       path,
		Name:         name,
		SourceSyntax: f.Syntax.UID,
		SOPClassUID:  ds.String(dcm.SOPClassUID),
		SOPInstance:  ds.String(dcm.SOPInstanceUID),
		PatientID:    ds.String(dcm.PatientID),
		StudyUID:     ds.String(dcm.StudyInstanceUID),
		SeriesUID:    ds.String(dcm.SeriesInstanceUID),
		Modality:     ds.String(dcm.Modality),
		SourceSize:   fi.Size(),
		Frames:       1,
	}
	if o.SOPClassUID == "" || o.SOPInstance == "" {
		return nil, fmt.Errorf("%w: file %s has no SOP Class or SOP Instance UID", ErrNotDICOM, name)
	}
	o.SeriesNumber, _ = ds.Int(dcm.SeriesNumber)
	o.InstanceNumber, _ = ds.Int(dcm.InstanceNumber)
	if n, ok := ds.Int(dcm.NumberOfFrames); ok && n > 0 {
		o.Frames = n
	}
	o.Kind = kindOf(o.SOPClassUID, ds)
	if pd := ds.Get(dcm.PixelData); pd != nil {
		if pd.Fragments != nil {
			for _, fr := range pd.Fragments {
				o.pixelLen += int64(fr.Length) + 8
			}
		} else {
			o.pixelLen = int64(pd.Length)
		}
	}
	o.header = trimHeader(ds)

	// Copy byte for byte only what is already right: a complete meta
	// group whose SOP class/instance equal the data set's and whose group
	// length is true (the transfer syntax is judged by the plan's profile).
	switch {
	case f.NoMeta:
		o.metaProblem = "no File Meta Information (PS3.10 7.1)"
	case f.Meta.String(dcm.MediaStorageSOPClassUID) != o.SOPClassUID || f.Meta.String(dcm.MediaStorageSOPInstanceUID) != o.SOPInstance:
		o.metaProblem = "meta SOP class/instance differ from the data set's"
	case !metaLengthTrue(f):
		o.metaProblem = "File Meta Information group length is wrong"
	case f.Meta.Get(dcm.FileMetaInformationVersion) == nil || f.Meta.Get(dcm.ImplementationClassUID) == nil:
		o.metaProblem = "File Meta Information lacks required elements"
	}
	return o, nil
}

// displayName is what staff know the file at path as.
func displayName(path string, names map[string]string) string {
	if n := strings.TrimSpace(names[path]); n != "" {
		return n
	}
	return filepath.Base(path)
}

// Describe names the object as staff know it: the imported file, its
// series, its study and its patient, e.g. `file CT0042.dcm (series 3 "AX
// T2", study "MRI BRAIN", patient "Doe, Jane")`. Empty parts are left out.
// It is for staff (plan warnings and errors), never for logs.
func (o *Object) Describe() string {
	name := o.Name
	if name == "" && o.Source == "" {
		name = "the report made at the desk"
	} else if name == "" {
		name = filepath.Base(o.Source)
	}
	var parts []string
	if o.header != nil {
		se := fmt.Sprintf("series %d", o.SeriesNumber)
		if !o.header.Has(dcm.SeriesNumber) || strings.TrimSpace(o.header.String(dcm.SeriesNumber)) == "" {
			se = "series"
		}
		if d := strings.TrimSpace(o.header.String(dcm.SeriesDescription)); d != "" {
			se += fmt.Sprintf(" %q", d)
		}
		if se != "series" {
			parts = append(parts, se)
		}
		if w := o.whose(); w != "" {
			parts = append(parts, w)
		}
	}
	if o.Source == "" {
		if len(parts) == 0 {
			return name
		}
		return name + " (" + strings.Join(parts, ", ") + ")"
	}
	if len(parts) == 0 {
		return "file " + name
	}
	return "file " + name + " (" + strings.Join(parts, ", ") + ")"
}

// whose names the object's study and patient as staff know them, e.g.
// `study "MRI BRAIN", patient "Doe, Jane"` ("" when both are empty).
func (o *Object) whose() string {
	if o.header == nil {
		return ""
	}
	var parts []string
	if d := strings.TrimSpace(o.header.String(dcm.StudyDescription)); d != "" {
		parts = append(parts, fmt.Sprintf("study %q", d))
	}
	if n := dcm.PersonName(o.header.String(dcm.PatientName)); n != "" {
		parts = append(parts, fmt.Sprintf("patient %q", n))
	}
	return strings.Join(parts, ", ")
}

// metaLengthTrue checks (0002,0000) against where the data set starts.
func metaLengthTrue(f *dcm.File) bool {
	gl, ok := f.Meta.Int(dcm.FileMetaInformationGroupLength)
	if !ok {
		return false
	}
	// 132 bytes of preamble and prefix, 12 bytes of the group length element.
	return int64(gl) == f.DataSetOffset-132-12
}

func kindOf(sopClass string, ds *dcm.DataSet) Kind {
	switch {
	case sopClass == encapPDFUID:
		return KindPDF
	case strings.HasPrefix(sopClass, "1.2.840.10008.5.1.4.1.1.88."):
		if sopClass == "1.2.840.10008.5.1.4.1.1.88.59" {
			return KindOther // Key Object Selection
		}
		return KindSR
	case strings.HasPrefix(sopClass, "1.2.840.10008.5.1.4.1.1.11."):
		return KindPR
	case ds.Has(dcm.PixelData) && ds.Has(dcm.Rows):
		return KindImage
	}
	return KindOther
}

// trimHeader keeps the public top-level elements a DICOMDIR or a page may
// need, dropping private elements and large values so a 2,000-instance plan
// stays small in memory.
func trimHeader(ds *dcm.DataSet) *dcm.DataSet {
	out := &dcm.DataSet{BigEndian: ds.BigEndian}
	for _, e := range ds.Elements {
		switch {
		case e.Tag.Private(), e.Tag == dcm.PixelData, e.Tag == dcm.FloatPixelData, e.Tag == dcm.DoubleFloatPixelData:
			continue
		case e.Tag == dcm.EncapsulatedDocument:
			continue
		case e.Items != nil && bulkSequences[e.Tag]:
			continue
		case len(e.Value) > 1024:
			continue
		}
		out.Set(e)
	}
	return out
}
