package settings

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	"discdesk/app/handoff"
)

// A SharedRemote keeps the settings every desk of a facility shares (the
// facility database): one JSON document and its version.
type SharedRemote interface {
	// LoadShared returns the document and its version (0: never saved).
	LoadShared() (doc []byte, version int64, err error)
	// SaveShared stores doc if the stored version is still ifVersion and
	// returns the new version (an error otherwise).
	SaveShared(doc []byte, ifVersion int64) (int64, error)
}

// SharedPart is what the desks of a facility share: who runs them, the
// fee policy (and fee caps), the legal deadline and the turnaround
// targets. Everything else (drives, targets, the receiver, the kiosk,
// printers) stays each desk's own.
type SharedPart struct {
	Facility  Facility                `json:"facility"`
	Fees      handoff.FeePolicy       `json:"fees"`
	LegalDays int                     `json:"legal_days"`
	Deadlines map[handoff.Urgency]int `json:"deadline_hours"`
}

func sharedOf(s Settings) SharedPart {
	return SharedPart{Facility: s.Facility, Fees: s.Fees, LegalDays: s.LegalDays, Deadlines: s.Deadlines}
}

// Shared keeps the shared part of a desk's settings in step with the
// facility's: Sync sends what was saved at this desk since the last Sync,
// else takes the facility's document into the desk's settings.
type Shared struct {
	st *Store
	r  SharedRemote

	mu      sync.Mutex
	version int64  // the facility document's version at the last Sync
	last    []byte // the shared part as of the last Sync
}

// NewShared pairs the desk's settings with the facility's.
func NewShared(st *Store, r SharedRemote) *Shared { return &Shared{st: st, r: r} }

// ErrSharedConflict means another desk saved the shared settings first;
// the desk now has the facility's (this desk's change is not kept).
var ErrSharedConflict = errors.New("another desk changed the facility's settings at the same time; this desk now has theirs")

// Sync sends or takes the shared settings (see Shared). It returns an
// error when the facility database does not answer; the desk's own copy
// stands meanwhile.
func (sh *Shared) Sync() error {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	cur, err := sh.st.Get()
	if err != nil {
		return err
	}
	local, err := json.Marshal(sharedOf(cur))
	if err != nil {
		return err
	}
	if sh.last != nil && !bytes.Equal(local, sh.last) {
		v, err := sh.r.SaveShared(local, sh.version)
		if err == nil {
			sh.version, sh.last = v, local
			return nil
		}
		if _, _, lerr := sh.r.LoadShared(); lerr != nil {
			return fmt.Errorf("settings: send the facility's settings: %w", err)
		}
		if perr := sh.take(cur, local); perr != nil {
			return perr
		}
		return fmt.Errorf("settings: %w", ErrSharedConflict)
	}
	return sh.take(cur, local)
}

// take reads the facility's document into the desk's settings; a facility
// with none yet gets this desk's (the first desk seeds it).
func (sh *Shared) take(cur Settings, local []byte) error {
	doc, v, err := sh.r.LoadShared()
	if err != nil {
		return fmt.Errorf("settings: read the facility's settings: %w", err)
	}
	if v == 0 {
		nv, err := sh.r.SaveShared(local, 0)
		if err != nil {
			return fmt.Errorf("settings: seed the facility's settings: %w", err)
		}
		sh.version, sh.last = nv, local
		return nil
	}
	part := sharedOf(cur)
	if err := json.Unmarshal(doc, &part); err != nil {
		return fmt.Errorf("settings: the facility's settings: %w", err)
	}
	norm, err := json.Marshal(part)
	if err != nil {
		return err
	}
	if !bytes.Equal(norm, local) {
		cur.Facility, cur.Fees, cur.LegalDays, cur.Deadlines = part.Facility, part.Fees, part.LegalDays, part.Deadlines
		if _, err := sh.st.save("facility", cur); err != nil {
			return err
		}
	}
	sh.version, sh.last = v, norm
	return nil
}
