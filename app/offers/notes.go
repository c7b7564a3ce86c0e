package offers

import (
	"regexp"
	"strings"

	"discdesk/app/handoff"
	"discdesk/viewer/dcm"
)

// An Intent is what an ordering note asks for.
type Intent struct {
	To        handoff.RequesterKind // physician, patient or facility
	Name      string                // "Dr. Amal Haddad", a facility; "" = the ordering physician
	Format    handoff.Format
	Ordering  bool // "the ordering physician"
	Matched   string
	FromNotes string
}

var (
	reCopyWord  = regexp.MustCompile(`(?i)\b(cop(y|ies)|cd|dvd|disc|disk|images?|films?|send|forward|usb|zip)\b`)
	reOrdering  = regexp.MustCompile(`(?i)\b(ordering|referring|attending|primary care|pcp)\s+(physician|doctor|provider|md|dr\.?)\b|\b(pcp|ordering md|referring md)\b`)
	reDoctor    = regexp.MustCompile(`(?i)\b(?:to|for)\s+(dr\.?\s+[\p{L}][\p{L}'.-]*(?:\s+[\p{L}][\p{L}'.-]*)?)`)
	reFacility  = regexp.MustCompile(`(?i)\b(?:to|for)\s+((?:[\p{L}][\p{L}'.&-]*\s+){0,4}(?:hospital|clinic|center|centre|medical group|oncology|orthopedics|practice))\b`)
	rePatient   = regexp.MustCompile(`(?i)\b(?:to|for)\s+(?:the\s+)?(patient|pt|family)\b`)
	reNoCopy    = regexp.MustCompile(`(?i)\b(no|without|declines?d?)\s+(cop(y|ies)|cd|disc|images?)\b`)
	reFormatZIP = regexp.MustCompile(`(?i)\b(zip|electronic|download)\b`)
	reFormatUSB = regexp.MustCompile(`(?i)\busb\b`)
	reFormatDVD = regexp.MustCompile(`(?i)\bdvd\b`)
)

// ParseNotes reads the intents of an ordering note ("copies to the ordering
// physician", "CD to Dr. Haddad", "disc for patient"). Notes that ask for no
// copy, or say nothing about copies, give none.
func ParseNotes(notes string) []Intent {
	n := strings.TrimSpace(notes)
	if n == "" || !reCopyWord.MatchString(n) || reNoCopy.MatchString(n) {
		return nil
	}
	format := handoff.FormatCD
	switch {
	case reFormatZIP.MatchString(n):
		format = handoff.FormatZIP
	case reFormatUSB.MatchString(n):
		format = handoff.FormatUSB
	case reFormatDVD.MatchString(n):
		format = handoff.FormatDVD
	}
	var out []Intent
	for _, part := range regexp.MustCompile(`[;\n]|\band also\b|\bplus\b`).Split(n, -1) {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		switch {
		case reOrdering.MatchString(part):
			out = append(out, Intent{To: handoff.RequesterPhysician, Ordering: true, Format: format, Matched: reOrdering.FindString(part), FromNotes: part})
		case reDoctor.MatchString(part):
			m := reDoctor.FindStringSubmatch(part)
			out = append(out, Intent{To: handoff.RequesterPhysician, Name: tidyName(m[1]), Format: format, Matched: m[0], FromNotes: part})
		case reFacility.MatchString(part):
			m := reFacility.FindStringSubmatch(part)
			out = append(out, Intent{To: handoff.RequesterFacility, Name: strings.TrimSpace(m[1]), Format: format, Matched: m[0], FromNotes: part})
		case rePatient.MatchString(part):
			out = append(out, Intent{To: handoff.RequesterPatient, Format: format, Matched: rePatient.FindString(part), FromNotes: part})
		}
	}
	return out
}

func tidyName(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if strings.HasPrefix(strings.ToLower(s), "dr ") {
		s = "Dr. " + s[3:]
	} else if strings.HasPrefix(strings.ToLower(s), "dr.") {
		s = "Dr. " + strings.TrimSpace(s[3:])
	}
	return s
}

// Prepare turns an intent into a request for staff to confirm: patient,
// studies, requester, format, delivery, urgency "discharge" and the notes.
// The identity check and a mailing address are left for staff; the input is
// not validated or saved here.
func Prepare(it Intent, p handoff.Patient, studies []string, orderingPhysician string) handoff.RequestInput {
	in := handoff.RequestInput{
		Patient: p,
		Studies: handoff.Studies{UIDs: append([]string(nil), studies...)},
		Format:  it.Format,
		Urgency: handoff.UrgencyDischarge,
		Notes:   "From the discharge list: " + it.FromNotes,
	}
	switch it.To {
	case handoff.RequesterPhysician:
		name := it.Name
		if it.Ordering || name == "" {
			name = dcm.PersonName(orderingPhysician)
		}
		in.Requester = handoff.Requester{Kind: handoff.RequesterPhysician, Name: name, Organization: name}
		in.Delivery = handoff.DeliveryPhysician
		in.Recipient = name
	case handoff.RequesterFacility:
		in.Requester = handoff.Requester{Kind: handoff.RequesterFacility, Name: it.Name, Organization: it.Name}
		in.Delivery = handoff.DeliveryMail
		in.Recipient = it.Name
	default:
		in.Requester = handoff.Requester{Kind: handoff.RequesterPatient, Name: p.Name}
		in.Delivery = handoff.DeliveryPickup
	}
	return in
}
