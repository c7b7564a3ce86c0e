package intake_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"discdesk/app/handoff"
	"discdesk/app/intake"
	"discdesk/app/library"
	"discdesk/app/pacs/pacstest"
	"discdesk/internal/corpus"
)

func TestPersonNameAndISODate(t *testing.T) {
	for pn, want := range map[string]string{
		"DOE^JANE":           "DOE, JANE",
		"Doe^Jane^Q^Dr^PhD":  "Doe, Jane Q",
		"Doe^^^":             "Doe",
		"Yamada^Tarou=山田^太郎": "Yamada, Tarou",
		"Anonymous":          "Anonymous",
		" Smith ^ John ":     "Smith, John",
		"":                   "",
	} {
		if got := intake.PersonName(pn); got != want {
			t.Errorf("PersonName(%q) = %q, want %q", pn, got, want)
		}
	}
	for da, want := range map[string]string{"20170716": "2017-07-16", "2017": "", "": ""} {
		if got := intake.ISODate(da); got != want {
			t.Errorf("ISODate(%q) = %q, want %q", da, got, want)
		}
	}
}

// A study whose patient has no name cannot have a request: the disc is
// queued all the same, under its own name, and the problem reported.
func TestQueueStudyWithoutARequest(t *testing.T) {
	src := filepath.Join(corpus.Dir(t), "mr_series", "dcm4che_mr16", "MR01.dcm")
	dst := filepath.Join(t.TempDir(), "noname.dcm")
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := pacstest.Tool(t, 10*time.Second, "dcmodify", "-nb", "-ma", "(0010,0010)=", dst); err != nil {
		t.Fatalf("dcmodify: %v\n%s", err, out)
	}
	d := newDesk(t, nil)
	rep, err := d.lib.Import(context.Background(), []string{dst}, library.Options{})
	if err != nil || len(rep.Studies) != 1 {
		t.Fatalf("import: %+v %v", rep, err)
	}
	r := &intake.Receiver{Options: intake.Options{BurnAE: "DISCDESK_BURN"}, Lib: d.lib, Station: d.st}
	q, err := r.QueueStudy(context.Background(), rep.Studies[0], "CT1")
	if err != nil {
		t.Fatal(err)
	}
	var fe *handoff.FieldError
	if q.Request != nil || !errors.As(q.Problem, &fe) || fe.Field != "patient.name" {
		t.Fatalf("request %+v, problem %v", q.Request, q.Problem)
	}
	j, err := d.queue.Get(q.Job.ID)
	if err != nil || j.RequestID != "" || len(j.StudyUIDs) != 1 || !strings.Contains(j.Drive, string(filepath.Separator)+"DISC") || j.AckedBy != intake.AutoBurnStaff {
		t.Fatalf("job %+v, %v", j, err)
	}
	if _, err := r.QueueStudy(context.Background(), "1.2.3.4", "CT1"); err == nil {
		t.Error("a study not in the library was queued")
	}
}

// PersonName reads Patient's Name from received objects: outside input.
func FuzzPersonName(f *testing.F) {
	for _, s := range []string{"DOE^JANE", "Yamada^Tarou=山田^太郎=やまだ^たろう", "^^^^", "=", "a^b^c^d^e", "\x00^\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, pn string) {
		got := intake.PersonName(pn)
		if strings.ContainsAny(got, "^=") {
			t.Errorf("PersonName(%q) = %q keeps PN delimiters", pn, got)
		}
		first, _, _ := strings.Cut(pn, "=")
		if len(got) > len(first)+2 {
			t.Errorf("PersonName(%q) = %q grew", pn, got)
		}
	})
}
