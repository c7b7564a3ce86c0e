package pacs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strconv"
	"strings"

	"discdesk/app/pacs/dimse"
	"discdesk/viewer/dcm"
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
	TagSpecificCharacterSet    = dcm.SpecificCharacterSet
	TagStudyDate               = dcm.StudyDate
	TagStudyTime               = dcm.StudyTime
	TagAccessionNumber         = dcm.AccessionNumber
	TagQueryRetrieveLevel      = dimse.T(0x0008, 0x0052)
	TagModality                = dcm.Modality
	TagModalitiesInStudy       = dcm.ModalitiesInStudy
	TagStudyDescription        = dcm.StudyDescription
	TagSeriesDescription       = dcm.SeriesDescription
	TagPatientName             = dcm.PatientName
	TagPatientID               = dcm.PatientID
	TagPatientBirthDate        = dcm.PatientBirthDate
	TagStudyInstanceUID        = dcm.StudyInstanceUID
	TagSeriesInstanceUID       = dcm.SeriesInstanceUID
	TagSOPInstanceUID          = dcm.SOPInstanceUID
	TagSeriesNumber            = dcm.SeriesNumber
	TagNumberOfStudyInstances  = dcm.NumberOfStudyRelatedInstances
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
	PatientBirthDate                                          string // YYYYMMDD as the PACS sent it ("" if not returned)
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
	es.SetString(TagPatientBirthDate, "DA", "")
	es.SetString(TagStudyInstanceUID, "UI", f.StudyInstanceUID)
	es.SetString(TagNumberOfStudyInstances, "IS", "")
	return es
}

// Find runs a C-FIND (PS3.4 C.4.1) at level ("PATIENT", "STUDY", "SERIES",
// "IMAGE") with the identifier keys and returns every pending match. Key
// values are UTF-8; a query with non-ASCII values is sent in
// c.QueryCharset and declares it (see charset.go). Matches keep their raw
// values: read text with replyText, which applies their character set.
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
	q := append(dimse.Elements(nil), keys...)
	q.SetString(TagQueryRetrieveLevel, "CS", level)
	if q, err = encodeQuery(q, c.QueryCharset); err != nil {
		a.Abort()
		return nil, fmt.Errorf("find on %s: %w", n, err)
	}
	ident := q.Encode(pc.TransferSyntax)
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
			// A peer's identifier is held in memory: bounded, as a retrieve's.
			var b bytes.Buffer
			if _, err := a.ReadData(pc, &limitedWriter{w: &b, n: maxIdentifier}); err != nil {
				return out, fmt.Errorf("find on %s: %w", n, err)
			}
			data = b.Bytes()
		}
		switch rsp.Status {
		case dimse.StatusPending, dimse.StatusPendingWarning:
			es, err := dimse.DecodeDataSet(data, pc.TransferSyntax)
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
			StudyInstanceUID: es.String(TagStudyInstanceUID), PatientID: replyText(es, TagPatientID),
			PatientName: replyText(es, TagPatientName), AccessionNumber: replyText(es, TagAccessionNumber),
			PatientBirthDate: es.String(TagPatientBirthDate),
			StudyDate:        es.String(TagStudyDate), StudyDescription: replyText(es, TagStudyDescription),
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
			SeriesNumber: r.String(TagSeriesNumber), SeriesDescription: replyText(r, TagSeriesDescription),
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

// TagSOPClassesInStudy is SOP Classes in Study (0008,0062), a C-FIND
// return key at STUDY level (PS3.4 C.6.2.1.2).
var TagSOPClassesInStudy = dimse.T(0x0008, 0x0062)

// studySOPClasses asks the PACS which SOP classes a study holds (nil when
// it does not say), so that C-GET can propose every syntax for them.
func (c *Client) studySOPClasses(ctx context.Context, n Node, model Model, patientID, studyUID string) []string {
	if model == PatientRoot && patientID == "" {
		model = StudyRoot
	}
	var es dimse.Elements
	if model == PatientRoot {
		es.SetString(TagPatientID, "LO", patientID)
	}
	es.SetString(TagStudyInstanceUID, "UI", studyUID)
	es.SetString(TagSOPClassesInStudy, "UI", "")
	res, err := c.Find(ctx, n, model, "STUDY", es)
	if err != nil {
		c.logger().Info("get: SOP Classes in Study not found; proposing the common classes", "err", err)
		return nil
	}
	var out []string
	for _, r := range res {
		if r.String(TagStudyInstanceUID) == studyUID {
			out = append(out, dimse.SplitValues(r.String(TagSOPClassesInStudy))...)
		}
	}
	return out
}

// RetrieveResult counts the sub-operations of a C-MOVE or C-GET. Each
// count is the highest the PACS reported in any response (a final response
// that omits or zeroes them does not undo the pending ones) and, for C-GET,
// at least what this side itself stored or refused.
type RetrieveResult struct {
	Completed, Failed, Warning int
	Status                     uint16 // final status
	// FailedInstances are the SOP Instance UIDs the PACS listed as failed
	// (Failed SOP Instance UID List, in the identifier or, as Orthanc
	// sends it, the command set) and, for C-GET, those this side refused.
	FailedInstances []string
}

// count merges one response's sub-operation counts.
func (r *RetrieveResult) count(rsp *dimse.Command) {
	if rsp.HasCounts {
		r.Completed = max(r.Completed, int(rsp.Completed))
		r.Failed = max(r.Failed, int(rsp.Failed))
		r.Warning = max(r.Warning, int(rsp.Warning))
	}
	r.addFailed(rsp.FailedSOPInstances...)
}

func (r *RetrieveResult) addFailed(uids ...string) {
	for _, u := range uids {
		if !slices.Contains(r.FailedInstances, u) {
			r.FailedInstances = append(r.FailedInstances, u)
		}
	}
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
	res, err := c.move(ctx, n, model, retrieveKeys(model, patientID, studyUID), dest)
	var se *StatusError
	if !errors.As(err, &se) || se.Status == dimse.StatusWarningSubOps || se.Status == statusMoveDestinationUnknown {
		return res, err
	}
	// The PACS stopped at a failed sub-operation (Orthanc stops a C-MOVE at
	// the first C-STORE that is not a success or warning): move the others
	// one by one so that one conflicting instance does not cost the rest.
	insts, ferr := c.studyInstances(ctx, n, model, patientID, studyUID)
	if ferr != nil || len(insts) == 0 {
		return res, err
	}
	c.logger().Warn("move: the PACS stopped the study's move; moving its instances one by one", "status", fmt.Sprintf("%04X", se.Status), "instances", len(insts))
	out := RetrieveResult{}
	one := *c
	one.Pending = nil // the counts of one instance's move are not the study's
	for i, in := range insts {
		if c.Pending != nil && i > 0 {
			c.Pending(out, len(insts)-i)
		}
		if c.Have != nil && c.Have(in.sop) {
			out.Completed++
			continue
		}
		r, e := one.move(ctx, n, model, imageKeys(model, patientID, studyUID, in.series, in.sop), dest)
		switch {
		case e == nil:
			out.Completed += max(r.Completed, 1)
		case ctx.Err() != nil:
			return out, e
		default:
			out.Failed++
			out.addFailed(in.sop)
			if out.Completed == 0 && out.Failed >= 2 && c.Have == nil {
				return res, err // nothing moves at all: report the first answer
			}
		}
	}
	out.Status = dimse.StatusSuccess
	if out.Failed > 0 {
		out.Status = dimse.StatusWarningSubOps
		return out, &StatusError{Op: "move from " + n.String(), Status: out.Status, Comment: fmt.Sprintf("%d sub-operations failed", out.Failed)}
	}
	return out, nil
}

// statusMoveDestinationUnknown is C-MOVE's A801 (PS3.4 C.4.2.1.5).
const statusMoveDestinationUnknown uint16 = 0xA801

func (c *Client) move(ctx context.Context, n Node, model Model, keys dimse.Elements, dest string) (RetrieveResult, error) {
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
	return c.retrieve(a, pc, cmd, keys, nil, "move from "+n.String())
}

// instanceRef names one instance of a study.
type instanceRef struct{ series, sop string }

// studyInstances lists a study's instances (C-FIND SERIES, then IMAGE).
func (c *Client) studyInstances(ctx context.Context, n Node, model Model, patientID, studyUID string) ([]instanceRef, error) {
	series, err := c.FindSeries(ctx, n, model, patientID, studyUID)
	if err != nil {
		return nil, err
	}
	var out []instanceRef
	for _, se := range series {
		var es dimse.Elements
		if model == PatientRoot {
			es.SetString(TagPatientID, "LO", patientID)
		}
		es.SetString(TagStudyInstanceUID, "UI", studyUID)
		es.SetString(TagSeriesInstanceUID, "UI", se.SeriesInstanceUID)
		es.SetString(TagSOPInstanceUID, "UI", "")
		res, err := c.Find(ctx, n, model, "IMAGE", es)
		if err != nil {
			return nil, err
		}
		for _, r := range res {
			if uid := r.String(TagSOPInstanceUID); uid != "" {
				out = append(out, instanceRef{se.SeriesInstanceUID, uid})
			}
		}
	}
	return out, nil
}

// imageKeys is the identifier of an IMAGE-level retrieve.
func imageKeys(model Model, patientID, studyUID, seriesUID, sopUID string) dimse.Elements {
	es := retrieveKeys(model, patientID, studyUID)
	es.SetString(TagQueryRetrieveLevel, "CS", "IMAGE")
	es.SetString(TagSeriesInstanceUID, "UI", seriesUID)
	es.SetString(TagSOPInstanceUID, "UI", sopUID)
	return es
}

// GetStudy retrieves a study over the same association with C-GET (PS3.4
// C.4.3), handing each object to sink. The storage sub-operations use the
// SCP role negotiated per storage SOP class (PS3.7 D.3.3.4).
func (c *Client) GetStudy(ctx context.Context, n Node, model Model, patientID, studyUID string, sink Sink) (RetrieveResult, error) {
	_, _, getUID := model.uids()
	contexts, roles := getContexts(getUID, c.studySOPClasses(ctx, n, model, patientID, studyUID))
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
	var local RetrieveResult
	res, err := c.retrieve(a, pc, cmd, retrieveKeys(model, patientID, studyUID), func(spc *dimse.PresentationContext, sub *dimse.Command) error {
		status, err := recv.handleStore(ctx, a, spc, sub)
		switch {
		case err != nil:
		case status == dimse.StatusSuccess:
			local.Completed++
		case status&0xF000 == 0xB000:
			local.Warning++
		default:
			local.Failed++
			local.addFailed(sub.AffectedSOPInstance)
		}
		return err
	}, "get from "+n.String())
	res.Completed = max(res.Completed, local.Completed)
	res.Warning = max(res.Warning, local.Warning)
	res.Failed = max(res.Failed, local.Failed)
	res.addFailed(local.FailedInstances...)
	return res, err
}

// retrieve sends a C-MOVE or C-GET request and follows its responses;
// store handles C-STORE sub-operations arriving on the association (C-GET).
func (c *Client) retrieve(a *dimse.Association, pc *dimse.PresentationContext, cmd *dimse.Command, keys dimse.Elements, store func(*dimse.PresentationContext, *dimse.Command) error, op string) (RetrieveResult, error) {
	var res RetrieveResult
	cmd.MessageID = a.NextMessageID()
	ident := keys.Encode(pc.TransferSyntax)
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
			// The identifier of a C-MOVE/C-GET response carries the
			// Failed SOP Instance UID List (PS3.4 C.4.2.1.4).
			var b bytes.Buffer
			if _, err := a.ReadData(rpc, &limitedWriter{w: &b, n: maxIdentifier}); err != nil {
				return res, fmt.Errorf("%s: %w", op, err)
			}
			if es, err := dimse.DecodeDataSet(b.Bytes(), rpc.TransferSyntax); err == nil {
				res.addFailed(dimse.SplitValues(es.String(dimse.TagFailedSOPInstanceUIDList))...)
			} else {
				c.logger().Warn("retrieve: response identifier does not parse", "op", op, "err", err)
			}
		}
		res.count(rsp)
		res.Status = rsp.Status
		switch {
		case rsp.Status == dimse.StatusPending:
			if c.Pending != nil && rsp.HasCounts {
				c.Pending(res, int(rsp.Remaining))
			}
			continue
		case rsp.Status == dimse.StatusSuccess:
			return res, a.Release()
		case rsp.Status == dimse.StatusWarningSubOps:
			a.Release()
			return res, &StatusError{Op: op, Status: rsp.Status, Comment: fmt.Sprintf("%d sub-operations failed", max(res.Failed, len(res.FailedInstances)))}
		default:
			a.Release()
			return res, &StatusError{Op: op, Status: rsp.Status, Comment: rsp.ErrorComment}
		}
	}
}

// maxIdentifier bounds a response identifier held in memory.
const maxIdentifier = 4 << 20

// limitedWriter fails once more than n bytes were written.
type limitedWriter struct {
	w io.Writer
	n int64
}

// errIdentifierTooLarge means a response identifier exceeded maxIdentifier.
var errIdentifierTooLarge = errors.New("response identifier larger than 4 MiB")

func (l *limitedWriter) Write(p []byte) (int, error) {
	if int64(len(p)) > l.n {
		return 0, errIdentifierTooLarge
	}
	l.n -= int64(len(p))
	return l.w.Write(p)
}

func (c *Client) logger() *slog.Logger {
	if c.Logger == nil {
		return slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return c.Logger
}
