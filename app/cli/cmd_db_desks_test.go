package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"discdesk/app/facility"
	"discdesk/app/handoff"
	"discdesk/app/library"
	"discdesk/app/settings"
	"discdesk/app/station"
	"discdesk/app/station/stationtest"
	"discdesk/app/store"
	"discdesk/burner/disc"
	"discdesk/internal/pgtest"
)

// facilityDesk is one desk's data folder, one of a facility on a test
// PostgreSQL server, driven through the command line with --db.
type facilityDesk struct {
	data, url, pwFile string
	env               *Env
}

// newFacility starts a server with the facility schema and returns its
// admin connection string.
func newFacility(t *testing.T) (*pgtest.Server, string) {
	t.Helper()
	srv := pgtest.Start(t)
	srv.CreateDB(t, "facility")
	url := srv.AdminURL("facility")
	if err := facility.Setup(context.Background(), facility.Config{URL: url}); err != nil {
		t.Fatal(err)
	}
	return srv, url
}

// newDesk makes a data folder named workstation, with the desk's own
// database login (a member of the desks' role: it may add events, never
// change them) and the test study in its library.
func newDesk(t *testing.T, srv *pgtest.Server, admin, workstation string) (*facilityDesk, library.Study) {
	t.Helper()
	return newDeskWith(t, srv, admin, workstation, true)
}

// newDeskWith is newDesk, with the study in the library or not.
func newDeskWith(t *testing.T, srv *pgtest.Server, admin, workstation string, withStudy bool) (*facilityDesk, library.Study) {
	t.Helper()
	ctx := context.Background()
	pg, err := facility.OpenPG(ctx, facility.Config{URL: admin})
	if err != nil {
		t.Fatal(err)
	}
	login := strings.ToLower(strings.ReplaceAll(workstation, "-", "_"))
	if err := facility.AddDesk(ctx, pg.Pool(), login, "pw-"+login); err != nil {
		t.Fatal(err)
	}
	pg.Close()
	pw := filepath.Join(t.TempDir(), "password")
	if err := os.WriteFile(pw, []byte("pw-"+login+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	d := &facilityDesk{data: t.TempDir(), url: srv.URL(login, "", "facility"), pwFile: pw}
	db, err := store.Open(d.data)
	if err != nil {
		t.Fatal(err)
	}
	st, err := settings.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	cur, _ := st.Get()
	cur.Workstation = workstation
	if _, err := st.SaveSystem(cur); err != nil {
		t.Fatal(err)
	}
	lib, err := library.Open(db, d.data)
	if err != nil {
		t.Fatal(err)
	}
	var study library.Study
	if withStudy {
		study = stationtest.Import(t, lib)
	}
	db.Close()
	return d, study
}

func (d *facilityDesk) global() []string {
	return []string{"--data", d.data, "--db", d.url, "--db-password-file", d.pwFile}
}

// cli runs one command at the desk (its store is closed between commands).
func (d *facilityDesk) cli(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	d.close()
	var o, e bytes.Buffer
	code := Run(context.Background(), append(d.global(), args...), &o, &e)
	return code, o.String(), e.String()
}

func (d *facilityDesk) close() {
	if d.env != nil {
		d.env.Close()
		d.env = nil
	}
}

func (d *facilityDesk) station(t *testing.T) *station.Station {
	t.Helper()
	if d.env == nil {
		d.env = &Env{DataFlag: d.data, DBFlag: d.url, DBPasswordFile: d.pwFile, Stderr: os.Stderr}
	}
	st, err := d.env.Station()
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// twoDesks is the lifecycle suite's entry point with requests recorded at
// the front desk and everything else (burn, hand over, tell, cancel) done
// at the other desk, which sees them only through the facility database.
type twoDesks struct{ front, back *facilityDesk }

func (w *twoDesks) Station(t *testing.T) *station.Station {
	w.front.close()
	return w.back.station(t)
}

func (w *twoDesks) at(t *testing.T, d *facilityDesk, args ...string) (string, error) {
	t.Helper()
	w.front.close()
	w.back.close()
	if args[0] != "burn" {
		args = append(args, "--staff", "Ann", "--workstation", "desk")
	}
	code, out, errs := d.cli(t, args...)
	if code != 0 {
		return out, errors.New(errs)
	}
	return out, nil
}

func (w *twoDesks) Record(t *testing.T, in handoff.RequestInput) (string, error) {
	args := []string{"request", "new", "--json", "--patient", in.Patient.Name, "--patient-id", in.Patient.ID,
		"--id-method", in.Identity.Method, "--id-checked-by", in.Identity.CheckedBy, "--studies", strings.Join(in.Studies.UIDs, ","),
		"--format", string(in.Format), "--delivery", string(in.Delivery), "--urgency", string(in.Urgency)}
	if a := in.Address; a != nil {
		args = append(args, "--street", a.Street, "--city", a.City, "--region", a.Region, "--postal-code", a.PostalCode, "--country", a.Country)
	}
	out, err := w.at(t, w.front, args...)
	if err != nil {
		return "", err
	}
	var r handoff.Request
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("request new --json: %v\n%s", err, out)
	}
	return r.ID, nil
}

func (w *twoDesks) Burn(t *testing.T, id string, acks []disc.WarningCode, by string) error {
	args := []string{"burn", "--request", id, "--quiet"}
	if slices.Contains(acks, disc.WarnNoReport) {
		args = append(args, "--ack-no-report", by)
	}
	out, err := w.at(t, w.back, args...)
	if err == nil && !strings.Contains(out, "logged in request "+id) {
		t.Errorf("burn --request does not say the disc was logged:\n%s", out)
	}
	return err
}

func (w *twoDesks) HandOver(t *testing.T, discUUID string, mail bool, h handoff.Handover) error {
	if mail {
		_, err := w.at(t, w.back, "handoff", discUUID, "--method", "mail", "--to", h.To, "--carrier", h.Carrier, "--tracking", h.Tracking)
		return err
	}
	_, err := w.at(t, w.back, "handoff", discUUID, "--method", "pickup", "--to", h.To, "--id-check", h.IdentityCheck)
	return err
}

func (w *twoDesks) ConfirmReceipt(t *testing.T, discUUID, who string) error {
	_, err := w.at(t, w.back, "handoff", discUUID, "--received-by", who)
	return err
}

func (w *twoDesks) Spoil(t *testing.T, discUUID, reason string) error {
	_, err := w.at(t, w.back, "handoff", discUUID, "--spoiled", reason)
	return err
}

func (w *twoDesks) Cancel(t *testing.T, id, reason string) error {
	_, err := w.at(t, w.back, "request", "cancel", id, "--reason", reason)
	return err
}

func (w *twoDesks) Tell(t *testing.T, id, how string) error {
	_, err := w.at(t, w.back, "request", "tell", id, "--how", how)
	return err
}

// Two desks, two data folders, one facility database: every request the
// lifecycle suite records at the front desk is burned (xorriso, the
// settings' default ISO target), handed over, told and cancelled at the
// other desk, and `log verify` passes at both with one head.
func TestTwoDesksShareOneFacility(t *testing.T) {
	srv, admin := newFacility(t)
	front, study := newDesk(t, srv, admin, "FRONT-DESK")
	back, _ := newDesk(t, srv, admin, "HIM-OFFICE")
	w := &twoDesks{front: front, back: back}
	defer front.close()
	defer back.close()
	stationtest.Run(t, w, study, nil)
	w.back.close()

	var heads []string
	for _, d := range []*facilityDesk{front, back} {
		code, out, errs := d.cli(t, "log", "verify")
		if code != 0 || !strings.Contains(out, "log verify: OK") {
			t.Fatalf("log verify at %s: exit %d\n%s%s", d.data, code, out, errs)
		}
		heads = append(heads, out)
	}
	if heads[0] != heads[1] {
		t.Fatalf("the desks see different logs:\n%s\n%s", heads[0], heads[1])
	}
	// A signed checkpoint of the facility's chain, made at the front desk,
	// holds after the other desk recorded more.
	cp := filepath.Join(t.TempDir(), "checkpoint.json")
	if code, out, errs := front.cli(t, "log", "checkpoint", "--out", cp); code != 0 {
		t.Fatalf("log checkpoint: exit %d\n%s%s", code, out, errs)
	}
	if _, err := w.Record(t, stationtest.Pickup(study)); err != nil {
		t.Fatal(err)
	}
	if code, out, errs := front.cli(t, "log", "verify", "--against", cp); code != 0 || !strings.Contains(out, "checkpoint of") {
		t.Fatalf("log verify --against at the front desk: exit %d\n%s%s", code, out, errs)
	}
	// The front desk lists what the other desk did; its own store holds no
	// handoff event, so the log is the facility's alone.
	code, out, errs := front.cli(t, "request", "list", "--search", "test patient", "--json")
	var found []handoff.Request
	if code != 0 || json.Unmarshal([]byte(out), &found) != nil || len(found) < 2 {
		t.Fatalf("request list --search at the front desk: exit %d\n%s%s", code, out, errs)
	}
	handed := 0
	for _, r := range found {
		for _, dd := range r.Discs {
			if !dd.HandedOver.IsZero() {
				handed++
			}
		}
	}
	if handed == 0 {
		t.Fatalf("the front desk does not see the discs handed over at the other desk: %s", out)
	}
	// Both desks hold the study: the facility knows where it can be burned.
	pg, err := facility.OpenPG(context.Background(), facility.Config{URL: admin})
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	h, err := pg.Head(context.Background())
	if err != nil || h.Count != 14 { // A: 6 events, B: 5, C: 2, and one request after the checkpoint
		t.Fatalf("facility head %+v %v: the lifecycle's events are not in the facility database", h, err)
	}
	for _, d := range []*facilityDesk{front, back} {
		db, err := store.Open(d.data)
		if err != nil {
			t.Fatal(err)
		}
		local, err := handoff.Open(db)
		n, _ := local.Count()
		db.Close()
		if err != nil || n != 0 {
			t.Fatalf("desk %s kept %d handoff events in its own store (%v)", d.data, n, err)
		}
	}
	holders, err := pg.Holders(context.Background(), study.UID)
	if err != nil || !slices.Equal(holders, []string{"FRONT-DESK", "HIM-OFFICE"}) {
		t.Fatalf("holders of the study: %v %v", holders, err)
	}
	// A third desk whose library lacks the study takes a request for it:
	// the facility knows two desks that can burn it.
	er, _ := newDeskWith(t, srv, admin, "ER-NIGHT", false)
	code, out, errs = er.cli(t, "request", "new", "--json", "--patient", "Test, Patient", "--patient-id", study.Patient.ID,
		"--id-method", "driver licence", "--studies", study.UID, "--staff", "Ann", "--workstation", "ER-NIGHT")
	if code != 0 {
		t.Fatalf("request new at a desk without the study: exit %d\n%s%s", code, out, errs)
	}
	code, _, errs = er.cli(t, "request", "new", "--patient", "Test, Patient", "--id-method", "driver licence",
		"--studies", "1.2.826.0.1.3680043.10.999.424242", "--staff", "Ann", "--workstation", "ER-NIGHT")
	if code == 0 || !strings.Contains(errs, "unknown study") {
		t.Fatalf("a study no desk holds: exit %d: %s", code, errs)
	}
}
