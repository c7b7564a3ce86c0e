package retrieve

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"discdesk/app/pacs"
	"discdesk/app/pacs/dicomweb"
	"discdesk/app/settings"
)

// Errors of choosing a node.
var (
	// ErrNoNodes means the settings list no PACS node.
	ErrNoNodes = errors.New("no PACS nodes are configured: add one in Settings")
	// ErrNoNode means no configured node has the name asked for; the
	// error lists the names that are configured.
	ErrNoNode = dicomweb.ErrNoNode
	// ErrBadFilter means a search filter is malformed (a date that is
	// not YYYYMMDD, a range that ends before it starts).
	ErrBadFilter = errors.New("search filter")
)

// Node is one PACS node to search and retrieve from.
type Node struct {
	// Remote says how the node is reached: DIMSE or DICOMweb, and its
	// name for messages.
	Remote dicomweb.Remote
	// SCU is the DIMSE client (our calling AE title, TLS, query
	// character set); unused for a DICOMweb node.
	SCU *pacs.Client
	// Model is the query/retrieve information model (Study Root unless
	// the caller chose Patient Root).
	Model pacs.Model
}

// Names lists the configured PACS nodes' names in settings order.
func Names(s settings.Settings) []string {
	out := make([]string, 0, len(s.Nodes))
	for _, n := range s.Nodes {
		out = append(out, n.Name)
	}
	return out
}

// Configured returns the settings' node called name, with the settings'
// local AE title as our calling AE title. getenv gives a DICOMweb node's
// secret when its settings name no secret file (nil: os.Getenv).
func Configured(s settings.Settings, name string, getenv func(string) string) (*Node, error) {
	if len(s.Nodes) == 0 {
		return nil, ErrNoNodes
	}
	if !slices.ContainsFunc(s.Nodes, func(n settings.Node) bool { return n.Name == name }) {
		return nil, fmt.Errorf("%w: %q (configured: %s)", ErrNoNode, name, strings.Join(Names(s), ", "))
	}
	r, err := dicomweb.Named(s, name, getenv)
	if err != nil {
		return nil, err // names the node
	}
	ae := s.LocalAE
	if ae == "" {
		ae = settings.Default().LocalAE
	}
	return &Node{Remote: r, SCU: &pacs.Client{AETitle: ae}}, nil
}

// String names the node for messages (no credentials): its configured
// name and how it is reached.
func (n *Node) String() string {
	r := n.Remote
	if (r.IsWeb() && dicomweb.IsURL(r.Name)) || (!r.IsWeb() && r.Name == r.DIMSE.String()) {
		return "PACS node " + r.Name // given as AE@HOST:PORT or a URL: no second copy
	}
	return "PACS node " + r.String()
}

// Filter holds the keys of a study search; empty fields match all. Patient
// ID, name and accession take C-FIND wildcards ("*", "?").
type Filter struct {
	PatientID, PatientName, AccessionNumber, StudyInstanceUID string
	// StudyDate is a date or range as C-FIND writes it (YYYYMMDD,
	// YYYYMMDD-YYYYMMDD, YYYYMMDD-, -YYYYMMDD); see DateRange.
	StudyDate string
	// Modality keeps studies whose Modalities in Study include it
	// (matched here, see the package caveats; a node that does not
	// return Modalities in Study is asked for the study's series).
	Modality string
}

// Check refuses a filter with no key narrowing the search (patient ID,
// name, accession number, Study Instance UID or date): the desk's search
// never asks a PACS for every study it holds.
func (f Filter) Check() error {
	for _, k := range []string{f.PatientID, f.PatientName, f.AccessionNumber, f.StudyInstanceUID, f.StudyDate} {
		if strings.Trim(k, "* ") != "" {
			return nil
		}
	}
	return fmt.Errorf("%w: give a patient ID, name, accession number or study date to search for", ErrBadFilter)
}

// DateRange writes the study date key of a range from..to (YYYYMMDD each,
// either may be ""): "" when both are empty, the one date when they are
// equal.
func DateRange(from, to string) (string, error) {
	for _, d := range []string{from, to} {
		if d != "" && !isDate(d) {
			return "", fmt.Errorf("%w: study date %q: want YYYYMMDD", ErrBadFilter, d)
		}
	}
	switch {
	case from == "" && to == "":
		return "", nil
	case from == to:
		return from, nil
	case from != "" && to != "" && to < from:
		return "", fmt.Errorf("%w: the date range ends (%s) before it starts (%s)", ErrBadFilter, to, from)
	}
	return from + "-" + to, nil
}

func isDate(s string) bool {
	if len(s) != 8 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// Find searches the node for studies matching f: C-FIND at STUDY level, or
// QIDO-RS /studies.
func (n *Node) Find(ctx context.Context, f Filter) ([]pacs.Study, error) {
	res, err := n.Remote.FindStudies(ctx, n.SCU, n.Model, pacs.StudyFilter{
		PatientID: f.PatientID, PatientName: f.PatientName, AccessionNumber: f.AccessionNumber,
		StudyInstanceUID: f.StudyInstanceUID, StudyDate: f.StudyDate,
	})
	if err != nil {
		return res, n.fail(ctx, "find studies on", err)
	}
	m := strings.TrimSpace(f.Modality)
	if m == "" {
		return res, nil
	}
	out := res[:0]
	for _, s := range res {
		if s.ModalitiesInStudy == "" {
			// Not returned (dcmqrscp does not): the series say.
			if s.ModalitiesInStudy, err = n.modalities(ctx, s); err != nil {
				return nil, err
			}
		}
		if slices.ContainsFunc(strings.Split(s.ModalitiesInStudy, `\`), func(v string) bool { return strings.EqualFold(strings.TrimSpace(v), m) }) {
			out = append(out, s)
		}
	}
	return out, nil
}

// modalities lists a study's modalities from its series, as Modalities in
// Study writes them.
func (n *Node) modalities(ctx context.Context, s pacs.Study) (string, error) {
	series, err := n.Series(ctx, s.PatientID, s.StudyInstanceUID)
	if err != nil {
		return "", err
	}
	var ms []string
	for _, se := range series {
		if se.Modality != "" && !slices.Contains(ms, se.Modality) {
			ms = append(ms, se.Modality)
		}
	}
	return strings.Join(ms, `\`), nil
}

// Series lists the series of a study: C-FIND at SERIES level, or QIDO-RS
// /studies/{study}/series. Patient Root needs the study's Patient ID.
func (n *Node) Series(ctx context.Context, patientID, studyUID string) ([]pacs.Series, error) {
	res, err := n.Remote.FindSeries(ctx, n.SCU, n.Model, patientID, studyUID)
	if err != nil {
		return res, n.fail(ctx, "find the series on", err)
	}
	return res, nil
}
