// Package stationtest is the one table of lifecycle steps and refusals that
// every entry point of the request lifecycle passes: the station itself,
// the desk's services, the command line and auto-burn. An entry point
// implements Entry; Run drives it through the table and checks the
// results in the handoff log and the burn queue.
package stationtest

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/uuid"

	"discdesk/app/handoff"
	"discdesk/app/library"
	"discdesk/app/station"
	"discdesk/burner/disc"
	"discdesk/internal/corpus"
)

// An Entry is one way staff drive the lifecycle. Each method does one
// step as that entry point does it (a screen's services call, a command,
// auto-burn's queueing) and returns its refusal or failure. Burn plans,
// acknowledges (acks by by), queues and runs the job to its end.
type Entry interface {
	// Station is the station the entry point runs on, to check the log
	// and queue; valid until the next call of another method.
	Station(t *testing.T) *station.Station
	Record(t *testing.T, in handoff.RequestInput) (string, error)
	Burn(t *testing.T, requestID string, acks []disc.WarningCode, by string) error
	HandOver(t *testing.T, discUUID string, mail bool, h handoff.Handover) error
	ConfirmReceipt(t *testing.T, discUUID, who string) error
	Spoil(t *testing.T, discUUID, reason string) error
	Cancel(t *testing.T, requestID, reason string) error
	Tell(t *testing.T, requestID, how string) error
}

// Import imports the suite's study (one CT image, no report) into lib and
// returns it.
func Import(t *testing.T, lib *library.Library) library.Study {
	t.Helper()
	src := corpus.Path(t, "generated", "ct_slice_variants", "ct_explicit_le_source.dcm")
	rep, err := lib.Import(context.Background(), []string{src}, library.Options{})
	if err != nil || rep.Imported != 1 {
		t.Fatalf("import %s: %v %+v", src, err, rep)
	}
	if len(rep.Studies) != 1 {
		t.Fatalf("import %s: studies %v", src, rep.Studies)
	}
	d, err := lib.Study(rep.Studies[0])
	if err != nil {
		t.Fatal(err)
	}
	return d.Study
}

// Pickup is a patient's own pickup request for the study.
func Pickup(st library.Study) handoff.RequestInput {
	return handoff.RequestInput{
		Patient:   handoff.Patient{Name: "Test, Patient", ID: st.Patient.ID},
		Requester: handoff.Requester{Kind: handoff.RequesterPatient},
		Identity:  handoff.IdentityCheck{Method: "driver licence", CheckedBy: "Ann"},
		Studies:   handoff.Studies{UIDs: []string{st.UID}},
		Format:    handoff.FormatCD, Delivery: handoff.DeliveryPickup, Urgency: handoff.UrgencyRoutine,
	}
}

// Mail is the same request mailed to an office.
func Mail(st library.Study) handoff.RequestInput {
	in := Pickup(st)
	in.Delivery = handoff.DeliveryMail
	in.Address = &handoff.Address{Street: "1 Main St", City: "Springfield", Region: "IL", PostalCode: "62701", Country: "US"}
	return in
}

// state is what the steps share: request IDs by name, the latest disc of each.
type state struct {
	req  map[string]string
	disc map[string]string
}

// A step is one row of the table: what an entry point does and the refusal
// it must meet (nil: it must succeed), then what must hold afterwards.
type step struct {
	name string
	do   func(t *testing.T, e Entry, s *state) error
	// refused is the sentinel the refusal wraps; text is a fragment of
	// its message, for entry points that return text (the command line).
	refused error
	text    string
	stage   string // request whose stage is checked, by name
	want    station.Stage
	check   func(t *testing.T, st *station.Station, s *state)
}

// Run drives e through every transition and refusal of the lifecycle; the
// study is in its library. skip names steps the entry point cannot take,
// each with its reason (logged).
func Run(t *testing.T, e Entry, study library.Study, skip map[string]string) {
	s := &state{req: map[string]string{}, disc: map[string]string{}}
	record := func(name string, in handoff.RequestInput) func(*testing.T, Entry, *state) error {
		return func(t *testing.T, e Entry, s *state) error {
			id, err := e.Record(t, in)
			s.req[name] = id
			return err
		}
	}
	burn := func(name string, acks ...disc.WarningCode) func(*testing.T, Entry, *state) error {
		return func(t *testing.T, e Entry, s *state) error {
			err := e.Burn(t, s.req[name], acks, "Ann")
			if r, rerr := e.Station(t).Log.Request(s.req[name]); rerr == nil && len(r.Discs) > 0 {
				s.disc[name] = r.Discs[len(r.Discs)-1].UUID
			}
			return err
		}
	}
	pickup := func(name, idCheck string) func(*testing.T, Entry, *state) error {
		return func(t *testing.T, e Entry, s *state) error {
			return e.HandOver(t, s.disc[name], false, handoff.Handover{To: "Test, Patient", IdentityCheck: idCheck})
		}
	}
	mail := func(name string) func(*testing.T, Entry, *state) error {
		return func(t *testing.T, e Entry, s *state) error {
			return e.HandOver(t, s.disc[name], true, handoff.Handover{To: "Lakeside Oncology", Carrier: "UPS", Tracking: "1Z999"})
		}
	}
	tell := func(name string) func(*testing.T, Entry, *state) error {
		return func(t *testing.T, e Entry, s *state) error { return e.Tell(t, s.req[name], "phone") }
	}
	loggedOnce := func(name string, discs int) func(*testing.T, *station.Station, *state) {
		return func(t *testing.T, st *station.Station, s *state) {
			evs, err := st.Log.Events(s.req[name], "")
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, ev := range evs {
				if ev.Kind != handoff.EventBurned {
					continue
				}
				n++
				id, _ := uuid.Parse(ev.Disc)
				m, err := st.Queue.Manifest(id)
				if err != nil {
					t.Fatalf("burned disc %s has no manifest in the queue: %v", ev.Disc, err)
				}
				if len(ev.Burn.ManifestHash) != 64 || !ev.Burn.Verified || len(m.Files) == 0 {
					t.Errorf("burn record %+v", ev.Burn)
				}
			}
			if n != discs {
				t.Errorf("request %s: %d burned events, want %d (each verified disc logged once)", name, n, discs)
			}
		}
	}
	steps := []step{
		{name: "record pickup", do: record("A", Pickup(study)), stage: "A", want: station.StageRecorded},
		{name: "burn refused: warning not acknowledged", do: burn("A"), refused: station.ErrUnacknowledged, text: "acknowledge",
			stage: "A", want: station.StageRecorded, check: func(t *testing.T, st *station.Station, s *state) {
				if jobs, _ := st.Jobs(s.req["A"]); len(jobs) != 0 {
					t.Errorf("an unacknowledged plan was queued: %+v", jobs)
				}
			}},
		{name: "burn, no report acknowledged", do: burn("A", disc.WarnNoReport), stage: "A", want: station.StageBurned,
			check: func(t *testing.T, st *station.Station, s *state) {
				loggedOnce("A", 1)(t, st, s)
				jobs, _ := st.Jobs(s.req["A"])
				// Who acknowledged: the name given, or the signed-in member.
				if len(jobs) != 1 || jobs[0].AckedBy == "" || len(jobs[0].Acks) != 1 {
					t.Errorf("job keeps who acknowledged what: %+v", jobs)
				}
			}},
		{name: "burn refused: the request has its disc", do: burn("A", disc.WarnNoReport), refused: station.ErrNoDiscNeeded, text: "no disc is needed",
			check: loggedOnce("A", 1)},
		{name: "handover refused: no identity check", do: pickup("A", ""), refused: handoff.ErrMissing, text: "identity",
			stage: "A", want: station.StageBurned},
		{name: "mail refused: no address", do: mail("A"), refused: handoff.ErrNoAddress, text: "no mailing address",
			stage: "A", want: station.StageBurned},
		{name: "spoil the disc", do: func(t *testing.T, e Entry, s *state) error {
			return e.Spoil(t, s.disc["A"], "label printed on the wrong disc")
		},
			stage: "A", want: station.StageRecorded},
		{name: "handover refused: spoiled disc", do: pickup("A", "driver licence"), refused: handoff.ErrSpoiled, text: "spoiled"},
		{name: "tell refused: no good disc", do: tell("A"), refused: handoff.ErrNothingToTell, text: "nothing to tell"},
		{name: "replacement disc", do: burn("A", disc.WarnNoReport), stage: "A", want: station.StageBurned, check: loggedOnce("A", 2)},
		{name: "tell the patient the disc is ready", do: tell("A"), stage: "A", want: station.StageTold},
		{name: "tell refused: told already", do: tell("A"), refused: handoff.ErrNothingToTell, text: "told on"},
		{name: "hand over at the desk", do: pickup("A", "driver licence"), stage: "A", want: station.StageHanded,
			check: func(t *testing.T, st *station.Station, s *state) {
				evs, _ := st.Log.Events("", s.disc["A"])
				last := evs[len(evs)-1]
				if last.Kind != handoff.EventHandedOver || !strings.Contains(last.Audit, "<AuditMessage") {
					t.Errorf("handover event %s carries no PS3.15 audit message: %.80q", last.Kind, last.Audit)
				}
			}},
		{name: "handover refused: disc already out", do: pickup("A", "driver licence"), refused: handoff.ErrAlreadyOut, text: "already left"},

		{name: "record mail request", do: record("B", Mail(study)), stage: "B", want: station.StageRecorded},
		{name: "burn mail request", do: burn("B", disc.WarnNoReport), stage: "B", want: station.StageBurned, check: loggedOnce("B", 1)},
		{name: "mail the disc", do: mail("B"), stage: "B", want: station.StageHanded, check: func(t *testing.T, st *station.Station, s *state) {
			r, _ := st.Log.Request(s.req["B"])
			if aw := r.AwaitingReceipt(); len(aw) != 1 || aw[0].UUID != s.disc["B"] {
				t.Errorf("awaiting receipt: %+v", aw)
			}
		}},
		{name: "tell refused: not arrived", do: tell("B"), refused: handoff.ErrNothingToTell, text: "not arrived"},
		{name: "receipt confirmed", do: func(t *testing.T, e Entry, s *state) error {
			return e.ConfirmReceipt(t, s.disc["B"], "front desk, Lakeside")
		},
			stage: "B", want: station.StageDelivered},
		{name: "tell after receipt", do: tell("B"), stage: "B", want: station.StageTold},

		{name: "record, then cancel", do: record("C", Pickup(study)), stage: "C", want: station.StageRecorded},
		{name: "cancel", do: func(t *testing.T, e Entry, s *state) error {
			return e.Cancel(t, s.req["C"], "patient withdrew the request")
		},
			stage: "C", want: station.StageCancelled},
		{name: "burn refused: cancelled", do: burn("C", disc.WarnNoReport), refused: station.ErrNoDiscNeeded, text: "no disc is needed", stage: "C", want: station.StageCancelled},
	}
	for _, sp := range steps {
		if why, ok := skip[sp.name]; ok {
			t.Logf("step %q skipped: %s", sp.name, why)
			continue
		}
		err := sp.do(t, e, s)
		switch {
		case sp.refused == nil && err != nil:
			t.Fatalf("step %q: %v", sp.name, err)
		case sp.refused != nil && err == nil:
			t.Fatalf("step %q: not refused (want %v)", sp.name, sp.refused)
		case sp.refused != nil && !errors.Is(err, sp.refused) && !strings.Contains(err.Error(), sp.text):
			t.Fatalf("step %q: refused with %v, want %v (%q)", sp.name, err, sp.refused, sp.text)
		}
		if sp.stage != "" {
			got, err := e.Station(t).Stage(s.req[sp.stage])
			if err != nil || got != sp.want {
				t.Fatalf("step %q: request %s at stage %q (%v), want %q", sp.name, sp.stage, got, err, sp.want)
			}
		}
		if sp.check != nil {
			sp.check(t, e.Station(t), s)
		}
	}
	if rep, err := e.Station(t).Log.Verify(); err != nil {
		t.Fatalf("handoff log verify after the lifecycle: %v %+v", err, rep)
	}
}
