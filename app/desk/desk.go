package desk

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"discdesk/app/cli"
	"discdesk/app/facility"
	"discdesk/app/handoff"
	"discdesk/app/intake"
	"discdesk/app/staff"
)

// Run opens the desk window on the data folder of env and blocks until it
// is closed. The burn queue runs in-process while the window is open.
func Run(ctx context.Context, env *cli.Env, args []string) error {
	if os.Getenv("LANG") == "" || os.Getenv("LANG") == "C" {
		os.Setenv("LANG", "en_US.UTF-8") // Fyne cannot parse the C locale
	}
	db, err := env.DB()
	if err != nil {
		return err
	}
	lib, err := env.Library()
	if err != nil {
		return err
	}
	dir, err := env.DataDir()
	if err != nil {
		return err
	}
	svc, err := openServices(db, lib, dir, env.Demo, Options{})
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	pin, err := svc.Prepare(ctx)
	if err != nil {
		return err
	}
	a := fyneapp.NewWithID("org.discdesk.desk")
	w := a.NewWindow("DiscDesk")
	sizeWindow(a, w)
	d := New(a, w, svc)
	d.firstPIN = pin
	if box, err := env.Facility(); err == nil && box != nil {
		go watchFacility(ctx, env, box, w, fyne.Do, svc.Logger.Printf)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := svc.RunQueue(ctx); err != nil {
			svc.Logger.Printf("burn queue stopped: %v", err)
		}
	}()
	go d.watchQueue(ctx)
	d.StartReceiving(ctx)
	// A command started beside the desk (retrieve) asks it to do the work.
	ctl, err := cli.StartControl(env, func() string {
		if svc.ReceiverAddr() == nil {
			return ""
		}
		cur, _ := svc.Settings.Get()
		return cur.LocalAE
	})
	if err != nil {
		svc.Logger.Printf("control socket: %v", err)
	} else {
		defer ctl.Close()
	}
	if script := os.Getenv(e2eEnv); script != "" {
		go d.runE2E(ctx, script, env.Stdout)
	}
	d.ShowSignIn()
	w.ShowAndRun()
	cancel()
	svc.StopReceiver()
	wg.Wait()
	return nil
}

// facilitySync is how often a desk of a facility sends what it kept, takes
// the shared settings and records which studies its library holds.
const facilitySync = 30 * time.Second

// facilityHealthEvery is how often the desk asks whether the facility
// database answers (tests shorten it).
var facilityHealthEvery = 5 * time.Second

// watchFacility keeps a desk of a facility in step with its database
// (cli.Env.SyncFacility) and says in the window title as soon as the
// database stops answering, and when it answers again. do carries the
// title to the UI goroutine (fyne.Do).
func watchFacility(ctx context.Context, env *cli.Env, box *facility.Outbox, w fyne.Window, do func(func()), logf func(string, ...any)) {
	show := func(st facility.State) {
		t := "DiscDesk"
		if !st.Reachable {
			t = fmt.Sprintf("DiscDesk — the facility database is unreachable; %d action(s) kept at this desk", st.Pending)
			logf("facility database unreachable: %s", st.Problem)
		} else {
			logf("facility database answers again")
		}
		do(func() { w.SetTitle(t) })
	}
	if st := box.State(); !st.Reachable {
		show(st)
	}
	watched := make(chan struct{})
	go func() { defer close(watched); box.Run(ctx, facilityHealthEvery, show) }()
	tick := time.NewTicker(facilitySync)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			<-watched // nothing is shown or logged once the desk stops
			return
		case <-tick.C:
		}
		if err := env.SyncFacility(ctx); err != nil {
			logf("facility: %v", err)
		}
	}
}

// Desk is the desk window and its state: who is signed in and which screen
// shows. Screens are built by its show* methods and call Services.
type Desk struct {
	app fyne.App
	win fyne.Window
	svc *Services

	user     *staff.Member
	firstPIN string // the first supervisor's PIN, shown once on the sign-in screen

	mu    sync.Mutex
	named map[string]fyne.CanvasObject // widgets by name, for tests and the e2e hook

	tabs     *container.AppTabs
	studies  *studiesScreen
	queue    *queueScreen
	requests *requestsScreen
	kiosk    *kioskScreen

	kioskIdle time.Duration // overrides the settings' idle timeout (tests)
	quiet     time.Duration // no new object for this long: the study is complete
	arrived   chan struct{} // signalled (coalesced) when the receiver stored an object
	// uiDo runs UI work from background goroutines (fyne.Do; tests run it
	// on the test goroutine, as the real driver does on the main one).
	uiDo func(func())
}

// New returns a desk showing nothing yet; call ShowSignIn.
func New(a fyne.App, w fyne.Window, svc *Services) *Desk {
	d := &Desk{app: a, win: w, svc: svc, named: map[string]fyne.CanvasObject{}, quiet: defaultQuiet, arrived: make(chan struct{}, 1), uiDo: fyne.Do}
	if svc.OpenFile == nil {
		svc.OpenFile = func(p string) error { return a.OpenURL(&url.URL{Scheme: "file", Path: p}) }
	}
	return d
}

// name registers a widget under a stable name and returns it.
func name[T fyne.CanvasObject](d *Desk, key string, o T) T {
	d.mu.Lock()
	d.named[key] = o
	d.mu.Unlock()
	return o
}

// Named returns the widget registered under key on the current screens.
func (d *Desk) Named(key string) fyne.CanvasObject {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.named[key]
}

// NamedKeys lists the registered names with a prefix (tests).
func (d *Desk) NamedKeys(prefix string) []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []string
	for k := range d.named {
		if strings.HasPrefix(k, prefix) {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

func (d *Desk) forget(prefix string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for k := range d.named {
		if strings.HasPrefix(k, prefix) {
			delete(d.named, k)
		}
	}
}

// User is the signed-in staff member (nil when signed out or in the kiosk).
func (d *Desk) User() *staff.Member { return d.user }

// Window is the desk window.
func (d *Desk) Window() fyne.Window { return d.win }

// ShowMain shows the staff screens in tabs.
func (d *Desk) ShowMain() {
	d.forget("")
	u := d.user
	cur, _ := d.svc.Settings.Get()
	title := widget.NewLabelWithStyle(cur.Facility.Name, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	who := name(d, "main.user", widget.NewLabel(fmt.Sprintf("Signed in: %s (%s)", u.Name, u.Role.Label())))
	signOut := name(d, "main.signout", widget.NewButton("Sign out", func() { d.user = nil; d.ShowSignIn() }))
	kiosk := name(d, "main.kiosk", widget.NewButton("Kiosk mode", func() { d.EnterKiosk() }))
	problem := name(d, "main.problem", widget.NewButton("Report a problem", func() { d.showProblem() }))
	if !u.Role.Can(staff.ActionKiosk) {
		kiosk.Disable()
	}
	top := container.NewHBox(title, widget.NewSeparator(), who, layoutSpacer(), kiosk, problem, signOut)

	d.studies = newStudiesScreen(d)
	d.queue = newQueueScreen(d)
	d.requests = newRequestsScreen(d)
	items := []*container.TabItem{
		container.NewTabItem("Studies", d.studies.content),
		container.NewTabItem("Burn queue", d.queue.content),
		container.NewTabItem("Requests", d.requests.content),
	}
	items = append(items, d.accessTabs()...) // offers, outside discs (offers.go)
	items = append(items, d.pacsTabs()...)   // search and retrieve from PACS (pacsscreen.go)
	if u.Role.Can(staff.ActionSettings) {
		items = append(items, container.NewTabItem("Settings", newSettingsScreen(d).content))
	}
	d.tabs = name(d, "main.tabs", container.NewAppTabs(items...))
	d.tabs.OnSelected = func(t *container.TabItem) {
		switch t.Text {
		case "Burn queue":
			d.queue.refresh()
		case "Requests":
			d.requests.refresh()
		}
	}
	notice := name(d, "main.notice", widget.NewLabel(""))
	d.win.SetContent(container.NewBorder(container.NewPadded(top), notice, nil, nil, d.tabs))
}

// selectTab switches to the tab with the title.
func (d *Desk) selectTab(title string) {
	if d.tabs == nil {
		return
	}
	for _, it := range d.tabs.Items {
		if it.Text == title {
			d.tabs.Select(it)
			return
		}
	}
}

func layoutSpacer() fyne.CanvasObject { return widget.NewLabel("") }

// fieldLabels names request fields as the form labels them.
var fieldLabels = map[string]string{
	"patient.name": "the patient's name", "patient.birth_date": "the birth date", "patient.id": "the patient ID",
	"requester.name": "the requester's name", "requester.relationship": "the relationship", "requester.organization": "the organization",
	"identity.method": "the identity check", "identity.checked_by": "who checked identity", "address": "the mailing address",
	"to": "who received the disc", "identity_check": "the identity check at pickup", "carrier": "the carrier",
	"confirmed_by": "who confirmed receipt", "how": "how the patient was told", "copies": "the number of copies",
}

// plain turns an error into a sentence for staff.
func plain(err error) string {
	if err == nil {
		return ""
	}
	var fe *handoff.FieldError
	if errors.As(err, &fe) {
		label := fieldLabels[fe.Field]
		if label == "" {
			if l, ok := fieldLabels[strings.SplitN(fe.Field, ".", 2)[0]]; ok {
				label = l
			} else {
				label = strings.ReplaceAll(fe.Field, "_", " ")
			}
		}
		if errors.Is(fe.Err, handoff.ErrMissing) {
			return "Please fill in " + label + "."
		}
		if fe.Msg != "" {
			return "Check " + label + ": " + fe.Msg + "."
		}
		return "Check " + label + ": " + fe.Err.Error() + "."
	}
	s := err.Error()
	for _, p := range []string{"staff: sign in: ", "staff: ", "settings: save: ", "handoff: new request: ", "desk: ", "burnqueue: "} {
		s = strings.TrimPrefix(s, p)
	}
	if s != "" {
		s = strings.ToUpper(s[:1]) + s[1:]
	}
	return s
}

// StartReceiving starts the DICOM receiver when the settings enable it,
// until ctx ends: received studies appear in the studies list, and a study
// queued for a disc by auto-burn is announced in the status line. A
// receiver that cannot start leaves the desk working; the settings screen
// says why.
func (d *Desk) StartReceiving(ctx context.Context) {
	d.svc.StartReceiver(ctx, ReceiveHooks{
		Stored: func(string) {
			select {
			case d.arrived <- struct{}{}:
			default:
			}
		},
		Queued: func(q intake.Queued) {
			why := "the study arrived complete"
			if q.Fallback != "" {
				// The PACS's count was not had: say so, the disc may lack images.
				why = q.Fallback + "; check that every image is on it"
			}
			text := "A disc was queued automatically (" + why + ", but no request could be made: " + plain(q.Problem) + ")."
			if q.Request != nil {
				text = fmt.Sprintf("Disc queued automatically for %s (request %s): %s.", PersonName(q.Request.Patient.Name), staff.RequestCode(q.Request.ID), why)
			}
			d.uiDo(func() {
				if d.user == nil {
					return // signed out or kiosk: no patient names on screen
				}
				d.notify(text)
				if d.queue != nil {
					d.queue.refresh()
				}
			})
		},
		Problem: func(_ string, err error) {
			text := "A study sent for auto-burn arrived complete but could not be queued: " + plain(err)
			d.uiDo(func() {
				if d.user != nil {
					d.notify(text)
				}
			})
		},
	})
	go d.watchArrivals(ctx)
}

// arrivalSettle lets a burst of received objects land before the studies
// list is redrawn once.
const arrivalSettle = 250 * time.Millisecond

// watchArrivals refreshes the studies list after objects arrive.
func (d *Desk) watchArrivals(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-d.arrived:
		}
		t := time.NewTimer(arrivalSettle)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		d.uiDo(func() {
			if d.studies != nil && d.user != nil {
				d.studies.refresh()
			}
		})
	}
}
