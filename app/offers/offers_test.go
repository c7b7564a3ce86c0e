package offers

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"discdesk/app/handoff"
	"discdesk/app/library"
	"discdesk/app/store/storetest"
	"discdesk/internal/corpus"
)

var staff = handoff.Actor{Staff: "m.rivera", Workstation: "FRONT-1"}

const mrStudy = "1.113654.3.13.1026"

func newDesk(t *testing.T, cfg Config) (*Desk, *library.Library, string) {
	t.Helper()
	dir := t.TempDir()
	db := storetest.MustOpen(t, dir)
	lib, err := library.Open(db, dir)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := lib.Import(context.Background(), []string{
		corpus.Path(t, "mr_series", "dcm4che_mr16"),
		corpus.Path(t, "generated", "ct_slice_variants", "ct_explicit_le_source.dcm"),
	}, library.Options{})
	if err != nil || rep.Imported == 0 {
		t.Fatalf("import: %v %+v", err, rep)
	}
	cfg.Quiet = time.Nanosecond
	cfg.Location = time.UTC
	d, err := Open(db, lib, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	return d, lib, dir
}

func find(t *testing.T, list []Candidate, id string) Candidate {
	t.Helper()
	for _, c := range list {
		if c.Patient.ID == id {
			return c
		}
	}
	t.Fatalf("no candidate for patient %s in %+v", id, list)
	return Candidate{}
}

func TestCompletedTodayAndRule(t *testing.T) {
	rule, err := ParseRule("StudyDescription contains trauma")
	if err != nil {
		t.Fatal(err)
	}
	d, _, _ := newDesk(t, Config{Rules: []Rule{rule}})
	list, probs, err := d.List(context.Background())
	if err != nil || len(probs) != 0 {
		t.Fatalf("List: %v %v", err, probs)
	}
	if len(list) != 2 {
		t.Fatalf("%d candidates, want 2 (MR and CT patients)", len(list))
	}
	mr := find(t, list, "583295")
	if mr.Status != StatusPending || len(mr.Studies) != 1 || mr.Studies[0].UID != mrStudy || strings.Join(mr.Reasons, ";") != "completed today" {
		t.Fatalf("MR candidate %+v", mr)
	}
	if mr.Patient.Name != "DOE, J1" { // dcm.PersonName, as every screen shows it
		t.Errorf("desk name %q", mr.Patient.Name)
	}
	ct := find(t, list, "PLASTIC")
	if !strings.Contains(strings.Join(ct.Reasons, ";"), `rule StudyDescription contains "trauma"`) {
		t.Fatalf("CT reasons %v: the attribute rule did not match", ct.Reasons)
	}
	if strings.Contains(strings.Join(mr.Reasons, ";"), "rule") {
		t.Fatalf("MR matched the trauma rule: %v", mr.Reasons)
	}
	// A study not complete yet (quiet time not over) is not offered.
	d.cfg.Quiet = time.Hour
	d.cfg.Rules = nil
	if list, _, _ := d.List(context.Background()); len(list) != 0 {
		t.Fatalf("incomplete studies listed: %+v", list)
	}
}

func TestFlagOfferDeclineRecorded(t *testing.T) {
	d, _, _ := newDesk(t, Config{})
	d.cfg.Quiet = time.Hour // only flagged studies show
	if _, err := d.Flag("1.2.3.4", "x", staff); err == nil {
		t.Fatal("flag of an unknown study accepted")
	}
	if _, err := d.Flag(mrStudy, "inpatient going home", staff); err != nil {
		t.Fatal(err)
	}
	list, _, _ := d.List(context.Background())
	if len(list) != 1 || !strings.HasPrefix(list[0].Reasons[0], "flagged for discharge by m.rivera") {
		t.Fatalf("list %+v", list)
	}
	c := list[0]
	if _, err := d.Decline(c, "  ", staff); !errors.Is(err, ErrMissing) {
		t.Fatalf("decline without reason: %v", err)
	}
	if _, err := d.Offer(c, "CD offered", "", handoff.Actor{Staff: "x"}); !errors.Is(err, ErrMissing) {
		t.Fatalf("offer without workstation: %v", err)
	}
	off, err := d.Offer(c, "CD offered at discharge", "", staff)
	if err != nil {
		t.Fatal(err)
	}
	dec, err := d.Decline(c, "has a patient portal", handoff.Actor{Staff: "a.chen", Workstation: "FRONT-2"})
	if err != nil {
		t.Fatal(err)
	}
	acts, _ := d.Actions(c.Key)
	if len(acts) != 2 || acts[0].ID != off.ID || acts[1].ID != dec.ID || acts[1].Staff != "a.chen" || acts[1].Time.IsZero() || acts[1].Note != "has a patient portal" {
		t.Fatalf("actions %+v", acts)
	}
	all, _ := d.Actions("")
	if len(all) != 3 || all[0].Kind != ActionFlagged {
		t.Fatalf("all actions %+v: the flag must stay in the log", all)
	}
	// The decline closed the flag: the study no longer shows as flagged.
	list, _, _ = d.List(context.Background())
	if len(list) != 0 {
		t.Fatalf("after decline %+v", list)
	}
	// With the completed-today feed on, the patient shows as declined, last action kept.
	d.cfg.Quiet = time.Nanosecond
	list, _, _ = d.List(context.Background())
	mr := find(t, list, "583295")
	if mr.Status != StatusDeclined || mr.Last == nil || mr.Last.ID != dec.ID {
		t.Fatalf("MR after decline %+v", mr)
	}
	if list[len(list)-1].Patient.ID != "583295" {
		t.Errorf("declined candidate is not listed last")
	}
}

func TestDischargeCSVDropPreparesRequest(t *testing.T) {
	drop := t.TempDir()
	d, lib, _ := newDesk(t, Config{CSVDir: drop})
	d.cfg.Quiet = time.Hour
	// Lois Lane's study, with the birth date the list gives.
	lane := filepath.Join(t.TempDir(), "lane.dcm")
	b, err := os.ReadFile(corpus.Path(t, "generated", "ct_slice_variants", "ct_explicit_le_source.dcm"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(lane, b, 0o600); err != nil {
		t.Fatal(err)
	}
	const laneStudy = "1.2.826.0.1.3680043.2.1143.55501"
	if out, err := exec.Command("dcmodify", "-nb", "-ma", "(0010,0010)=LANE^LOIS", "-ma", "(0010,0020)=MRN555", "-ma", "(0010,0030)=19800202",
		"-ma", "(0008,0090)=NELL^ANNA", "-ma", "(0020,000D)="+laneStudy, "-ma", "(0008,0018)=1.2.826.0.1.3680043.2.1143.55502",
		"-ma", "(0020,000E)=1.2.826.0.1.3680043.2.1143.55503", lane).CombinedOutput(); err != nil {
		t.Fatalf("dcmodify: %v\n%s", err, out)
	}
	if rep, err := lib.Import(context.Background(), []string{lane}, library.Options{}); err != nil || rep.Imported != 1 {
		t.Fatalf("import: %v %+v", err, rep)
	}
	today := time.Now().UTC().Format(time.DateOnly)
	csvText := "MRN;Patient Name;DOB;Discharge Time;Ordering notes\n" +
		"MRN555;Lane, Lois;02/02/1980;" + today + " 14:30;Copies to the ordering physician\n" +
		"MRN777;Roe, Richard;02/03/1950;" + today + " 16:00;CD for patient\n" +
		"MRN888;Poe, Edgar;1950-01-19;2001-01-01 10:00;copies to the ordering physician\n" +
		"MRN999;Bad, Date;1950-13-45;" + today + " 09:00;\n" +
		// The library's MR patient has no birth date: whose studies these
		// are is for staff to check, not for the list to guess.
		"583295;DOE^J1;1970-01-01;" + today + " 17:00;CD for patient\n" +
		// A case variant of an ID is another patient: no studies.
		"mrn555;Lane, Lois;1980-02-02;" + today + " 18:00;CD for patient\n"
	if err := os.WriteFile(filepath.Join(drop, "discharges.csv"), []byte(csvText), 0o600); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(drop, "notes.txt"), []byte("not a list"), 0o600)
	list, probs, err := d.List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(probs) != 2 || !strings.Contains(probs[0].Reason, "line 5") || !strings.Contains(probs[0].Reason, "birth date") ||
		!strings.Contains(probs[1].Reason, "line 6: no studies offered") || !strings.Contains(probs[1].Reason, "birth date differs") {
		t.Fatalf("problems %+v, want the bad birth date on line 5 and the MR patient's on line 6", probs)
	}
	if len(list) != 4 {
		t.Fatalf("%d candidates, want 4 discharged today: %+v", len(list), list)
	}
	if list[0].Patient.ID != "MRN555" {
		t.Errorf("not ordered by discharge time: %s first", list[0].Patient.ID)
	}
	if mr := find(t, list, "583295"); len(mr.Studies) != 0 {
		t.Errorf("MR patient without a birth date got studies %+v", mr.Studies)
	}
	if v := find(t, list, "mrn555"); len(v.Studies) != 0 {
		t.Errorf("case variant of MRN555 got studies %+v", v.Studies)
	}
	mr := find(t, list, "MRN555")
	if mr.Discharge.Format("15:04") != "14:30" || len(mr.Studies) != 1 || mr.Studies[0].UID != laneStudy {
		t.Fatalf("Lane discharge %+v", mr)
	}
	if len(mr.Prepared) != 1 {
		t.Fatalf("prepared %+v", mr.Prepared)
	}
	p := mr.Prepared[0]
	if p.Requester.Kind != handoff.RequesterPhysician || !strings.Contains(p.Requester.Name, "NELL") || p.Delivery != handoff.DeliveryPhysician ||
		p.Urgency != handoff.UrgencyDischarge || len(p.Studies.UIDs) != 1 || p.Studies.UIDs[0] != laneStudy || p.Patient.ID != "MRN555" {
		t.Fatalf("prepared request %+v", p)
	}
	roe := find(t, list, "MRN777")
	if roe.Patient.BirthDate != "1950-02-03" || len(roe.Studies) != 0 || len(roe.Prepared) != 1 || roe.Prepared[0].Requester.Kind != handoff.RequesterPatient {
		t.Fatalf("Roe %+v", roe)
	}
	// Staff complete and confirm the prepared request: the handoff log takes it.
	dir := t.TempDir()
	hs, err := handoff.Open(storetest.MustOpen(t, dir))
	if err != nil {
		t.Fatal(err)
	}
	p.Identity = handoff.IdentityCheck{Method: "call-back to office number on file", CheckedBy: "m.rivera"}
	p.Address = &handoff.Address{Name: p.Requester.Name, Street: "1200 Shore Dr", City: "Madison", Region: "WI", PostalCode: "53703"}
	r, err := hs.NewRequest(p, staff)
	if err != nil {
		t.Fatalf("prepared request, completed by staff: %v", err)
	}
	if _, err := d.Offer(mr, "CD to the ordering physician", r.ID, staff); err != nil {
		t.Fatal(err)
	}
	acts, _ := d.Actions(mr.Key)
	if len(acts) != 1 || acts[0].Request != r.ID {
		t.Fatalf("offer action %+v", acts)
	}
	got, _ := d.Find(context.Background(), "MRN555")
	if got.Status != StatusOffered {
		t.Fatalf("Find after offer: %+v", got)
	}
}

func TestParseNotes(t *testing.T) {
	for _, tc := range []struct {
		notes string
		kinds []handoff.RequesterKind
		name  string
		fmt   handoff.Format
	}{
		{"copies to the ordering physician", []handoff.RequesterKind{handoff.RequesterPhysician}, "", handoff.FormatCD},
		{"Please send CD to Dr. Amal Haddad", []handoff.RequesterKind{handoff.RequesterPhysician}, "Dr. Amal Haddad", handoff.FormatCD},
		{"DVD for patient; copy to referring physician", []handoff.RequesterKind{handoff.RequesterPatient, handoff.RequesterPhysician}, "", handoff.FormatDVD},
		{"images to Lakeside Oncology", []handoff.RequesterKind{handoff.RequesterFacility}, "Lakeside Oncology", handoff.FormatCD},
		{"electronic copy for patient", []handoff.RequesterKind{handoff.RequesterPatient}, "", handoff.FormatZIP},
		{"no copies needed", nil, "", ""},
		{"follow up in 2 weeks", nil, "", ""},
		{"", nil, "", ""},
	} {
		got := ParseNotes(tc.notes)
		if len(got) != len(tc.kinds) {
			t.Errorf("%q: %d intents %+v, want %d", tc.notes, len(got), got, len(tc.kinds))
			continue
		}
		for i, k := range tc.kinds {
			if got[i].To != k || got[i].Format != tc.fmt {
				t.Errorf("%q: intent %d = %+v, want %s %s", tc.notes, i, got[i], k, tc.fmt)
			}
		}
		if tc.name != "" && got[0].Name != tc.name {
			t.Errorf("%q: name %q, want %q", tc.notes, got[0].Name, tc.name)
		}
	}
}

func TestParseRule(t *testing.T) {
	r, err := ParseRule(`(0008,1030) equals "LEFT WRIST"`)
	if err != nil || r.Tag != 0x00081030 || r.Op != "equals" || r.Value != "LEFT WRIST" {
		t.Fatalf("%+v %v", r, err)
	}
	for _, bad := range []string{"StudyDescription", "NoSuchKeyword equals x", "StudyDescription like x"} {
		if _, err := ParseRule(bad); !errors.Is(err, ErrBadRule) {
			t.Errorf("%q: %v", bad, err)
		}
	}
}
