package dicomdir

import (
	"fmt"
	"strings"

	"discdesk/viewer/dcm"
)

// ApplySupplied writes into ds the supplied values (keyed as SuppliedKey)
// that belong to it: those filed under its SOP Instance UID, its Series
// Instance UID or its Study Instance UID, for attributes the object lacks or
// has empty. It returns the tags it set. The burner calls it on every object
// Build used supplied values for, so that the object and its DICOMDIR
// record agree. A value that is not ASCII needs an object in ISO_IR 192.
func ApplySupplied(ds *dcm.DataSet, supplied map[string]string) ([]dcm.Tag, error) {
	var set []dcm.Tag
	uids := []string{ds.String(dcm.SOPInstanceUID), ds.String(dcm.SeriesInstanceUID), ds.String(dcm.StudyInstanceUID)}
	for key, v := range supplied {
		uid, tagText, ok := strings.Cut(key, "|")
		if !ok || uid == "" {
			continue
		}
		var g, e uint16
		if _, err := fmt.Sscanf(tagText, "(%04X,%04X)", &g, &e); err != nil {
			return set, fmt.Errorf("dicomdir: supplied key %q: tag is not (GGGG,EEEE)", key)
		}
		t := dcm.T(g, e)
		match := false
		for _, u := range uids {
			match = match || (u != "" && u == uid)
		}
		if !match || !isEmpty(ds.Get(t)) {
			continue
		}
		v = strings.TrimSpace(v)
		if v == "" {
			continue
		}
		if !ascii([]byte(v)) && !strings.Contains(strings.Join(ds.Charset().Terms, `\`), "ISO_IR 192") {
			return set, fmt.Errorf("dicomdir: supplied %s is not ASCII and the object is not in ISO_IR 192", attrName(t))
		}
		el, err := suppliedElement(chosen{supplied: v, el: &dcm.Element{Tag: t, VR: dcm.DictVR(t)}})
		if err != nil {
			return set, fmt.Errorf("dicomdir: %w", err)
		}
		if ds.BigEndian {
			el.Value = swapped(el.Value, el.VR)
		}
		ds.Set(el)
		set = append(set, t)
	}
	return set, nil
}
