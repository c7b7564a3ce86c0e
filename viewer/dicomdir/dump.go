package dicomdir

import (
	"fmt"
	"io"
	"strings"

	"discdesk/viewer/dcm"
)

// Dump writes a dcmdump-style listing of a DICOMDIR file: the meta group
// and the data set, one element a line, sequence items indented and
// labelled with their byte offset and record type. Text is shown as stored
// (bytes outside printable ASCII as \xNN); binary numbers in decimal. It is
// meant for golden files and support, not for parsing.
func Dump(w io.Writer, b []byte) error {
	f, err := dcm.ParseBytes(b)
	if err != nil {
		return fmt.Errorf("dicomdir: dump: %w", err)
	}
	d := &dumper{w: w}
	d.line("# meta (%s)", f.Meta.String(dcm.TransferSyntaxUID))
	d.set(f.Meta, 0)
	d.line("# data set")
	d.set(f.DataSet, 0)
	return d.err
}

type dumper struct {
	w   io.Writer
	err error
}

func (d *dumper) line(format string, a ...any) {
	if d.err == nil {
		_, d.err = fmt.Fprintf(d.w, format+"\n", a...)
	}
}

func (d *dumper) set(ds *dcm.DataSet, depth int) {
	ind := strings.Repeat("  ", depth)
	for _, e := range ds.Elements {
		name := e.Tag.Name()
		if e.VR == "SQ" || e.Items != nil {
			d.line("%s%s SQ (%d items) # %s", ind, e.Tag, len(e.Items), name)
			for i, it := range e.Items {
				d.line("%s  item %d at byte %d %s", ind, i+1, it.Offset, strings.TrimSpace(it.String(dcm.DirectoryRecordType)))
				d.set(it, depth+2)
			}
			continue
		}
		var v string
		switch e.VR {
		case "US", "SS", "UL", "SL", "FL", "FD", "SV", "UV":
			v = ds.ElementString(e)
		case "OB", "OW", "UN":
			v = fmt.Sprintf("% x", e.Value)
		default:
			v = "[" + printable(strings.TrimRight(string(e.Value), " \x00")) + "]"
		}
		d.line("%s%s %s %s # %d, %s", ind, e.Tag, e.VR, v, len(e.Value), name)
	}
}

func printable(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c < 0x7F {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, `\x%02X`, c)
		}
	}
	return b.String()
}
