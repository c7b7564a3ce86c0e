package disc

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"discdesk/viewer/dcm"
	"discdesk/viewer/dicomdir"
)

// instances turns objects into the DICOMDIR builder's view: File ID, the
// meta UIDs and transfer syntax the file will have on the disc, and the
// header with any staff-supplied values already written in.
func instances(objs []*Object, ids func(*Object) string) []dicomdir.Instance {
	out := make([]dicomdir.Instance, len(objs))
	for i, o := range objs {
		out[i] = dicomdir.Instance{
			FileID:             strings.Split(ids(o), "/"),
			MetaSOPClassUID:    o.SOPClassUID,
			MetaSOPInstanceUID: o.SOPInstance,
			TransferSyntaxUID:  o.Syntax,
			DataSet:            o.header,
			Source:             o.Source,
		}
		if out[i].Source == "" {
			out[i].Source = "generated report " + o.SOPInstance
		}
	}
	return out
}

// directory builds (and, when encode is set, encodes) the DICOMDIR of objs.
func (p *Plan) directory(fileSetID string, objs []*Object, ids func(*Object) string, encode bool) ([]byte, []string, error) {
	d, warns, err := dicomdir.Build(fileSetID, instances(objs, ids), nil)
	if err != nil {
		var mk *dicomdir.MissingKeyError
		if errors.As(err, &mk) {
			return nil, nil, &MissingKeyError{File: mk.File, Record: mk.Record, Attribute: mk.Attribute, Tag: tagOfKey(mk.Key), Invalid: mk.Invalid}
		}
		return nil, nil, fmt.Errorf("disc: DICOMDIR: %w", err)
	}
	var ws []string
	for _, w := range warns {
		ws = append(ws, w.String())
	}
	if !encode {
		return nil, ws, nil
	}
	b, err := d.Encode()
	if err != nil {
		return nil, nil, fmt.Errorf("disc: encode DICOMDIR: %w", err)
	}
	return b, ws, nil
}

// tagOfKey reads the tag out of a dicomdir supplied-value key "UID|(GGGG,EEEE)".
func tagOfKey(key string) dcm.Tag {
	i := strings.LastIndex(key, "|(")
	if i < 0 || len(key) < i+12 {
		return 0
	}
	g, err1 := strconv.ParseUint(key[i+2:i+6], 16, 16)
	e, err2 := strconv.ParseUint(key[i+7:i+11], 16, 16)
	if err1 != nil || err2 != nil {
		return 0
	}
	return dcm.T(uint16(g), uint16(e))
}
