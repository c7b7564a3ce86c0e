package facility_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"discdesk/app/facility"
	"discdesk/app/facility/facilitytest"
)

// A database set up by an older build (schema 1: patient keys with the ID's
// case folded) is refused by desks until its owner runs setup again, which
// recomputes every request's patient key, so a history lookup finds every
// request of exactly that patient.
func TestSetupRekeysPatientsOfSchemaOne(t *testing.T) {
	srv := sharedServer(t)
	f := newFacilityDB(t, srv)
	desk := f.open(t)
	ev, _, err := desk.Append(ctx, facilitytest.Requested(1, time.Now().Add(time.Hour)))
	if err != nil {
		t.Fatal(err)
	}
	r, err := desk.Request(ctx, ev.Request)
	if err != nil {
		t.Fatal(err)
	}
	key := r.Patient.Key()
	if strings.ToLower(key) == key {
		t.Fatalf("test request's key %q has no upper case to fold", key)
	}
	// What schema 1 left behind.
	srv.Psql(t, f.name, `UPDATE discdesk.requests SET patient = lower(patient); UPDATE discdesk.meta SET value = '1' WHERE key = 'schema'`)
	if _, err := facility.OpenPG(ctx, f.desk); !errors.Is(err, facility.ErrOldSchema) || !strings.Contains(err.Error(), "db setup") {
		t.Fatalf("desk on schema 1: %v, want ErrOldSchema naming db setup", err)
	}
	if err := facility.Setup(ctx, f.admin); err != nil {
		t.Fatal(err)
	}
	again, err := facility.OpenPG(ctx, f.desk)
	if err != nil {
		t.Fatalf("desk after setup: %v", err)
	}
	defer again.Close()
	hist, err := again.PatientHistory(ctx, key)
	if err != nil || len(hist) != 1 || hist[0].ID != ev.Request {
		t.Fatalf("history of %q after setup: %v %v", key, hist, err)
	}
	if hist, _ := again.PatientHistory(ctx, strings.ToLower(key)); len(hist) != 0 {
		t.Fatalf("the folded key still finds %d requests", len(hist))
	}
	if err := facility.Setup(ctx, f.admin); err != nil { // idempotent
		t.Fatal(err)
	}
}
