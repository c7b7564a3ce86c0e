package pdi

import (
	"bytes"
	"encoding/xml"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"
)

func sample() Content {
	return Content{
		FacilityName: "St. Mary's <Imaging> & Co", FacilityAddress: "1 Road\nTown", FacilityPhone: "555",
		Software: "DiscDesk", Version: "1.0", Created: time.Date(2026, 1, 2, 3, 4, 0, 0, time.UTC),
		FileSetID: "DD1", DiscIndex: 1, DiscCount: 2, Profile: "STD-GEN-CD", Web: true,
		Patients: []Patient{{Name: "Doe John <script>alert(1)</script>\x01", ID: "P&1", Studies: []Study{{
			Date: "2026-01-01", Description: "CT \"head\"",
			Series:  []Series{{Number: 1, Modality: "CT", Instances: 3, Images: []Image{{Instance: 1, JPEG: []byte{0xFF, 0xD8}, Thumb: []byte{0xFF, 0xD8}, Width: 2, Height: 2, ThumbW: 1, ThumbH: 1}}}},
			Reports: []Report{{Title: "Report ]]>", Kind: "SR", Tree: []Node{{Name: "Finding", Value: "a < b", Children: []Node{{Name: "x", Value: "y"}}}}}},
		}}}},
	}
}

func TestFilesWellFormedAndLevel1(t *testing.T) {
	files, err := Files(sample())
	if err != nil {
		t.Fatal(err)
	}
	name := regexp.MustCompile(`^([A-Z0-9_]{1,8}/)*[A-Z0-9_]{1,8}(\.[A-Z0-9_]{1,3})?$`)
	seen := map[string]bool{}
	for _, f := range files {
		if !name.MatchString(f.Path) || seen[f.Path] {
			t.Errorf("bad or repeated name %q", f.Path)
		}
		seen[f.Path] = true
		if !strings.HasSuffix(f.Path, ".HTM") {
			continue
		}
		if bytes.Contains(f.Data, []byte("<script")) {
			t.Errorf("%s: markup from data not escaped", f.Path)
		}
		d := xml.NewDecoder(bytes.NewReader(f.Data))
		d.Strict = true
		d.Entity = xml.HTMLEntity
		for {
			_, err := d.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%s is not well-formed XML: %v\n%s", f.Path, err, f.Data)
			}
		}
	}
	for _, want := range []string{"README.TXT", "AUTORUN.INF", "INDEX.HTM", "IHE_PDI/STUDY001.HTM", "IHE_PDI/SER00001.HTM", "IHE_PDI/SER00001/IMG00001.JPG", "IHE_PDI/SER00001/THM00001.JPG", "IHE_PDI/RPT00001.HTM"} {
		if !seen[want] {
			t.Errorf("missing %s", want)
		}
	}
}

func TestReadmeWithoutWeb(t *testing.T) {
	c := sample()
	c.Web = false
	files, err := Files(c)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 1 || files[0].Path != "README.TXT" {
		t.Fatalf("files without web and viewer: %v", len(files))
	}
	r := string(files[0].Data)
	for _, want := range []string{"disc 1 of 2", "St. Mary's <Imaging> & Co", "Telephone: 555", "No viewer program is on this disc", "\r\n"} {
		if !strings.Contains(r, want) {
			t.Errorf("README lacks %q:\n%s", want, r)
		}
	}
	if strings.Contains(r, "INDEX.HTM") {
		t.Error("README mentions INDEX.HTM on a DICOM-only disc")
	}
}
