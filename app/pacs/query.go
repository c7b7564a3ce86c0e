package pacs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"

	"discdesk/app/pacs/dimse"
)

// Model is a Query/Retrieve information model (PS3.4 C.6).
type Model int

// The two information models DiscDesk uses.
const (
	StudyRoot Model = iota
	PatientRoot
)

func (m Model) uids() (find, move, get string) {
	if m == PatientRoot {
		return PatientRootFind, PatientRootMove, PatientRootGet
	}
	return StudyRootFind, StudyRootMove, StudyRootGet
}

// Tags of the query keys DiscDesk uses.
var (
	TagSpecificCharacterSet    = dimse.T(0x0008, 0x0005)
	TagStudyDate               = dimse.T(0x0008, 0x0020)
	TagStudyTime               = dimse.T(0x0008, 0x0030)
	TagAccessionNumber         = dimse.T(0x0008, 0x0050)
	TagQueryRetrieveLevel      = dimse.T(0x0008, 0x0052)
	TagModality                = dimse.T(0x0008, 0x0060)
	TagModalitiesInStudy       = dimse.T(0x0008, 0x0061)
	TagStudyDescription        = dimse.T(0x0008, 0x1030)
	TagSeriesDescription       = dimse.T(0x0008, 0x103E)
	TagPatientName             = dimse.T(0x0010, 0x0010)
	TagPatientID               = dimse.T(0x0010, 0x0020)
	TagPatientBirthDate        = dimse.T(0x0010, 0x0030)
	TagStudyInstanceUID        = dimse.T(0x0020, 0x000D)
	TagSeriesInstanceUID       = dimse.T(0x0020, 0x000E)
	TagSeriesNumber            = dimse.T(0x0020, 0x0011)
	TagNumberOfStudyInstances  = dimse.T(0x0020, 0x1208)
	TagNumberOfSeriesInstances = dimse.T(0x0020, 0x1209)
)

// StudyFilter holds study-level matching keys; empty fields match all.
// Values use C-FIND matching (PS3.4 C.2.2.2: "*" and "?" wildcards, date
// ranges "20240101-20240131").
type StudyFilter struct {
	PatientID, PatientName, AccessionNumber, StudyInstanceUID, StudyDate string
}

// Study is one study-level C-FIND match.
type Study struct {
	StudyInstanceUID, PatientID, PatientName, AccessionNumber string
	StudyDate, StudyDescription, ModalitiesInStudy            string
	Instances                                                 int // Number of Study Related Instances, -1 if not returned
}

// Series is one series-level C-FIND match.
type Series struct {
	SeriesInstanceUID, Modality, SeriesNumber, SeriesDescription string
	Instances                                                    int // -1 if not returned
}

// StudyKeys returns the identifier of a study-level query with the return
// keys DiscDesk shows.
func StudyKeys(f StudyFilter) dimse.Elements {
	var es dimse.Elements
	es.SetString(TagStudyDate, "DA", f.StudyDate)
	es.SetString(TagStudyTime, "TM", "")
	es.SetString(TagAccessionNumber, "SH", f.AccessionNumber)
	es.SetString(TagModalitiesInStudy, "CS", "")
	es.SetString(TagStudyDescription, "LO", "")
	es.SetString(TagPatientName, "PN", f.PatientName)
	es.SetString(TagPatientID, "LO", f.PatientID)
	es.SetString(TagStudyInstanceUID, "UI", f.StudyInstanceUID)
	es.SetString(TagNumberOfStudyInstances, "IS", "")
	return es
}

// Find runs a C-FIND (PS3.4 C.4.1) at level ("PATIENT", "STUDY", "SERIES",
// "IMAGE") with the identifier keys and returns every pending match.
func (c *Client) Find(ctx context.Context, n Node, model Model, level string, keys dimse.Elements) ([]dimse.Elements, error) {
	findUID, _, _ := model.uids()
	a, err := c.dial(ctx, n, contextsFor(findUID), nil)
	if err != nil {
		return nil, fmt.Errorf("find on %s: %w", n, err)
	}
	defer a.Close()
	pc, err := a.ContextFor(findUID, dimse.ExplicitVRLittleEndian)
	if err != nil {
		a.Abort()
		return nil, fmt.Errorf("find on %s: %w", n, err)
	}
	explicit := pc.TransferSyntax != dimse.ImplicitVRLittleEndian
	q := append(dimse.Elements(nil), keys...)
	q.SetString(TagQueryRetrieveLevel, "CS", level)
	ident := encodeIdentifier(q, explicit)
	cmd := &dimse.Command{Field: dimse.CFindRQ, MessageID: a.NextMessageID(), AffectedSOPClass: findUID}
	if err := a.WriteMessage(pc, cmd, strings.NewReader(string(ident)), int64(len(ident))); err != nil {
		return nil, fmt.Errorf("find on %s: %w", n, err)
	}
	var out []dimse.Elements
	for {
		_, rsp, err := a.ReadCommand()
		if err != nil {
			return out, fmt.Errorf("find on %s: %w", n, err)
		}
		if rsp.Field != dimse.CFindRSP || rsp.RespondingTo != cmd.MessageID {
			return out, fmt.Errorf("find on %s: %w", n, a.AbortWith(dimse.AbortUnexpectedParm, fmt.Errorf("%w: response 0x%04X", dimse.ErrProtocol, rsp.Field)))
		}
		var data []byte
		if rsp.HasData {
			var b strings.Builder
			if _, err := a.ReadData(pc, &b); err != nil {
				return out, fmt.Errorf("find on %s: %w", n, err)
			}
			data = []byte(b.String())
		}
		switch rsp.Status {
		case dimse.StatusPending, dimse.StatusPendingWarning:
			es, err := dimse.DecodeElements(data, explicit)
			if err != nil {
				a.Abort()
				return out, fmt.Errorf("find on %s: response identifier: %w", n, err)
			}
			out = append(out, es)
		case dimse.StatusSuccess:
			return out, a.Release()
		default:
			a.Release()
			return out, &StatusError{Op: "find on " + n.String(), Status: rsp.Status, Comment: rsp.ErrorComment}
		}
	}
}

func encodeIdentifier(es dimse.Elements, explicit bool) []byte {
	if explicit {
		return es.EncodeExplicit()
	}
	return es.EncodeImplicit()
}

// FindStudies runs a study-level C-FIND. Patient Root needs a Patient ID
// (PS3.4 C.6.1.1.3); without one the Study Root model is used.
func (c *Client) FindStudies(ctx context.Context, n Node, model Model, f StudyFilter) ([]Study, error) {
	if model == PatientRoot && f.PatientID == "" {
		model = StudyRoot
	}
	res, err := c.Find(ctx, n, model, "STUDY", StudyKeys(f))
	out := make([]Study, 0, len(res))
	for _, es := range res {
		out = append(out, Study{
			StudyInstanceUID: es.String(TagStudyInstanceUID), PatientID: es.String(TagPatientID),
			PatientName: es.String(TagPatientName), AccessionNumber: es.String(TagAccessionNumber),
			StudyDate: es.String(TagStudyDate), StudyDescription: es.String(TagStudyDescription),
			ModalitiesInStudy: es.String(TagModalitiesInStudy), Instances: intValue(es, TagNumberOfStudyInstances),
		})
	}
	return out, err
}

// FindSeries runs a series-level C-FIND within a study. Patient Root needs
// the study's Patient ID.
func (c *Client) FindSeries(ctx context.Context, n Node, model Model, patientID, studyUID string) ([]Series, error) {
	var es dimse.Elements
	if model == PatientRoot {
		es.SetString(TagPatientID, "LO", patientID)
	}
	es.SetString(TagModality, "CS", "")
	es.SetString(TagSeriesDescription, "LO", "")
	es.SetString(TagStudyInstanceUID, "UI", studyUID)
	es.SetString(TagSeriesInstanceUID, "UI", "")
	es.SetString(TagSeriesNumber, "IS", "")
	es.SetString(TagNumberOfSeriesInstances, "IS", "")
	res, err := c.Find(ctx, n, model, "SERIES", es)
	out := make([]Series, 0, len(res))
	for _, r := range res {
		out = append(out, Series{
			SeriesInstanceUID: r.String(TagSeriesInstanceUID), Modality: r.String(TagModality),
			SeriesNumber: r.String(TagSeriesNumber), SeriesDescription: r.String(TagSeriesDescription),
			Instances: intValue(r, TagNumberOfSeriesInstances),
		})
	}
	return out, err
}

func intValue(es dimse.Elements, t dimse.Tag) int {
	v, err := strconv.Atoi(strings.TrimSpace(es.String(t)))
	if err != nil {
		return -1
	}
	return v
}

// ErrNoCount means the PACS did not return Number of Study Related
// Instances for a study.
var ErrNoCount = errors.New("PACS returned no Number of Study Related Instances")

// StudyInstanceCount asks the PACS how many instances a study has (C-FIND,
// Study Root, STUDY level, Number of Study Related Instances).
func (c *Client) StudyInstanceCount(ctx context.Context, n Node, studyUID string) (int, error) {
	studies, err := c.FindStudies(ctx, n, StudyRoot, StudyFilter{StudyInstanceUID: studyUID})
	if err != nil {
		return 0, err
	}
	for _, s := range studies {
		if s.StudyInstanceUID == studyUID && s.Instances >= 0 {
			return s.Instances, nil
		}
	}
	return 0, fmt.Errorf("count instances of a study on %s: %w", n, ErrNoCount)
}

// RetrieveResult counts the sub-operations of a C-MOVE or C-GET.
type RetrieveResult struct {
	Completed, Failed, Warning int
	Status                     uint16 // final status
}

// retrieveKeys is the identifier of a study-level retrieve.
func retrieveKeys(model Model, patientID, studyUID string) dimse.Elements {
	var es dimse.Elements
	if model == PatientRoot {
		es.SetString(TagPatientID, "LO", patientID)
	}
	es.SetString(TagQueryRetrieveLevel, "CS", "STUDY")
	es.SetString(TagStudyInstanceUID, "UI", studyUID)
	return es
}

// MoveStudy asks the PACS to send a study to the AE title dest with C-MOVE
// (PS3.4 C.4.2); dest is normally this node's own Storage SCP, which the PACS
// must know by AE title, host and port. Patient Root needs the Patient ID.
func (c *Client) MoveStudy(ctx context.Context, n Node, model Model, patientID, studyUID, dest string) (RetrieveResult, error) {
	_, moveUID, _ := model.uids()
	a, err := c.dial(ctx, n, contextsFor(moveUID), nil)
	if err != nil {
		return RetrieveResult{}, fmt.Errorf("move from %s: %w", n, err)
	}
	defer a.Close()
	pc, err := a.ContextFor(moveUID, dimse.ExplicitVRLittleEndian)
	if err != nil {
		a.Abort()
		return RetrieveResult{}, fmt.Errorf("move from %s: %w", n, err)
	}
	cmd := &dimse.Command{Field: dimse.CMoveRQ, AffectedSOPClass: moveUID, MoveDestination: dest}
	return c.retrieve(a, pc, cmd, retrieveKeys(model, patientID, studyUID), nil, "move from "+n.String())
}

// GetStudy retrieves a study over the same association with C-GET (PS3.4
// C.4.3), handing each object to sink. The storage sub-operations use the
// SCP role negotiated per storage SOP class (PS3.7 D.3.3.4).
func (c *Client) GetStudy(ctx context.Context, n Node, model Model, patientID, studyUID string, sink Sink) (RetrieveResult, error) {
	_, _, getUID := model.uids()
	contexts := contextsFor(getUID)
	var roles []dimse.RoleSelection
	for _, sc := range StorageSOPClasses {
		contexts = append(contexts, dimse.ContextRQ{ID: byte(2*len(contexts) + 1), AbstractSyntax: sc.UID, TransferSyntaxes: uncompressed})
		roles = append(roles, dimse.RoleSelection{SOPClassUID: sc.UID, SCU: false, SCP: true})
	}
	a, err := c.dial(ctx, n, contexts, roles)
	if err != nil {
		return RetrieveResult{}, fmt.Errorf("get from %s: %w", n, err)
	}
	defer a.Close()
	pc, err := a.ContextFor(getUID, dimse.ExplicitVRLittleEndian)
	if err != nil {
		a.Abort()
		return RetrieveResult{}, fmt.Errorf("get from %s: %w", n, err)
	}
	spool := c.SpoolDir
	if spool == "" {
		spool = os.TempDir()
	}
	if err := os.MkdirAll(spool, 0o700); err != nil {
		a.Abort()
		return RetrieveResult{}, fmt.Errorf("get from %s: spool folder: %w", n, err)
	}
	log := c.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	recv := &receiver{spoolDir: spool, sink: sink, log: log}
	cmd := &dimse.Command{Field: dimse.CGetRQ, AffectedSOPClass: getUID}
	return c.retrieve(a, pc, cmd, retrieveKeys(model, patientID, studyUID), func(spc *dimse.PresentationContext, sub *dimse.Command) error {
		return recv.handleStore(ctx, a, spc, sub)
	}, "get from "+n.String())
}

// retrieve sends a C-MOVE or C-GET request and follows its responses;
// store handles C-STORE sub-operations arriving on the association (C-GET).
func (c *Client) retrieve(a *dimse.Association, pc *dimse.PresentationContext, cmd *dimse.Command, keys dimse.Elements, store func(*dimse.PresentationContext, *dimse.Command) error, op string) (RetrieveResult, error) {
	var res RetrieveResult
	cmd.MessageID = a.NextMessageID()
	ident := encodeIdentifier(keys, pc.TransferSyntax != dimse.ImplicitVRLittleEndian)
	if err := a.WriteMessage(pc, cmd, strings.NewReader(string(ident)), int64(len(ident))); err != nil {
		return res, fmt.Errorf("%s: %w", op, err)
	}
	for {
		rpc, rsp, err := a.ReadCommand()
		if err != nil {
			return res, fmt.Errorf("%s: %w", op, err)
		}
		if rsp.Field == dimse.CStoreRQ && store != nil {
			if err := store(rpc, rsp); err != nil {
				return res, fmt.Errorf("%s: %w", op, err)
			}
			continue
		}
		if rsp.Field != cmd.Field|0x8000 || rsp.RespondingTo != cmd.MessageID {
			return res, fmt.Errorf("%s: %w", op, a.AbortWith(dimse.AbortUnexpectedParm, fmt.Errorf("%w: response 0x%04X", dimse.ErrProtocol, rsp.Field)))
		}
		if rsp.HasData {
			if _, err := a.ReadData(rpc, io.Discard); err != nil {
				return res, fmt.Errorf("%s: %w", op, err)
			}
		}
		if rsp.HasCounts {
			res.Completed, res.Failed, res.Warning = int(rsp.Completed), int(rsp.Failed), int(rsp.Warning)
		}
		res.Status = rsp.Status
		switch {
		case rsp.Status == dimse.StatusPending:
			continue
		case rsp.Status == dimse.StatusSuccess:
			return res, a.Release()
		case rsp.Status == dimse.StatusWarningSubOps:
			a.Release()
			return res, &StatusError{Op: op, Status: rsp.Status, Comment: fmt.Sprintf("%d sub-operations failed", res.Failed)}
		default:
			a.Release()
			return res, &StatusError{Op: op, Status: rsp.Status, Comment: rsp.ErrorComment}
		}
	}
}
