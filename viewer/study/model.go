package study

import (
	"io/fs"
	"sort"
	"strconv"
	"strings"

	"discdesk/viewer/dcm"
)

// Kind says how the viewer shows an instance.
type Kind int

// Kinds of instance.
const (
	KindOther    Kind = iota // not shown (presentation states, RT, waveforms...)
	KindImage                // pixel data: shown in a stack
	KindSR                   // structured report: shown as text
	KindDocument             // encapsulated document (PDF): opened outside
)

func (k Kind) String() string {
	switch k {
	case KindImage:
		return "image"
	case KindSR:
		return "report"
	case KindDocument:
		return "document"
	}
	return "other"
}

// A Disc is a medium opened for viewing: its patients, studies and series.
type Disc struct {
	// FS reads the medium's files; Instance.Path is relative to it.
	FS fs.FS
	// Source is what was opened (a folder, DICOMDIR or ISO path).
	Source string
	// FromDICOMDIR is set when the tree came from a DICOMDIR.
	FromDICOMDIR bool
	Patients     []*Patient
	// Missing counts DICOMDIR references to files that are not there, and
	// Unreadable files that were not DICOM.
	Missing, Unreadable int
	closer              func() error
}

// Close releases the medium (the ISO image file when one was opened).
func (d *Disc) Close() error {
	if d.closer != nil {
		return d.closer()
	}
	return nil
}

// Series returns every series of the disc, patient by patient.
func (d *Disc) Series() []*Series {
	var out []*Series
	for _, p := range d.Patients {
		for _, st := range p.Studies {
			out = append(out, st.Series...)
		}
	}
	return out
}

// Patient is one patient on the disc.
type Patient struct {
	ID, Name, BirthDate, Sex string
	Studies                  []*Study
}

// Study is one study of a patient.
type Study struct {
	UID, Date, Time, Description, Accession, ID string
	Patient                                     *Patient
	Series                                      []*Series
}

// Series is one series of a study.
type Series struct {
	UID, Modality, Description string
	Number                     int
	Study                      *Study
	Instances                  []*Instance
}

// Images returns the series' image instances in instance order.
func (s *Series) Images() []*Instance { return s.ofKind(KindImage) }

// Reports returns the series' SR and document instances.
func (s *Series) Reports() []*Instance {
	return append(s.ofKind(KindSR), s.ofKind(KindDocument)...)
}

func (s *Series) ofKind(k Kind) []*Instance {
	var out []*Instance
	for _, in := range s.Instances {
		if in.Kind == k {
			out = append(out, in)
		}
	}
	return out
}

// Label is a short name for lists: "CT 2: Chest" style.
func (s *Series) Label() string {
	l := s.Modality
	if s.Number != 0 || l == "" {
		l = strings.TrimSpace(l + " " + strconv.Itoa(s.Number))
	}
	if s.Description != "" {
		l += ": " + s.Description
	}
	return l
}

// Instance is one file.
type Instance struct {
	// Path is the file's path in Disc.FS (slash separated).
	Path                        string
	SOPClassUID, SOPInstanceUID string
	Kind                        Kind
	Number                      int
	// Frames is the Number of Frames when known before loading (0 unknown).
	Frames int
	Series *Series
}

// sortSeries orders instances by Instance Number, then path; series by
// Series Number; studies by date.
func (d *Disc) sortAll() {
	for _, p := range d.Patients {
		sort.SliceStable(p.Studies, func(i, j int) bool { return p.Studies[i].Date+p.Studies[i].Time < p.Studies[j].Date+p.Studies[j].Time })
		for _, st := range p.Studies {
			sort.SliceStable(st.Series, func(i, j int) bool { return st.Series[i].Number < st.Series[j].Number })
			for _, se := range st.Series {
				ins := se.Instances
				sort.SliceStable(ins, func(i, j int) bool {
					if ins[i].Number != ins[j].Number {
						return ins[i].Number < ins[j].Number
					}
					return ins[i].Path < ins[j].Path
				})
			}
		}
	}
}

// builder groups instances by patient, study and series keys.
type builder struct {
	d        *Disc
	patients map[string]*Patient
	studies  map[string]*Study
	series   map[string]*Series
}

func newBuilder(d *Disc) *builder {
	return &builder{d: d, patients: map[string]*Patient{}, studies: map[string]*Study{}, series: map[string]*Series{}}
}

func (b *builder) patient(ds *dcm.DataSet) *Patient {
	id := ds.String(dcm.PatientID)
	key := id + "|" + ds.String(dcm.PatientName)
	if p := b.patients[key]; p != nil {
		return p
	}
	p := &Patient{ID: id, Name: ds.String(dcm.PatientName), BirthDate: ds.String(dcm.PatientBirthDate), Sex: ds.String(dcm.PatientSex)}
	b.patients[key] = p
	b.d.Patients = append(b.d.Patients, p)
	return p
}

func (b *builder) study(p *Patient, ds *dcm.DataSet) *Study {
	uid := ds.String(dcm.StudyInstanceUID)
	if st := b.studies[uid]; st != nil {
		return st
	}
	st := &Study{UID: uid, Date: ds.String(dcm.StudyDate), Time: ds.String(dcm.StudyTime), Description: ds.String(dcm.StudyDescription),
		Accession: ds.String(dcm.AccessionNumber), ID: ds.String(dcm.StudyID), Patient: p}
	b.studies[uid] = st
	p.Studies = append(p.Studies, st)
	return st
}

func (b *builder) seriesOf(st *Study, ds *dcm.DataSet) *Series {
	uid := ds.String(dcm.SeriesInstanceUID)
	if se := b.series[uid]; se != nil {
		return se
	}
	n, _ := ds.Int(dcm.SeriesNumber)
	se := &Series{UID: uid, Modality: ds.String(dcm.Modality), Description: ds.String(dcm.SeriesDescription), Number: n, Study: st}
	b.series[uid] = se
	st.Series = append(st.Series, se)
	return se
}
