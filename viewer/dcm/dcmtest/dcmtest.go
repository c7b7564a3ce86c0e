package dcmtest

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"fmt"
	"io"

	"discdesk/viewer/dcm"
)

// Object UIDs of the generated files: the caller's n makes them unique.
const root = "1.2.826.0.1.3680043.10.1385.77"

// SOP classes used.
const (
	CTImageStorage     = "1.2.840.10008.5.1.4.1.1.2"
	BasicTextSRStorage = "1.2.840.10008.5.1.4.1.1.88.11"
)

// UIDs returns the study, series and instance UIDs of object n.
func UIDs(n int) (study, series, instance string) {
	return root + ".1", root + ".1.1", fmt.Sprintf("%s.1.1.%d", root, n)
}

type elems struct {
	b bytes.Buffer
}

func (w *elems) hdr(t dcm.Tag, vr string, n uint32) {
	binary.Write(&w.b, binary.LittleEndian, t.Group())
	binary.Write(&w.b, binary.LittleEndian, t.Element())
	switch vr {
	case "": // item tags
		binary.Write(&w.b, binary.LittleEndian, n)
	case "OB", "OW", "SQ", "UN", "UT", "UC", "UR", "OF", "OD", "OL", "OV":
		w.b.WriteString(vr)
		w.b.Write([]byte{0, 0})
		binary.Write(&w.b, binary.LittleEndian, n)
	default:
		w.b.WriteString(vr)
		binary.Write(&w.b, binary.LittleEndian, uint16(n))
	}
}

func (w *elems) str(t dcm.Tag, vr, s string) {
	if len(s)%2 == 1 {
		if vr == "UI" {
			s += "\x00"
		} else {
			s += " "
		}
	}
	w.hdr(t, vr, uint32(len(s)))
	w.b.WriteString(s)
}

func (w *elems) us(t dcm.Tag, v uint16) {
	w.hdr(t, "US", 2)
	binary.Write(&w.b, binary.LittleEndian, v)
}

// Parts of a CT slice: the head (identification, a sequence of one
// undefined-length item), the Image Pixel module, and Pixel Data.
type Parts struct {
	Meta []byte
	// ItemOpen is where the undefined-length item's content starts,
	// ItemEnd where its delimiter starts, SeqEnd where the sequence ends
	// (offsets in Bytes()).
	ItemOpen, ItemEnd, SeqEnd int
	// PixelData is the offset of the Pixel Data tag.
	PixelData int
	data      []byte
}

// Bytes is the complete file.
func (p *Parts) Bytes() []byte { return append(append([]byte(nil), p.Meta...), p.data...) }

// CT builds a small, complete explicit VR little endian CT slice (rows x
// cols, 16 bits) with one undefined-length sequence of one
// undefined-length item before the Image Pixel module.
func CT(n, rows, cols int) *Parts {
	study, series, inst := UIDs(n)
	w := &elems{}
	w.str(dcm.SOPClassUID, "UI", CTImageStorage)
	w.str(dcm.SOPInstanceUID, "UI", inst)
	w.str(dcm.Modality, "CS", "CT")
	// (0008,1140) Referenced Image Sequence: undefined length, one
	// undefined-length item.
	w.hdr(dcm.T(0x0008, 0x1140), "SQ", dcm.UndefinedLength)
	w.hdr(dcm.Item, "", dcm.UndefinedLength)
	p := &Parts{Meta: dcm.EncodeMeta(dcm.Meta{SOPClassUID: CTImageStorage, SOPInstanceUID: inst, TransferSyntaxUID: dcm.ExplicitVRLittleEndian})}
	p.ItemOpen = len(p.Meta) + w.b.Len()
	w.str(dcm.T(0x0008, 0x1150), "UI", CTImageStorage)
	w.str(dcm.T(0x0008, 0x1155), "UI", inst+".9")
	p.ItemEnd = len(p.Meta) + w.b.Len()
	w.hdr(dcm.ItemDelimitationItem, "", 0)
	w.hdr(dcm.SequenceDelimitationItem, "", 0)
	p.SeqEnd = len(p.Meta) + w.b.Len()
	w.str(dcm.PatientName, "PN", "TEST^TRUNCATED")
	w.str(dcm.PatientID, "LO", "DCMTEST1")
	w.str(dcm.StudyInstanceUID, "UI", study)
	w.str(dcm.SeriesInstanceUID, "UI", series)
	w.str(dcm.InstanceNumber, "IS", fmt.Sprint(n))
	w.us(dcm.T(0x0028, 0x0002), 1)
	w.str(dcm.T(0x0028, 0x0004), "CS", "MONOCHROME2")
	w.us(dcm.Rows, uint16(rows))
	w.us(dcm.Columns, uint16(cols))
	w.us(dcm.BitsAllocated, 16)
	w.us(dcm.T(0x0028, 0x0101), 16)
	w.us(dcm.T(0x0028, 0x0102), 15)
	w.us(dcm.T(0x0028, 0x0103), 0)
	p.PixelData = len(p.Meta) + w.b.Len()
	w.hdr(dcm.PixelData, "OW", uint32(rows*cols*2))
	px := make([]byte, rows*cols*2)
	for i := range px {
		px[i] = byte(i * 7)
	}
	w.b.Write(px)
	p.data = w.b.Bytes()
	return p
}

// DeflateBomb returns a deflated explicit VR little endian file of a few
// megabytes whose data set holds count private OB elements of size bytes
// each (zeros). The stream is assembled from one compressed chunk repeated,
// so making a file that inflates to gigabytes takes milliseconds.
func DeflateBomb(n, count int, size int64) []byte {
	study, series, inst := UIDs(n)
	w := &elems{}
	w.str(dcm.SOPClassUID, "UI", BasicTextSRStorage)
	w.str(dcm.SOPInstanceUID, "UI", inst)
	w.str(dcm.Modality, "CS", "SR")
	w.str(dcm.PatientID, "LO", "DCMTEST2")
	w.str(dcm.StudyInstanceUID, "UI", study)
	w.str(dcm.SeriesInstanceUID, "UI", series)
	w.str(dcm.T(0x0041, 0x0010), "LO", "DCMTEST BOMB")
	var out bytes.Buffer
	out.Write(dcm.EncodeMeta(dcm.Meta{SOPClassUID: BasicTextSRStorage, SOPInstanceUID: inst, TransferSyntaxUID: dcm.DeflatedExplicitVRLittleEndian}))
	out.Write(flushed(w.b.Bytes()))
	const chunk = 1 << 20
	zeros := flushed(make([]byte, chunk))
	for i := 0; i < count; i++ {
		h := &elems{}
		h.hdr(dcm.T(0x0041, 0x1010+uint16(i)), "OB", uint32(size))
		out.Write(flushed(h.b.Bytes()))
		left := size
		for ; left >= chunk; left -= chunk {
			out.Write(zeros)
		}
		if left > 0 {
			out.Write(flushed(make([]byte, left)))
		}
	}
	out.Write([]byte{0x03, 0x00}) // final empty fixed-Huffman block
	return out.Bytes()
}

// flushed compresses b on its own, ending byte-aligned without a final
// block: such pieces concatenate into one raw deflate stream.
func flushed(b []byte) []byte {
	var buf bytes.Buffer
	fw, _ := flate.NewWriter(&buf, flate.BestCompression)
	fw.Write(b)
	fw.Flush()
	return buf.Bytes()
}

// Inflate returns the inflated size of a deflated file's data set stream
// after skip bytes (a check on DeflateBomb).
func Inflate(b []byte, skip int) (int64, error) {
	return io.Copy(io.Discard, flate.NewReader(bytes.NewReader(b[skip:])))
}
