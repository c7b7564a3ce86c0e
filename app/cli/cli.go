package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	bolt "go.etcd.io/bbolt"

	"discdesk/app/library"
	"discdesk/app/station"
	"discdesk/app/store"
	"discdesk/assets/demo"
	"discdesk/burner/drive"
)

// A Command is one verb of the discdesk command line.
type Command struct {
	Name    string // the verb, e.g. "import"; may contain a space for sub-verbs ("log verify")
	Summary string // one line for the command list
	Usage   string // arguments shown after the name in --help
	// Flags declares the command's flags on fs and returns the function that
	// runs it with the remaining arguments.
	Flags func(fs *flag.FlagSet) func(ctx context.Context, env *Env, args []string) error
}

// A registry is the command list by name.
type registry map[string]*Command

// add adds a command; a name given twice is a programming error.
func (r registry) add(c *Command) {
	if _, dup := r[c.Name]; dup {
		panic("cli: command listed twice: " + c.Name)
	}
	r[c.Name] = c
}

// commandList is the explicit list of discdesk's commands: the commands
// built by a constructor (an options struct and a named run function,
// restic's shape), then the files that add a group of commands.
func commandList() registry {
	r := registry{}
	for _, c := range []*Command{newBurnCommand(), newDiscCommand(), newCopyCommand(), newHandoffCommand(), newConfigCommand()} {
		r.add(c)
	}
	for _, add := range []func(registry){addDb, addDrives, addEcho, addFeecaps, addFind, addImport, addLog, addOffers,
		addPayment, addReconcile, addRender, addRequest, addRetrieve, addServe, addStudies, addVerify} {
		add(r)
	}
	return r
}

// GUIFunc is what `discdesk` with no verb runs: the desk window (main wires
// desk.Run in; a build without it says so).
type GUIFunc func(ctx context.Context, env *Env, args []string) error

// ExitError carries a process exit code other than 1.
type ExitError struct {
	Code int
	Err  error // may be nil when the output already said everything
}

func (e *ExitError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit status %d", e.Code)
	}
	return e.Err.Error()
}

func (e *ExitError) Unwrap() error { return e.Err }

// Env is what every command gets: output streams and the data folder, with the
// store opened on first use.
type Env struct {
	Stdout, Stderr io.Writer
	DataFlag       string // --data value ("" = default)
	Demo           bool   // --demo: the built-in demo library (see prepareDemo)
	// The facility database (--db, --db-password-file, --db-ca-file; else
	// $DISCDESK_DB..., else <data>/facility.json; none: the desk's own store).
	DBFlag, DBPasswordFile, DBCAFile string

	db      *bolt.DB
	dataDir string
	lib     *library.Library
	st      *station.Station
	fac     *deskFacility // the facility this desk is one of, when configured
}

// DataDir returns the resolved data folder.
func (e *Env) DataDir() (string, error) {
	if e.dataDir == "" {
		d, err := store.DataDir(e.DataFlag)
		if err != nil {
			return "", err
		}
		e.dataDir = d
	}
	return e.dataDir, nil
}

// DB opens the store on first call.
func (e *Env) DB() (*bolt.DB, error) {
	if e.db != nil {
		return e.db, nil
	}
	dir, err := e.DataDir()
	if err != nil {
		return nil, err
	}
	db, err := store.Open(dir)
	if err != nil {
		return nil, err
	}
	if err := e.openFacility(db, dir); err != nil {
		db.Close()
		return nil, err
	}
	e.db = db
	// With the store's lock held no other process of this data folder is
	// burning: stage in its private staging folder and remove what a killed
	// burn left there (a DICOMDIR and README name the patient).
	if n, err := drive.UseStagingIn(dir); err != nil {
		e.errorf("staging folder: %v", err)
	} else if n > 0 {
		e.errorf("removed %d staging folder(s) a stopped burn left behind", n)
	}
	return db, nil
}

// errorf notes a problem on standard error, when there is one.
func (e *Env) errorf(format string, args ...any) {
	if e.Stderr != nil {
		fmt.Fprintf(e.Stderr, "discdesk: "+format+"\n", args...)
	}
}

// Close releases the store if it was opened.
func (e *Env) Close() error {
	if e.st != nil {
		e.st.Close()
		e.st = nil
	}
	if e.db == nil {
		return nil
	}
	e.closeFacility()
	err := e.db.Close()
	e.db = nil
	e.lib = nil
	return err
}

// Run parses args (without the program name) and runs the chosen command,
// with no GUI. It returns the process exit code.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return runMain(ctx, nil, args, stdout, stderr)
}

func runMain(ctx context.Context, gui GUIFunc, args []string, stdout, stderr io.Writer) int {
	env := &Env{Stdout: stdout, Stderr: stderr}
	cmds := commandList()
	defer env.Close()

	// Global flags before the verb.
	global := flag.NewFlagSet("discdesk", flag.ContinueOnError)
	global.SetOutput(stderr)
	global.StringVar(&env.DataFlag, "data", "", "data folder (default $DISCDESK_DATA, else the user config folder + DiscDesk)")
	global.BoolVar(&env.Demo, "demo", false, "use the built-in demo library (data folder <user cache folder>/DiscDesk-demo unless --data is given)")
	facilityFlags(global, env)
	global.Usage = func() { usage(stderr, cmds) }
	if err := global.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	rest := global.Args()
	if len(rest) == 0 || strings.HasPrefix(rest[0], "-") {
		if gui == nil {
			fmt.Fprintln(stderr, "discdesk: this build has no desk GUI")
			return 1
		}
		if err := prepareDemo(ctx, env); err != nil {
			return exitCode(stderr, err)
		}
		return exitCode(stderr, gui(ctx, env, rest))
	}
	if rest[0] == "help" {
		usage(stdout, cmds)
		return 0
	}
	cmd, n := cmds.lookup(rest)
	if cmd == nil {
		fmt.Fprintf(stderr, "discdesk: unknown command %q (see discdesk --help)\n", strings.Join(rest, " "))
		return 2
	}
	fs := flag.NewFlagSet("discdesk "+cmd.Name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&env.DataFlag, "data", env.DataFlag, "data folder")
	run := cmd.Flags(fs)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: discdesk %s [flags] %s\n\n%s\n\nflags:\n", cmd.Name, cmd.Usage, cmd.Summary)
		fs.PrintDefaults()
	}
	if err := fs.Parse(interleave(fs, rest[n:])); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if err := prepareDemo(ctx, env); err != nil {
		return exitCode(stderr, err)
	}
	return exitCode(stderr, run(ctx, env, fs.Args()))
}

// prepareDemo, for --demo, points the data folder at <user cache
// folder>/DiscDesk-demo unless --data was given and, the first time, writes
// the demo files into <data>/demo-source and imports them into the library.
// A marker file records that the import finished, so an interrupted first
// run imports again (imports are idempotent).
func prepareDemo(ctx context.Context, env *Env) error {
	if !env.Demo {
		return nil
	}
	if env.DataFlag == "" {
		cache, err := os.UserCacheDir()
		if err != nil {
			return fmt.Errorf("demo: no cache folder for the demo data: %w", err)
		}
		env.DataFlag = filepath.Join(cache, "DiscDesk-demo")
	}
	dir, err := env.DataDir()
	if err != nil {
		return err
	}
	src := filepath.Join(dir, "demo-source")
	marker := filepath.Join(src, ".imported")
	if _, err := os.Stat(marker); err == nil {
		return nil
	}
	if _, err := demo.Write(src); err != nil {
		return fmt.Errorf("demo: write %s: %w", src, err)
	}
	lib, err := env.Library()
	if err != nil {
		return err
	}
	if _, err := lib.Import(ctx, []string{src}, library.Options{}); err != nil {
		return fmt.Errorf("demo: import %s: %w", src, err)
	}
	if err := os.WriteFile(marker, []byte("imported\n"), 0o600); err != nil {
		return fmt.Errorf("demo: write %s: %w", marker, err)
	}
	return nil
}

// interleave moves flags that follow positional arguments in front of them,
// so `discdesk import DIR --json` works like `discdesk import --json DIR`.
func interleave(fs *flag.FlagSet, args []string) []string {
	var flags, pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			pos = append(pos, args[i+1:]...)
			break
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			pos = append(pos, a)
			continue
		}
		flags = append(flags, a)
		name := strings.TrimLeft(a, "-")
		if strings.Contains(name, "=") {
			continue
		}
		f := fs.Lookup(name)
		if f == nil {
			continue
		}
		if bf, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && bf.IsBoolFlag() {
			continue
		}
		if i+1 < len(args) {
			flags = append(flags, args[i+1])
			i++
		}
	}
	return append(flags, append([]string{"--"}, pos...)...)
}

func (r registry) lookup(args []string) (*Command, int) {
	if len(args) >= 2 {
		if c, ok := r[args[0]+" "+args[1]]; ok {
			return c, 2
		}
	}
	if c, ok := r[args[0]]; ok {
		return c, 1
	}
	return nil, 0
}

func exitCode(stderr io.Writer, err error) int {
	if err == nil {
		return 0
	}
	var ee *ExitError
	if errors.As(err, &ee) {
		if ee.Err != nil {
			fmt.Fprintf(stderr, "discdesk: %v\n", ee.Err)
		}
		return ee.Code
	}
	fmt.Fprintf(stderr, "discdesk: %v\n", err)
	return 1
}

func usage(w io.Writer, cmds registry) {
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Fprintln(w, "usage: discdesk [--data DIR] [--demo] [--db URL [--db-password-file FILE] [--db-ca-file FILE]] [COMMAND [flags] [args]]")
	fmt.Fprintln(w, "\nWith no command, discdesk opens the desk window.")
	fmt.Fprintln(w, "\ncommands:")
	for _, n := range names {
		fmt.Fprintf(w, "  %-16s %s\n", n, cmds[n].Summary)
	}
	fmt.Fprintln(w, "\nRun `discdesk COMMAND --help` for a command's flags.")
}

// Main is the whole of the program's main: it runs the command line, with
// gui as the desk window, and exits.
func Main(gui GUIFunc) {
	os.Exit(runMain(context.Background(), gui, os.Args[1:], os.Stdout, os.Stderr))
}
