package disc

import (
	"bytes"
	"compress/zlib"
	"io"
	"regexp"
	"strconv"
	"strings"

	"discdesk/burner/disc/pdi"
	"discdesk/viewer/dcm"
	"discdesk/viewer/srtext"
)

// maxSRItems bounds the content items shown from one SR.
const maxSRItems = 5000

// reportOf reads a report object for its page: the SR content tree, or
// the text of an encapsulated PDF.
func reportOf(o *Object, fileID string) (pdi.Report, error) {
	r := pdi.Report{FileID: fileID, Date: dcm.FormatDate(o.header.String(dcm.ContentDate))}
	var f *dcm.File
	var err error
	if o.generated != nil {
		f, err = dcm.ParseBytes(o.generated)
	} else {
		f, err = dcm.ParseFile(o.Source)
	}
	if err != nil {
		return r, err
	}
	ds := f.DataSet
	switch o.Kind {
	case KindPDF:
		r.Kind = "PDF"
		r.Title = ds.String(dcm.DocumentTitle)
		r.Text = o.staffText
		if r.Text == "" {
			r.Text = pdfText(ds.Raw(dcm.EncapsulatedDocument))
		}
	default:
		r.Kind = "SR"
		r.Title = srtext.Title(ds)
		r.Tree = srNodes(srtext.Items(ds, maxSRItems))
	}
	if r.Title == "" {
		r.Title = "Report"
	}
	return r, nil
}

// srNodes turns SR content items into the report page's nodes.
func srNodes(items []srtext.Item) []pdi.Node {
	if items == nil {
		return nil
	}
	out := make([]pdi.Node, len(items))
	for i, it := range items {
		out[i] = pdi.Node{Name: it.Name, Value: it.Value, Children: srNodes(it.Children)}
	}
	return out
}

var (
	pdfStream = regexp.MustCompile(`(?s)<<(.*?)>>\s*stream\r?\n`)
	pdfText1  = regexp.MustCompile(`(?s)\((?:\\.|[^\\)])*\)\s*Tj|\[(?:[^\]]*)\]\s*TJ|T\*|\bET\b`)
	pdfString = regexp.MustCompile(`\((?:\\.|[^\\)])*\)`)
)

// maxPDFText bounds the text taken from a PDF.
const maxPDFText = 256 << 10

// pdfText extracts the text of a simple PDF (the string operands of Tj and
// TJ, streams inflated when FlateDecode). It is a best effort for the
// report page: a PDF whose fonts use custom encodings gives "".
func pdfText(pdf []byte) string {
	var out strings.Builder
	for _, m := range pdfStream.FindAllSubmatchIndex(pdf, -1) {
		dict := pdf[m[2]:m[3]]
		start := m[1]
		end := bytes.Index(pdf[start:], []byte("endstream"))
		if end < 0 {
			break
		}
		data := pdf[start : start+end]
		if bytes.Contains(dict, []byte("/FlateDecode")) {
			zr, err := zlib.NewReader(bytes.NewReader(data))
			if err != nil {
				continue
			}
			data, err = io.ReadAll(io.LimitReader(zr, 4<<20))
			if err != nil && len(data) == 0 {
				continue
			}
		} else if bytes.Contains(dict, []byte("/Filter")) {
			continue
		}
		for _, op := range pdfText1.FindAll(data, -1) {
			switch {
			case bytes.Equal(op, []byte("T*")), bytes.Equal(op, []byte("ET")):
				out.WriteByte('\n')
			default:
				for _, s := range pdfString.FindAll(op, -1) {
					out.WriteString(unescapePDF(s[1 : len(s)-1]))
				}
				if op[0] == '(' {
					out.WriteByte('\n')
				}
			}
			if out.Len() > maxPDFText {
				return strings.TrimSpace(out.String())
			}
		}
	}
	return strings.TrimSpace(out.String())
}

// unescapePDF decodes a PDF literal string (PDF 32000 7.3.4.2), reading
// bytes as Windows-1252/Latin-1.
func unescapePDF(s []byte) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 == len(s) {
			b.WriteRune(rune(c))
			continue
		}
		i++
		switch s[i] {
		case 'n':
			b.WriteByte('\n')
		case 'r':
		case 't':
			b.WriteByte('\t')
		case 'b', 'f':
		case '\n':
		default:
			if s[i] >= '0' && s[i] <= '7' {
				j := i
				for j < len(s) && j < i+3 && s[j] >= '0' && s[j] <= '7' {
					j++
				}
				v, _ := strconv.ParseUint(string(s[i:j]), 8, 8)
				b.WriteRune(rune(v))
				i = j - 1
				continue
			}
			b.WriteByte(s[i])
		}
	}
	return b.String()
}
