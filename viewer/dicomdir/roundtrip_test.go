package dicomdir

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// discCase is one disc built from corpus files and judged by every
// independent tool.
type discCase struct {
	name            string
	globs           []string
	allowCompressed bool // files not Explicit VR LE (validate-disc --allow-compressed)
	wantTypes       map[string]int
}

func TestRoundTripCorpusDiscs(t *testing.T) {
	cases := []discCase{
		{
			name: "ct_mr_docs",
			globs: []string{
				"mr_series/dcm4che_mr16/*",
				"mr_series/ge_epi_150/axial_epi_fmri_interleaved_i_to_s-0000[1-5].dcm",
				"disc_layouts/philips_ct_partial/DICOM/S21610/S1000/I10",
				"disc_layouts/philips_ct_partial/DICOM/S21610/S2010/I1[0-3]0",
				"generated/documents/*.dcm",
				"sr_docs/basic_text_sr.dcm", "sr_docs/comprehensive_sr_nested.dcm",
				"sr_docs/comprehensive3d_sr_tid1500.dcm", "sr_docs/ecg_12lead_waveform.dcm",
			},
			wantTypes: map[string]int{"ENCAP DOC": 1, "PRESENTATION": 1, "SR DOCUMENT": 3, "WAVEFORM": 1},
		},
		{
			name: "charsets",
			// The Multi/ExplicitIR6 variants repeat a SOP Instance UID and the
			// SQEncoding files have none: Build rightly refuses those.
			globs: []string{"charset/chrArab.dcm", "charset/chrFren.dcm", "charset/chrGB2312.dcm", "charset/chrGerm.dcm",
				"charset/chrGreek.dcm", "charset/chrH31.dcm", "charset/chrH32.dcm", "charset/chrHbrw.dcm", "charset/chrI2.dcm",
				"charset/chrKoreanMulti.dcm", "charset/chrRuss.dcm", "charset/chrX1.dcm", "charset/chrX2.dcm"},
			wantTypes: map[string]int{"IMAGE": 13, "PATIENT": 13},
		},
		{
			name: "multiframe_rt_syntaxes",
			// One file of each group that shares a SOP Instance UID.
			globs: []string{"multiframe/ect_2f_jpeg_lossless_sv1_fragmented.dcm", "multiframe/emri_small_10f_big_endian.dcm",
				"multiframe/nm_13f_heart.dcm", "multiframe/us_30f_jpeg_baseline.dcm", "multiframe/us_8f_jpeg_baseline_fragmented.dcm", "rt/*.dcm",
				"transfer_syntax/ct1_explicit_big_endian.dcm", "transfer_syntax/mr_small_rle.dcm", "transfer_syntax/nm_jpeg_extended_12bit.dcm",
				"transfer_syntax/image_deflate.dcm", "transfer_syntax/report_deflate.dcm", "transfer_syntax/sc_*.dcm",
				"transfer_syntax/us1_j2k_lossy.dcm", "transfer_syntax/us_jpeg_lossless_sv1_8bit.dcm"},
			allowCompressed: true,
			wantTypes:       map[string]int{"RT PLAN": 1, "RT STRUCTURE SET": 1, "RT DOSE": 1, "SR DOCUMENT": 1}, // report_deflate,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { roundTrip(t, c) })
	}
}

func roundTrip(t *testing.T, c discCase) {
	srcs, ins := prepare(t, corpusFiles(t, c.globs...))
	d, warns, supplied := staff(t, "DISCDESK_TEST", ins)
	for _, w := range warns {
		t.Logf("warning: %s", w)
	}
	counts := d.Count()
	for typ, n := range c.wantTypes {
		if counts[typ] != n {
			t.Errorf("%d %s records, want %d (all: %v)", counts[typ], typ, n, counts)
		}
	}
	if got := len(d.Leaves()); got != len(ins) {
		t.Errorf("%d leaves for %d instances", got, len(ins))
	}
	b, err := d.Encode()
	if err != nil {
		t.Fatalf("Encode: %v", err)
	}
	root := writeDisc(t, b, srcs, supplied)
	dd := filepath.Join(root, "DICOMDIR")
	keep := func() {
		if t.Failed() {
			fail := filepath.Join("testdata", "failed", c.name+"_DICOMDIR")
			os.MkdirAll(filepath.Dir(fail), 0o700)
			os.WriteFile(fail, b, 0o600)
		}
	}
	defer keep()

	// dciodvfy: required keys and value formats; no Error lines.
	out, _ := run(t, root, "dciodvfy", "DICOMDIR")
	if !strings.Contains(out, "BasicDirectory") {
		t.Errorf("dciodvfy did not recognise a Basic Directory:\n%s", head(out, 20))
	}
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "Error") {
			t.Errorf("dciodvfy: %s", l)
		}
	}
	// dcdirdmp walks the offsets.
	out, err = run(t, root, "dcdirdmp", "DICOMDIR")
	if err != nil || strings.Contains(strings.ToLower(out), "error") {
		t.Errorf("dcdirdmp: %v\n%s", err, head(out, 20))
	}
	// dcmdump parses it.
	if out, err := run(t, root, "dcmdump", "-q", "DICOMDIR"); err != nil || strings.Contains(out, "E: ") {
		t.Errorf("dcmdump: %v\n%s", err, head(out, 20))
	}
	// pydicom's FileSet follows the offsets and counts the instances.
	out, err = run(t, root, "/usr/bin/python3", "-c",
		"import warnings; warnings.simplefilter('ignore'); warnings.filterwarnings('error', category=UserWarning)\nfrom pydicom.fileset import FileSet\nprint(len(FileSet('DICOMDIR')))")
	if err != nil {
		t.Errorf("pydicom FileSet: %v\n%s", err, out)
	} else if n, _ := strconv.Atoi(strings.TrimSpace(out)); n != len(ins) {
		t.Errorf("pydicom FileSet sees %s instances, want %d", strings.TrimSpace(out), len(ins))
	}
	// The shared disc validator runs all of the above plus reference checks.
	args := []string{root}
	if c.allowCompressed {
		args = []string{"--allow-compressed", root}
	}
	validator := filepath.Join(repoShared(t), "tools", "validate-disc")
	out, err = run(t, root, validator, args...)
	if err != nil {
		t.Errorf("validate-disc %v: %v\n%s", args, err, out)
	}

	// Our reader gives back the same records.
	got, err := Read(dd)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	sameRecords(t, d, got)
	if got.TransferSyntaxUID != ExplicitVRLittleEndian || got.SOPInstanceUID != d.SOPInstanceUID {
		t.Errorf("read back syntax %q UID %q, want %q %q", got.TransferSyntaxUID, got.SOPInstanceUID, ExplicitVRLittleEndian, d.SOPInstanceUID)
	}
}

func head(s string, n int) string {
	l := strings.Split(s, "\n")
	if len(l) > n {
		l = l[:n]
	}
	return strings.Join(l, "\n")
}
