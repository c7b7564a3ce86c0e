package dicomdir

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"discdesk/internal/corpus"
	"discdesk/viewer/dcm"
)

// corpusFiles lists corpus files matching the globs (relative to the
// corpus root), sorted.
func corpusFiles(t testing.TB, globs ...string) []string {
	t.Helper()
	root := corpus.Dir(t)
	var out []string
	for _, g := range globs {
		m, err := filepath.Glob(filepath.Join(root, g))
		if err != nil {
			t.Fatal(err)
		}
		if len(m) == 0 {
			t.Fatalf("corpus glob %s matched nothing", g)
		}
		out = append(out, m...)
	}
	slices.Sort(out)
	return out
}

// source is one corpus file prepared for a disc the way the burner
// prepares it: new meta from the data set, Explicit VR LE unless the pixel
// data is encapsulated, staff-supplied values written in.
type source struct {
	path   string
	fileID []string
	ts     string // transfer syntax on the disc
}

// prepare gives corpus files File IDs DICOM/Pnnnnnnn/Snnnnnnn/Innnnnnn and
// returns Instances as they will be on the disc.
func prepare(t testing.TB, paths []string) ([]source, []Instance) {
	t.Helper()
	var srcs []source
	var ins []Instance
	pat, stu := map[string]int{}, map[string]int{}
	n := map[string]int{}
	key := func(m map[string]int, k string) int {
		if _, ok := m[k]; !ok {
			m[k] = len(m) + 1
		}
		return m[k]
	}
	for _, p := range paths {
		f, err := dcm.ParseFile(p, dcm.SkipPixelData())
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		ds := f.DataSet
		ts := ExplicitVRLittleEndian
		if px := ds.Get(dcm.PixelData); px != nil && px.Fragments != nil {
			ts = f.Meta.String(dcm.TransferSyntaxUID)
		}
		pi := key(pat, ds.String(dcm.PatientID))
		si := key(stu, ds.String(dcm.StudyInstanceUID)+"/"+ds.String(dcm.SeriesInstanceUID))
		dir := fmt.Sprintf("P%07d/S%07d", pi, si)
		n[dir]++
		fid := []string{"DICOM", fmt.Sprintf("P%07d", pi), fmt.Sprintf("S%07d", si), fmt.Sprintf("I%07d", n[dir])}
		srcs = append(srcs, source{path: p, fileID: fid, ts: ts})
		ins = append(ins, Instance{FileID: fid, TransferSyntaxUID: ts, DataSet: ds, Source: p})
	}
	return srcs, ins
}

// staff plays the person at the desk: for every Type 1 key Build reports
// missing it writes a plausible value into the objects of the study that
// lack one, as the disc plan does, until Build succeeds. It returns the
// values written, by source path, for writeDisc.
func staff(t testing.TB, fileSetID string, ins []Instance) (*Directory, []Warning, map[string][]*dcm.Element) {
	t.Helper()
	written := map[string][]*dcm.Element{}
	for range 20 {
		d, warns, err := Build(fileSetID, ins)
		if err == nil {
			return d, warns, written
		}
		var all MissingKeys
		if !errors.As(err, &all) {
			t.Fatalf("Build: %v", err)
		}
		for _, mk := range all {
			v := map[dcm.Tag]string{
				dcm.PatientID: "PID_SUPPLIED", dcm.StudyDate: "20000101", dcm.StudyTime: "120000",
				dcm.StudyID: "1", dcm.SeriesNumber: "1", dcm.InstanceNumber: "1",
			}[mk.Tag]
			if v == "" {
				v = "SUPPLIED"
			}
			if mk.Tag == dcm.StudyInstanceUID || mk.Tag == dcm.SeriesInstanceUID {
				t.Fatalf("corpus file lacks a UID (%v): leave it out of the disc", err)
			}
			study := ins[mk.Instance].DataSet.String(dcm.StudyInstanceUID)
			for i := range ins {
				ds := ins[i].DataSet
				if ds.String(dcm.StudyInstanceUID) != study || (!mk.Invalid && strings.TrimSpace(ds.String(mk.Tag)) != "") {
					continue
				}
				el := dcm.Str(mk.Tag, dcm.DictVR(mk.Tag), v)
				ds.Set(el)
				written[ins[i].Source] = append(written[ins[i].Source], el)
			}
		}
	}
	t.Fatal("Build kept asking for values")
	return nil, nil, nil
}

// writeDisc writes DICOMDIR, README.TXT and the prepared objects (the
// values staff wrote applied, re-encoded with a fresh meta group) into a
// new temporary folder and returns it.
func writeDisc(t testing.TB, dir []byte, srcs []source, written map[string][]*dcm.Element) string {
	t.Helper()
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "DICOMDIR"), dir, 0o600); err != nil {
		t.Fatal(err)
	}
	readme := "DiscDesk test disc.\r\nDICOM files are under DICOM/, indexed by DICOMDIR.\r\n"
	if err := os.WriteFile(filepath.Join(root, "README.TXT"), []byte(readme), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, s := range srcs {
		dst := filepath.Join(append([]string{root}, s.fileID...)...)
		if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
			t.Fatal(err)
		}
		f, err := dcm.ParseFile(s.path)
		if err != nil {
			t.Fatal(err)
		}
		for _, el := range written[s.path] {
			f.DataSet.Set(el)
		}
		var b bytes.Buffer
		if err := dcm.WriteExplicitLE(&b, f.DataSet, s.ts); err != nil {
			t.Fatalf("%s: %v", s.path, err)
		}
		if err := os.WriteFile(dst, b.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// run runs a tool and returns its combined output; a missing tool fails
// the test (CI installs every tool).
func run(t testing.TB, dir, name string, args ...string) (string, error) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil && !strings.Contains(name, "/") {
		t.Fatalf("tool %s is not installed: %v", name, err)
	}
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

// canonElem is a comparable form of a data element: tag, VR, value bytes,
// items.
type canonElem struct {
	Tag   dcm.Tag
	VR    dcm.VR
	Value string
	Items [][]canonElem
}

type canonRecord struct {
	Type                                           string
	Keys                                           []canonElem
	FileID                                         []string
	SOPClassUID, SOPInstanceUID, TransferSyntaxUID string
	Offset                                         int64
	Children                                       []canonRecord
}

func canonDS(ds *dcm.DataSet) []canonElem {
	if ds == nil {
		return nil
	}
	var out []canonElem
	for _, e := range ds.Elements {
		c := canonElem{Tag: e.Tag, VR: e.VR, Value: string(e.Value)}
		if e.VR == "SQ" || e.Items != nil {
			c.VR, c.Value = "SQ", ""
			c.Items = [][]canonElem{}
			for _, it := range e.Items {
				c.Items = append(c.Items, canonDS(it))
			}
		}
		out = append(out, c)
	}
	return out
}

func canon(rs []*Record) []canonRecord {
	var out []canonRecord
	for _, r := range rs {
		out = append(out, canonRecord{
			Type: r.Type, Keys: canonDS(r.Keys), FileID: r.FileID,
			SOPClassUID: r.SOPClassUID, SOPInstanceUID: r.SOPInstanceUID, TransferSyntaxUID: r.TransferSyntaxUID,
			Offset: r.Offset, Children: canon(r.Children),
		})
	}
	return out
}

// sameRecords compares two record trees with go-cmp.
func sameRecords(t testing.TB, want, got *Directory) {
	t.Helper()
	if diff := cmp.Diff(canon(want.Records), canon(got.Records)); diff != "" {
		t.Errorf("records differ after read-back (-built +read):\n%s", diff)
	}
	if want.FileSetID != got.FileSetID {
		t.Errorf("File-set ID: built %q, read %q", want.FileSetID, got.FileSetID)
	}
}

// repoShared is the shared folder beside the repository (the corpus's
// grandparent), which holds tools/validate-disc.
func repoShared(t testing.TB) string {
	return filepath.Clean(filepath.Join(corpus.Dir(t), "..", ".."))
}
