package audit

import (
	"encoding/xml"
	"fmt"
	"maps"
	"slices"
	"time"
)

// Coded is a coded value of the DICOM audit schema (CodedValueType).
type Coded struct {
	Code    string `xml:"csd-code,attr"`
	System  string `xml:"codeSystemName,attr"`
	Meaning string `xml:"originalText,attr"`
	Display string `xml:"displayName,attr,omitempty"`
}

func dcm(code, meaning string) *Coded { return &Coded{Code: code, System: "DCM", Meaning: meaning} }

// Message is the root AuditMessage element (PS3.15 A.5.1).
type Message struct {
	XMLName     xml.Name            `xml:"AuditMessage"`
	Event       EventIdentification `xml:"EventIdentification"`
	Active      []ActiveParticipant `xml:"ActiveParticipant"`
	Source      AuditSource         `xml:"AuditSourceIdentification"`
	Participant []ParticipantObject `xml:"ParticipantObjectIdentification"`
}

// EventIdentification says what happened, when and with what outcome.
type EventIdentification struct {
	ActionCode  string `xml:"EventActionCode,attr"`
	DateTime    string `xml:"EventDateTime,attr"`
	Outcome     string `xml:"EventOutcomeIndicator,attr"` // 0, 4, 8, 12
	EventID     Coded  `xml:"EventID"`
	Description string `xml:"EventOutcomeDescription,omitempty"`
}

// ActiveParticipant is a person, process or medium taking part.
type ActiveParticipant struct {
	UserID          string           `xml:"UserID,attr"`
	AltUserID       string           `xml:"AlternativeUserID,attr,omitempty"`
	UserName        string           `xml:"UserName,attr,omitempty"`
	IsRequestor     bool             `xml:"UserIsRequestor,attr"`
	NetworkID       string           `xml:"NetworkAccessPointID,attr,omitempty"`
	NetworkTypeCode string           `xml:"NetworkAccessPointTypeCode,attr,omitempty"`
	Role            *Coded           `xml:"RoleIDCode,omitempty"`
	Media           *MediaIdentifier `xml:"MediaIdentifier,omitempty"`
}

// MediaIdentifier names the medium type (CID 405).
type MediaIdentifier struct {
	MediaType Coded `xml:"MediaType"`
}

// AuditSource identifies the system reporting the event.
type AuditSource struct {
	SiteID   string      `xml:"AuditEnterpriseSiteID,attr,omitempty"`
	SourceID string      `xml:"AuditSourceID,attr"`
	TypeCode *SourceType `xml:"AuditSourceTypeCode,omitempty"`
}

// SourceType is an AuditSourceTypeCode from the schema's own value set
// (A.5.1.2.1), which carries a bare code.
type SourceType struct {
	Code string `xml:"csd-code,attr"`
}

// ParticipantObject is a patient or study concerned.
type ParticipantObject struct {
	ID          string        `xml:"ParticipantObjectID,attr"`
	TypeCode    string        `xml:"ParticipantObjectTypeCode,attr,omitempty"`
	Role        string        `xml:"ParticipantObjectTypeCodeRole,attr,omitempty"`
	LifeCycle   string        `xml:"ParticipantObjectDataLifeCycle,attr,omitempty"`
	IDType      Coded         `xml:"ParticipantObjectIDTypeCode"`
	Name        string        `xml:"ParticipantObjectName,omitempty"`
	Description *ObjectDetail `xml:"ParticipantObjectDescription,omitempty"`
}

// ObjectDetail is DICOMObjectDescriptionContents: the SOP classes of a study.
type ObjectDetail struct {
	SOPClass []SOPClass `xml:"SOPClass"`
}

// SOPClass counts the instances of one SOP class in a study.
type SOPClass struct {
	UID       string `xml:"UID,attr,omitempty"`
	Instances int    `xml:"NumberOfInstances,attr"`
}

// Media types of CID 405 used for what DiscDesk writes.
var (
	MediaCD  = Coded{Code: "110032", System: "DCM", Meaning: "CD"}
	MediaDVD = Coded{Code: "110033", System: "DCM", Meaning: "DVD"}
	MediaUSB = Coded{Code: "110030", System: "DCM", Meaning: "USB Disk Emulation"}
	MediaURI = Coded{Code: "110037", System: "DCM", Meaning: "URI"} // ISO or ZIP file
)

// Study is one study on the exported medium.
type Study struct {
	UID        string
	SOPClasses map[string]int // SOP Class UID -> number of instances; may be empty
	Instances  int            // used when SOPClasses is empty
}

// Export describes one disc (or file) leaving the facility.
type Export struct {
	Time        time.Time
	Failed      string // non-empty: outcome 4 (minor failure) with this description
	SourceID    string // AuditSourceID: the desk installation, e.g. "DISCDESK@FRONT-1"
	SiteID      string // AuditEnterpriseSiteID: the facility
	Staff       string // user exporting the data
	Workstation string // host of the exporting process
	Process     string // exporting process ID, e.g. "discdesk"
	MediaID     string // the disc UUID
	MediaType   Coded
	Recipient   string // who received the medium (UserID of the destination participant)
	PatientID   string
	PatientName string
	Studies     []Study
}

// Message builds the PS3.15 A.5.3.7 Export message.
func (e Export) Message() (*Message, error) {
	if e.SourceID == "" || e.Staff == "" || e.MediaID == "" || e.PatientID == "" && e.PatientName == "" || len(e.Studies) == 0 {
		return nil, fmt.Errorf("audit: export message needs source, staff, media, patient and studies")
	}
	m := &Message{
		Event: EventIdentification{
			ActionCode: "R", DateTime: e.Time.UTC().Format("2006-01-02T15:04:05.000Z07:00"), Outcome: "0",
			EventID: *dcm("110106", "Export"),
		},
		// 1: end-user interface (the desk application).
		Source: AuditSource{SiteID: e.SiteID, SourceID: e.SourceID, TypeCode: &SourceType{Code: "1"}},
	}
	if e.Failed != "" {
		m.Event.Outcome, m.Event.Description = "4", e.Failed
	}
	process := e.Process
	if process == "" {
		process = "discdesk"
	}
	m.Active = []ActiveParticipant{
		{UserID: e.Staff, UserName: e.Staff, IsRequestor: true, NetworkID: e.Workstation, NetworkTypeCode: netType(e.Workstation),
			Role: dcm("110153", "Source Role ID")},
		{UserID: process, IsRequestor: false, NetworkID: e.Workstation, NetworkTypeCode: netType(e.Workstation),
			Role: dcm("110153", "Source Role ID")},
		{UserID: e.MediaID, UserName: e.Recipient, IsRequestor: false,
			Role: dcm("110154", "Destination Media"), Media: &MediaIdentifier{MediaType: e.MediaType}},
	}
	for _, s := range e.Studies {
		p := ParticipantObject{ID: s.UID, TypeCode: "2", Role: "3", LifeCycle: "10", IDType: *dcm("110180", "Study Instance UID")}
		d := &ObjectDetail{}
		for _, uid := range sortedKeys(s.SOPClasses) {
			d.SOPClass = append(d.SOPClass, SOPClass{UID: uid, Instances: s.SOPClasses[uid]})
		}
		if len(d.SOPClass) == 0 && s.Instances > 0 {
			d.SOPClass = []SOPClass{{Instances: s.Instances}}
		}
		if len(d.SOPClass) > 0 {
			p.Description = d
		}
		m.Participant = append(m.Participant, p)
	}
	pid := e.PatientID
	if pid == "" {
		pid = e.PatientName
	}
	m.Participant = append(m.Participant, ParticipantObject{
		ID: pid, TypeCode: "1", Role: "1", IDType: Coded{Code: "2", System: "RFC-3881", Meaning: "Patient Number"}, Name: e.PatientName,
	})
	return m, nil
}

// XML encodes the Export message with an XML declaration.
func (e Export) XML() ([]byte, error) {
	m, err := e.Message()
	if err != nil {
		return nil, err
	}
	out, err := xml.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("audit: encode message: %w", err)
	}
	return append([]byte(xml.Header[:len(xml.Header)-1]), out...), nil
}

func netType(host string) string {
	if host == "" {
		return ""
	}
	return "1" // machine name
}

func sortedKeys(m map[string]int) []string { return slices.Sorted(maps.Keys(m)) }
