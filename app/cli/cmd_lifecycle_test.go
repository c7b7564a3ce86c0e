package cli

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"discdesk/app/handoff"
	"discdesk/app/station"
	"discdesk/app/station/stationtest"
	"discdesk/app/store"
	"discdesk/burner/disc"
)

// cliEntry drives the lifecycle through the commands staff type: request
// new, burn --request, handoff, request tell and cancel. The store is open
// in the test only between commands (one process holds it at a time).
type cliEntry struct {
	data string
	env  *Env
}

func (c *cliEntry) Station(t *testing.T) *station.Station {
	if c.env == nil {
		c.env = &Env{DataFlag: c.data}
	}
	st, err := c.env.Station()
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// run closes the test's store and runs one command; a non-zero exit is an
// error carrying stderr.
func (c *cliEntry) run(t *testing.T, args ...string) (string, error) {
	t.Helper()
	if c.env != nil {
		c.env.Close()
		c.env = nil
	}
	if args[0] != "burn" {
		args = append(args, "--staff", "Ann", "--workstation", "desk-1")
	}
	code, stdout, stderr := runCLI(c.data, args...)
	if code != 0 {
		return stdout, errors.New(stderr)
	}
	return stdout, nil
}

func (c *cliEntry) Record(t *testing.T, in handoff.RequestInput) (string, error) {
	args := []string{"request", "new", "--json", "--patient", in.Patient.Name, "--patient-id", in.Patient.ID,
		"--id-method", in.Identity.Method, "--id-checked-by", in.Identity.CheckedBy, "--studies", strings.Join(in.Studies.UIDs, ","),
		"--format", string(in.Format), "--delivery", string(in.Delivery), "--urgency", string(in.Urgency)}
	if a := in.Address; a != nil {
		args = append(args, "--street", a.Street, "--city", a.City, "--region", a.Region, "--postal-code", a.PostalCode, "--country", a.Country)
	}
	out, err := c.run(t, args...)
	if err != nil {
		return "", err
	}
	var r handoff.Request
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("request new --json: %v\n%s", err, out)
	}
	return r.ID, nil
}

func (c *cliEntry) Burn(t *testing.T, id string, acks []disc.WarningCode, by string) error {
	args := []string{"burn", "--request", id, "--quiet"}
	if slices.Contains(acks, disc.WarnNoReport) {
		args = append(args, "--ack-no-report", by)
	}
	out, err := c.run(t, args...)
	if err == nil && !strings.Contains(out, "logged in request "+id) {
		t.Errorf("burn --request does not say the disc was logged:\n%s", out)
	}
	return err
}

func (c *cliEntry) HandOver(t *testing.T, discUUID string, mail bool, h handoff.Handover) error {
	if mail {
		_, err := c.run(t, "handoff", discUUID, "--method", "mail", "--to", h.To, "--carrier", h.Carrier, "--tracking", h.Tracking)
		return err
	}
	_, err := c.run(t, "handoff", discUUID, "--method", "pickup", "--to", h.To, "--id-check", h.IdentityCheck)
	return err
}

func (c *cliEntry) ConfirmReceipt(t *testing.T, discUUID, who string) error {
	_, err := c.run(t, "handoff", discUUID, "--received-by", who)
	return err
}

func (c *cliEntry) Spoil(t *testing.T, discUUID, reason string) error {
	_, err := c.run(t, "handoff", discUUID, "--spoiled", reason)
	return err
}

func (c *cliEntry) Cancel(t *testing.T, id, reason string) error {
	_, err := c.run(t, "request", "cancel", id, "--reason", reason)
	return err
}

func (c *cliEntry) Tell(t *testing.T, id, how string) error {
	_, err := c.run(t, "request", "tell", id, "--how", how)
	return err
}

// The command line passes the lifecycle table: burn --request logs each
// verified disc (on the settings' default ISO target, xorriso), so
// handoff DISC then works, and every refusal comes back as an exit code
// with the rule's message.
func TestLifecycleFromTheCommandLine(t *testing.T) {
	data := t.TempDir()
	db, err := store.Open(data)
	if err != nil {
		t.Fatal(err)
	}
	st, err := station.Open(db, data, nil)
	if err != nil {
		t.Fatal(err)
	}
	study := stationtest.Import(t, st.Lib)
	db.Close()
	c := &cliEntry{data: data}
	defer func() {
		if c.env != nil {
			c.env.Close()
		}
	}()
	stationtest.Run(t, c, study, nil)
}
