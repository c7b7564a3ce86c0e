package pacs

import (
	"context"
	"testing"

	"discdesk/internal/corpus"
)

// charsetStudies are corpus objects whose names need a character set:
// Latin-1, UTF-8 and ISO 2022 Japanese (JIS X 0208).
func charsetStudies(t *testing.T) (files []string, names map[string]string) {
	files = []string{
		corpus.Path(t, "charset", "chrGerm.dcm"),
		corpus.Path(t, "charset", "chrX1.dcm"),
		corpus.Path(t, "charset", "chrH31.dcm"),
	}
	names = map[string]string{
		"1.3.6.1.4.1.5962.1.2.0.1175775772.5723.0": "Äneas^Rüdiger",
		"1.3.6.1.4.1.5962.1.2.0.1175775771.5711.0": "Wang^XiaoDong=王^小東=",
		"1.3.6.1.4.1.5962.1.2.0.1175775771.5702.0": "Yamada^Tarou=山田^太郎=やまだ^たろう",
	}
	return files, names
}

// checkNames finds studies by name and checks each reply decodes.
func checkNames(t *testing.T, c *Client, n Node, queries map[string]string, names map[string]string) {
	t.Helper()
	for query, wantStudy := range queries {
		studies, err := c.FindStudies(context.Background(), n, StudyRoot, StudyFilter{PatientName: query})
		if err != nil {
			t.Errorf("find %q: %v", query, err)
			continue
		}
		if len(studies) != 1 || studies[0].StudyInstanceUID != wantStudy {
			t.Errorf("find %q: %d matches %+v, want study %s", query, len(studies), studies, wantStudy)
			continue
		}
		if got := studies[0].PatientName; got != names[wantStudy] {
			t.Errorf("find %q: name %q, want %q", query, got, names[wantStudy])
		}
	}
}

// TestFindCharsetsAgainstOrthanc (issue 16.4): a UTF-8 query for a name
// with umlauts declares ISO_IR 192 and matches; Latin-1, UTF-8 and
// ISO 2022 Japanese replies decode to the right names.
func TestFindCharsetsAgainstOrthanc(t *testing.T) {
	files, names := charsetStudies(t)
	node := startOrthanc(t, files, Node{AETitle: ourAE, Host: "127.0.0.1", Port: 104})
	c := &Client{AETitle: ourAE}
	checkNames(t, c, node, map[string]string{
		"Äneas*":  "1.3.6.1.4.1.5962.1.2.0.1175775772.5723.0",
		"Wang*":   "1.3.6.1.4.1.5962.1.2.0.1175775771.5711.0",
		"*王*":     "1.3.6.1.4.1.5962.1.2.0.1175775771.5711.0",
		"Yamada*": "1.3.6.1.4.1.5962.1.2.0.1175775771.5702.0",
	}, names)
}

// TestFindCharsetsAgainstDcmqrscp: dcmqrscp matches the stored bytes, so
// the Latin-1 query is sent as ISO_IR 100; every reply decodes with its
// own character set.
func TestFindCharsetsAgainstDcmqrscp(t *testing.T) {
	files, names := charsetStudies(t)
	n := startDcmqrscp(t, files, nil)
	latin := &Client{AETitle: ourAE, QueryCharset: "ISO_IR 100"}
	checkNames(t, latin, n, map[string]string{"Äneas*": "1.3.6.1.4.1.5962.1.2.0.1175775772.5723.0"}, names)
	all, err := (&Client{AETitle: ourAE}).FindStudies(context.Background(), n, StudyRoot, StudyFilter{})
	if err != nil || len(all) != len(files) {
		t.Fatalf("find all: %v, %d studies", err, len(all))
	}
	for _, s := range all {
		if s.PatientName != names[s.StudyInstanceUID] {
			t.Errorf("study %s: name %q, want %q", s.StudyInstanceUID, s.PatientName, names[s.StudyInstanceUID])
		}
	}
}
