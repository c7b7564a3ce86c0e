package pdi

import (
	"strings"
	"testing"
)

func filesByPath(t *testing.T, c Content) map[string]string {
	t.Helper()
	files, err := Files(c)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	for _, f := range files {
		m[f.Path] = string(f.Data)
	}
	return m
}

func TestRadiologistAndContact(t *testing.T) {
	c := sample()
	c.FacilityEmail = "images@stmary.example"
	c.FacilityContact = "the reading room"
	c.Patients[0].Studies[0].Radiologists = []string{"Dr Astrid Lindqvist", "Jörg Riesmeier, MD"}
	m := filesByPath(t, c)
	readme := m["README.TXT"]
	for _, want := range []string{
		"Read by Dr Astrid Lindqvist; Jörg Riesmeier, MD\r\n",
		"E-mail: images@stmary.example",
		"To talk about these images or the report with the radiologist,\r\ncall 555 / images@stmary.example and ask for the reading room.\r\n",
	} {
		if !strings.Contains(readme, want) {
			t.Errorf("README lacks %q:\n%s", want, readme)
		}
	}
	for _, l := range strings.Split(readme, "\r\n") {
		if len(l) > 80 {
			t.Errorf("README line longer than 80: %q", l)
		}
	}
	sentence := "To talk about these images or the report with the radiologist, call 555 / images@stmary.example and ask for the reading room."
	index := m["INDEX.HTM"]
	for _, want := range []string{"<th>Read by</th>", "<td>Dr Astrid Lindqvist; Jörg Riesmeier, MD</td>", sentence} {
		if !strings.Contains(index, want) {
			t.Errorf("INDEX.HTM lacks %q:\n%s", want, index)
		}
	}
	study := m["IHE_PDI/STUDY001.HTM"]
	for _, want := range []string{"Read by: Dr Astrid Lindqvist; Jörg Riesmeier, MD.", sentence} {
		if !strings.Contains(study, want) {
			t.Errorf("study page lacks %q:\n%s", want, study)
		}
	}
	report := m["IHE_PDI/RPT00001.HTM"]
	want := "Reported by Dr Astrid Lindqvist; Jörg Riesmeier, MD. Questions: call 555 / images@stmary.example and ask for the reading room."
	if !strings.Contains(report, want) {
		t.Errorf("report page lacks %q:\n%s", want, report)
	}
	if strings.Contains(report, sentence) {
		t.Error("report page repeats the contact sentence in its footer")
	}
}

func TestNoRadiologistNoFacility(t *testing.T) {
	c := sample()
	c.FacilityName, c.FacilityAddress, c.FacilityPhone = "", "", ""
	m := filesByPath(t, c)
	readme := m["README.TXT"]
	if !strings.Contains(readme, "Facility details were not configured at this station") {
		t.Errorf("README does not say the facility is not configured:\n%s", readme)
	}
	for _, bad := range []string{"Telephone:", "(facility not set)", "\r\n  \r\n", "Read by", "To talk about"} {
		if strings.Contains(readme, bad) {
			t.Errorf("README holds %q:\n%s", bad, readme)
		}
	}
	if !strings.Contains(m["INDEX.HTM"], `<span class="note">not recorded</span>`) {
		t.Errorf("INDEX.HTM read-by cell:\n%s", m["INDEX.HTM"])
	}
	if strings.Contains(m["INDEX.HTM"], " by  with") || !strings.Contains(m["INDEX.HTM"], "Facility details were not configured") {
		t.Errorf("INDEX.HTM footer/facility line without a facility:\n%s", m["INDEX.HTM"])
	}
	if strings.Contains(m["IHE_PDI/RPT00001.HTM"], "Reported by") {
		t.Error("report page names a reporter nobody recorded")
	}
}

// Only an e-mail address: "write to", not "call".
func TestContactEmailOnly(t *testing.T) {
	c := Content{FacilityEmail: "x@y.example"}
	if got := c.contactSentence(); got != "To talk about these images or the report with the radiologist, write to x@y.example." {
		t.Fatalf("contact sentence %q", got)
	}
	if (Content{FacilityName: "A"}).contactSentence() != "" {
		t.Fatal("contact sentence without phone or e-mail")
	}
}
