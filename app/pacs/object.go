package pacs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Sink receives every object the Storage SCP (or a C-GET) accepted. Store
// runs on the association's goroutine: the C-STORE response waits for it, so
// an error reaches the sender as status A700. Store may be called from many
// associations at once.
type Sink interface {
	Store(ctx context.Context, obj *ReceivedObject) error
}

// SinkFunc adapts a function to Sink.
type SinkFunc func(ctx context.Context, obj *ReceivedObject) error

// Store calls f.
func (f SinkFunc) Store(ctx context.Context, obj *ReceivedObject) error { return f(ctx, obj) }

// ReceivedObject is one object received over C-STORE. Its data set has been
// checked to parse, and it waits in a spool file that is already a complete
// Part 10 file (Part10Header plus the data set as received). The spool file
// is deleted after Store returns unless the sink took it with MoveTo.
type ReceivedObject struct {
	CallingAE  string // the sender's AE title
	CalledAE   string // the AE title it addressed (ours, or the burn AE)
	RemoteAddr string // host:port of the sender

	SOPClassUID       string
	SOPInstanceUID    string
	TransferSyntaxUID string
	StudyInstanceUID  string // from the data set ("" if absent)
	SeriesInstanceUID string // from the data set ("" if absent)

	DataSetSize int64 // bytes of the data set as received

	path    string // spooled Part 10 file
	metaLen int64  // bytes before the data set
	moved   bool
}

// Part10Path is the spooled Part 10 file; valid only during Store.
func (o *ReceivedObject) Part10Path() string { return o.path }

// Meta returns the File Meta Information of the spooled file.
func (o *ReceivedObject) Meta() Meta {
	return Meta{SOPClassUID: o.SOPClassUID, SOPInstanceUID: o.SOPInstanceUID, TransferSyntaxUID: o.TransferSyntaxUID, SourceAE: o.CallingAE}
}

// OpenDataSet opens the data set bytes exactly as received.
func (o *ReceivedObject) OpenDataSet() (io.ReadCloser, error) {
	f, err := os.Open(o.path)
	if err != nil {
		return nil, fmt.Errorf("open received data set: %w", err)
	}
	return struct {
		io.Reader
		io.Closer
	}{io.NewSectionReader(f, o.metaLen, o.DataSetSize), f}, nil
}

// DataSet reads the whole data set into memory.
func (o *ReceivedObject) DataSet() ([]byte, error) {
	rc, err := o.OpenDataSet()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

// WritePart10 writes the object as a Part 10 file to w.
func (o *ReceivedObject) WritePart10(w io.Writer) error {
	f, err := os.Open(o.path)
	if err != nil {
		return fmt.Errorf("copy received object: %w", err)
	}
	defer f.Close()
	if _, err := io.Copy(w, f); err != nil {
		return fmt.Errorf("copy received object: %w", err)
	}
	return nil
}

// MoveTo puts the Part 10 file at dst (mode 0600): a rename when the spool
// folder is on the same file system, else a copy to a temporary file in
// dst's folder renamed into place. Either way dst appears whole or not at
// all.
func (o *ReceivedObject) MoveTo(dst string) error {
	if o.moved {
		return fmt.Errorf("move received object to %s: %w", dst, os.ErrNotExist)
	}
	if err := os.Rename(o.path, dst); err == nil {
		o.moved = true
		return nil
	}
	tmp, err := os.CreateTemp(filepath.Dir(dst), ".rx-*.tmp")
	if err != nil {
		return fmt.Errorf("move received object: %w", err)
	}
	err = o.WritePart10(tmp)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), dst)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("move received object to %s: %w", dst, err)
	}
	os.Remove(o.path)
	o.moved = true
	return nil
}

// FileSink stores each object as Dir/<Study Instance UID>/<SOP Instance
// UID>.dcm. It is the sink of the headless `discdesk serve` and of the
// tests; the desk's library implements its own.
type FileSink struct {
	Dir string
}

// ErrBadUID means a received UID cannot name a file.
var ErrBadUID = errors.New("invalid UID")

// Store implements Sink.
func (s FileSink) Store(_ context.Context, obj *ReceivedObject) error {
	study := obj.StudyInstanceUID
	if study == "" {
		study = "unknown-study"
	} else if !validUID(study) {
		return fmt.Errorf("file sink: study %w", ErrBadUID)
	}
	if !validUID(obj.SOPInstanceUID) {
		return fmt.Errorf("file sink: instance %w", ErrBadUID)
	}
	dir := filepath.Join(s.Dir, study)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("file sink: %w", err)
	}
	return obj.MoveTo(filepath.Join(dir, obj.SOPInstanceUID+".dcm"))
}

// Path returns where FileSink keeps an instance.
func (s FileSink) Path(studyUID, instanceUID string) string {
	return filepath.Join(s.Dir, studyUID, instanceUID+".dcm")
}

// ReceivedFile makes a ReceivedObject of a complete Part 10 file that
// arrived by other means than C-STORE (a WADO-RS part), checked as the
// Storage SCP checks a data set: it parses, and its SOP Instance, Study
// and Series Instance UIDs are valid. The sink may take the file with
// MoveTo; otherwise the caller removes it.
func ReceivedFile(path, source string) (*ReceivedObject, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("received file: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("received file: %w", err)
	}
	m, off, info, err := parseObject(f, st.Size())
	if err != nil {
		return nil, fmt.Errorf("received file: %w: %w", ErrCannotUnderstand, err)
	}
	n := st.Size() - off
	for _, u := range []struct{ name, v string }{{"SOP Instance UID", info.SOPInstanceUID}, {"Study Instance UID", info.StudyInstanceUID}, {"Series Instance UID", info.SeriesInstanceUID}} {
		if !validUID(u.v) {
			return nil, fmt.Errorf("received file: %w: %s: %s", ErrCannotUnderstand, u.name, uidProblem(u.v))
		}
	}
	return &ReceivedObject{
		CallingAE: source, SOPClassUID: info.SOPClassUID, SOPInstanceUID: info.SOPInstanceUID,
		TransferSyntaxUID: m.TransferSyntaxUID, StudyInstanceUID: info.StudyInstanceUID, SeriesInstanceUID: info.SeriesInstanceUID,
		DataSetSize: n, path: path, metaLen: off,
	}, nil
}

// SpoolFile creates a spool file in dir named so that a later start-up
// can tell it from a live process's (see cleanSpool).
func SpoolFile(dir string) (*os.File, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	return os.CreateTemp(dir, spoolPattern())
}
