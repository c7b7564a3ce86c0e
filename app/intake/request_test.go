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
	"discdesk/app/station"
	"discdesk/app/station/stationtest"
	"discdesk/burner/disc"
	"discdesk/internal/corpus"
)

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

// autoBurn is auto-burn as a lifecycle entry point: its requests are
// recorded and queued through the station, its disc acknowledged in
// auto-burn's name; handover, receipt and telling happen at the desk
// (the station).
type autoBurn struct {
	r  *intake.Receiver
	st *station.Station
}

var deskActor = handoff.Actor{Staff: "Ann", Workstation: "front-1"}

func (a autoBurn) Station(*testing.T) *station.Station { return a.st }

func (a autoBurn) Record(t *testing.T, in handoff.RequestInput) (string, error) {
	sd, err := a.st.Lib.Study(in.Studies.UIDs[0])
	if err != nil {
		t.Fatal(err)
	}
	r, err := a.st.Record(intake.AutoBurnInput(sd.Study, "CT1", a.r.BurnAE), handoff.Actor{Staff: intake.AutoBurnStaff, Workstation: "front-1"})
	return r.ID, err
}

func (a autoBurn) Burn(t *testing.T, id string, _ []disc.WarningCode, _ string) error {
	j, err := a.r.QueueRequest(context.Background(), id)
	if err != nil {
		return err
	}
	if j.AckedBy != intake.AutoBurnStaff {
		t.Errorf("auto-burn job acknowledged by %q", j.AckedBy)
	}
	_, _, err = a.st.Worker(nil, nil).RunJob(context.Background(), j.ID)
	return err
}

func (a autoBurn) HandOver(t *testing.T, d string, mail bool, h handoff.Handover) error {
	_, err := a.st.HandOver(d, mail, h, deskActor)
	return err
}

func (a autoBurn) ConfirmReceipt(t *testing.T, d, who string) error {
	_, err := a.st.ConfirmReceipt(d, who, deskActor)
	return err
}

func (a autoBurn) Spoil(t *testing.T, d, reason string) error {
	_, err := a.st.Spoil(d, reason, deskActor)
	return err
}

func (a autoBurn) Cancel(t *testing.T, id, reason string) error {
	_, err := a.st.Cancel(id, reason, deskActor)
	return err
}

func (a autoBurn) Tell(t *testing.T, id, how string) error {
	_, err := a.st.TellPatient(id, how, deskActor)
	return err
}

func TestLifecycleFromAutoBurn(t *testing.T) {
	d := newDesk(t, nil)
	study := stationtest.Import(t, d.lib)
	r := &intake.Receiver{Options: intake.Options{BurnAE: "DISCDESK_BURN"}, Lib: d.lib, Station: d.st}
	skip := map[string]string{
		"burn refused: warning not acknowledged": "auto-burn acknowledges a missing report itself, in its own name",
	}
	for _, s := range []string{"record mail request", "burn mail request", "mail the disc", "tell refused: not arrived", "receipt confirmed", "tell after receipt"} {
		skip[s] = "auto-burn makes same-day pickup requests only"
	}
	stationtest.Run(t, autoBurn{r: r, st: d.st}, study, skip)
}

// The same-day and auto-burn requests carry the study's exact Patient ID
// with its issuer, as the desk's form does (staff.RequestPatient).
func TestSameDayRequestKeepsTheIssuer(t *testing.T) {
	st := library.Study{UID: "1.2.3", Patient: library.Patient{ID: "ab123", Issuer: "HOSP_A", Name: "Doe^Jo", BirthDate: "19700102"}}
	for _, in := range []handoff.RequestInput{intake.SameDayInput(st, "Ann", "verbal order"), intake.AutoBurnInput(st, "CT1", "DISCDESK_BURN")} {
		if p := in.Patient; p != (handoff.Patient{Name: "Doe, Jo", BirthDate: "1970-01-02", ID: "ab123", Issuer: "HOSP_A"}) {
			t.Errorf("patient %+v", p)
		}
	}
}
