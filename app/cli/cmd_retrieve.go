package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"sync"

	"discdesk/app/pacs"
	"discdesk/app/pacs/dicomweb"
)

// addRetrieve adds the file's commands to the command list (cli.go).
func addRetrieve(r registry) {
	r.add(&Command{
		Name:    "retrieve",
		Summary: "fetch a study from a PACS into the library (C-MOVE to our own SCP, or C-GET)",
		Usage:   "AE@HOST:PORT|DICOMWEB-BASE-URL STUDY-UID",
		Flags: func(fs *flag.FlagSet) func(context.Context, *Env, []string) error {
			sc := scuFlags(fs)
			method := fs.String("method", "move", "move (the PACS connects back to --port) or get (same association)")
			port := fs.Int("port", 11112, "port of our Storage SCP for C-MOVE; the PACS must know our AE title at this port")
			patient := fs.String("patient", "", "Patient ID (needed with --model patient)")
			model := fs.String("model", "study", "information model: study or patient")
			out := fs.String("out", "", "store the files in this folder instead of the library")
			return func(ctx context.Context, env *Env, args []string) error {
				if len(args) != 2 {
					return &ExitError{Code: 2, Err: errors.New("retrieve: want AE@HOST:PORT (or a DICOMweb base URL) and STUDY-UID")}
				}
				if dicomweb.IsURL(args[0]) {
					web, err := sc.web("retrieve", args[0])
					if err != nil {
						return err
					}
					sink, spool, err := pacsSink(env, *out)
					if err != nil {
						return err
					}
					res, err := web.RetrieveStudyInto(ctx, args[1], spool, sink)
					printRetrieved(env, res)
					return err
				}
				n, c, err := sc.node("retrieve", args[:1], 1)
				if err != nil {
					return err
				}
				studyUID := args[1]
				m := pacs.StudyRoot
				if *model == "patient" {
					m = pacs.PatientRoot
				}
				sink, spool, err := pacsSink(env, *out)
				if err != nil {
					return err
				}
				c.SpoolDir = spool
				var res pacs.RetrieveResult
				switch *method {
				case "get":
					res, err = c.GetStudy(ctx, n, m, *patient, studyUID, sink)
				case "move":
					res, err = moveToSelf(ctx, c, n, m, *patient, studyUID, *port, sink, spool)
				default:
					return &ExitError{Code: 2, Err: fmt.Errorf("retrieve: --method %q: want move or get", *method)}
				}
				printRetrieved(env, res)
				return err
			}
		},
	})
}

func printRetrieved(env *Env, res pacs.RetrieveResult) {
	fmt.Fprintf(env.Stdout, "retrieved %d instances, %d failed, %d warnings\n", res.Completed, res.Failed, res.Warning)
	for _, uid := range res.FailedInstances {
		fmt.Fprintf(env.Stdout, "failed: SOP Instance UID %s\n", uid)
	}
}

// moveToSelf runs our Storage SCP (accepting only the PACS's AE title) on
// port for the duration of a C-MOVE whose destination is our AE title.
func moveToSelf(ctx context.Context, c *pacs.Client, n pacs.Node, m pacs.Model, patientID, studyUID string, port int, sink pacs.Sink, spool string) (pacs.RetrieveResult, error) {
	// Remember what arrived, so that a move the PACS stops part-way is
	// finished instance by instance without sending anything twice.
	var mu sync.Mutex
	arrived := map[string]bool{}
	c.Have = func(uid string) bool { mu.Lock(); defer mu.Unlock(); return arrived[uid] }
	record := pacs.SinkFunc(func(ctx context.Context, obj *pacs.ReceivedObject) error {
		err := sink.Store(ctx, obj)
		if err == nil || errors.Is(err, pacs.ErrAlreadyHeld) {
			mu.Lock()
			arrived[obj.SOPInstanceUID] = true
			mu.Unlock()
		}
		return err
	})
	srv, err := pacs.NewServer(pacs.Config{AETitles: []string{c.AETitle}, Callers: []pacs.Caller{{AETitle: n.AETitle}}, SpoolDir: spool}, record)
	if err != nil {
		return pacs.RetrieveResult{}, err
	}
	ln, err := srv.Listen(netJoin("", port))
	if err != nil {
		return pacs.RetrieveResult{}, fmt.Errorf("retrieve: our Storage SCP (is `discdesk serve` or the desk already receiving on this port? then use it as the destination): %w", err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	res, err := c.MoveStudy(ctx, n, m, patientID, studyUID, c.AETitle)
	// The final C-MOVE response comes after the last sub-operation's
	// C-STORE response, so everything has been stored; close now.
	srv.Close()
	<-done
	return res, err
}
