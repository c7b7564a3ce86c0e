package desk

import (
	"context"
	"errors"
	"fmt"
	"image/color"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"discdesk/app/library"
	"discdesk/app/staff"
	"discdesk/burner/disc"
)

// defaultQuiet is how long without new objects before a study counts as complete.
const defaultQuiet = 10 * time.Minute

// studiesScreen is the study search with cards, multi-select, the
// same-day disc and the way into a new request.
type studiesScreen struct {
	d        *Desk
	content  *fyne.Container // a stack whose one child is the current view
	listView fyne.CanvasObject
	list     *fyne.Container
	search   *widget.Entry
	from, to *widget.Entry
	modality *widget.Select
	count    *widget.Label
	request  *widget.Button
	selected map[string]library.Study
	order    []string // selection order
	results  []library.Study
	// prepared closes when the same-day box's background preparation of
	// the disc (station.PrepareStudies) is done; tests wait on it.
	prepared <-chan struct{}
	imgs     *images
	// recheck redraws the list when the next "still receiving" study's
	// quiet time runs out, so the badge is live.
	recheck *time.Timer
}

var modalities = []string{"Any modality", "CT", "MR", "CR", "DX", "US", "MG", "NM", "PT", "XA", "RF", "SR"}

func newStudiesScreen(d *Desk) *studiesScreen {
	s := &studiesScreen{d: d, selected: map[string]library.Study{}, imgs: newImages(d.svc.Lib)}
	s.search = name(d, "studies.search", widget.NewEntry())
	s.search.SetPlaceHolder("Search: patient name, ID or accession")
	s.search.OnChanged = func(string) { s.refresh() }
	s.from = name(d, "studies.from", widget.NewEntry())
	s.from.SetPlaceHolder("From (2026-11-01 or 11/01/2026)")
	s.to = name(d, "studies.to", widget.NewEntry())
	s.to.SetPlaceHolder("To (2026-11-01 or 11/01/2026)")
	s.from.OnChanged = func(string) { s.refresh() }
	s.to.OnChanged = func(string) { s.refresh() }
	s.modality = name(d, "studies.modality", widget.NewSelect(modalities, nil))
	s.modality.SetSelectedIndex(0)
	s.modality.OnChanged = func(string) { s.refresh() }
	s.count = name(d, "studies.count", widget.NewLabel(""))
	s.request = name(d, "studies.request", widget.NewButton("New request for selected studies", func() { s.newRequest() }))
	s.request.Importance = widget.HighImportance
	if !d.user.Role.Can(staff.ActionRequest) {
		s.request.Hide()
	}
	s.list = container.NewVBox()
	filters := container.NewGridWithColumns(3, s.from, s.to, s.modality)
	top := container.NewVBox(s.search, filters, container.NewHBox(s.count, layoutSpacer(), s.request))
	s.listView = container.NewBorder(top, nil, nil, nil, container.NewVScroll(s.list))
	s.content = container.NewStack(s.listView)
	s.refresh()
	return s
}

// refresh runs the search and rebuilds the list.
func (s *studiesScreen) refresh() {
	from, errFrom := parseDateInput(s.from.Text)
	to, errTo := parseDateInput(s.to.Text)
	markEntry(s.from, errFrom)
	markEntry(s.to, errTo)
	if err := errors.Join(errFrom, errTo); err != nil {
		s.count.SetText(plain(err))
		return
	}
	q := library.Query{Text: s.search.Text, From: from, To: to, Limit: 100}
	if s.modality.SelectedIndex() > 0 {
		q.Modality = s.modality.Selected
	}
	res, err := s.d.svc.Lib.Search(q)
	s.d.forget("study.")
	s.list.RemoveAll()
	if err != nil {
		s.count.SetText(plain(err))
		return
	}
	s.results = res
	var next time.Duration
	for _, st := range res {
		row, done := s.card(st)
		s.list.Add(row)
		if wait := s.untilComplete(st, done); wait > 0 && (next == 0 || wait < next) {
			next = wait
		}
	}
	s.scheduleRecheck(next)
	s.updateCount()
	s.list.Refresh()
}

// untilComplete is how long until a study still receiving (done false, as
// its row found) counts as complete by the quiet time (0: complete, or no
// time known).
func (s *studiesScreen) untilComplete(st library.Study, done bool) time.Duration {
	if done || st.LastReceived.IsZero() {
		return 0
	}
	return time.Until(st.LastReceived.Add(s.d.quiet)) + time.Second
}

// scheduleRecheck redraws the list after wait (none when wait is 0), so
// "Still receiving" turns into "Complete" without a click.
func (s *studiesScreen) scheduleRecheck(wait time.Duration) {
	if s.recheck != nil {
		s.recheck.Stop()
		s.recheck = nil
	}
	if wait <= 0 {
		return
	}
	s.recheck = time.AfterFunc(wait, func() { s.d.uiDo(s.refresh) })
}

// markEntry shows a filter entry's error under it, or clears it (nil).
func markEntry(e *widget.Entry, err error) { e.SetValidationError(err) }

func (s *studiesScreen) updateCount() {
	s.count.SetText(fmt.Sprintf("%s found, %d selected", plural(len(s.results), "study", "studies"), len(s.selected)))
	if len(s.selected) == 0 {
		s.request.Disable()
	} else {
		s.request.Enable()
	}
}

func badge(text string, imp widget.Importance) *widget.Label {
	l := widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	l.Importance = imp
	return l
}

// card is one study: thumbnail, patient, study, counts, badges, actions.
// It also says whether the study is complete (the badge it shows).
func (s *studiesScreen) card(st library.Study) (fyne.CanvasObject, bool) {
	d := s.d
	// A dense row a clerk can scan: a small thumbnail, the patient on the
	// first line, the study on the second, badges and actions at the side.
	const side = 48
	var thumb fyne.CanvasObject
	if img := s.imgs.Thumbnail(st.UID, 96); img != nil {
		ci := canvas.NewImageFromImage(img)
		ci.FillMode = canvas.ImageFillContain
		ci.SetMinSize(fyne.NewSize(side, side))
		thumb = ci
	} else {
		r := canvas.NewRectangle(color.Gray{Y: 0x30})
		r.SetMinSize(fyne.NewSize(side, side))
		thumb = r
	}
	title := widget.NewLabelWithStyle(fmt.Sprintf("%s  ·  born %s  ·  ID %s", PersonName(st.Patient.Name), orDash(isoDate(st.Patient.BirthDate)), orDash(st.Patient.ID)),
		fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.Truncation = fyne.TextTruncateEllipsis
	what := widget.NewLabel(fmt.Sprintf("%s · %s · %s · %s, %s", orDash(isoDate(st.Date)), strings.Join(st.Modalities, "/"), orDash(st.Description),
		plural(st.SeriesCount, "series", "series"), plural(st.InstanceCount, "image", "images")))
	what.Truncation = fyne.TextTruncateEllipsis
	badges := container.NewHBox()
	if st.HasReport {
		badges.Add(name(d, "study.badge.report."+st.UID, badge("Report present", widget.SuccessImportance)))
	} else {
		badges.Add(name(d, "study.badge.noreport."+st.UID, badge("No report", widget.WarningImportance)))
	}
	done, err := d.svc.Lib.Complete(st.UID, d.quiet)
	done = done && err == nil
	if done {
		badges.Add(name(d, "study.badge.complete."+st.UID, badge("Complete", widget.SuccessImportance)))
	} else {
		badges.Add(name(d, "study.badge.receiving."+st.UID, badge("Still receiving", widget.MediumImportance)))
	}
	sel := name(d, "study.select."+st.UID, widget.NewCheck("Select", func(on bool) {
		if on {
			if _, ok := s.selected[st.UID]; !ok {
				s.order = append(s.order, st.UID)
			}
			s.selected[st.UID] = st
		} else {
			delete(s.selected, st.UID)
		}
		s.updateCount()
	}))
	_, isSel := s.selected[st.UID]
	sel.Checked = isSel
	same := name(d, "study.sameday."+st.UID, widget.NewButton("Same-day disc", func() { s.confirmSameDay(st) }))
	if !d.user.Role.Can(staff.ActionRequest) {
		same.Disable()
	}
	view := name(d, "study.view."+st.UID, widget.NewButton("View", func() { s.view(st) }))
	info := container.New(&tightRows{}, title, what)
	actions := container.NewHBox(badges, sel, same, view)
	row := container.NewBorder(nil, nil, container.NewHBox(thumb), container.NewCenter(actions), info)
	return name(d, "study.card."+st.UID, container.NewVBox(row, widget.NewSeparator())), done
}

// tightRows stacks its objects with no padding between them (two label
// lines of one list row).
type tightRows struct{}

func (tightRows) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var w, h float32
	for _, o := range objs {
		m := o.MinSize()
		w = max(w, m.Width)
		h += m.Height - 2*theme.Padding()
	}
	return fyne.NewSize(w, h+2*theme.Padding())
}

func (tightRows) Layout(objs []fyne.CanvasObject, sz fyne.Size) {
	y := float32(0)
	for _, o := range objs {
		h := o.MinSize().Height
		o.Move(fyne.NewPos(0, y))
		o.Resize(fyne.NewSize(sz.Width, h))
		y += h - 2*theme.Padding()
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// show replaces the tab's view.
func (s *studiesScreen) show(o fyne.CanvasObject) {
	s.content.Objects = []fyne.CanvasObject{o}
	s.content.Refresh()
}

// back returns to the search and cards.
func (s *studiesScreen) back() {
	s.d.forget("request.")
	s.d.forget("plan.")
	s.d.forget("viewer.")
	s.show(s.listView)
	s.refresh()
}

// view shows one study in the viewer.
func (s *studiesScreen) view(st library.Study) {
	v := newStudyViewer(s.d, s.imgs, st.UID, false, nil)
	back := name(s.d, "viewer.back", widget.NewButton("Back to studies", s.back))
	head := widget.NewLabelWithStyle(PersonName(st.Patient.Name)+" · "+st.Description, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	s.show(container.NewBorder(container.NewHBox(back, head), nil, nil, nil, v.content))
}

// confirmSameDay is the technologist's two-click same-day disc: this is
// click one; "Queue disc" in the box is click two.
func (s *studiesScreen) confirmSameDay(st library.Study) {
	d := s.d
	cur, _ := d.svc.Settings.Get()
	in := SameDayInput(st, *d.user)
	// The fee and due date the request will get, from handoff's own rules.
	pv := d.svc.Handoff.Preview(in)
	fee := pv.Fee
	target := "no burn target configured"
	if t, ok := cur.DefaultTarget(); ok {
		target = t.Name
	}
	lines := []fyne.CanvasObject{
		widget.NewLabelWithStyle("Same-day disc for pickup", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		name(d, "sameday.info", widget.NewLabel(fmt.Sprintf("%s, born %s\n%s %s\nPickup at the desk, due %s · fee %s%s · burns on %s",
			PersonName(in.Patient.Name), orDash(isoDate(in.Patient.BirthDate)), isoDate(st.Date), st.Description,
			longDate(pv.Due, d.location()), fee.Total, feeRuleName(fee), target))),
	}
	if pv.FeeErr != nil {
		lines = append(lines, badge("This fee cannot be charged: "+plain(pv.FeeErr), widget.DangerImportance))
	}
	if !st.HasReport {
		lines = append(lines, badge("This study has no report: the disc goes without one.", widget.WarningImportance))
	}
	if done, err := d.svc.Lib.Complete(st.UID, d.quiet); err == nil && !done {
		lines = append(lines, name(d, "sameday.incomplete", badge(fmt.Sprintf("Images of this study are still arriving (%s so far): the disc would hold only those.",
			plural(st.InstanceCount, "image", "images")), widget.WarningImportance)))
	}
	// While the technologist reads the box, the disc's browser viewer frames
	// are packed, so the burn after "Queue disc" only writes.
	prep, stopPrep := context.WithCancel(context.Background())
	s.prepared = d.svc.PrepareStudies(prep, []string{st.UID}, mediaFor(in.Format))
	msg := name(d, "sameday.msg", widget.NewLabel(""))
	var pop *widget.PopUp
	ok := name(d, "sameday.queue", widget.NewButton("Queue disc", func() {
		r, err := d.svc.Handoff.NewRequest(in, d.svc.actor(*d.user))
		if err != nil {
			msg.SetText(plain(err))
			return
		}
		var acks []disc.WarningCode
		if !st.HasReport {
			acks = noReportAck
		}
		if _, err := d.svc.BurnRequest(context.Background(), r.ID, acks, *d.user); err != nil {
			msg.SetText("The request was saved but the disc could not be queued: " + plain(err))
			return
		}
		d.svc.Logger.Printf("same-day request %s queued by %s", r.ID, d.user.ID)
		pop.Hide()
		d.forget("sameday.")
		d.notify(fmt.Sprintf("Disc queued for %s (request %s).", PersonName(in.Patient.Name), staff.RequestCode(r.ID)))
	}))
	ok.Importance = widget.HighImportance
	cancel := name(d, "sameday.cancel", widget.NewButton("Cancel", func() { stopPrep(); pop.Hide(); d.forget("sameday.") }))
	lines = append(lines, msg, container.NewHBox(cancel, ok))
	pop = widget.NewModalPopUp(container.NewPadded(container.NewVBox(lines...)), d.win.Canvas())
	name(d, "sameday.popup", pop)
	pop.Show()
}

// notify shows a short message in the window's status line.
func (d *Desk) notify(text string) {
	d.svc.Logger.Printf("notice shown")
	l := d.Named("main.notice")
	if lab, ok := l.(*widget.Label); ok {
		lab.SetText(text)
	}
}
