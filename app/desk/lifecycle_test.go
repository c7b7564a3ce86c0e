package desk

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"discdesk/app/handoff"
	"discdesk/app/staff"
	"discdesk/app/station"
	"discdesk/app/station/stationtest"
	"discdesk/burner/disc"
)

// deskEntry drives the lifecycle through the Requests screen as staff do:
// the request's detail pane offers Burn, hand over, mail, receipt, spoiled,
// cancel and "patient told" only when the request's rules allow, and says
// why not otherwise.
type deskEntry struct{ f *fixture }

func (e deskEntry) Station(*testing.T) *station.Station { return e.f.svc.Station }

// open shows the request's detail pane.
func (e deskEntry) open(t *testing.T, id string) {
	t.Helper()
	q, err := e.f.svc.Handoff.Request(id)
	if err != nil {
		t.Fatal(err)
	}
	e.f.d.selectTab("Requests")
	e.f.d.requests.show(q)
}

// openDisc shows the detail pane of the disc's request.
func (e deskEntry) openDisc(t *testing.T, du string) {
	t.Helper()
	q, err := e.f.svc.Handoff.DiscRequest(du)
	if err != nil {
		t.Fatal(err)
	}
	e.open(t, q.ID)
}

// result is the outcome of an action: the message pane in red is a refusal.
func (e deskEntry) result() error {
	m := w[*widget.Label](e.f, "handoff.msg")
	if m.Importance == widget.DangerImportance {
		return errors.New(m.Text)
	}
	return nil
}

func (e deskEntry) Record(t *testing.T, in handoff.RequestInput) (string, error) {
	r, err := e.f.svc.Station.Record(in, e.f.svc.actor(*e.f.d.User()))
	return r.ID, err
}

func (e deskEntry) Burn(t *testing.T, id string, acks []disc.WarningCode, by string) error {
	e.open(t, id)
	if e.f.d.Named("handoff.burn") == nil {
		if why, ok := e.f.d.Named("handoff.burnwhy").(*widget.Label); ok {
			return errors.New(why.Text)
		}
		return fmt.Errorf("no Burn button for request %s: %w", id, station.ErrNoDiscNeeded)
	}
	for _, c := range acks {
		test.Tap(w[*widget.Check](e.f, "burn.ack."+string(c)))
	}
	before, _ := e.f.svc.Station.Jobs(id)
	e.f.tap("handoff.burn")
	if err := e.result(); err != nil {
		return err
	}
	jobs, _ := e.f.svc.Station.Jobs(id)
	if len(jobs) != len(before)+1 {
		t.Fatalf("Burn queued %d jobs", len(jobs)-len(before))
	}
	_, _, err := e.f.svc.Station.Worker(e.f.svc.open, e.f.svc.progress).RunJob(context.Background(), jobs[len(jobs)-1].ID)
	return err
}

func (e deskEntry) HandOver(t *testing.T, du string, mail bool, h handoff.Handover) error {
	e.openDisc(t, du)
	if e.f.d.Named("handoff.pickup") == nil {
		return errors.New(e.f.label("handoff.why"))
	}
	if got := e.f.label("handoff.disc"); !strings.HasSuffix(got, du) {
		t.Fatalf("the screen offers %q, the step hands over %s", got, du)
	}
	w[*widget.Entry](e.f, "handoff.to").SetText(h.To)
	if mail {
		e.f.choose("handoff.carrier", h.Carrier)
		e.f.typ("handoff.tracking", h.Tracking)
		e.f.tap("handoff.mail")
	} else {
		e.f.typ("handoff.identity", h.IdentityCheck)
		e.f.tap("handoff.pickup")
	}
	return e.result()
}

func (e deskEntry) ConfirmReceipt(t *testing.T, du, who string) error {
	e.openDisc(t, du)
	e.f.typ("handoff.receivedby", who)
	e.f.tap("handoff.received")
	return e.result()
}

func (e deskEntry) Spoil(t *testing.T, du, reason string) error {
	e.openDisc(t, du)
	e.f.typ("handoff.spoilwhy", reason)
	e.f.tap("handoff.spoil")
	return e.result()
}

func (e deskEntry) Cancel(t *testing.T, id, reason string) error {
	e.open(t, id)
	e.f.typ("handoff.cancelwhy", reason)
	e.f.tap("handoff.cancel")
	return e.result()
}

func (e deskEntry) Tell(t *testing.T, id, how string) error {
	e.open(t, id)
	if e.f.d.Named("handoff.told") == nil {
		if l, ok := e.f.d.Named("handoff.tellwhy").(*widget.Label); ok {
			return errors.New(l.Text)
		}
		return errors.New("no \"patient told\" button")
	}
	e.f.choose("handoff.how", how)
	e.f.tap("handoff.told")
	return e.result()
}

// The desk passes the lifecycle table through its Requests screen: a
// request recorded first is burned from its Burn button, and a desk
// handoff carries the PS3.15 audit message (the table checks it).
func TestLifecycleFromTheDesk(t *testing.T) {
	f := newFixture(t, true)
	f.signIn(staff.DemoName, staff.DemoPIN)
	study := stationtest.Import(t, f.svc.Lib)
	stationtest.Run(t, deskEntry{f: f}, study, nil)
}
