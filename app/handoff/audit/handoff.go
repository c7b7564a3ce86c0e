package audit

import (
	"discdesk/app/handoff"
)

// Source identifies this desk in audit messages.
type Source struct {
	SourceID string // e.g. "DISCDESK@FRONT-1"
	SiteID   string // the facility
}

// ForHandoff returns a handoff.Auditor that builds the Export message of a
// disc handed over or mailed, from the request, the disc and the event.
func ForHandoff(src Source) handoff.Auditor {
	return func(r *handoff.Request, d *handoff.Disc, ev *handoff.Event) ([]byte, error) {
		e := Export{
			Time: ev.Time, SourceID: src.SourceID, SiteID: src.SiteID,
			Staff: ev.Staff, Workstation: ev.Workstation, MediaID: d.UUID, MediaType: MediaType(r.Format),
			PatientID: r.Patient.ID, PatientName: r.Patient.Name,
		}
		if ev.Handover != nil {
			e.Recipient = ev.Handover.To
		}
		// Prefer the studies the burner put on this disc; else the request's.
		uids := r.Studies.UIDs
		if len(d.Studies) > 0 {
			uids = d.Studies
		}
		for _, u := range uids {
			e.Studies = append(e.Studies, Study{UID: u})
		}
		if len(e.Studies) == 1 {
			e.Studies[0].Instances = d.Instances
		}
		if len(e.Studies) == 0 {
			// A date-range request whose burn listed no studies: name the range.
			e.Studies = []Study{{UID: r.Studies.String()}}
		}
		return e.XML()
	}
}

// MediaType maps a request format to its CID 405 media type.
func MediaType(f handoff.Format) Coded {
	switch f {
	case handoff.FormatCD:
		return MediaCD
	case handoff.FormatDVD:
		return MediaDVD
	case handoff.FormatUSB:
		return MediaUSB
	}
	return MediaURI
}
