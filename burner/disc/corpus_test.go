package disc

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"discdesk/burner"
	"discdesk/viewer/dcm"
	"discdesk/viewer/dicomdir"
)

// supplyMissing plans in, supplying a value for every missing Type 1 key
// the plan stops on (as staff would at the desk), and returns the plan and
// the keys supplied.
func supplyMissing(t *testing.T, in Input, opts Options) (*Plan, []Supplied) {
	t.Helper()
	var sup []Supplied
	for i := 0; i < 3; i++ {
		o := opts
		o.Supplied = append(append([]Supplied(nil), opts.Supplied...), sup...)
		if o.Now == nil {
			o.Now = fixedNow
		}
		if o.WorkDir == "" {
			o.WorkDir = t.TempDir()
		}
		p, err := NewPlan(context.Background(), in, o)
		var all MissingKeys
		if errors.As(err, &all) {
			before := len(sup)
			for _, mk := range all {
				for _, s := range sup[:before] {
					if s.File == mk.File && s.Tag == mk.Tag {
						t.Fatalf("supplied value did not take: %v", mk)
					}
				}
				if mk.Tag == 0 {
					t.Fatalf("missing key without a tag: %v", mk)
				}
				v := map[dcm.VR]string{"DA": "20260101", "TM": "120000", "DT": "20260101120000", "UI": NewUID(), "CS": "UNVERIFIED"}[dcm.DictVR(mk.Tag)]
				if v == "" {
					v = "1"
				}
				if mk.Tag == dcm.PatientID {
					v = "PID_" + strings.ToUpper(strings.TrimSuffix(filepath.Base(mk.File), ".dcm"))
				}
				sup = append(sup, Supplied{File: mk.File, Tag: mk.Tag, Value: v, By: "test"})
			}
			continue
		}
		if err != nil {
			t.Fatalf("NewPlan: %v", err)
		}
		return p, sup
	}
	// All missing keys come in one report; a second can only follow
	// from values that made new records (a Patient ID supplied).
	t.Fatal("the plan still reports missing keys after two rounds of supplied values")
	return nil, nil
}

// checkDisc writes the tree as a folder and as an ISO and runs every
// independent validator on both, then reads the DICOMDIR back.
// With iso set the validator judges the ISO (which it extracts, so the
// folder checks run too); otherwise the folder.
func checkDisc(t *testing.T, p *Plan, tree *burner.Tree, iso bool) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "disc")
	burnTo(t, tree, "dir:"+dir)
	compressed := p.Profile.Compressed()
	if !iso {
		validate(t, dir, compressed)
	}
	runTool(t, dir, "dcdirdmp", "DICOMDIR")
	out := runTool(t, dir, "/usr/bin/python3", "-c", "import sys; from pydicom.fileset import FileSet; fs = FileSet('DICOMDIR'); print(len(fs))")
	if got, want := strings.TrimSpace(out), fmt.Sprint(len(p.Discs[0].Objects)); p.Count() == 1 && got != want {
		t.Errorf("pydicom FileSet has %s instances, want %s", got, want)
	}
	// dcentvfy: consistency of patient/study/series across the files.
	var dicomFiles []string
	for _, f := range tree.Files {
		if strings.HasPrefix(f.Path, "DICOM/") {
			dicomFiles = append(dicomFiles, filepath.FromSlash(f.Path))
		}
	}
	entv := runToolAllowFail(t, dir, "dcentvfy", dicomFiles...)
	for _, l := range strings.Split(entv, "\n") {
		if strings.HasPrefix(l, "Error") {
			t.Errorf("dcentvfy: %s", l)
		}
	}
	// Our reader reads back the same records.
	d, err := dicomdir.Read(filepath.Join(dir, "DICOMDIR"))
	if err != nil {
		t.Fatalf("dicomdir.Read: %v", err)
	}
	want, _, err := dicomdir.Build(tree.VolumeID, instances(discObjects(p, tree), discFileID(p, tree)))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(summary(want), summary(d)); diff != "" {
		t.Errorf("DICOMDIR read back differs (-built +read):\n%s", diff)
	}
	// Every leaf points at a file of the tree with the same UIDs.
	for _, r := range d.Leaves() {
		fid := r.Path("/")
		found := false
		for _, f := range tree.Files {
			found = found || f.Path == fid
		}
		if !found {
			t.Errorf("record %s points at a file not on the disc", fid)
		}
	}
	// Pages are well-formed XHTML.
	var pages []string
	for _, f := range tree.Files {
		if strings.HasSuffix(f.Path, ".HTM") {
			pages = append(pages, filepath.FromSlash(f.Path))
		}
	}
	if !p.Options.NoWeb {
		if len(pages) == 0 {
			t.Error("web option on but no pages")
		}
		runTool(t, dir, "xmllint", append([]string{"--noout"}, pages...)...)
	}
	if iso {
		isoPath := filepath.Join(t.TempDir(), "disc.iso")
		burnTo(t, tree, "iso:"+isoPath)
		validate(t, isoPath, compressed)
		vol := runTool(t, ".", "isoinfo", "-d", "-i", isoPath)
		if !strings.Contains(vol, "Volume id: "+tree.VolumeID) {
			t.Errorf("ISO volume id is not the File-set ID %s:\n%s", tree.VolumeID, vol)
		}
	}
	return dir
}

func discObjects(p *Plan, tree *burner.Tree) []*Object {
	for _, d := range p.Discs {
		if d.FileSetID == tree.VolumeID {
			return d.Objects
		}
	}
	return nil
}

func discFileID(p *Plan, tree *burner.Tree) func(*Object) string {
	for _, d := range p.Discs {
		if d.FileSetID == tree.VolumeID {
			return d.FileID
		}
	}
	return nil
}

type recSummary struct {
	Type, FileID, Class, Instance, Syntax string
	Keys                                  int
	Depth                                 int
}

func summary(d *dicomdir.Directory) []recSummary {
	var out []recSummary
	d.Walk(func(r *dicomdir.Record, depth int) bool {
		out = append(out, recSummary{Type: r.Type, FileID: r.Path("/"), Class: r.SOPClassUID, Instance: r.SOPInstanceUID, Syntax: r.TransferSyntaxUID, Keys: len(r.Keys.Elements), Depth: depth})
		return true
	})
	return out
}

func runTool(t *testing.T, dir, tool string, args ...string) string {
	t.Helper()
	cmd := exec.Command(tool, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", tool, strings.Join(args[:min(len(args), 4)], " "), err, out)
	}
	return string(out)
}

func runToolAllowFail(t *testing.T, dir, tool string, args ...string) string {
	t.Helper()
	if _, err := exec.LookPath(tool); err != nil {
		t.Fatalf("%s is not installed: %v", tool, err)
	}
	cmd := exec.Command(tool, args...)
	cmd.Dir = dir
	out, _ := cmd.CombinedOutput()
	return string(out)
}

// corpusMix is one of every kind of object the corpus has: CT and MR
// series, multi-frame, every transfer syntax, SR, encapsulated PDF, GSPS,
// RT, and every character set.
var corpusMix = []string{
	"generated/ct_slice_variants", "generated/documents",
	"transfer_syntax", "transfer_syntax/mr_ts", "multiframe", "sr_docs", "rt", "charset",
	"mr_series/dcm4che_mr16",
}

// notForDisc are corpus files no disc can carry: not DICOM objects, or in
// a syntax this build cannot decode (refused by the plan, tested apart).
var notForDisc = map[string]bool{
	"FileInfo.txt": true, "README-Series.txt": true, "us_jpegxl.dcm": true, "htj2k_lossy_rgb.dcm": true,
	"chrSQEncoding.dcm": true, "chrSQEncoding1.dcm": true, "empty_charset_LEI.dcm": true,
	"nm_jpeg_lossy_broken_sos.dcm": true,
	// UIDs under the illegal root 999.999 (dciodvfy errors); UIDs are never changed.
	"us_10f_jpegls_palette.dcm": true,
	// Lacks Concept Name Code Sequence, which staff cannot supply as text.
	"detail_sr_trial.dcm": true,
}

func mixFiles(t *testing.T) []string {
	var out []string
	for _, f := range files(t, corpusMix...) {
		if !notForDisc[filepath.Base(f)] {
			out = append(out, f)
		}
	}
	return out
}

func TestCorpusDiscCD(t *testing.T) {
	in := Input{Files: mixFiles(t), Facility: testFacility}
	p, sup := supplyMissing(t, in, Options{NoViewer: true})
	if len(sup) == 0 || len(p.Supplied) == 0 {
		t.Fatal("expected staff-supplied values for the corpus files that lack Type 1 keys")
	}
	trees := build(t, p)
	if len(trees) != 1 {
		t.Fatalf("%d discs, want 1", len(trees))
	}
	nTrans := 0
	for _, o := range p.Objects {
		if o.Action == Transcode {
			nTrans++
		}
		if o.Syntax != dcm.ExplicitVRLittleEndian {
			t.Errorf("%s stays %s on a CD", o.Source, o.Syntax)
		}
	}
	if nTrans < 20 {
		t.Errorf("only %d objects transcoded", nTrans)
	}
	checkDisc(t, p, trees[0], true)
}

func TestMain(m *testing.M) {
	os.Exit(m.Run())
}
