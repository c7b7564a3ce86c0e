package pacs

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"

	"discdesk/app/pacs/dimse"
)

// receiver turns C-STORE requests into spooled, checked objects for a sink.
type receiver struct {
	spoolDir string
	sink     Sink
	log      *slog.Logger
}

// handleStore reads the data set of a C-STORE-RQ, checks it and answers.
// An error means the association is gone (aborted or broken).
func (r *receiver) handleStore(ctx context.Context, a *dimse.Association, pc *dimse.PresentationContext, cmd *dimse.Command) error {
	rsp := &dimse.Command{
		Field: dimse.CStoreRSP, RespondingTo: cmd.MessageID,
		AffectedSOPClass: cmd.AffectedSOPClass, AffectedSOPInstance: cmd.AffectedSOPInstance,
	}
	if !cmd.HasData {
		return a.AbortWith(dimse.AbortUnexpectedParm, fmt.Errorf("%w: C-STORE-RQ without a data set", dimse.ErrProtocol))
	}
	obj, status, comment, err := r.receive(ctx, a, pc, cmd)
	if obj != nil {
		defer os.Remove(obj.path)
	}
	if err != nil {
		return err
	}
	if status == dimse.StatusSuccess {
		if serr := r.sink.Store(ctx, obj); serr != nil {
			status, comment = dimse.StatusOutOfResources, "storage failed"
			r.log.Warn("store: sink refused object", "calling", a.CallingAE, "err", serr)
		}
	}
	if status != dimse.StatusSuccess {
		r.log.Info("store: refused", "calling", a.CallingAE, "status", fmt.Sprintf("%04X", status), "why", comment)
	}
	rsp.Status, rsp.ErrorComment = status, comment
	return a.WriteMessage(pc, rsp, nil, 0)
}

// receive spools the data set to a Part 10 file and checks it. A non-nil
// error means the association failed; otherwise status says whether the
// object may be stored.
func (r *receiver) receive(ctx context.Context, a *dimse.Association, pc *dimse.PresentationContext, cmd *dimse.Command) (*ReceivedObject, uint16, string, error) {
	f, err := os.CreateTemp(r.spoolDir, spoolPattern())
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
	bw := bufio.NewWriterSize(f, 256<<10)
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
	case !validUID(cmd.AffectedSOPInstance):
		f.Close()
		return obj, dimse.StatusCannotUnderstand, "invalid Affected SOP Instance UID", nil
	}
	info, err := dimse.CheckDataSet(io.NewSectionReader(f, obj.metaLen, n), n, pc.TransferSyntax)
	f.Close()
	if err != nil {
		return obj, dimse.StatusCannotUnderstand, "data set does not parse", nil
	}
	if info.SOPClassUID != cmd.AffectedSOPClass || info.SOPInstanceUID != cmd.AffectedSOPInstance {
		return obj, dimse.StatusDataSetMismatch, "SOP class or instance differs from the command", nil
	}
	obj.StudyInstanceUID, obj.SeriesInstanceUID = info.StudyInstanceUID, info.SeriesInstanceUID
	return obj, dimse.StatusSuccess, "", nil
}
