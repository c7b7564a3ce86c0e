package desk

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"discdesk/app/cli"
	"discdesk/app/library"
	"discdesk/app/staff"
	"discdesk/app/store/storetest"
	"discdesk/burner/drive"
)

// fastPIN keeps argon2id cheap in tests.
var fastPIN = staff.WithParams(staff.Params{Time: 1, MemoryKiB: 256, Threads: 1})

// clock is a settable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type fixture struct {
	t      *testing.T
	d      *Desk
	svc    *Services
	win    fyne.Window
	dir    string
	clock  *clock
	opened []string // files the desk asked the system to open
	ui     *uiLoop
}

// uiLoop is the test's main loop: the desk's background work (the queue
// watcher, the kiosk's idle timer, the viewer's loader, finished copies)
// posts its UI work here, and the test goroutine runs it whenever it next
// looks at or touches the screen. Fyne's test driver would run it at once
// on the posting goroutine, beside the test's own layout and rendering,
// and Fyne's layout keeps global state (the stack of themes being
// rendered): a golden then came out half in the kiosk theme, or a theme
// popped by the other goroutine crashed the test.
type uiLoop struct {
	mu  sync.Mutex
	fns []func()
}

func (l *uiLoop) do(fn func()) {
	l.mu.Lock()
	l.fns = append(l.fns, fn)
	l.mu.Unlock()
}

// pump runs the UI work posted so far, and what that work posts.
func (l *uiLoop) pump() {
	for {
		l.mu.Lock()
		if len(l.fns) == 0 {
			l.mu.Unlock()
			return
		}
		fn := l.fns[0]
		l.fns = l.fns[1:]
		l.mu.Unlock()
		fn()
	}
}

// demoDir imports the demo library through `discdesk --demo` into a new
// data folder (this also tests the --demo flag) and returns it.
func demoDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	var out, errb bytes.Buffer
	if code := cli.Run(context.Background(), []string{"--data", dir, "--demo", "studies"}, &out, &errb); code != 0 {
		t.Fatalf("discdesk --demo studies: exit %d: %s", code, errb.String())
	}
	return dir
}

// newFixture opens a desk on the demo library with the Fyne test driver.
func newFixture(t *testing.T, demo bool) *fixture {
	t.Helper()
	dir := demoDir(t)
	db := storetest.MustOpen(t, dir)
	c := &clock{t: time.Now()}
	svc, err := openServices(db, nil, dir, demo, Options{StaffOptions: []staff.Option{fastPIN}, Now: c.now})
	if err != nil {
		t.Fatal(err)
	}
	svc.DetectDrives = func(context.Context) ([]drive.Info, error) { return nil, nil }
	f := &fixture{t: t, svc: svc, dir: dir, clock: c, ui: &uiLoop{}}
	svc.OpenFile = func(p string) error { f.opened = append(f.opened, p); return nil }
	svc.Capture = func() ([]image.Image, error) {
		img := image.NewRGBA(image.Rect(0, 0, 32, 32))
		img.Set(5, 5, color.White)
		return []image.Image{img}, nil
	}
	pin, err := svc.Prepare(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	a := test.NewTempApp(t)
	f.win = a.NewWindow("DiscDesk")
	f.win.Resize(fyne.NewSize(1200, 800))
	f.d = New(a, f.win, svc)
	f.d.uiDo = f.ui.do
	f.d.firstPIN = pin
	f.d.ShowSignIn()
	// No kiosk idle timer may outlive its test and redraw into the next
	// one (Fyne's test caches are global).
	t.Cleanup(func() {
		if k := f.d.kiosk; k != nil {
			k.stop()
		}
		svc.waitPrepared() // nothing writes into the data folder once it goes
	})
	return f
}

// w returns the named widget as T or fails.
func w[T fyne.CanvasObject](f *fixture, key string) T {
	f.t.Helper()
	f.ui.pump()
	o := f.d.Named(key)
	v, ok := o.(T)
	if !ok {
		f.t.Fatalf("widget %q is %T, want %T (names: %v)", key, o, v, f.d.NamedKeys(""))
	}
	return v
}

func (f *fixture) tap(key string)          { f.t.Helper(); test.Tap(w[*widget.Button](f, key)) }
func (f *fixture) typ(key, text string)    { f.t.Helper(); test.Type(w[*widget.Entry](f, key), text) }
func (f *fixture) label(key string) string { f.t.Helper(); return w[*widget.Label](f, key).Text }
func (f *fixture) choose(key, option string) {
	f.t.Helper()
	w[*widget.Select](f, key).SetSelected(option)
}

// signIn signs in as the demo member (or another active member).
func (f *fixture) signIn(nameText, pin string) {
	f.t.Helper()
	f.d.ShowSignIn()
	f.choose("signin.staff", nameText)
	f.typ("signin.pin", pin)
	f.tap("signin.submit")
	if f.d.User() == nil {
		f.t.Fatalf("sign-in as %s failed: %s", nameText, f.label("signin.msg"))
	}
}

// study returns the demo study of the patient ID.
func (f *fixture) study(pid string) library.Study {
	f.t.Helper()
	sts, err := f.svc.Lib.Search(library.Query{PatientID: pid})
	if err != nil || len(sts) != 1 {
		f.t.Fatalf("demo study of %s: %v %v", pid, sts, err)
	}
	return sts[0]
}

// runQueue runs the burn queue until the test ends.
func (f *fixture) runQueue() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { f.svc.RunQueue(ctx); close(done) }()
	f.t.Cleanup(func() { cancel(); <-done })
}

func fileMode(t *testing.T, p string) os.FileMode {
	t.Helper()
	st, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return st.Mode().Perm()
}

func isoFiles(t *testing.T, dir string) []string {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(dir, "iso", "*.iso"))
	return m
}
