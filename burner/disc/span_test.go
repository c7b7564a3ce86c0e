package disc

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"discdesk/viewer/dcm"
)

// A study larger than the medium becomes independent complete discs, each
// with its own DICOMDIR, README and pages, whole series only, "n of m".
func TestSpanSeveralDiscs(t *testing.T) {
	in := Input{Files: files(t, "mr_series/dcm4che_mr16", "mr_series/ge_epi_150"), Facility: testFacility,
		ReportText: "Findings: none.\nImpression: normal study."}
	// 16 MR slices (2.1 MB) and 150 MR slices (4.2 MB) on 6 MB media.
	const capacity = 6 << 20
	p, _ := supplyMissing(t, in, Options{Media: DVD, Capacity: capacity, NoViewer: true, MaxWebImages: 4})
	if p.Count() < 2 {
		t.Fatalf("%d discs, want several", p.Count())
	}
	seriesDisc := map[string]int{}
	for _, d := range p.Discs {
		for _, o := range d.Objects {
			if o.Kind == KindPDF {
				continue // the report goes on every disc of its study
			}
			if prev, ok := seriesDisc[o.SeriesUID]; ok && prev != d.Index {
				t.Errorf("series %s split over discs %d and %d", o.SeriesUID, prev, d.Index)
			}
			seriesDisc[o.SeriesUID] = d.Index
		}
	}
	found := false
	for _, w := range p.Warnings {
		found = found || w.Code == WarnSpan
	}
	if !found {
		t.Error("no span warning")
	}
	trees := build(t, p)
	if len(trees) != p.Count() {
		t.Fatalf("%d trees for %d discs", len(trees), p.Count())
	}
	for i, tr := range trees {
		if tr.Size() > capacity {
			t.Errorf("disc %d is %d bytes, over the capacity", i+1, tr.Size())
		}
		dir := checkDisc(t, p, tr, false)
		readme, err := os.ReadFile(dir + "/README.TXT")
		if err != nil {
			t.Fatal(err)
		}
		if want := "disc " + string(rune('1'+i)) + " of "; !strings.Contains(string(readme), want) {
			t.Errorf("README of disc %d does not say %q", i+1, want)
		}
		pdfs := 0
		for _, o := range p.Discs[i].Objects {
			if o.Kind == KindPDF {
				pdfs++
			}
		}
		if p.Discs[i].Objects[0].StudyUID == p.Objects[0].StudyUID && pdfs == 0 {
			t.Errorf("disc %d carries no report", i+1)
		}
	}
	if trees[0].VolumeID == trees[1].VolumeID {
		t.Error("discs share a volume id")
	}
}

func TestSeriesTooLarge(t *testing.T) {
	in := Input{Files: files(t, "disc_layouts/philips_ct_partial/DICOM/S21610/S2010")}
	_, err := NewPlan(context.Background(), in, Options{Media: DVD, Capacity: 5 << 20, NoViewer: true, Now: fixedNow})
	if !errors.Is(err, ErrSeriesTooLarge) {
		t.Fatalf("err = %v, want ErrSeriesTooLarge", err)
	}
	// Staff know the series by its study and patient.
	if !strings.Contains(err.Error(), `of study "`) || !strings.Contains(err.Error(), `patient "`) {
		t.Errorf("err = %v: names neither study nor patient", err)
	}
}

// No report: a warning that Build refuses until staff acknowledge it, and
// the acknowledgement stays in the plan.
func TestNoReportNeedsAcknowledgement(t *testing.T) {
	p := plan(t, Input{Files: files(t, "mr_series/dcm4che_mr16")}, Options{NoWeb: true})
	un := p.Unacknowledged()
	if len(un) != 1 || un[0].Code != WarnNoReport {
		t.Fatalf("unacknowledged = %v", un)
	}
	if _, err := p.Build(context.Background(), nil); !errors.Is(err, ErrUnacknowledged) {
		t.Fatalf("Build without acknowledgement: %v", err)
	}
	p.Acknowledge(WarnNoReport, "J. Smith")
	if len(p.Acks) != 1 || p.Acks[0].By != "J. Smith" || !p.Acks[0].At.Equal(fixedNow()) {
		t.Fatalf("acknowledgement not kept: %+v", p.Acks)
	}
	if _, err := p.Build(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
}

// A staff text report becomes an Encapsulated PDF object in the study with
// the images' Patient and General Study attributes; its page shows the text.
func TestWrappedReport(t *testing.T) {
	img := files(t, "generated/ct_slice_variants/ct_explicit_le_source.dcm")
	p := plan(t, Input{Files: img, ReportText: "Impression: no acute finding.", ReportTitle: "CT report"}, Options{})
	if len(p.Unacknowledged()) != 0 {
		t.Fatalf("a wrapped report still warns: %v", p.Unacknowledged())
	}
	var rep *Object
	for _, o := range p.Objects {
		if o.Kind == KindPDF {
			rep = o
		}
	}
	if rep == nil || rep.Action != Generate {
		t.Fatal("no generated report object")
	}
	f, err := dcm.ParseBytes(rep.generated)
	if err != nil {
		t.Fatal(err)
	}
	src, err := dcm.ParseFile(img[0], dcm.SkipPixelData())
	if err != nil {
		t.Fatal(err)
	}
	for _, tag := range []dcm.Tag{dcm.PatientName, dcm.PatientID, dcm.PatientBirthDate, dcm.PatientSex, dcm.StudyInstanceUID, dcm.StudyDate, dcm.StudyTime, dcm.StudyID, dcm.AccessionNumber, dcm.ReferringPhysicianName} {
		if got, want := f.DataSet.String(tag), src.DataSet.String(tag); got != want {
			t.Errorf("%s = %q, images have %q", tag.Name(), got, want)
		}
	}
	ds := f.DataSet
	if ds.String(dcm.SOPClassUID) != encapPDFUID || ds.String(dcm.Modality) != "DOC" || ds.String(dcm.MIMETypeOfEncapsulatedDocument) != "application/pdf" ||
		ds.String(dcm.T(0x0028, 0x0301)) != "YES" || ds.String(dcm.DocumentTitle) != "CT report" || ds.String(dcm.SeriesInstanceUID) == src.DataSet.String(dcm.SeriesInstanceUID) ||
		len(ds.Seq(dcm.ConceptNameCodeSequence)) != 1 || ds.String(dcm.ContentDate) != "20260127" {
		t.Error("wrapped report lacks a required attribute value")
	}
	trees := build(t, p)
	dir := checkDisc(t, p, trees[0], false)
	repPath := dir + "/" + p.Discs[0].FileID(rep)
	if out := string(readFileT(t, repPath)); !strings.Contains(out, "%PDF-") {
		t.Error("report object not at its File ID")
	}
	page := string(readFileT(t, dir+"/IHE_PDI/RPT00001.HTM"))
	if !strings.Contains(page, "no acute finding") {
		t.Errorf("report page does not show the text:\n%s", page)
	}
	errs := dciodvfyErrors(t, repPath)
	for e := range errs {
		t.Errorf("dciodvfy on the wrapped report: %s", e)
	}
}

func readFileT(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// On DVD the plan offers the JPEG profile, which copies JPEG objects as
// they are; the disc then passes validate-disc --allow-compressed.
func TestDVDJPEGProfileOffer(t *testing.T) {
	in := Input{Files: files(t, "generated/ct_slice_variants/ct_gdcm_jpeg_lossless.dcm", "generated/ct_slice_variants/ct_dcmtk_jpeg_extended_lossy.dcm"), ReportText: "ok"}
	p, _ := supplyMissing(t, in, Options{Media: DVD, NoViewer: true})
	if len(p.Offers) == 0 || p.Offers[0].Profile != "STD-GEN-DVD-JPEG" || p.Offers[0].Objects != 2 {
		t.Fatalf("offers = %+v", p.Offers)
	}
	p2, _ := supplyMissing(t, in, Options{Media: DVD, NoViewer: true, Profile: p.Offers[0].Profile})
	for _, o := range p2.Objects {
		if o.Kind == KindImage && o.Action != Copy {
			t.Errorf("%s: %s under %s", o.Source, o.Action, p2.Profile)
		}
	}
	trees := build(t, p2)
	checkDisc(t, p2, trees[0], false)
	if _, err := NewPlan(context.Background(), in, Options{Media: CD, Profile: "STD-GEN-DVD-JPEG"}); err == nil {
		t.Error("JPEG profile accepted on CD")
	}
}
