package pacs

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"

	"discdesk/app/pacs/dimse"
	"discdesk/viewer/dcm"
)

// uidProblem says what is wrong with a UID without repeating it.
func uidProblem(uid string) string {
	err := dcm.CheckUID(uid)
	if err == nil {
		return "valid"
	}
	return err.Error()
}

// Errors a Sink returns (wrapped with %w) to choose the C-STORE status
// instead of A700 (out of resources). See SinkStatus.
var (
	// ErrAlreadyHeld: the sink already holds this instance with the same
	// content (possibly in another transfer syntax or with another File
	// Meta): nothing new was stored and the sender gets success, so a
	// retrieve or forward carries on.
	ErrAlreadyHeld = errors.New("the same instance is already held")
	// ErrConflict: the sink holds different content under this SOP
	// Instance UID and kept the new object aside for staff: status
	// StatusConflict.
	ErrConflict = errors.New("a different instance with this SOP Instance UID is already held")
	// ErrCannotUnderstand: the sink cannot file the object (an invalid
	// UID, a data set it cannot index): status C000.
	ErrCannotUnderstand = errors.New("the object cannot be filed")
)

// StatusConflict is the C-STORE status for ErrConflict: 0111, Duplicate
// SOP Instance (PS3.7 C.5.7), a failure that is neither "out of resources"
// nor "cannot understand".
const StatusConflict uint16 = 0x0111

// SinkStatus maps a Sink error to the C-STORE status and error comment
// answered to the sender.
func SinkStatus(err error) (uint16, string) {
	switch {
	case err == nil, errors.Is(err, ErrAlreadyHeld):
		return dimse.StatusSuccess, ""
	case errors.Is(err, ErrConflict):
		return StatusConflict, "another instance with this SOP Instance UID is held"
	case errors.Is(err, ErrCannotUnderstand), errors.Is(err, dcm.ErrBadUID):
		return dimse.StatusCannotUnderstand, "cannot be filed"
	}
	return dimse.StatusOutOfResources, "storage failed"
}

// receiver turns C-STORE requests into spooled, checked objects for a sink.
type receiver struct {
	spoolDir string
	spool    *spoolAhead // spool files made ahead (nil: made when needed)
	sink     Sink
	log      *slog.Logger
}

// handleStore reads the data set of a C-STORE-RQ, checks it and answers
// with the returned status. An error means the association is gone
// (aborted or broken).
func (r *receiver) handleStore(ctx context.Context, a *dimse.Association, pc *dimse.PresentationContext, cmd *dimse.Command) (uint16, error) {
	rsp := &dimse.Command{
		Field: dimse.CStoreRSP, RespondingTo: cmd.MessageID,
		AffectedSOPClass: cmd.AffectedSOPClass, AffectedSOPInstance: cmd.AffectedSOPInstance,
	}
	if !cmd.HasData {
		return 0, a.AbortWith(dimse.AbortUnexpectedParm, fmt.Errorf("%w: C-STORE-RQ without a data set", dimse.ErrProtocol))
	}
	obj, status, comment, err := r.receive(a, pc, cmd)
	if obj != nil {
		defer os.Remove(obj.path)
	}
	if err != nil {
		return 0, err
	}
	if status == dimse.StatusSuccess {
		if serr := r.sink.Store(ctx, obj); serr != nil {
			status, comment = SinkStatus(serr)
			if status == dimse.StatusSuccess {
				r.log.Info("store: instance already held; answered success", "calling", a.CallingAE, "why", serr.Error())
			} else {
				r.log.Warn("store: sink refused object", "calling", a.CallingAE, "status", fmt.Sprintf("%04X", status), "err", serr)
			}
		}
	}
	if status != dimse.StatusSuccess {
		r.log.Warn("store: refused", "calling", a.CallingAE, "status", fmt.Sprintf("%04X", status), "why", comment)
	}
	rsp.Status, rsp.ErrorComment = status, comment
	return status, a.WriteMessage(pc, rsp, nil, 0)
}

// spoolFile is an empty spool file: made ahead when the receiver has a
// spoolAhead (the Storage SCP), else now (a C-GET).
func (r *receiver) spoolFile() (*os.File, error) {
	if r.spool != nil {
		return r.spool.take()
	}
	return os.CreateTemp(r.spoolDir, spoolPattern())
}

// spoolBufs are the spool writers' buffers (256 KiB each).
var spoolBufs = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, 256<<10) }}

// receive spools the data set to a Part 10 file and checks it. A non-nil
// error means the association failed; otherwise status says whether the
// object may be stored.
func (r *receiver) receive(a *dimse.Association, pc *dimse.PresentationContext, cmd *dimse.Command) (*ReceivedObject, uint16, string, error) {
	f, err := r.spoolFile()
	if err != nil {
		// Keep the association in step: read and drop the data set.
		if _, rerr := a.ReadData(pc, io.Discard); rerr != nil {
			return nil, 0, "", rerr
		}
		r.log.Error("store: cannot create spool file", "err", err)
		return nil, dimse.StatusOutOfResources, "cannot spool", nil
	}
	obj := &ReceivedObject{
		CallingAE: a.CallingAE, CalledAE: a.CalledAE, RemoteAddr: a.RemoteAddr().String(),
		SOPClassUID: cmd.AffectedSOPClass, SOPInstanceUID: cmd.AffectedSOPInstance,
		TransferSyntaxUID: pc.TransferSyntax, path: f.Name(),
	}
	head := Part10Header(obj.Meta())
	obj.metaLen = int64(len(head))
	bw := spoolBufs.Get().(*bufio.Writer)
	bw.Reset(newWriteback(f)) // writeback starts per chunk
	defer func() { bw.Reset(nil); spoolBufs.Put(bw) }()
	bw.Write(head)
	n, rerr := a.ReadData(pc, bw)
	obj.DataSetSize = n
	werr := bw.Flush()
	if rerr != nil {
		f.Close()
		if !errors.Is(rerr, dimse.ErrAborted) {
			// The spool file failed mid-transfer: nothing can be answered in step.
			rerr = a.AbortWith(dimse.AbortNotSpecified, rerr)
		}
		return obj, 0, "", rerr
	}
	if werr != nil {
		f.Close()
		return obj, dimse.StatusOutOfResources, "cannot spool", nil
	}
	switch {
	case pc.AbstractSyntax != cmd.AffectedSOPClass:
		f.Close()
		return obj, dimse.StatusSOPClassNotSupport, "SOP class differs from the presentation context", nil
	case dcm.CheckUID(cmd.AffectedSOPInstance) != nil:
		f.Close()
		return obj, dimse.StatusCannotUnderstand, "Affected SOP Instance UID: " + uidProblem(cmd.AffectedSOPInstance), nil
	}
	_, _, info, err := parseObject(f, obj.metaLen+n)
	f.Close()
	if err != nil {
		return obj, dimse.StatusCannotUnderstand, "data set does not parse", nil
	}
	if info.SOPClassUID != cmd.AffectedSOPClass || info.SOPInstanceUID != cmd.AffectedSOPInstance {
		return obj, dimse.StatusDataSetMismatch, "SOP class or instance differs from the command", nil
	}
	// Study and Series Instance UID are Type 1 in every storage IOD (PS3.3
	// C.7.2.1, C.7.3.1); the library files studies by them, so an object
	// without them could be stored but never found again (issue 15.3).
	switch {
	case info.StudyInstanceUID == "":
		return obj, dimse.StatusDataSetMismatch, "no Study Instance UID (0020,000D)", nil
	case dcm.CheckUID(info.StudyInstanceUID) != nil:
		return obj, dimse.StatusCannotUnderstand, "Study Instance UID (0020,000D): " + uidProblem(info.StudyInstanceUID), nil
	case info.SeriesInstanceUID == "":
		return obj, dimse.StatusDataSetMismatch, "no Series Instance UID (0020,000E)", nil
	case dcm.CheckUID(info.SeriesInstanceUID) != nil:
		return obj, dimse.StatusCannotUnderstand, "Series Instance UID (0020,000E): " + uidProblem(info.SeriesInstanceUID), nil
	}
	obj.StudyInstanceUID, obj.SeriesInstanceUID = info.StudyInstanceUID, info.SeriesInstanceUID
	return obj, dimse.StatusSuccess, "", nil
}
