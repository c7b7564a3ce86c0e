package desk

import (
	"context"
	"fmt"
	"net"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/widget"

	"discdesk/app/burnqueue"
	"discdesk/app/handoff"
	"discdesk/app/library"
	"discdesk/app/pacs/pacstest"
	"discdesk/app/staff"
	"discdesk/internal/corpus"
)

// mainLoop hands the desk's background UI work over one piece at a time:
// the poster waits until the test takes it (a step the test holds back).
type mainLoop chan func()

func (m mainLoop) do(fn func()) { m <- fn }

// pump runs the UI work posted so far.
func (m mainLoop) pump() {
	for {
		select {
		case fn := <-m:
			fn()
		default:
			return
		}
	}
}

// The receiver is off until a supervisor turns it on in Settings; then a
// modality's storescu sends a study to DISCDESK_BURN: it appears in the
// studies list, is queued for a same-day pickup disc once complete (the
// quiet time), the queue burns a verified ISO and the handoff log records
// it. Quitting stops the receiver and frees its port.
func TestDeskReceivesFromPACSAndAutoBurns(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(corpus.Dir(t), "mr_series", "dcm4che_mr16", "*.dcm"))
	if err != nil || len(files) < 3 {
		t.Fatalf("mr study: %v", err)
	}
	sort.Strings(files)
	files = files[:3]
	f := newFixture(t, true)
	f.svc.ReceiveHost = "127.0.0.1"
	ctx, cancel := context.WithCancel(context.Background())
	f.d.StartReceiving(ctx)
	t.Cleanup(func() { cancel(); f.svc.StopReceiver() })
	if f.svc.ReceiverAddr() != nil || !strings.Contains(f.svc.ReceiverStatus(), "off in the settings") {
		t.Fatalf("receiver runs by default: %q", f.svc.ReceiverStatus())
	}
	f.signIn(staff.DemoName, staff.DemoPIN)
	f.d.selectTab("Settings")
	if got := f.label("settings.receive.status"); !strings.Contains(got, "Not receiving") {
		t.Errorf("settings status %q", got)
	}
	if w[*widget.Entry](f, "settings.receive.burnae").Text != "DISCDESK_BURN" || w[*widget.Check](f, "settings.receive.enabled").Checked {
		t.Errorf("receive defaults not shown")
	}
	// On without a PACS node: refused in plain words, nothing listens.
	w[*widget.Check](f, "settings.receive.enabled").SetChecked(true)
	w[*widget.Entry](f, "settings.receive.port").SetText("0")
	w[*widget.Entry](f, "settings.receive.quiet").SetText("1")
	f.tap("settings.save")
	if got := f.label("settings.msg"); !strings.Contains(got, "No PACS nodes are configured") || f.svc.ReceiverAddr() != nil {
		t.Fatalf("on without nodes: %q", got)
	}
	w[*widget.Entry](f, "settings.nodes").SetText("mri STORESCU 127.0.0.1:104")
	f.tap("settings.save")
	if got := f.label("settings.msg"); !strings.Contains(got, "Receiving on port") || !strings.Contains(got, "DISCDESK_BURN") {
		t.Fatalf("save: %q", got)
	}
	addr := f.svc.ReceiverAddr().(*net.TCPAddr)
	if !addr.IP.IsLoopback() || addr.Port == 0 {
		t.Fatalf("listening on %v", addr)
	}
	if got := f.label("settings.receive.status"); !strings.Contains(got, fmt.Sprint(addr.Port)) {
		t.Errorf("settings status %q", got)
	}
	f.d.selectTab("Studies")
	before := len(f.d.NamedKeys("study.card."))

	args := append([]string{"-aet", "STORESCU", "-aec", "DISCDESK_BURN", "127.0.0.1", fmt.Sprint(addr.Port)}, files...)
	if out, err := pacstest.Tool(t, 30*time.Second, "storescu", args...); err != nil {
		t.Fatalf("storescu: %v\n%s", err, out)
	}
	sts, err := f.svc.Lib.Search(library.Query{PatientID: "583295"})
	if err != nil || len(sts) != 1 || sts[0].InstanceCount != len(files) {
		t.Fatalf("library after storescu: %+v, %v", sts, err)
	}
	uid := sts[0].UID
	f.waitFor("the received study in the studies list", func() bool { return f.d.Named("study.card."+uid) != nil })
	if n := len(f.d.NamedKeys("study.card.")); n != before+1 {
		t.Errorf("%d study cards, want %d", n, before+1)
	}
	var job burnqueue.Job
	f.waitFor("the auto-burn job", func() bool {
		jobs, _ := f.svc.Queue.List()
		for _, j := range jobs {
			if len(j.StudyUIDs) == 1 && j.StudyUIDs[0] == uid {
				job = j
				return true
			}
		}
		return false
	})
	r, err := f.svc.Handoff.Request(job.RequestID)
	if err != nil || r.Delivery != handoff.DeliveryPickup || r.Urgency != handoff.UrgencySameDay || !strings.Contains(r.Identity.Method, "STORESCU") {
		t.Fatalf("request %+v, %v", r, err)
	}
	f.waitFor("the notice", func() bool {
		l, _ := f.d.Named("main.notice").(*widget.Label)
		return l != nil && strings.Contains(l.Text, "queued automatically") && strings.Contains(l.Text, staff.RequestCode(r.ID))
	})

	f.runQueue()
	f.waitFor("a verified ISO", func() bool {
		j, err := f.svc.Queue.Get(job.ID)
		return err == nil && j.State == burnqueue.Done
	})
	j, _ := f.svc.Queue.Get(job.ID)
	if len(j.Discs) != 1 || !j.Discs[0].Verified() || !strings.HasPrefix(j.Drive, "iso:"+filepath.Join(f.dir, "iso")) || len(isoFiles(t, f.dir)) != 1 {
		t.Fatalf("job %+v, isos %v", j, isoFiles(t, f.dir))
	}
	f.waitFor("the burn in the handoff log", func() bool {
		r, err := f.svc.Handoff.Request(job.RequestID)
		return err == nil && len(r.Discs) == 1 && r.Discs[0].Verified && r.Discs[0].UUID == j.Discs[0].UUID.String()
	})

	cancel()
	f.svc.StopReceiver()
	f.ui.pump()
	if f.svc.ReceiverAddr() != nil {
		t.Error("receiver still listed after stop")
	}
	ln, err := net.Listen("tcp", addr.String())
	if err != nil {
		t.Fatalf("port still taken after quit: %v", err)
	}
	ln.Close()
}
