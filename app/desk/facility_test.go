package desk

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"discdesk/app/cli"
	"discdesk/app/facility"
	"discdesk/app/staff"
	"discdesk/app/store/storetest"
	"discdesk/burner/drive"
	"discdesk/internal/pgtest"
)

// facilityFixture is a desk window (Fyne test driver) on a demo data
// folder that is one desk of the facility database url.
func facilityFixture(t *testing.T, url, workstation string) *fixture {
	t.Helper()
	dir := demoDir(t)
	db := storetest.MustOpen(t, dir)
	pg, err := facility.OpenPG(context.Background(), facility.Config{URL: url, Desk: workstation})
	if err != nil {
		t.Fatal(err)
	}
	unbind, err := facility.Bind(db, pg, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unbind(); pg.Close() })
	c := &clock{t: time.Now()}
	svc, err := openServices(db, nil, dir, true, Options{StaffOptions: []staff.Option{fastPIN}, Now: c.now})
	if err != nil {
		t.Fatal(err)
	}
	svc.DetectDrives = func(context.Context) ([]drive.Info, error) { return nil, nil }
	if _, err := svc.Prepare(context.Background()); err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, svc: svc, dir: dir, clock: c, ui: &uiLoop{}}
	a := test.NewTempApp(t)
	f.win = a.NewWindow("DiscDesk")
	f.win.Resize(fyne.NewSize(1200, 800))
	f.d = New(a, f.win, svc)
	f.d.uiDo = f.ui.do
	f.d.ShowSignIn()
	return f
}

// Two desk windows on one facility database: a request recorded at the
// front desk is listed on the other desk's Requests screen, whose staff
// sign in with the member the first desk created (staff are the
// facility's).
func TestDeskWindowsShareRequests(t *testing.T) {
	srv := pgtest.Start(t)
	srv.CreateDB(t, "facility")
	url := srv.AdminURL("facility")
	if err := facility.Setup(context.Background(), facility.Config{URL: url}); err != nil {
		t.Fatal(err)
	}
	front := facilityFixture(t, url, "FRONT-DESK")
	back := facilityFixture(t, url, "HIM-OFFICE")

	members, err := back.svc.Staff.List()
	if err != nil || len(members) != 1 || members[0].Name != staff.DemoName {
		t.Fatalf("the second desk's staff: %+v %v (want the one demo member the facility has)", members, err)
	}
	st := front.study("DEMO0002")
	front.signIn(staff.DemoName, staff.DemoPIN)
	r, err := front.svc.Station.Record(SameDayInput(st, *front.d.User()), front.svc.actor(*front.d.User()))
	if err != nil {
		t.Fatal(err)
	}

	back.signIn(staff.DemoName, staff.DemoPIN)
	back.d.ShowMain()
	back.d.selectTab("Requests")
	if back.d.Named("requests.row."+r.ID) == nil {
		t.Fatalf("the request recorded at the front desk is not listed at the other desk (rows: %v)", back.d.NamedKeys("requests.row."))
	}
}

// The desk window's title says when the facility database stops
// answering, and again when it is back.
func TestDeskTitleSaysTheFacilityDatabaseIsDown(t *testing.T) {
	old := facilityHealthEvery
	facilityHealthEvery = 50 * time.Millisecond
	defer func() { facilityHealthEvery = old }()
	srv := pgtest.Start(t)
	srv.CreateDB(t, "facility")
	url := srv.AdminURL("facility")
	if err := facility.Setup(context.Background(), facility.Config{URL: url}); err != nil {
		t.Fatal(err)
	}
	env := &cli.Env{DataFlag: t.TempDir(), DBFlag: url}
	defer env.Close()
	box, err := env.Facility()
	if err != nil || box == nil {
		t.Fatalf("the desk is not bound to the facility: %v", err)
	}
	win := test.NewTempApp(t).NewWindow("DiscDesk")
	ctx, cancel := context.WithCancel(context.Background())
	ui, watched := &uiLoop{}, make(chan struct{})
	defer func() { cancel(); <-watched }() // no log line after the test
	go func() { defer close(watched); watchFacility(ctx, env, box, win, ui.do, t.Logf) }()
	waitTitle := func(want string) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for ui.pump(); !strings.Contains(win.Title(), want); ui.pump() {
			if time.Now().After(deadline) {
				t.Fatalf("window title %q, want %q", win.Title(), want)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	srv.Stop()
	waitTitle("the facility database is unreachable")
	srv.StartAgain(t)
	deadline := time.Now().Add(30 * time.Second)
	for ui.pump(); win.Title() != "DiscDesk"; ui.pump() {
		if time.Now().After(deadline) {
			t.Fatalf("window title %q after the database came back", win.Title())
		}
		time.Sleep(20 * time.Millisecond)
	}
}
