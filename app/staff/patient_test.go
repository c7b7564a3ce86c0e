package staff

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"discdesk/app/handoff"
	"discdesk/app/library"
	"discdesk/app/store/storetest"
	"discdesk/viewer/dcm"
)

// pat is one patient of a generated library.
type pat struct{ ID, Issuer, Name, Birth string } // Name as DICOM PN, Birth YYYYMMDD

func (p pat) display() string { // as dcm.PersonName writes it
	fam, given, _ := strings.Cut(p.Name, "^")
	return fam + ", " + strings.ReplaceAll(given, "^", " ")
}

func (p pat) iso() string { return p.Birth[:4] + "-" + p.Birth[4:6] + "-" + p.Birth[6:] }

// writeCT writes a tiny CT image of p into dir.
func writeCT(t testing.TB, dir string, p pat, study, series, sop, date string) {
	t.Helper()
	ds := &dcm.DataSet{}
	for _, e := range []*dcm.Element{
		dcm.Str(dcm.SOPClassUID, "UI", "1.2.840.10008.5.1.4.1.1.2"),
		dcm.Str(dcm.SOPInstanceUID, "UI", sop),
		dcm.Str(dcm.StudyDate, "DA", date),
		dcm.Str(dcm.Modality, "CS", "CT"),
		dcm.Str(dcm.PatientName, "PN", p.Name),
		dcm.Str(dcm.PatientID, "LO", p.ID),
		dcm.Str(dcm.IssuerOfPatientID, "LO", p.Issuer),
		dcm.Str(dcm.PatientBirthDate, "DA", p.Birth),
		dcm.Str(dcm.StudyInstanceUID, "UI", study),
		dcm.Str(dcm.SeriesInstanceUID, "UI", series),
		dcm.Str(dcm.InstanceNumber, "IS", "1"),
		dcm.U16(dcm.T(0x0028, 0x0002), 1),
		dcm.Str(dcm.T(0x0028, 0x0004), "CS", "MONOCHROME2"),
		dcm.U16(dcm.Rows, 4),
		dcm.U16(dcm.Columns, 4),
		dcm.U16(dcm.BitsAllocated, 16),
		dcm.U16(dcm.T(0x0028, 0x0101), 16),
		dcm.U16(dcm.T(0x0028, 0x0102), 15),
		dcm.U16(dcm.T(0x0028, 0x0103), 0),
		dcm.NewElement(dcm.PixelData, "OW", make([]byte, 32)),
	} {
		ds.Set(e)
	}
	var b bytes.Buffer
	if err := dcm.WriteExplicitLE(&b, ds, dcm.ExplicitVRLittleEndian); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, strings.ReplaceAll(sop, ".", "_")+".dcm"), b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

// header reads a file's patient attributes.
func header(t testing.TB, path string) pat {
	t.Helper()
	f, err := dcm.ParseFile(path, dcm.SkipPixelData())
	if err != nil {
		t.Fatal(err)
	}
	ds := f.DataSet
	return pat{ds.String(dcm.PatientID), ds.String(dcm.IssuerOfPatientID), ds.String(dcm.PatientName), ds.String(dcm.PatientBirthDate)}
}

// TestKioskNeverReachesAnotherPatient is the property test of 15.10:
// random libraries whose patients share IDs, differ only in the case of
// their ID, share an ID under other issuers, or share a Study Instance UID
// with someone else. Whatever the request (a date range or named studies),
// every file the kiosk's access lets it show names the requested patient
// exactly (ID, issuer, name, birth date). When the library holds no one
// else under that exact ID and issuer, the kiosk does open every study, so
// the property is not met by refusing everything.
//
// The seeds are fixed so that CI is deterministic: the first two found the
// bugs named beside them; KIOSK_SEED=N runs one more seed (any number: use
// the clock's to explore, and keep a seed that fails here).
func TestKioskNeverReachesAnotherPatient(t *testing.T) {
	seeds := []uint64{
		1796203102612763854, // the target's file inside another patient's study
		1796219928711068960, // one ID under two issuers, only one in the date range
		15,
	}
	if v := os.Getenv("KIOSK_SEED"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatalf("KIOSK_SEED %q: %v", v, err)
		}
		seeds = append(seeds, n)
	}
	trials := 25
	if testing.Short() {
		trials = 8
	}
	for _, seed := range seeds {
		t.Run(fmt.Sprint(seed), func(t *testing.T) { kioskNeverReachesAnotherPatient(t, seed, trials) })
	}
}

func kioskNeverReachesAnotherPatient(t *testing.T, seed uint64, trials int) {
	rng := rand.New(rand.NewPCG(seed, 15))
	ids := []string{"mrn7", "MRN7", "Mrn7", "mrn8"}
	issuers := []string{"", "HOSP-A", "HOSP-B"}
	names := []string{"Doe^Jane", "Roe^Rick", "Doe^John"}
	births := []string{"19700102", "19800506"}
	opened, asked := 0, 0
	for trial := range trials {
		dir := t.TempDir()
		db := storetest.MustOpen(t, dir)
		lib, err := library.Open(db, dir)
		if err != nil {
			t.Fatal(err)
		}
		hs, err := handoff.Open(db)
		if err != nil {
			t.Fatal(err)
		}
		src := filepath.Join(dir, "in")
		os.MkdirAll(src, 0o700)
		var pats []pat
		studiesOf := map[int][]string{}  // patient index -> study UIDs
		datesOf := map[string]string{}   // study UID -> date
		ownerOf := map[string][]string{} // study UID -> keys of patients with files in it
		n := 2 + rng.IntN(5)
		uid := 0
		next := func() string { uid++; return fmt.Sprintf("1.2.826.0.1.3680043.10.54.%d.%d", trial, uid) }
		for i := range n {
			p := pat{ids[rng.IntN(len(ids))], issuers[rng.IntN(len(issuers))], names[rng.IntN(len(names))], births[rng.IntN(len(births))]}
			pats = append(pats, p)
			for range 1 + rng.IntN(3) {
				st := next()
				date := fmt.Sprintf("2025%02d%02d", 1+rng.IntN(12), 1+rng.IntN(28))
				for range 1 + rng.IntN(2) {
					writeCT(t, src, p, st, st+".1", next(), date)
				}
				studiesOf[i] = append(studiesOf[i], st)
				datesOf[st] = date
				ownerOf[st] = append(ownerOf[st], fmt.Sprint(p))
			}
		}
		// Now and then another patient's file under someone's Study UID.
		if n > 1 && rng.IntN(3) == 0 {
			a, b := rng.IntN(n), rng.IntN(n)
			st := studiesOf[a][0]
			writeCT(t, src, pats[b], st, st+".9", next(), datesOf[st])
			ownerOf[st] = append(ownerOf[st], fmt.Sprint(pats[b]))
		}
		if _, err := lib.Import(context.Background(), []string{src}, library.Options{}); err != nil {
			t.Fatal(err)
		}
		target := rng.IntN(n)
		p := pats[target]
		sel := handoff.Studies{From: "2025-01-01", To: fmt.Sprintf("2025-%02d-28", 1+rng.IntN(12))}
		if rng.IntN(2) == 0 {
			sel = handoff.Studies{UIDs: studiesOf[target][:1+rng.IntN(len(studiesOf[target]))]}
		}
		r, err := hs.NewRequest(handoff.RequestInput{
			Patient:   handoff.Patient{Name: p.display(), BirthDate: p.iso(), ID: p.ID},
			Requester: handoff.Requester{Kind: handoff.RequesterPatient},
			Identity:  handoff.IdentityCheck{Method: "licence", CheckedBy: "t"},
			Studies:   sel, Format: handoff.FormatCD, Delivery: handoff.DeliveryPickup,
		}, handoff.Actor{Staff: "t", Workstation: "w"})
		if err != nil {
			t.Fatal(err)
		}
		g := NewGate(hs, lib, nil)
		acc, err := g.Open(RequestCode(r.ID), p.iso())
		if errors.Is(err, ErrAskStaff) {
			asked++
		} else if err != nil {
			t.Fatalf("trial %d: %v", trial, err)
		}
		// Would a careful clerk find this patient's studies unambiguous?
		clean := true
		for _, q := range pats {
			if q.ID == p.ID && q != p {
				clean = false // same exact ID, another issuer, name or birth date
			}
		}
		// Every study holding a file of this patient, including another
		// patient's study that got one of theirs, must hold no one else's.
		for _, owners := range ownerOf {
			if !slices.Contains(owners, fmt.Sprint(p)) {
				continue
			}
			for _, o := range owners {
				if o != fmt.Sprint(p) {
					clean = false
				}
			}
		}
		if acc == nil {
			if clean {
				t.Errorf("trial %d: a clean library refused the patient's own request: %v (patients %v)", trial, err, pats)
			}
			continue
		}
		for _, uid := range acc.Studies {
			series, err := acc.Instances(lib, uid)
			if errors.Is(err, ErrAskStaff) {
				if clean {
					t.Errorf("trial %d: study %s of a clean library refused: %v", trial, uid, err)
				}
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			opened++
			for _, se := range series {
				for _, in := range se.Instances {
					if got := header(t, lib.FilePath(in)); got != p {
						t.Errorf("trial %d: the kiosk of %v may show a file of %v (study %s, request %v)", trial, p, got, uid, sel)
					}
				}
			}
		}
		if clean && len(sel.UIDs) == 0 {
			want := 0 // the patient may appear twice in pats (the same four attributes)
			for i, q := range pats {
				for _, st := range studiesOf[i] {
					if q == p && datesOf[st] <= strings.ReplaceAll(sel.To, "-", "") {
						want++
					}
				}
			}
			if len(acc.Studies) != want {
				t.Errorf("trial %d: %d studies in range opened, want %d", trial, len(acc.Studies), want)
			}
		}
	}
	t.Logf("%d trials: %d studies opened, %d requests sent to staff", trials, opened, asked)
	if opened == 0 {
		t.Error("no trial opened any study: the property is met only by refusing everything")
	}
}

// The attack of 15.10 as found: a date-range request for one patient, and
// two other patients whose ID differs in case or whose issuer differs.
func TestDateRangeRequestKeepsToOnePatient(t *testing.T) {
	dir := t.TempDir()
	db := storetest.MustOpen(t, dir)
	lib, err := library.Open(db, dir)
	if err != nil {
		t.Fatal(err)
	}
	hs, _ := handoff.Open(db)
	src := filepath.Join(dir, "in")
	os.MkdirAll(src, 0o700)
	jane := pat{"abc123", "HOSP-A", "Doe^Jane", "19700102"}
	writeCT(t, src, jane, "1.2.3.1", "1.2.3.1.1", "1.2.3.1.1.1", "20250301")
	writeCT(t, src, pat{"ABC123", "HOSP-A", "Roe^Rick", "19800506"}, "1.2.3.2", "1.2.3.2.1", "1.2.3.2.1.1", "20250302")
	writeCT(t, src, pat{"Abc123", "", "Poe^Pat", "19600101"}, "1.2.3.3", "1.2.3.3.1", "1.2.3.3.1.1", "20250303")
	if _, err := lib.Import(context.Background(), []string{src}, library.Options{}); err != nil {
		t.Fatal(err)
	}
	mkFor := func(p pat, issuer string, uids ...string) handoff.Request {
		studies := handoff.Studies{From: "2025-01-01", To: "2025-12-31"}
		if len(uids) > 0 {
			studies = handoff.Studies{UIDs: uids}
		}
		r, err := hs.NewRequest(handoff.RequestInput{
			Patient:   handoff.Patient{Name: p.display(), BirthDate: p.iso(), ID: p.ID, Issuer: issuer},
			Requester: handoff.Requester{Kind: handoff.RequesterPatient},
			Identity:  handoff.IdentityCheck{Method: "licence", CheckedBy: "t"},
			Studies:   studies, Format: handoff.FormatCD, Delivery: handoff.DeliveryPickup,
		}, handoff.Actor{Staff: "t", Workstation: "w"})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	mk := func(p pat) handoff.Request {
		r, err := hs.NewRequest(handoff.RequestInput{
			Patient:   handoff.Patient{Name: p.display(), BirthDate: p.iso(), ID: p.ID},
			Requester: handoff.Requester{Kind: handoff.RequesterPatient},
			Identity:  handoff.IdentityCheck{Method: "licence", CheckedBy: "t"},
			Studies:   handoff.Studies{From: "2025-01-01", To: "2025-12-31"}, Format: handoff.FormatCD, Delivery: handoff.DeliveryPickup,
		}, handoff.Actor{Staff: "t", Workstation: "w"})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	g := NewGate(hs, lib, nil)
	acc, err := g.Open(RequestCode(mk(jane).ID), jane.iso())
	if err != nil {
		t.Fatal(err)
	}
	if len(acc.Studies) != 1 || acc.Studies[0] != "1.2.3.1" {
		t.Fatalf("Jane's date-range request opens %v, want only her study", acc.Studies)
	}
	// The same exact ID under a second issuer: nobody can tell whose, so staff decide.
	writeCT(t, src, pat{"abc123", "HOSP-B", "Doe^Jane", "19700102"}, "1.2.3.4", "1.2.3.4.1", "1.2.3.4.1.1", "20250304")
	lib.Import(context.Background(), []string{src}, library.Options{})
	if _, err := g.Open(RequestCode(mk(jane).ID), jane.iso()); !errors.Is(err, ErrAskStaff) {
		t.Fatalf("one ID under two issuers: %v, want ErrAskStaff", err)
	}
	// A request naming the issuer keeps to that issuer's patient.
	for issuer, want := range map[string]string{"HOSP-A": "1.2.3.1", "HOSP-B": "1.2.3.4"} {
		acc, err := g.Open(RequestCode(mkFor(jane, issuer).ID), jane.iso())
		if err != nil || len(acc.Studies) != 1 || acc.Studies[0] != want {
			t.Fatalf("request under %s opens %v (%v), want only %s", issuer, acc.Studies, err, want)
		}
	}
	// A named study under another issuer than the request's is refused.
	if _, err := g.Open(RequestCode(mkFor(jane, "HOSP-B", "1.2.3.1").ID), jane.iso()); !errors.Is(err, ErrAskStaff) {
		t.Fatalf("HOSP-B request naming HOSP-A's study: %v, want ErrAskStaff", err)
	}
}
