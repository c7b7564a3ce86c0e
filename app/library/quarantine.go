package library

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Quarantined is a file kept aside because the library already holds a
// different object under its SOP Instance UID: staff compare the two and
// decide (the stored object is never overwritten).
type Quarantined struct {
	File           string    `json:"file"`   // absolute path of the kept copy
	Source         string    `json:"source"` // where it came from (imported file, or "received from AE")
	SOPInstanceUID string    `json:"sopInstanceUid"`
	StudyUID       string    `json:"studyUid,omitempty"`
	Reason         string    `json:"reason"` // where it differs from the stored object
	Stored         string    `json:"stored"` // the stored object's file
	Time           time.Time `json:"time"`
}

func (l *Library) quarantineDir() string { return filepath.Join(l.root, "quarantine") }

// quarantine keeps the file at src (moved when take, else copied) in the
// quarantine folder with a JSON note beside it, and returns the kept path.
func (l *Library) quarantine(src string, take bool, q Quarantined) (string, error) {
	dir := l.quarantineDir()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	var rnd [6]byte
	rand.Read(rnd[:])
	q.Time = l.now().UTC()
	base := q.Time.Format("20060102T150405Z") + "-" + hex.EncodeToString(rnd[:])
	dst := filepath.Join(dir, base+".dcm")
	moved := false
	if take {
		moved = os.Rename(src, dst) == nil
	}
	if !moved {
		if err := copyFileTo(src, dst); err != nil {
			return "", err
		}
	}
	q.File = dst
	raw, _ := json.MarshalIndent(q, "", "  ")
	if err := os.WriteFile(filepath.Join(dir, base+".json"), raw, 0o600); err != nil {
		return dst, err
	}
	return dst, nil
}

func copyFileTo(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, in)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(dst)
	}
	return err
}

// Quarantined lists the files kept aside as conflicts, oldest first.
func (l *Library) Quarantined() ([]Quarantined, error) {
	ents, err := os.ReadDir(l.quarantineDir())
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("library: quarantine: %w", err)
	}
	var out []Quarantined
	for _, e := range ents {
		if !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		raw, err := os.ReadFile(filepath.Join(l.quarantineDir(), e.Name()))
		if err != nil {
			return nil, fmt.Errorf("library: quarantine: %w", err)
		}
		var q Quarantined
		if err := json.Unmarshal(raw, &q); err != nil {
			return nil, fmt.Errorf("library: quarantine note %s: %w", e.Name(), err)
		}
		out = append(out, q)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Time.Before(out[j].Time) })
	return out, nil
}
