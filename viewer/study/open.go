package study

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"discdesk/viewer/dcm"
	"discdesk/viewer/dicomdir"
)

// Open opens what the disc viewer was given: a folder (with or without a
// DICOMDIR at its root), a DICOMDIR file, a single DICOM file, or an ISO
// 9660 image. It reads directory and headers only; pixels are loaded by a
// Stack. Nothing is written.
func Open(p string) (*Disc, error) {
	fi, err := os.Stat(p)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", p, err)
	}
	if fi.IsDir() {
		return OpenFS(os.DirFS(p), p)
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", p, err)
	}
	if isISO(f) {
		fsys, err := NewISO(f, fi.Size())
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("open %s: %w", p, err)
		}
		d, err := OpenFS(fsys, p)
		if err != nil {
			f.Close()
			return nil, err
		}
		d.closer = f.Close
		return d, nil
	}
	f.Close()
	dir, name := filepath.Split(p)
	if dir == "" {
		dir = "."
	}
	fsys := os.DirFS(dir)
	d := &Disc{FS: fsys, Source: p}
	if b, err := os.ReadFile(p); err == nil {
		if dd, err := dicomdir.ReadBytes(b); err == nil {
			d.FromDICOMDIR = true
			d.fromDirectory(dd, ".")
			return finish(d)
		}
	}
	b := newBuilder(d)
	if err := d.addFile(b, name); err != nil {
		return nil, fmt.Errorf("open %s: %w", p, err)
	}
	return finish(d)
}

// OpenFS opens the medium in fsys: through its root DICOMDIR when there is
// a readable one, else by reading the header of every file. source names it
// in messages.
func OpenFS(fsys fs.FS, source string) (*Disc, error) {
	d := &Disc{FS: fsys, Source: source}
	if name, ok := findName(fsys, ".", "DICOMDIR"); ok {
		if b, err := fs.ReadFile(fsys, name); err == nil {
			if dd, err := dicomdir.ReadBytes(b); err == nil {
				d.FromDICOMDIR = true
				d.fromDirectory(dd, ".")
				if len(d.Patients) > 0 {
					return finish(d)
				}
				d.Patients, d.Missing = nil, 0
				d.FromDICOMDIR = false
			}
		}
	}
	if err := d.scan(); err != nil {
		return nil, fmt.Errorf("open %s: %w", source, err)
	}
	return finish(d)
}

func finish(d *Disc) (*Disc, error) {
	if len(d.Patients) == 0 {
		return nil, fmt.Errorf("open %s: %w", d.Source, ErrNoDICOM)
	}
	d.sortAll()
	return d, nil
}

// fromDirectory builds the tree from DICOMDIR records; base is the folder
// File IDs are relative to.
func (d *Disc) fromDirectory(dd *dicomdir.Directory, base string) {
	for _, pr := range dd.Records {
		if pr.Type != "PATIENT" {
			continue
		}
		p := &Patient{ID: pr.Keys.String(dcm.PatientID), Name: pr.Keys.String(dcm.PatientName),
			BirthDate: pr.Keys.String(dcm.PatientBirthDate), Sex: pr.Keys.String(dcm.PatientSex)}
		for _, sr := range pr.Children {
			if sr.Type != "STUDY" {
				continue
			}
			k := sr.Keys
			st := &Study{UID: k.String(dcm.StudyInstanceUID), Date: k.String(dcm.StudyDate), Time: k.String(dcm.StudyTime),
				Description: k.String(dcm.StudyDescription), Accession: k.String(dcm.AccessionNumber), ID: k.String(dcm.StudyID), Patient: p}
			for _, ser := range sr.Children {
				if ser.Type != "SERIES" {
					continue
				}
				n, _ := ser.Keys.Int(dcm.SeriesNumber)
				se := &Series{UID: ser.Keys.String(dcm.SeriesInstanceUID), Modality: ser.Keys.String(dcm.Modality),
					Description: ser.Keys.String(dcm.SeriesDescription), Number: n, Study: st}
				for _, leaf := range ser.Children {
					if len(leaf.FileID) == 0 {
						continue
					}
					fp, ok := resolve(d.FS, base, leaf.FileID)
					if !ok {
						d.Missing++
						continue
					}
					in := &Instance{Path: fp, SOPClassUID: leaf.SOPClassUID, SOPInstanceUID: leaf.SOPInstanceUID, Kind: kindOfRecord(leaf.Type), Series: se}
					in.Number, _ = leaf.Keys.Int(dcm.InstanceNumber)
					in.Frames, _ = leaf.Keys.Int(dcm.NumberOfFrames)
					se.Instances = append(se.Instances, in)
				}
				if len(se.Instances) > 0 {
					st.Series = append(st.Series, se)
				}
			}
			if len(st.Series) > 0 {
				p.Studies = append(p.Studies, st)
			}
		}
		if len(p.Studies) > 0 {
			d.Patients = append(d.Patients, p)
		}
	}
}

func kindOfRecord(t string) Kind {
	switch t {
	case "IMAGE":
		return KindImage
	case "SR DOCUMENT":
		return KindSR
	case "ENCAP DOC":
		return KindDocument
	}
	return KindOther
}

// kindOf classifies a file by its SOP class and pixel data.
func kindOf(ds *dcm.DataSet) Kind {
	rt, _ := dicomdir.RecordType(ds.String(dcm.SOPClassUID))
	if k := kindOfRecord(rt); k != KindOther {
		return k
	}
	if ds.Has(dcm.PixelData) {
		return KindImage
	}
	return KindOther
}

// findName finds name in folder dir ignoring case and an ISO ";1" version.
func findName(fsys fs.FS, dir, name string) (string, bool) {
	exact := path.Join(dir, name)
	if _, err := fs.Stat(fsys, exact); err == nil {
		return exact, true
	}
	ents, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return "", false
	}
	for _, e := range ents {
		n := e.Name()
		if i := strings.IndexByte(n, ';'); i >= 0 {
			n = n[:i]
		}
		if strings.EqualFold(strings.TrimSuffix(n, "."), name) {
			return path.Join(dir, e.Name()), true
		}
	}
	return "", false
}

// resolve finds a File ID's file, component by component, exactly or else
// ignoring case (discs mounted with lower-case names).
func resolve(fsys fs.FS, base string, id []string) (string, bool) {
	p := path.Join(append([]string{base}, id...)...)
	if _, err := fs.Stat(fsys, p); err == nil {
		return p, true
	}
	cur := base
	for _, c := range id {
		n, ok := findName(fsys, cur, c)
		if !ok {
			return "", false
		}
		cur = n
	}
	return cur, true
}

// Bounds of a scan without DICOMDIR: folder depth (PS3.12 allows 8 levels)
// and files read.
const (
	maxScanDepth = 16
	maxScanFiles = 200000
)

// scan reads the header of every file of the medium.
func (d *Disc) scan() error {
	var names []string
	err := fs.WalkDir(d.FS, ".", func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return nil // unreadable folder: skip it, keep the rest
		}
		if e.IsDir() && strings.Count(p, "/") >= maxScanDepth {
			return fs.SkipDir // a directory loop in a hostile image
		}
		if len(names) >= maxScanFiles {
			return fs.SkipAll
		}
		if e.Type().IsRegular() {
			names = append(names, p)
		}
		return nil
	})
	if err != nil {
		return err
	}
	type res struct {
		ds *dcm.DataSet
		ok bool
	}
	results := make([]res, len(names))
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < max(2, runtime.NumCPU()); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				ds, err := readHeader(d.FS, names[i])
				results[i] = res{ds, err == nil}
			}
		}()
	}
	for i := range names {
		next <- i
	}
	close(next)
	wg.Wait()
	b := newBuilder(d)
	for i, r := range results {
		if !r.ok {
			d.Unreadable++
			continue
		}
		d.add(b, names[i], r.ds)
	}
	return nil
}

func (d *Disc) addFile(b *builder, name string) error {
	ds, err := readHeader(d.FS, name)
	if err != nil {
		return err
	}
	d.add(b, name, ds)
	return nil
}

func (d *Disc) add(b *builder, name string, ds *dcm.DataSet) {
	if ds.String(dcm.SOPClassUID) == dcm.MediaStorageDirectoryStorage || ds.Has(dcm.DirectoryRecordSequence) {
		return // a DICOMDIR or a stray directory file
	}
	se := b.seriesOf(b.study(b.patient(ds), ds), ds)
	in := &Instance{Path: name, SOPClassUID: ds.String(dcm.SOPClassUID), SOPInstanceUID: ds.String(dcm.SOPInstanceUID), Kind: kindOf(ds), Series: se}
	in.Number, _ = ds.Int(dcm.InstanceNumber)
	in.Frames, _ = ds.Int(dcm.NumberOfFrames)
	se.Instances = append(se.Instances, in)
}

// readHeader parses a file's data set without loading pixel data.
func readHeader(fsys fs.FS, name string) (*dcm.DataSet, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	var r io.Reader = f
	if _, ok := f.(io.Seeker); !ok {
		r = bufioReader(f)
	}
	pf, err := dcm.Parse(r, fi.Size(), dcm.SkipPixelData())
	if err != nil {
		return nil, fmt.Errorf("read header of %s: %w", name, err)
	}
	if pf.NoMeta && !pf.DataSet.Has(dcm.SOPClassUID) {
		return nil, fmt.Errorf("read header of %s: %w", name, dcm.ErrNotPart10)
	}
	return pf.DataSet, nil
}

func bufioReader(r io.Reader) io.Reader {
	b, err := io.ReadAll(r)
	if err != nil {
		return errReader{err}
	}
	return bytes.NewReader(b)
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// ReadFile returns the bytes of an instance's file.
func (d *Disc) ReadFile(in *Instance) ([]byte, error) {
	b, err := fs.ReadFile(d.FS, in.Path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", in.Path, err)
	}
	return b, nil
}

// Parse parses an instance's whole file.
func (d *Disc) Parse(in *Instance) (*dcm.File, error) {
	b, err := d.ReadFile(in)
	if err != nil {
		return nil, err
	}
	f, err := dcm.ParseBytes(b)
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w", in.Path, err)
	}
	return f, nil
}

func isISO(f *os.File) bool {
	var b [5]byte
	if _, err := f.ReadAt(b[:], 16*2048+1); err != nil {
		return false
	}
	return string(b[:]) == "CD001"
}
