package cli

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"discdesk/app/handoff"
)

// The facility database stops mid-day: the desk says so at once, keeps
// what staff record (a new request, a handover with its audit message, a
// cancellation of the request taken offline), and sends it all when the
// server is back; the chain then verifies with every event in it.
func TestDeskKeepsWorkingWhileTheFacilityDatabaseIsDown(t *testing.T) {
	srv, admin := newFacility(t)
	desk, study := newDesk(t, srv, admin, "FRONT-DESK")
	defer desk.close()
	staffArgs := []string{"--staff", "Ann", "--workstation", "FRONT-DESK"}
	newReq := func() (handoff.Request, string) {
		t.Helper()
		code, out, errs := desk.cli(t, append([]string{"request", "new", "--json", "--patient", "Test, Patient", "--patient-id", study.Patient.ID,
			"--id-method", "driver licence", "--studies", study.UID}, staffArgs...)...)
		var r handoff.Request
		if code != 0 || json.Unmarshal([]byte(out), &r) != nil || r.ID == "" {
			t.Fatalf("request new: exit %d\n%s%s", code, out, errs)
		}
		return r, errs
	}
	r1, _ := newReq()
	if code, out, errs := desk.cli(t, "burn", "--request", r1.ID, "--quiet", "--ack-no-report", "Ann"); code != 0 {
		t.Fatalf("burn --request: exit %d\n%s%s", code, out, errs)
	}
	got, err := desk.station(t).Log.Request(r1.ID)
	if err != nil || len(got.Discs) != 1 {
		t.Fatalf("burned request %+v %v", got, err)
	}
	discUUID := got.Discs[0].UUID
	desk.close()

	srv.Stop()
	start := time.Now()
	r2, errs := newReq()
	if !strings.Contains(errs, "unreachable") || !strings.Contains(errs, "kept at this desk") {
		t.Fatalf("request new with the database down does not say so:\n%s", errs)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Fatalf("the desk took %v to notice the database is down", d)
	}
	if code, out, errs := desk.cli(t, append([]string{"handoff", discUUID, "--method", "pickup", "--to", "Test, Patient", "--id-check", "driver licence"}, staffArgs...)...); code != 0 {
		t.Fatalf("handoff with the database down: exit %d\n%s%s", code, out, errs)
	}
	if code, out, errs := desk.cli(t, append([]string{"request", "cancel", r2.ID, "--reason", "patient withdrew"}, staffArgs...)...); code != 0 {
		t.Fatalf("cancel with the database down: exit %d\n%s%s", code, out, errs)
	}
	// A rule still holds offline: the disc is out already.
	if code, _, errs := desk.cli(t, append([]string{"handoff", discUUID, "--method", "pickup", "--to", "Someone", "--id-check", "passport"}, staffArgs...)...); code == 0 || !strings.Contains(errs, "already") {
		t.Fatalf("second handover offline: exit %d: %s", code, errs)
	}
	if code, out, errs := desk.cli(t, "log", "verify"); code == 0 || !strings.Contains(errs, "unreachable") {
		t.Fatalf("log verify with the database down: exit %d\n%s%s", code, out, errs)
	}

	srv.StartAgain(t)
	code, out, errs := desk.cli(t, "log", "verify", "--json")
	var rep handoff.VerifyReport
	if code != 0 || json.Unmarshal([]byte(out), &rep) != nil {
		t.Fatalf("log verify after the restart: exit %d\n%s%s", code, out, errs)
	}
	if rep.Events != 5 || rep.Requests != 2 {
		t.Fatalf("after the restart the log has %+v; want 5 events (request, burn, request, handover, cancel) of 2 requests\n%s", rep, errs)
	}
	if !strings.Contains(errs, "sent 3 action(s)") {
		t.Fatalf("the desk does not say it sent the kept actions:\n%s", errs)
	}
	st := desk.station(t)
	evs, err := st.Log.Events("", discUUID)
	if err != nil || len(evs) != 2 || evs[1].Kind != handoff.EventHandedOver || !strings.Contains(evs[1].Audit, "<AuditMessage") {
		t.Fatalf("the handover kept offline: %+v %v", evs, err)
	}
	if r, err := st.Log.Request(r2.ID); err != nil || r.Status != handoff.StatusCancelled {
		t.Fatalf("the request taken offline: %+v %v", r, err)
	}
}
