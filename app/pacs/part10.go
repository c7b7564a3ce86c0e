package pacs

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"discdesk/app/pacs/dimse"
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
// (PS3.10 7.1). The data set follows it unchanged to make a Part 10 file.
func Part10Header(m Meta) []byte {
	if m.ImplClassUID == "" {
		m.ImplClassUID, m.ImplVersion = dimse.ImplClassUID, dimse.ImplVersion
	}
	var es dimse.Elements
	es.Set(dimse.T(2, 1), "OB", []byte{0, 1})
	es.SetString(dimse.T(2, 2), "UI", m.SOPClassUID)
	es.SetString(dimse.T(2, 3), "UI", m.SOPInstanceUID)
	es.SetString(dimse.T(2, 0x10), "UI", m.TransferSyntaxUID)
	es.SetString(dimse.T(2, 0x12), "UI", m.ImplClassUID)
	if m.ImplVersion != "" {
		es.SetString(dimse.T(2, 0x13), "SH", m.ImplVersion)
	}
	if m.SourceAE != "" {
		es.SetString(dimse.T(2, 0x16), "AE", m.SourceAE)
	}
	body := es.EncodeExplicit()
	b := make([]byte, 128, 128+4+12+len(body))
	b = append(b, "DICM"...)
	b = append(b, 2, 0, 0, 0, 'U', 'L', 4, 0)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(body)))
	return append(b, body...)
}

// ErrNotPart10 means a file lacks the preamble and DICM prefix or a usable
// File Meta Information group.
var ErrNotPart10 = errors.New("not a DICOM Part 10 file")

// ReadMeta reads the File Meta Information of a Part 10 file and returns it
// with the offset where the data set starts.
func ReadMeta(r io.Reader) (Meta, int64, error) {
	var m Meta
	br := bufio.NewReaderSize(r, 4096)
	head := make([]byte, 132)
	if _, err := io.ReadFull(br, head); err != nil || string(head[128:]) != "DICM" {
		return m, 0, fmt.Errorf("read meta: %w: no DICM prefix", ErrNotPart10)
	}
	off := int64(132)
	for {
		peek, err := br.Peek(6)
		if err != nil || binary.LittleEndian.Uint16(peek) != 2 {
			break
		}
		var n int
		hdr := 8
		vr := string(peek[4:6])
		if vr == "OB" || vr == "UN" || vr == "UT" || vr == "SQ" {
			p, err := br.Peek(12)
			if err != nil {
				return m, 0, fmt.Errorf("read meta: %w: truncated header", ErrNotPart10)
			}
			n, hdr = int(binary.LittleEndian.Uint32(p[8:])), 12
		} else {
			p, _ := br.Peek(8)
			if len(p) < 8 {
				return m, 0, fmt.Errorf("read meta: %w: truncated header", ErrNotPart10)
			}
			n = int(binary.LittleEndian.Uint16(p[6:]))
		}
		if n < 0 || n > 1<<16 {
			return m, 0, fmt.Errorf("read meta: %w: element of %d bytes", ErrNotPart10, n)
		}
		elem := binary.LittleEndian.Uint16(peek[2:])
		if _, err := br.Discard(hdr); err != nil {
			return m, 0, fmt.Errorf("read meta: %w", err)
		}
		v := make([]byte, n)
		if _, err := io.ReadFull(br, v); err != nil {
			return m, 0, fmt.Errorf("read meta: %w: truncated value", ErrNotPart10)
		}
		off += int64(hdr + n)
		s := strings.TrimRight(string(v), "\x00 ")
		switch elem {
		case 2:
			m.SOPClassUID = s
		case 3:
			m.SOPInstanceUID = s
		case 0x10:
			m.TransferSyntaxUID = s
		case 0x12:
			m.ImplClassUID = s
		case 0x13:
			m.ImplVersion = s
		case 0x16:
			m.SourceAE = s
		}
	}
	if m.SOPClassUID == "" || m.SOPInstanceUID == "" || m.TransferSyntaxUID == "" {
		return m, 0, fmt.Errorf("read meta: %w: SOP class, instance or transfer syntax missing", ErrNotPart10)
	}
	return m, off, nil
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
