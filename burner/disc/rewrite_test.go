package disc

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"discdesk/internal/corpus"
	"discdesk/viewer/dcm"
)

// groupLengthLine is a dcmdump line of a group length element, e.g.
// "(0010,0000) UL 18 ... GenericGroupLength".
var groupLengthLine = regexp.MustCompile(`(?m)^\s*\(([0-9a-f]{4}),0000\)`)

// Every object the plan rewrites (transcoded or generated) is checked with
// dcmdump and dciodvfy: no group length outside the meta group survives
// (the sources' lengths were stale once attributes were added and pixels
// decoded), dcmdump reads it without a warning and dciodvfy finds no bad
// group length and no error the source did not have.
func TestRewrittenObjectsHaveNoStaleGroupLengths(t *testing.T) {
	srcs := files(t, "multiframe/nm_13f_heart.dcm", "multiframe/us_10f_jpegls_palette.dcm", "transfer_syntax/ct_j2k_bitsstored_mismatch.dcm")
	for _, src := range srcs {
		if n := len(groupLengthLine.FindAllString(runDump(t, src), -1)); n < 3 {
			t.Fatalf("%s: the source should carry group lengths (found %d)", src, n)
		}
	}
	p, _ := supplyMissing(t, Input{Files: srcs, Facility: testFacility}, Options{NoViewer: true, NoWeb: true})
	if n := checkRewritten(t, p); n != len(srcs) {
		t.Errorf("checked %d rewritten objects, want %d", n, len(srcs))
	}
	// A generated object (the wrapped report) passes the same checks.
	ct := files(t, "disc_layouts/philips_ct_partial/DICOM/S21610/S2010")[:1]
	p = plan(t, Input{Files: ct, ReportText: "No acute findings."}, Options{NoWeb: true})
	if n := checkRewritten(t, p); n < 1 {
		t.Errorf("no generated object checked")
	}
}

// checkRewritten builds p and checks every object it does not copy with
// dcmdump and dciodvfy; it returns how many it checked.
func checkRewritten(t *testing.T, p *Plan) int {
	t.Helper()
	trees := build(t, p)
	checked := 0
	for _, o := range discObjects(p, trees[0]) {
		if o.Action == Copy {
			continue
		}
		path := ""
		for _, f := range trees[0].Files {
			if f.Path == discFileID(p, trees[0])(o) {
				path = f.Source
				if path == "" {
					path = writeTemp(t, f.Data)
				}
			}
		}
		dump := runDump(t, path)
		for _, m := range groupLengthLine.FindAllStringSubmatch(dump, -1) {
			if m[1] != "0002" {
				t.Errorf("%s: group length (%s,0000) kept", o.FileID, m[1])
			}
		}
		out, _ := exec.Command("dciodvfy", path).CombinedOutput()
		if s := string(out); strings.Contains(s, "Bad group length") || strings.Contains(s, ",0x0000) UL Group Length") {
			t.Errorf("%s: dciodvfy: %s", o.FileID, grepLines(s, "group length", "Group Length"))
		}
		var before map[string]bool
		if o.Source != "" {
			before = dciodvfyErrors(t, o.Source)
		}
		for e := range dciodvfyErrors(t, path) {
			if !before[e] {
				t.Errorf("%s: new dciodvfy error: %s", o.FileID, e)
			}
		}
		checked++
	}
	return checked
}

// runDump runs dcmdump on path and fails on an error or warning.
func runDump(t *testing.T, path string) string {
	t.Helper()
	out, err := exec.Command("dcmdump", "-q", "+L", path).CombinedOutput()
	if err != nil {
		t.Fatalf("dcmdump %s: %v\n%s", path, err, out)
	}
	for _, l := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(l, "W: ") || strings.HasPrefix(l, "E: ") {
			t.Errorf("dcmdump %s: %s", path, l)
		}
	}
	return string(out)
}

func writeTemp(t *testing.T, b []byte) string {
	t.Helper()
	path := t.TempDir() + "/obj.dcm"
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func grepLines(s string, subs ...string) string {
	var keep []string
	for _, l := range strings.Split(s, "\n") {
		for _, sub := range subs {
			if strings.Contains(l, sub) {
				keep = append(keep, l)
				break
			}
		}
	}
	return strings.Join(keep, "\n")
}

// modified copies a corpus file into a test folder under name and changes
// it with dcmodify (each arg one -m, -i or -ea option and its value).
func modified(t *testing.T, src, name string, args ...string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), name)
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("dcmodify", append([]string{"-nb", "-ie"}, append(args, dst)...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("dcmodify %v: %v\n%s", args, err, out)
	}
	return dst
}

// Lossy history stays one Ratio per Method (PS3.3 C.7.6.1.1.5): a source
// that records its compression without the method gets the method of its
// syntax, a complete history is left alone, a lossless decode adds
// nothing, and the plan tells staff plainly.
func TestLossyHistoryOneToOne(t *testing.T) {
	cases := []struct {
		rel, ratio, method string
	}{
		{"generated/ct_slice_variants/ct_gdcm_j2k_lossy_r10.dcm", "10.0135222888575", "ISO_15444_1"},
		{"transfer_syntax/us1_j2k_lossy.dcm", "16", "ISO_15444_1"},
		{"transfer_syntax/nm_jpeg_extended_12bit.dcm", "76", "ISO_10918_1"},
		{"generated/ct_slice_variants/ct_dcmtk_jpeg_extended_lossy.dcm", "9.4169", "ISO_10918_1"},
		{"generated/ct_slice_variants/ct_gdcm_j2k.dcm", "", ""},
	}
	for _, c := range cases {
		t.Run(filepath.Base(c.rel), func(t *testing.T) {
			src := corpus.Path(t, strings.Split(c.rel, "/")...)
			o, out := transcodeOne(t, src)
			f, _ := pixels(t, out)
			ds := f.DataSet
			if got := ds.String(dcm.LossyImageCompressionRatio); got != c.ratio {
				t.Errorf("%s: Ratio %q, want %q", o.SourceSyntax, got, c.ratio)
			}
			if got := ds.String(dcm.LossyImageCompressionMethod); got != c.method {
				t.Errorf("%s: Method %q, want %q", o.SourceSyntax, got, c.method)
			}
			if lossy := ds.String(dcm.LossyImageCompression) == "01"; lossy != (c.method != "") {
				t.Errorf("Lossy Image Compression %q", ds.String(dcm.LossyImageCompression))
			}
		})
	}
	// A JPEG-LS near-lossless stream with NEAR > 0 and no history of its
	// own: one value of each, the ratio measured.
	o, out := transcodeOne(t, corpus.Path(t, "transfer_syntax", "jpegls_near_lossless_16.dcm"))
	f, _ := pixels(t, out)
	r, m := values(f.DataSet.String(dcm.LossyImageCompressionRatio)), values(f.DataSet.String(dcm.LossyImageCompressionMethod))
	if len(r) != len(m) || len(m) > 1 || (len(m) == 1 && m[0] != "ISO_14495_1") {
		t.Errorf("%s: Ratio %v Method %v", o.SourceSyntax, r, m)
	}

	// The plan says so in words.
	p := plan(t, Input{Files: []string{corpus.Path(t, "transfer_syntax", "nm_jpeg_extended_12bit.dcm")}}, Options{NoWeb: true})
	found := false
	for _, w := range p.Warnings {
		found = found || w.Code == WarnLossy && strings.Contains(w.Message, "compressed with loss at the modality")
	}
	if !found {
		t.Errorf("no plain lossy warning: %v", p.Warnings)
	}
}

// A lossy JPEG kept as it is under STD-GEN-DVD-JPEG, whose header is
// rewritten (a supplied value), gets the lossy flag it lacked, with one
// ratio and the JPEG method.
func TestKeptLossyJPEGFlagged(t *testing.T) {
	src := modified(t, corpus.Path(t, "multiframe", "us_30f_jpeg_baseline.dcm"), "US30.dcm", "-ea", "(0028,2110)", "-ea", "(0028,2112)")
	p := plan(t, Input{Files: []string{src}}, Options{Media: DVD, Profile: JPEGProfile(DVD), NoWeb: true,
		Supplied: []Supplied{{File: src, Tag: dcm.StudyID, Value: "S1", By: "tech A"}}})
	o := p.Objects[0]
	if o.Action != Transcode || o.Syntax != dcm.JPEGBaseline8Bit {
		t.Fatalf("action %s syntax %s", o.Action, o.Syntax)
	}
	trees := build(t, p)
	path := ""
	for _, f := range trees[0].Files {
		if f.Path == o.FileID {
			path = f.Source
		}
	}
	df, err := dcm.ParseFile(path, dcm.SkipPixelData())
	if err != nil {
		t.Fatal(err)
	}
	ds := df.DataSet
	r := values(ds.String(dcm.LossyImageCompressionRatio))
	if ds.String(dcm.LossyImageCompression) != "01" || len(r) != 1 || ds.String(dcm.LossyImageCompressionMethod) != "ISO_10918_1" {
		t.Errorf("flag %q ratio %v method %q", ds.String(dcm.LossyImageCompression), r, ds.String(dcm.LossyImageCompressionMethod))
	}
	found := false
	for _, w := range p.Warnings {
		found = found || w.Code == WarnLossy
	}
	if !found {
		t.Errorf("no lossy warning for a baseline JPEG: %v", p.Warnings)
	}
}

// An ACR-NEMA Study Date (1995.06.26) is refused as invalid, naming the
// file staff imported, its series and study; staff supply a value for that
// file: it replaces the old one, which is kept byte for byte in the
// Original Attributes Sequence with when, who and why, and dciodvfy finds
// nothing new.
func TestSupplyReplacesInvalidValue(t *testing.T) {
	ct := corpus.Path(t, "disc_layouts", "philips_ct_partial", "DICOM", "S21610", "S2010", "I10")
	src := modified(t, ct, "x", "-m", "(0008,0020)=1995.06.26")
	names := map[string]string{src: "CT0042.dcm"}
	_, err := NewPlan(context.Background(), Input{Files: []string{src}, Names: names, Facility: testFacility}, Options{NoViewer: true, WorkDir: t.TempDir(), Now: fixedNow})
	var mk *MissingKeyError
	if !errorsAs(err, &mk) || !mk.Invalid || mk.Tag != dcm.StudyDate || mk.File != "CT0042.dcm" || mk.Value != "1995.06.26" {
		t.Fatalf("err = %v, want an invalid Study Date", err)
	}
	for _, want := range []string{`file CT0042.dcm (series 201 "STEREOTAXIS", study "1A TRAUMA/PLAIN HEAD DM", patient "`, "Study Date (0008,0020)", "not valid"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q lacks %q", err, want)
		}
	}
	if strings.Contains(err.Error(), src) {
		t.Errorf("message names the library path: %v", err)
	}
	for _, file := range []string{src, "CT0042.dcm", ""} { // per file (by path or imported name), and for every object whose value is invalid
		p := plan(t, Input{Files: []string{src}, Names: names}, Options{NoWeb: true,
			Supplied: []Supplied{{File: file, Tag: dcm.StudyDate, Value: "19950626", By: "tech A"}}})
		trees := build(t, p)
		out := ""
		for _, f := range trees[0].Files {
			if f.Path == p.Objects[0].FileID {
				out = f.Source
			}
		}
		df, err := dcm.ParseFile(out)
		if err != nil {
			t.Fatal(err)
		}
		ds := df.DataSet
		if ds.String(dcm.StudyDate) != "19950626" {
			t.Errorf("Study Date %q", ds.String(dcm.StudyDate))
		}
		items := ds.Seq(dcm.OriginalAttributesSequence)
		if len(items) != 1 {
			t.Fatalf("%d Original Attributes items", len(items))
		}
		it := items[0]
		nc := it.Seq(tagNonconformingModifiedAttributes)
		if len(nc) != 1 || strings.TrimSpace(string(nc[0].Raw(tagNonconformingDataElementValue))) != "1995.06.26" {
			t.Errorf("old value not kept: %v", nc)
		}
		if !strings.Contains(it.String(tagModifyingSystem), "tech A") || it.String(tagReasonForModification) != "CORRECT" || it.String(tagAttributeModificationDateTime) == "" {
			t.Errorf("who/why/when: %q %q %q", it.String(tagModifyingSystem), it.String(tagReasonForModification), it.String(tagAttributeModificationDateTime))
		}
		before := dciodvfyErrors(t, src)
		for e := range dciodvfyErrors(t, out) {
			if !before[e] {
				t.Errorf("new dciodvfy error: %s", e)
			}
		}
		found := false
		for _, w := range p.Warnings {
			found = found || w.Code == WarnSupplied && strings.Contains(w.Message, "replaces the value of 1 object")
		}
		if !found {
			t.Errorf("supplied warning: %v", p.Warnings)
		}
	}
}
