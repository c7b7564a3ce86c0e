package reconcile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"discdesk/viewer/dcm"
)

// Errors of reconciliation.
var (
	// ErrNoObjects means the disc holds no DICOM object that could be read.
	ErrNoObjects = errors.New("no DICOM objects on the disc")
	// ErrNoMapping means the local Patient ID was not given.
	ErrNoMapping = errors.New("no local Patient ID mapped")
	// ErrMissing means a required field (sender, staff) is empty.
	ErrMissing = errors.New("required")
)

// An Object is one DICOM file of the outside disc with its identifying keys.
type Object struct {
	Path      string
	SOPUID    string
	PatientID string
	Issuer    string
	Name      string
	BirthDate string // YYYYMMDD
	Sex       string
	StudyUID  string
	Accession string
	StudyDate string
	StudyDesc string
	Modality  string
	Sender    string // Institution Name
}

// An OutsidePatient is one patient of the disc with its studies.
type OutsidePatient struct {
	ID, Issuer, Name, BirthDate, Sex string
	Studies                          []OutsideStudy
}

// An OutsideStudy is one study of the disc.
type OutsideStudy struct {
	UID, Accession, Date, Description, Institution string
	Modalities                                     []string
	Objects                                        []Object
}

// A Disc is what Scan found.
type Disc struct {
	Dir      string
	Patients []OutsidePatient
	Problems []string // unreadable or non-DICOM files
}

// Scan reads the headers of every DICOM file under dir (a mounted disc or a
// copy of it). DICOMDIRs, hidden files and files that are not DICOM are
// skipped; unreadable DICOM files are listed as problems.
func Scan(dir string) (*Disc, error) {
	d := &Disc{Dir: dir}
	var objs []Object
	err := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			d.Problems = append(d.Problems, fmt.Sprintf("%s: %v", p, err))
			return nil
		}
		name := e.Name()
		if strings.HasPrefix(name, ".") && p != dir {
			if e.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if e.IsDir() || !e.Type().IsRegular() {
			return nil
		}
		up := strings.ToUpper(name)
		if up == "DICOMDIR" || strings.HasSuffix(up, ".HTM") || strings.HasSuffix(up, ".TXT") || strings.HasSuffix(up, ".JPG") || strings.HasSuffix(up, ".INF") || strings.HasSuffix(up, ".EXE") {
			return nil
		}
		f, err := dcm.ParseFile(p, dcm.StopAt(dcm.PixelData))
		if err != nil {
			if looksDICOM(p) {
				d.Problems = append(d.Problems, fmt.Sprintf("%s: %v", p, err))
			}
			return nil
		}
		ds := f.DataSet
		if f.Meta.String(dcm.MediaStorageSOPClassUID) == dcm.MediaStorageDirectoryStorage || ds.String(dcm.SOPInstanceUID) == "" || ds.String(dcm.StudyInstanceUID) == "" {
			return nil
		}
		objs = append(objs, Object{
			Path: p, SOPUID: ds.String(dcm.SOPInstanceUID), PatientID: ds.String(dcm.PatientID), Issuer: ds.String(dcm.IssuerOfPatientID),
			Name: ds.String(dcm.PatientName), BirthDate: ds.String(dcm.PatientBirthDate), Sex: ds.String(dcm.PatientSex),
			StudyUID: ds.String(dcm.StudyInstanceUID), Accession: ds.String(dcm.AccessionNumber), StudyDate: ds.String(dcm.StudyDate),
			StudyDesc: ds.String(dcm.StudyDescription), Modality: ds.String(dcm.Modality), Sender: ds.String(dcm.InstitutionName),
		})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reconcile: scan %s: %w", dir, err)
	}
	if len(objs) == 0 {
		return d, fmt.Errorf("reconcile: scan %s: %w", dir, ErrNoObjects)
	}
	sort.Slice(objs, func(i, j int) bool { return objs[i].Path < objs[j].Path })
	pi := map[string]int{}
	si := map[string][2]int{}
	for _, o := range objs {
		pk := o.Issuer + "\x1f" + o.PatientID + "\x1f" + o.Name
		i, ok := pi[pk]
		if !ok {
			i = len(d.Patients)
			pi[pk] = i
			d.Patients = append(d.Patients, OutsidePatient{ID: o.PatientID, Issuer: o.Issuer, Name: o.Name, BirthDate: o.BirthDate, Sex: o.Sex})
		}
		p := &d.Patients[i]
		if p.BirthDate == "" {
			p.BirthDate = o.BirthDate
		}
		k, ok := si[pk+"\x1f"+o.StudyUID]
		if !ok {
			k = [2]int{i, len(p.Studies)}
			si[pk+"\x1f"+o.StudyUID] = k
			p.Studies = append(p.Studies, OutsideStudy{UID: o.StudyUID, Accession: o.Accession, Date: o.StudyDate, Description: o.StudyDesc, Institution: o.Sender})
		}
		st := &p.Studies[k[1]]
		if o.Modality != "" && !contains(st.Modalities, o.Modality) {
			st.Modalities = append(st.Modalities, o.Modality)
		}
		st.Objects = append(st.Objects, o)
	}
	return d, nil
}

func looksDICOM(p string) bool {
	f, err := os.Open(p)
	if err != nil {
		return false
	}
	defer f.Close()
	b := make([]byte, 132)
	n, _ := f.Read(b)
	return n == 132 && string(b[128:]) == "DICM"
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// Sender is the disc's institution (the first Institution Name found).
func (d *Disc) Sender() string {
	for _, p := range d.Patients {
		for _, s := range p.Studies {
			if s.Institution != "" {
				return s.Institution
			}
		}
	}
	return ""
}
