package pacs

import (
	"errors"
	"fmt"
	"io"
	"os"

	"discdesk/viewer/dcm"
)

// Meta is the File Meta Information DiscDesk writes and reads (PS3.10 7.1).
type Meta struct {
	SOPClassUID       string // (0002,0002) Media Storage SOP Class UID
	SOPInstanceUID    string // (0002,0003) Media Storage SOP Instance UID
	TransferSyntaxUID string // (0002,0010)
	ImplClassUID      string // (0002,0012)
	ImplVersion       string // (0002,0013)
	SourceAE          string // (0002,0016) Source Application Entity Title
}

// Part10Header returns the 128-byte preamble, "DICM" and the File Meta
// Information group in Explicit VR Little Endian with its group length,
// version 00 01 and DiscDesk's implementation class UID and version name
// (PS3.10 7.1), written by viewer/dcm. The data set follows it unchanged to
// make a Part 10 file.
func Part10Header(m Meta) []byte {
	return dcm.EncodeMeta(dcm.Meta{SOPClassUID: m.SOPClassUID, SOPInstanceUID: m.SOPInstanceUID, TransferSyntaxUID: m.TransferSyntaxUID, SourceAETitle: m.SourceAE})
}

// ErrNotPart10 means a file lacks the preamble and DICM prefix or a usable
// File Meta Information group.
var ErrNotPart10 = errors.New("not a DICOM Part 10 file")

// ReadMeta reads the File Meta Information of a Part 10 file (viewer/dcm)
// and returns it with the offset where the data set starts.
func ReadMeta(r io.Reader) (Meta, int64, error) {
	df, err := dcm.Parse(r, -1, dcm.StopAt(0))
	if err != nil || df.NoMeta {
		return Meta{}, 0, fmt.Errorf("read meta: %w: %v", ErrNotPart10, err)
	}
	m := metaOf(df.Meta)
	if m.SOPClassUID == "" || m.SOPInstanceUID == "" || m.TransferSyntaxUID == "" {
		return m, 0, fmt.Errorf("read meta: %w: SOP class, instance or transfer syntax missing", ErrNotPart10)
	}
	return m, df.DataSetOffset, nil
}

func metaOf(meta *dcm.DataSet) Meta {
	return Meta{
		SOPClassUID: meta.String(dcm.MediaStorageSOPClassUID), SOPInstanceUID: meta.String(dcm.MediaStorageSOPInstanceUID),
		TransferSyntaxUID: meta.String(dcm.TransferSyntaxUID), ImplClassUID: meta.String(dcm.ImplementationClassUID),
		ImplVersion: meta.String(dcm.ImplementationVersionName), SourceAE: meta.String(dcm.SourceApplicationEntityTitle),
	}
}

// objectKeys are the UIDs of a data set's top level that the network side
// checks.
type objectKeys struct {
	SOPClassUID, SOPInstanceUID, StudyInstanceUID, SeriesInstanceUID string
}

// parseObject parses a whole Part 10 object of size bytes with viewer/dcm
// (pixel data skipped, every length and nesting checked) and returns its
// meta, the data set's offset and its key UIDs.
func parseObject(r io.ReaderAt, size int64) (Meta, int64, objectKeys, error) {
	df, err := dcm.Parse(io.NewSectionReader(r, 0, size), size, dcm.SkipPixelData())
	if err != nil {
		return Meta{}, 0, objectKeys{}, err
	}
	if df.NoMeta {
		return Meta{}, 0, objectKeys{}, ErrNotPart10
	}
	ds := df.DataSet
	return metaOf(df.Meta), df.DataSetOffset, objectKeys{
		SOPClassUID: ds.String(dcm.SOPClassUID), SOPInstanceUID: ds.String(dcm.SOPInstanceUID),
		StudyInstanceUID: ds.String(dcm.StudyInstanceUID), SeriesInstanceUID: ds.String(dcm.SeriesInstanceUID),
	}, nil
}

// ReadMetaFile reads the File Meta Information of the file at path.
func ReadMetaFile(path string) (Meta, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return Meta{}, 0, fmt.Errorf("read meta: %w", err)
	}
	defer f.Close()
	m, off, err := ReadMeta(f)
	if err != nil {
		return m, 0, fmt.Errorf("%s: %w", path, err)
	}
	return m, off, nil
}

// validUID reports whether s is a valid UID (PS3.5 9.1, dcm.CheckUID).
// Received UIDs name files, so this also keeps path separators out.
func validUID(s string) bool { return dcm.CheckUID(s) == nil }
