package desk

import (
	"context"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/data/binding"
	"fyne.io/fyne/v2/widget"
	"github.com/google/uuid"

	"discdesk/app/burnqueue"
	"discdesk/app/staff"
)

// queueScreen shows one row per burn job: progress bar, phase, drive,
// cancel and retry, and a failure in plain words with what to do next.
type queueScreen struct {
	d       *Desk
	content *fyne.Container
	rows    *fyne.Container
	empty   *widget.Label
	// Each row's progress and phase are bound: while the same jobs stand
	// in the same states, a refresh only sets the bindings (the rows, and
	// a clerk's place in them, stay); shape is what rebuilds them.
	live  map[uuid.UUID]jobLive
	shape string
}

// jobLive is the bound data of one job row.
type jobLive struct {
	progress binding.Float
	phase    binding.String
}

func newQueueScreen(d *Desk) *queueScreen {
	q := &queueScreen{d: d, rows: container.NewVBox()}
	q.empty = name(d, "queue.empty", widget.NewLabel("No burn jobs yet."))
	q.content = container.NewBorder(widget.NewLabelWithStyle("Burn queue", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		nil, nil, nil, container.NewVScroll(container.NewVBox(q.empty, q.rows)))
	q.refresh()
	return q
}

// phaseText is a job's state and phase for people.
func phaseText(j burnqueue.Job, ev burnqueue.Event, has bool) string {
	switch {
	case j.State == burnqueue.Done:
		return "Done: every disc written and verified"
	case j.State == burnqueue.Failed:
		return "Failed"
	case j.Held:
		return "Waiting for you"
	case j.State == burnqueue.Queued:
		return "Waiting for the drive"
	case has && ev.Progress.Phase != "":
		return fmt.Sprintf("Disc %d of %d: %s", max(ev.Disc.Index, 1), max(ev.Disc.Of, 1), ev.Progress.Phase)
	}
	return string(j.State)
}

// progressOf is a job's progress from 0 to 1.
func progressOf(j burnqueue.Job, ev burnqueue.Event, has bool) float64 {
	switch {
	case j.State == burnqueue.Done:
		return 1
	case has && ev.Progress.Total > 0:
		return float64(ev.Progress.Done) / float64(ev.Progress.Total)
	}
	return 0
}

func (q *queueScreen) refresh() {
	d := q.d
	jobs, err := d.svc.Queue.List()
	if err == nil {
		shape := ""
		for _, j := range jobs {
			shape += fmt.Sprintf("%s %s %v %q %d|", j.ID, j.State, j.Held, j.LastError, len(j.Discs))
		}
		if shape == q.shape && q.live != nil {
			for _, j := range jobs {
				if l, ok := q.live[j.ID]; ok {
					ev, has := d.svc.Progress(j.ID)
					_ = l.progress.Set(progressOf(j, ev, has))
					_ = l.phase.Set(phaseText(j, ev, has))
				}
			}
			return
		}
		q.shape = shape
	}
	d.forget("queue.job.")
	q.rows.RemoveAll()
	q.live = map[uuid.UUID]jobLive{}
	if err != nil {
		q.shape = ""
		q.empty.SetText(plain(err))
		return
	}
	if len(jobs) == 0 {
		q.empty.Show()
	} else {
		q.empty.Hide()
	}
	for i := len(jobs) - 1; i >= 0; i-- { // newest first
		q.rows.Add(q.row(jobs[i]))
	}
	q.rows.Refresh()
}

func (q *queueScreen) row(j burnqueue.Job) fyne.CanvasObject {
	d := q.d
	id := j.ID.String()
	ev, has := d.svc.Progress(j.ID)
	who := "Job " + id[len(id)-8:]
	if j.RequestID != "" {
		who = "Request " + staff.RequestCode(j.RequestID)
		if r, err := d.svc.Handoff.Request(j.RequestID); err == nil {
			who += " · " + PersonName(r.Patient.Name)
		}
	}
	l := jobLive{progress: binding.NewFloat(), phase: binding.NewString()}
	_ = l.progress.Set(progressOf(j, ev, has))
	_ = l.phase.Set(phaseText(j, ev, has))
	q.live[j.ID] = l
	bar := name(d, "queue.job."+id+".progress", widget.NewProgressBarWithData(l.progress))
	state := name(d, "queue.job."+id+".state", widget.NewLabelWithData(l.phase))
	target := widget.NewLabel("Drive: " + j.Drive)
	msg := name(d, "queue.job."+id+".error", widget.NewLabel(j.LastError))
	msg.Wrapping = fyne.TextWrapWord
	msg.Importance = widget.DangerImportance
	if j.LastError == "" {
		msg.Hide()
	}
	cancel := name(d, "queue.job."+id+".cancel", widget.NewButton("Cancel", func() {
		if err := d.svc.Cancel(j); err != nil {
			msg.SetText(plain(err))
			msg.Show()
		}
	}))
	if j.State != burnqueue.Burning {
		cancel.Disable()
	}
	retry := name(d, "queue.job."+id+".retry", widget.NewButton("Retry", func() {
		if _, err := d.svc.Queue.Retry(j.ID); err != nil {
			msg.SetText(plain(err))
			msg.Show()
			return
		}
		q.refresh()
	}))
	if !(j.Held || j.State == burnqueue.Failed) {
		retry.Disable()
	}
	discs := ""
	for _, dc := range j.Discs {
		discs += fmt.Sprintf("disc %d of %d (copy %d): %s  ", dc.Index, dc.Of, dc.Copy, dc.State)
	}
	return name(d, "queue.job."+id, widget.NewCard("", "", container.NewVBox(
		container.NewHBox(name(d, "queue.job."+id+".who", widget.NewLabelWithStyle(who, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})), state, layoutSpacer(), cancel, retry),
		bar, container.NewHBox(target, widget.NewLabel(discs)), msg)))
}

// watchQueue refreshes the queue and requests screens while jobs run.
func (d *Desk) watchQueue(ctx context.Context) {
	t := time.NewTicker(400 * time.Millisecond)
	defer t.Stop()
	var last string
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		jobs, err := d.svc.Queue.List()
		if err != nil {
			continue
		}
		sig := ""
		for _, j := range jobs {
			ev, _ := d.svc.Progress(j.ID)
			sig += fmt.Sprintf("%s%s%v%d%s|", j.ID, j.State, j.Held, ev.Progress.Done, ev.Progress.Phase)
		}
		if sig == last {
			continue
		}
		last = sig
		d.uiDo(func() {
			if d.queue != nil && d.user != nil {
				d.queue.refresh()
			}
		})
	}
}
