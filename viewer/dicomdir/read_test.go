package dicomdir

import (
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"discdesk/internal/corpus"
	"discdesk/viewer/dcm"
)

// The corpus DICOMDIRs: record counts agree with pydicom/dcmdump (counted
// once with pydicom's FileSet and dcmdump, see the want values), and each
// broken variant gives the outcome decided for it.
func TestReadCorpus(t *testing.T) {
	pcir := map[string]int{"PATIENT": 2, "STUDY": 6, "SERIES": 13, "IMAGE": 31}
	cases := []struct {
		file    string
		want    map[string]int // nil: an error is expected
		wantErr error
		syntax  string
		why     string
	}{
		{file: "dicomdir/pcir_3patients/DICOMDIR", want: pcir, syntax: "1.2.840.10008.1.2.1"},
		{file: "dicomdir/pcir_3patients/DICOMDIR-reordered", want: pcir, syntax: "1.2.840.10008.1.2.1",
			why: "items in IMAGE-SERIES-STUDY-PATIENT order: offsets, not item order, give the tree"},
		{file: "dicomdir/pcir_3patients/DICOMDIR-implicit", want: pcir, syntax: "1.2.840.10008.1.2",
			why: "non-conformant syntax, but readable: TransferSyntaxUID tells the importer"},
		{file: "dicomdir/pcir_3patients/DICOMDIR-bigEnd", want: pcir, syntax: "1.2.840.10008.1.2.2"},
		{file: "dicomdir/pcir_3patients/DICOMDIR-empty.dcm", want: map[string]int{}, syntax: "1.2.840.10008.1.2.1"},
		{file: "dicomdir/pcir_3patients/DICOMDIR-nooffset", wantErr: dcm.ErrBadLength,
			why: "elements were cut out without fixing the defined item lengths: the file is corrupt"},
		{file: "dicomdir/pcir_3patients/DICOMDIR-nopatient", wantErr: ErrBadOffset,
			why: "the root offset points at an IMAGE record with no siblings; 51 in-use records are unreachable"},
		{file: "dicomdir/tiny_alpha/DICOMDIR", want: map[string]int{"PATIENT": 1, "STUDY": 1, "SERIES": 1, "IMAGE": 50}, syntax: "1.2.840.10008.1.2.1"},
		{file: "dicomdir/dcm4che_charset_DICOMDIR/DICOMDIR", want: map[string]int{"PATIENT": 11, "STUDY": 11, "SERIES": 11, "IMAGE": 11},
			syntax: "1.2.840.10008.1.2.1", why: "(0004,1202) names the last record, not the last root record: harmless"},
		{file: "disc_layouts/philips_ct_partial/DICOMDIR", want: map[string]int{"PATIENT": 1, "STUDY": 2, "SERIES": 9, "IMAGE": 433}, syntax: "1.2.840.10008.1.2.1"},
		{file: "disc_layouts/philips_ct_partial/DICOM/S21610/S2010/DIRFILE", wantErr: ErrBadOffset,
			why: "Philips per-series directory file without root offsets: not a DICOMDIR we can walk"},
		{file: "generated/documents/gsps_for_ct_slice.dcm", wantErr: ErrNotDICOMDIR},
	}
	for _, c := range cases {
		t.Run(strings.ReplaceAll(c.file, "/", "_"), func(t *testing.T) {
			d, err := Read(corpus.Path(t, c.file))
			if c.want == nil {
				if !errors.Is(err, c.wantErr) {
					t.Fatalf("err = %v, want %v (%s)", err, c.wantErr, c.why)
				}
				if !strings.Contains(err.Error(), c.file[strings.LastIndex(c.file, "/")+1:]) {
					t.Errorf("error does not name the file: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Read: %v (%s)", err, c.why)
			}
			got := d.Count()
			if len(got) != len(c.want) {
				t.Errorf("counts %v, want %v", got, c.want)
			}
			for k, n := range c.want {
				if got[k] != n {
					t.Errorf("%d %s records, want %d", got[k], k, n)
				}
			}
			if d.TransferSyntaxUID != c.syntax {
				t.Errorf("syntax %s, want %s", d.TransferSyntaxUID, c.syntax)
			}
			// Tree shape: leaves have File IDs and sit under SERIES.
			d.Walk(func(r *Record, depth int) bool {
				if (len(r.FileID) > 0) != (depth == 3) {
					t.Errorf("%s at depth %d", r, depth)
				}
				return true
			})
		})
	}
}

// The three encodings of one DICOMDIR read to the same records (keys
// converted to little endian), offsets aside.
func TestReadEncodingsAgree(t *testing.T) {
	base, err := Read(corpus.Path(t, "dicomdir/pcir_3patients/DICOMDIR"))
	if err != nil {
		t.Fatal(err)
	}
	strip := func(d *Directory) []canonRecord {
		c := canon(d.Records)
		var zero func([]canonRecord)
		zero = func(rs []canonRecord) {
			for i := range rs {
				rs[i].Offset = 0
				zero(rs[i].Children)
			}
		}
		zero(c)
		return c
	}
	for _, f := range []string{"DICOMDIR-bigEnd", "DICOMDIR-reordered"} {
		d, err := Read(corpus.Path(t, "dicomdir/pcir_3patients", f))
		if err != nil {
			t.Fatal(err)
		}
		a, b := strip(base), strip(d)
		if len(a) != len(b) {
			t.Fatalf("%s: %d roots, want %d", f, len(b), len(a))
		}
		for i := range a {
			if a[i].Type != b[i].Type || len(a[i].Children) != len(b[i].Children) {
				t.Errorf("%s root %d differs", f, i)
			}
		}
		// Spot-check a binary-free key and a File ID.
		lb, lr := base.Leaves(), d.Leaves()
		for i := range lb {
			if strings.Join(lb[i].FileID, "/") != strings.Join(lr[i].FileID, "/") || lb[i].Keys.String(dcm.InstanceNumber) != lr[i].Keys.String(dcm.InstanceNumber) {
				t.Errorf("%s leaf %d: %v %s vs %v %s", f, i, lb[i].FileID, lb[i].Keys.String(dcm.InstanceNumber), lr[i].FileID, lr[i].Keys.String(dcm.InstanceNumber))
			}
		}
	}
}

// Hand-made damage: a loop, an offset into the middle of a record, an
// offset past the end. Each is refused with its sentinel.
func TestReadDamagedOffsets(t *testing.T) {
	b, err := os.ReadFile(corpus.Path(t, "dicomdir/tiny_alpha/DICOMDIR"))
	if err != nil {
		t.Fatal(err)
	}
	d, err := ReadBytes(b)
	if err != nil {
		t.Fatal(err)
	}
	leaves := d.Leaves()
	// Position of a record's (0004,1400) value: item tag + 8, element header 8.
	next := func(r *Record) int { return int(r.Offset) + 16 }
	patch := func(pos int, v uint32) []byte {
		c := append([]byte(nil), b...)
		binary.LittleEndian.PutUint32(c[pos:], v)
		return c
	}
	if got := binary.LittleEndian.Uint32(b[next(leaves[0]):]); int64(got) != leaves[1].Offset {
		t.Fatalf("test assumption: (0004,1400) of the first image is not at +16 (%d vs %d)", got, leaves[1].Offset)
	}
	cases := []struct {
		name string
		b    []byte
		want error
	}{
		{"loop", patch(next(leaves[3]), uint32(leaves[1].Offset)), ErrLoop},
		{"mid-record", patch(next(leaves[3]), uint32(leaves[4].Offset+2)), ErrBadOffset},
		{"past-end", patch(next(leaves[3]), uint32(len(b)+1000)), ErrBadOffset},
		{"self", patch(next(leaves[3]), uint32(leaves[3].Offset)), ErrLoop},
	}
	for _, c := range cases {
		if _, err := ReadBytes(c.b); !errors.Is(err, c.want) {
			t.Errorf("%s: err = %v, want %v", c.name, err, c.want)
		}
	}
	// An inactive record is skipped with its subtree.
	inactive := append([]byte(nil), b...)
	binary.LittleEndian.PutUint16(inactive[int(leaves[5].Offset)+8+12+8:], 0)
	d2, err := ReadBytes(inactive)
	if err != nil {
		t.Fatalf("inactive record: %v", err)
	}
	if n := len(d2.Leaves()); n != len(leaves)-1 {
		t.Errorf("inactive record: %d leaves, want %d", n, len(leaves)-1)
	}
}

// Read of a path names the path; a missing file is an fs error.
func TestReadMissingFile(t *testing.T) {
	_, err := Read(filepath.Join(t.TempDir(), "DICOMDIR"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("err = %v, want not-exist", err)
	}
}
