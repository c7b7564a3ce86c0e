package disc

import (
	"errors"
	"fmt"
	"strings"

	"discdesk/viewer/dicomdir"
)

// instances turns objects into the DICOMDIR builder's view: File ID, the
// meta UIDs and transfer syntax the file will have on the disc, and the
// header with any staff-supplied values already written in. Messages name
// each object as staff know it (Object.Describe).
func instances(objs []*Object, ids func(*Object) string) []dicomdir.Instance {
	out := make([]dicomdir.Instance, len(objs))
	for i, o := range objs {
		out[i] = dicomdir.Instance{
			FileID:             strings.Split(ids(o), "/"),
			MetaSOPClassUID:    o.SOPClassUID,
			MetaSOPInstanceUID: o.SOPInstance,
			TransferSyntaxUID:  o.Syntax,
			DataSet:            o.header,
			Source:             o.Describe(),
		}
	}
	return out
}

// directory builds (and, when encode is set, encodes) the DICOMDIR of objs.
func (p *Plan) directory(fileSetID string, objs []*Object, ids func(*Object) string, encode bool) ([]byte, []string, error) {
	d, warns, err := dicomdir.Build(fileSetID, instances(objs, ids))
	if err != nil {
		var all dicomdir.MissingKeys
		if errors.As(err, &all) {
			out := make(MissingKeys, len(all))
			for i, mk := range all {
				o := objs[mk.Instance]
				out[i] = &MissingKeyError{File: o.SupplyFile(), Name: o.Describe(), Record: mk.Record, Attribute: mk.Attribute, Tag: mk.Tag, Invalid: mk.Invalid}
				if mk.Invalid && mk.Tag != 0 {
					out[i].Value = strings.TrimSpace(o.header.String(mk.Tag))
				}
			}
			return nil, nil, out
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
