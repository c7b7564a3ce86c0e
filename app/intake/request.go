package intake

import (
	"fmt"
	"os"
	"strings"

	"discdesk/app/burnqueue"
	"discdesk/app/handoff"
	"discdesk/app/library"
	"discdesk/app/settings"
	"discdesk/app/staff"
	"discdesk/burner"
	"discdesk/burner/disc"
)

// AutoBurnStaff is the staff name auto-burn records requests and
// acknowledgements under.
const AutoBurnStaff = "auto-burn"

// SameDayInput is a same-day request for one study: the patient asks for
// their own copy, picked up at the desk today, on a CD, at the facility's
// usual fee; checkedBy vouches for the order (the technologist, or
// auto-burn) and how says how it came.
func SameDayInput(st library.Study, checkedBy, how string) handoff.RequestInput {
	return handoff.RequestInput{
		Patient:   handoff.Patient{Name: PersonName(st.Patient.Name), BirthDate: ISODate(st.Patient.BirthDate), ID: st.Patient.ID},
		Requester: handoff.Requester{Kind: handoff.RequesterPatient},
		Identity:  handoff.IdentityCheck{Method: how + "; identity checked at pickup", CheckedBy: checkedBy},
		Studies:   handoff.Studies{UIDs: []string{st.UID}},
		Format:    handoff.FormatCD,
		Delivery:  handoff.DeliveryPickup,
		Urgency:   handoff.UrgencySameDay,
	}
}

// AutoBurnInput is the request auto-burn makes for a complete study that
// sender (a calling AE title) sent to burnAE.
func AutoBurnInput(st library.Study, sender, burnAE string) handoff.RequestInput {
	in := SameDayInput(st, AutoBurnStaff, fmt.Sprintf("auto-burn: study sent by %s to %s", orUnknown(sender), burnAE))
	in.Notes = "Queued automatically when the study arrived complete."
	return in
}

func orUnknown(s string) string {
	if s == "" {
		return "an unknown sender"
	}
	return s
}

// PersonName turns a DICOM PN ("Family^Given^Middle=...") into the
// request's "Family, Given Middle".
func PersonName(pn string) string {
	first, _, _ := strings.Cut(pn, "=")
	parts := strings.Split(first, "^")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	if len(parts) == 1 {
		return parts[0]
	}
	given := strings.TrimSpace(strings.Join(parts[1:min(len(parts), 3)], " "))
	if given == "" {
		return parts[0]
	}
	return parts[0] + ", " + given
}

// ISODate turns a DICOM DA (YYYYMMDD) into YYYY-MM-DD ("" for anything else).
func ISODate(d string) string {
	if len(d) != 8 {
		return ""
	}
	return d[:4] + "-" + d[4:6] + "-" + d[6:]
}

// JobFor is the burn job for a request's studies on the settings' default
// target (see TargetJob), named by the request code.
func JobFor(cur settings.Settings, dataDir string, r handoff.Request) (burnqueue.Job, error) {
	j, err := TargetJob(cur, dataDir, strings.ReplaceAll(staff.RequestCode(r.ID), "-", ""))
	j.RequestID, j.StudyUIDs, j.Copies = r.ID, r.Studies.UIDs, r.Copies
	return j, err
}

// TargetJob is a job on the settings' default target - an ISO-file folder
// in dataDir when the settings list none, as on a computer without a
// burner - its image file or folder called name: Drive and Media set, the
// rest for the caller. It creates an ISO target's folder (0700).
func TargetJob(cur settings.Settings, dataDir, name string) (burnqueue.Job, error) {
	t, ok := cur.DefaultTarget()
	if !ok {
		cur.WithDetected(nil, dataDir)
		t, _ = cur.DefaultTarget()
	}
	if t.Kind == settings.TargetISO {
		if err := os.MkdirAll(t.Path, 0o700); err != nil {
			return burnqueue.Job{}, fmt.Errorf("intake: ISO folder: %w", err)
		}
	}
	media := ""
	if t.Kind == settings.TargetDevice {
		media = string(cur.Media)
	}
	return burnqueue.Job{Drive: t.Spec(name), Media: media}, nil
}

// BurnRecord is the handoff log's record of one verified disc of a job
// whose content is tree.
func BurnRecord(j burnqueue.Job, d burnqueue.Disc, tree *burner.Tree) handoff.Burn {
	b := handoff.Burn{DiscUUID: d.UUID.String(), N: d.Index, M: d.Of, Verified: true, Studies: j.StudyUIDs}
	if tree != nil {
		b.ManifestHash = disc.ManifestDigest(tree)
		for _, f := range tree.Files {
			if strings.HasPrefix(f.Path, "DICOM/") {
				b.Instances++
			}
		}
	}
	return b
}
