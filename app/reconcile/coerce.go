package reconcile

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"discdesk/viewer/dcm"
)

// Attributes of the Original Attributes Sequence item (PS3.3 C.12.1.1.9.2).
var (
	tagModifiedAttributesSequence = dcm.T(0x0400, 0x0550)
	tagAttributeModificationDT    = dcm.T(0x0400, 0x0562)
	tagModifyingSystem            = dcm.T(0x0400, 0x0563)
	tagSourceOfPreviousValues     = dcm.T(0x0400, 0x0564)
	tagReasonForModification      = dcm.T(0x0400, 0x0565)
)

// A Mapping says which local identifiers replace the outside ones.
type Mapping struct {
	PatientID string // local Patient ID (required)
	Issuer    string // local Issuer of Patient ID ("" = none: the outside issuer is removed)
	// Accessions maps outside Accession Numbers to local ones; an outside
	// accession not in the map is kept.
	Accessions map[string]string
}

// A Coercion describes one coercion: when, by which system, from where.
type Coercion struct {
	Time   time.Time
	System string // Modifying System, e.g. "DISCDESK"
	Source string // Source of Previous Values: the outside facility
}

// Coerce writes a copy of the Part 10 file src to dst (created 0600, not
// overwritten) with the mapping applied. The outside values of every
// attribute changed are kept in a new item of the Original Attributes
// Sequence, appended after any items the file already had. It returns the
// changes made (none when the file already carries the local values; the
// copy is still written).
func Coerce(src, dst string, m Mapping, c Coercion) ([]Change, error) {
	if strings.TrimSpace(m.PatientID) == "" {
		return nil, fmt.Errorf("reconcile: coerce %s: %w", src, ErrNoMapping)
	}
	f, err := dcm.ParseFile(src)
	if err != nil {
		return nil, fmt.Errorf("reconcile: coerce %s: %w", src, err)
	}
	ds := f.DataSet
	var changes []Change
	var originals []*dcm.Element
	set := func(t dcm.Tag, vr dcm.VR, kw, v string) {
		old := ds.Get(t)
		oldV := ds.String(t)
		if old != nil && oldV == v || old == nil && v == "" {
			return
		}
		if old != nil {
			originals = append(originals, old)
		} else {
			originals = append(originals, dcm.NewElement(t, vr, nil)) // absent before: recorded empty
		}
		changes = append(changes, Change{Attribute: kw, Outside: oldV, Local: v})
		if v == "" {
			ds.Delete(t)
			return
		}
		ds.Set(dcm.Str(t, vr, v))
	}
	set(dcm.PatientID, "LO", "PatientID", strings.TrimSpace(m.PatientID))
	set(dcm.IssuerOfPatientID, "LO", "IssuerOfPatientID", strings.TrimSpace(m.Issuer))
	if acc := ds.String(dcm.AccessionNumber); acc != "" {
		if local, ok := m.Accessions[acc]; ok {
			set(dcm.AccessionNumber, "SH", "AccessionNumber", strings.TrimSpace(local))
		}
	}
	if len(changes) > 0 {
		mod := &dcm.DataSet{}
		for _, e := range originals {
			mod.Set(e)
		}
		item := &dcm.DataSet{}
		item.Set(dcm.Seq(tagModifiedAttributesSequence, mod))
		item.Set(dcm.Str(tagAttributeModificationDT, "DT", c.Time.UTC().Format("20060102150405.000000")+"+0000"))
		item.Set(dcm.Str(tagModifyingSystem, "LO", clip(c.System, 64)))
		item.Set(dcm.Str(tagSourceOfPreviousValues, "LO", clip(c.Source, 64)))
		item.Set(dcm.Str(tagReasonForModification, "CS", "COERCE"))
		items := []*dcm.DataSet{}
		if old := ds.Get(dcm.OriginalAttributesSequence); old != nil {
			items = append(items, old.Items...)
		}
		ds.Set(dcm.Seq(dcm.OriginalAttributesSequence, append(items, item)...))
	}
	ts := outputSyntax(f.Syntax.UID)
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return nil, fmt.Errorf("reconcile: coerce %s: %w", src, err)
	}
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("reconcile: coerce %s: %w", src, err)
	}
	w := bufio.NewWriterSize(out, 1<<20)
	err = dcm.WriteExplicitLE(w, ds, ts)
	if err == nil {
		err = w.Flush()
	}
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(dst)
		return nil, fmt.Errorf("reconcile: write %s: %w", dst, err)
	}
	return changes, nil
}

// A Change is one attribute coerced.
type Change struct {
	Attribute string `json:"attribute"`
	Outside   string `json:"outside"`
	Local     string `json:"local"`
}

// outputSyntax keeps encapsulated (compressed) syntaxes, whose data sets
// are Explicit VR Little Endian; everything else (implicit, big endian,
// deflated) is written as Explicit VR Little Endian.
func outputSyntax(uid string) string {
	switch uid {
	case "1.2.840.10008.1.2", "1.2.840.10008.1.2.1", "1.2.840.10008.1.2.2", "1.2.840.10008.1.2.1.99", "":
		return "1.2.840.10008.1.2.1"
	}
	return uid
}

func clip(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) > n {
		return s[:n]
	}
	return s
}
