package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"discdesk/app/control"
	"discdesk/app/store"

	"discdesk/app/pacs"
	"discdesk/app/pacs/dicomweb"
	"discdesk/app/retrieve"
)

// addRetrieve adds the file's commands to the command list (cli.go).
func addRetrieve(r registry) {
	r.add(&Command{
		Name:    "retrieve",
		Summary: "fetch a study from a PACS into the library (C-MOVE to our own SCP, or C-GET)",
		Usage:   "AE@HOST:PORT|DICOMWEB-BASE-URL|NODE-NAME STUDY-UID",
		Flags: func(fs *flag.FlagSet) func(context.Context, *Env, []string) error {
			sc := scuFlags(fs)
			method := fs.String("method", "move", "move (the PACS connects back to --port) or get (same association)")
			port := fs.Int("port", 11112, "port of our Storage SCP for C-MOVE; the PACS must know our AE title at this port")
			patient := fs.String("patient", "", "Patient ID (needed with --model patient)")
			model := fs.String("model", "study", "information model: study or patient")
			out := fs.String("out", "", "store the files in this folder instead of the library")
			return func(ctx context.Context, env *Env, args []string) error {
				if len(args) != 2 {
					return &ExitError{Code: 2, Err: errors.New("retrieve: want a NODE (AE@HOST:PORT, a DICOMweb base URL or a PACS node's name) and STUDY-UID")}
				}
				o := retrieveOptions{AE: *sc.ae, TLSCA: *sc.tlsCA, User: *sc.user, Charset: *sc.charset, Method: *method, Port: *port,
					Patient: *patient, Model: *model, Out: *out, Node: args[0], Study: args[1]}
				return runRetrieve(ctx, env, o)
			}
		},
	})
}

// retrieveOptions are retrieve's flags and arguments: all a running desk
// or serve needs to do the same retrieve when it owns the library.
type retrieveOptions struct {
	AE, TLSCA, User, Charset string
	Method                   string
	Port                     int
	Patient, Model, Out      string
	Node, Study              string
	// Password and Token are the DICOMweb credentials from the caller's
	// environment, handed over the owner-only control socket.
	Password, Token string `json:",omitempty"`
	// MoveTo is the AE title of the owning process's own receiver: a
	// C-MOVE names it as the destination instead of starting a second
	// Storage SCP (set by the control handler, never from the command line).
	MoveTo string `json:"-"`
}

// runRetrieve retrieves a study into the library (or o.Out). When the
// library is owned by a running desk or serve, it asks that process over
// the control socket (package control) to do it and prints its output.
func runRetrieve(ctx context.Context, env *Env, o retrieveOptions) error {
	if o.Out == "" && o.MoveTo == "" {
		if _, err := env.DB(); errors.Is(err, store.ErrInUse) {
			dir, derr := env.DataDir()
			if derr != nil {
				return derr
			}
			o.Password, o.Token = os.Getenv(dicomweb.EnvPassword), os.Getenv(dicomweb.EnvToken)
			fmt.Fprintln(env.Stderr, "retrieve: the library is in use by the running DiscDesk process; it does the retrieve")
			err := control.Call(ctx, dir, opRetrieve, o, env.Stdout)
			if errors.Is(err, control.ErrNoServer) {
				return fmt.Errorf("retrieve: %w, and it does not answer on its control socket", store.ErrInUse)
			}
			return err
		}
	}
	sc := &scu{ae: &o.AE, tlsCA: &o.TLSCA, user: &o.User, charset: &o.Charset}
	getenv := os.Getenv
	if o.Password != "" || o.Token != "" { // the caller's, over the control socket
		getenv = func(k string) string {
			switch k {
			case dicomweb.EnvPassword:
				return o.Password
			case dicomweb.EnvToken:
				return o.Token
			}
			return ""
		}
	}
	if o.Method != "move" && o.Method != "get" {
		return &ExitError{Code: 2, Err: fmt.Errorf("retrieve: --method %q: want move or get", o.Method)}
	}
	r, c, err := sc.remote(env, "retrieve", o.Node, getenv)
	if err != nil {
		return err
	}
	node := &retrieve.Node{Remote: r, SCU: c, Model: pacs.StudyRoot}
	if o.Model == "patient" {
		node.Model = pacs.PatientRoot
	}
	into, err := retrieveInto(env, o.Out)
	if err != nil {
		return err
	}
	res, err := node.Retrieve(ctx, o.Study, into, retrieve.Options{Method: o.Method, MoveTo: o.MoveTo, Port: o.Port, PatientID: o.Patient})
	printRetrieved(env, res.PACS)
	return err
}

// retrieveInto is where retrieve stores: the folder out, or the library of
// the data folder.
func retrieveInto(env *Env, out string) (retrieve.Into, error) {
	if out != "" {
		return retrieve.Folder(out)
	}
	lib, err := env.Library()
	if err != nil {
		return retrieve.Into{}, err
	}
	dir, err := env.DataDir()
	if err != nil {
		return retrieve.Into{}, err
	}
	return retrieve.Library(lib, dir), nil
}

// opRetrieve is the control socket's operation name for retrieve.
const opRetrieve = "retrieve"

// ControlOps are the operations a process owning the store (the desk, or
// serve) answers on its control socket for commands started beside it.
// moveTo names the AE title of the process's running receiver ("" when it
// receives nothing: a C-MOVE then starts its own Storage SCP on the port
// the command gave).
func ControlOps(env *Env, moveTo func() string) map[string]control.Handler {
	return map[string]control.Handler{
		opRetrieve: func(ctx context.Context, args json.RawMessage, out io.Writer) error {
			var o retrieveOptions
			if err := json.Unmarshal(args, &o); err != nil {
				return fmt.Errorf("retrieve: %w", err)
			}
			if o.Out != "" {
				return errors.New("retrieve: --out runs in the command itself, not in the running process")
			}
			o.MoveTo = moveTo() // "": moveToSelf on the port the command gave
			sub := *env
			sub.Stdout, sub.Stderr = out, out
			return runRetrieve(ctx, &sub, o)
		},
	}
}

// StartControl opens the control socket of the data folder for a process
// that owns the store; the caller closes it when the process stops.
func StartControl(env *Env, moveTo func() string) (*control.Server, error) {
	dir, err := env.DataDir()
	if err != nil {
		return nil, err
	}
	// Opened now, so the handlers' copies of env share this library.
	if _, err := env.Library(); err != nil {
		return nil, err
	}
	return control.Listen(dir, ControlOps(env, moveTo))
}

func printRetrieved(env *Env, res pacs.RetrieveResult) {
	fmt.Fprintf(env.Stdout, "retrieved %d instances, %d failed, %d warnings\n", res.Completed, res.Failed, res.Warning)
	for _, uid := range res.FailedInstances {
		fmt.Fprintf(env.Stdout, "failed: SOP Instance UID %s\n", uid)
	}
}
