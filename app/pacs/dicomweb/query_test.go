package dicomweb

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"discdesk/app/pacs"
	"discdesk/internal/corpus"
)

// TestEncodeQueryPS3_18 (issue 16.7): values are written in PS3.18 Annex A
// syntax: wildcards and value lists as they are, "^", spaces, "&", "+" and
// non-ASCII letters percent-encoded.
func TestEncodeQueryPS3_18(t *testing.T) {
	got := EncodeQuery(url.Values{"PatientName": {"DOE^J*"}, "PatientID": {"58?295"}, "StudyDescription": {"HEAD & NECK+C"},
		"ModalitiesInStudy": {"CT,MR"}, "IssuerOfPatientID": {"Müller/1"}})
	want := "IssuerOfPatientID=M%C3%BCller/1&ModalitiesInStudy=CT,MR&PatientID=58?295&PatientName=DOE%5EJ*&StudyDescription=HEAD%20%26%20NECK%2BC"
	if got != want {
		t.Errorf("EncodeQuery:\n got %s\nwant %s", got, want)
	}
}

// TestStudyQueryString checks the exact query string FindStudies sends and
// that it keeps only the matches of the value asked for: "^", a space and
// non-ASCII letters go as wildcards, needing no percent-encoding.
func TestStudyQueryString(t *testing.T) {
	var raw []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw = append(raw, r.URL.RawQuery)
		w.Header().Set("Content-Type", "application/dicom+json")
		var out []string
		for i, name := range []string{"DOE^JOHN", "DOEXJANE", "VAN DER BERG^ANNA", "VANXDER BERG^ANNA", "Äneas^Rüdiger", "Aeneas^Ruediger"} {
			out = append(out, fmt.Sprintf(`{"0020000D":{"vr":"UI","Value":["1.2.%d"]},"00100010":{"vr":"PN","Value":[{"Alphabetic":%q}]}}`, i, name))
		}
		fmt.Fprintf(w, "[%s]", strings.Join(out, ","))
	}))
	defer srv.Close()
	c, err := NewClient(srv.URL+"/dicom-web", "", "", "", "")
	if err != nil {
		t.Fatal(err)
	}
	const include = "&includefield=00080020&includefield=00080030&includefield=00080050&includefield=00080061&includefield=00081030&includefield=00100010&includefield=00100020&includefield=00100030&includefield=0020000D&includefield=00201208"
	for _, tc := range []struct {
		filter pacs.StudyFilter
		query  string
		want   []string
	}{
		{pacs.StudyFilter{PatientName: "DOE^J*"}, "PatientName=DOE?J*&fuzzymatching=false" + include, []string{"1.2.0"}},
		{pacs.StudyFilter{PatientName: "van der berg^*"}, "PatientName=van?der?berg?*&fuzzymatching=false" + include, []string{"1.2.2"}},
		{pacs.StudyFilter{PatientName: "Äneas^Rüdiger"}, "PatientName=*neas?R*diger&fuzzymatching=false" + include, []string{"1.2.4"}},
		{pacs.StudyFilter{PatientID: "58*", AccessionNumber: "A1", StudyDate: "20240101-20240131"}, "AccessionNumber=A1" + include + "&PatientID=58*&StudyDate=20240101-20240131", []string{"1.2.0", "1.2.1", "1.2.2", "1.2.3", "1.2.4", "1.2.5"}},
	} {
		raw = nil
		studies, err := c.FindStudies(context.Background(), tc.filter)
		if err != nil {
			t.Fatal(err)
		}
		if len(raw) != 1 || raw[0] != sortedQuery(tc.query) {
			t.Errorf("%+v: sent %q, want %q", tc.filter, raw, sortedQuery(tc.query))
		}
		var got []string
		for _, s := range studies {
			got = append(got, s.StudyInstanceUID)
		}
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("%+v: matches %v, want %v", tc.filter, got, tc.want)
		}
	}
}

// sortedQuery puts the parameters of a query string in EncodeQuery's order
// (by key, values in order), leaving each as written.
func sortedQuery(q string) string {
	parts := strings.Split(q, "&")
	keyOf := func(p string) string { k, _, _ := strings.Cut(p, "="); return k }
	for i := 1; i < len(parts); i++ { // stable insertion sort by key
		for j := i; j > 0 && keyOf(parts[j-1]) > keyOf(parts[j]); j-- {
			parts[j-1], parts[j] = parts[j], parts[j-1]
		}
	}
	return strings.Join(parts, "&")
}

// TestNameQueriesAgainstOrthanc (issue 16.7): Orthanc 1.10 with its
// DICOMweb plugin 1.7 does not decode percent-encoded query values, so the
// names with "^" and umlauts are asked as wildcards and narrowed here:
// each query finds exactly its study, names decoded from Latin-1.
func TestNameQueriesAgainstOrthanc(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(corpus.Dir(t), "mr_series", "dcm4che_mr16", "*.dcm"))
	files = append(files[:2:2], corpus.Path(t, "charset", "chrGerm.dcm"), corpus.Path(t, "charset", "chrX1.dcm"))
	const mr, germ = "1.113654.3.13.1026", "1.3.6.1.4.1.5962.1.2.0.1175775772.5723.0"
	ctx := context.Background()
	o := orthancWith(t, files)
	c, err := NewClient(o.DICOMwebURL, o.Username, o.Password, "", "")
	if err != nil {
		t.Fatal(err)
	}
	for query, want := range map[string]string{
		"DOE^J1": mr, "DOE^*": mr, "doe^j?": mr, "Äneas^Rüdiger": germ, "Äneas*": germ, "*^Rüdiger": germ, "äneas^rüdiger": germ,
	} {
		studies, err := c.FindStudies(ctx, pacs.StudyFilter{PatientName: query})
		if err != nil || len(studies) != 1 || studies[0].StudyInstanceUID != want {
			t.Errorf("QIDO-RS PatientName=%q: %v %+v, want study %s", query, err, studies, want)
		}
	}
	if studies, err := c.FindStudies(ctx, pacs.StudyFilter{PatientName: "Äneas^Rudiger"}); err != nil || len(studies) != 0 {
		t.Errorf("QIDO-RS for a name with another letter: %v %+v, want none", err, studies)
	}
}
