package desk

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"discdesk/app/pacs"
	"discdesk/app/retrieve"
	"discdesk/app/staff"
)

// pacsTabs is the PACS tab for staff who may plan discs (fetching a study
// is the first step of one): search a configured PACS node, retrieve a
// study into the library. The workflow is package retrieve's.
func (d *Desk) pacsTabs() []*container.TabItem {
	if d.user == nil || !d.user.Role.Can(staff.ActionRequest) {
		return nil
	}
	return []*container.TabItem{container.NewTabItem("PACS", newPacsScreen(d).content)}
}

// pacsColumns are the results table's columns.
var pacsColumns = []struct {
	title string
	width float32
	value func(pacs.Study) string
}{
	{"Patient", 200, func(s pacs.Study) string { return PersonName(s.PatientName) }},
	{"Patient ID", 110, func(s pacs.Study) string { return orDash(s.PatientID) }},
	{"Born", 100, func(s pacs.Study) string { return orDash(isoDate(s.PatientBirthDate)) }},
	{"Study date", 100, func(s pacs.Study) string { return orDash(isoDate(s.StudyDate)) }},
	{"Description", 220, func(s pacs.Study) string { return orDash(s.StudyDescription) }},
	{"Modalities", 90, func(s pacs.Study) string { return orDash(strings.ReplaceAll(s.ModalitiesInStudy, `\`, "/")) }},
	{"Accession", 110, func(s pacs.Study) string { return orDash(s.AccessionNumber) }},
	{"Images", 70, func(s pacs.Study) string { return instanceCount(s.Instances) }},
}

func instanceCount(n int) string {
	if n < 0 {
		return orDash("")
	}
	return fmt.Sprint(n)
}

// pacsScreen searches a PACS node and retrieves one study at a time.
type pacsScreen struct {
	d       *Desk
	content fyne.CanvasObject

	node                      *widget.Select
	id, patient, accession    *widget.Entry
	from, to                  *widget.Entry
	modality                  *widget.Select
	search, retrieve, cancel  *widget.Button
	count, selectedLbl, msg   *widget.Label
	bar                       *widget.ProgressBar
	table                     *widget.Table
	results                   []pacs.Study
	selected                  int                // index into results, -1 none
	stop                      context.CancelFunc // of the retrieve running, nil when none
	progressMu                sync.Mutex
	progressDone, progressAll int
	progressPosted            bool
}

func newPacsScreen(d *Desk) *pacsScreen {
	s := &pacsScreen{d: d, selected: -1}
	s.msg = name(d, "pacs.msg", widget.NewLabel(""))
	s.msg.Wrapping = fyne.TextWrapWord
	cur, err := d.svc.Settings.Get()
	if err != nil {
		s.msg.SetText("The PACS nodes cannot be read: " + plain(err))
		s.content = container.NewVBox(s.msg)
		return s
	}
	names := retrieve.Names(cur)
	if len(names) == 0 {
		s.msg.SetText("No PACS nodes are configured, so there is nothing to search. A supervisor adds them in Settings, under PACS nodes.")
		box := container.NewVBox(s.msg)
		if d.user.Role.Can(staff.ActionSettings) {
			box.Add(name(d, "pacs.settings", widget.NewButton("Open Settings", func() { d.selectTab("Settings") })))
		}
		s.content = box
		return s
	}
	s.node = name(d, "pacs.node", widget.NewSelect(names, nil))
	s.node.SetSelectedIndex(0)
	entry := func(key, hint string) *widget.Entry {
		e := name(d, key, widget.NewEntry())
		e.SetPlaceHolder(hint)
		e.OnSubmitted = func(string) { s.find() }
		return e
	}
	s.id = entry("pacs.id", "Patient ID")
	s.patient = entry("pacs.patient", "Patient name, e.g. DOE^J*")
	s.accession = entry("pacs.accession", "Accession number")
	s.from = entry("pacs.from", "Study date from (2026-11-01)")
	s.to = entry("pacs.to", "Study date to (2026-11-30)")
	s.modality = name(d, "pacs.modality", widget.NewSelect(modalities, nil))
	s.modality.SetSelectedIndex(0)
	s.search = name(d, "pacs.search", widget.NewButton("Search", s.find))
	s.search.Importance = widget.HighImportance
	s.count = name(d, "pacs.count", widget.NewLabel("Search the PACS for a patient's studies."))
	s.selectedLbl = name(d, "pacs.selected", widget.NewLabel(""))
	s.selectedLbl.Truncation = fyne.TextTruncateEllipsis
	s.retrieve = name(d, "pacs.retrieve", widget.NewButton("Retrieve into the library", s.fetch))
	s.retrieve.Importance = widget.HighImportance
	s.retrieve.Disable()
	s.cancel = name(d, "pacs.cancel", widget.NewButton("Cancel", s.abort))
	s.cancel.Hide()
	s.bar = name(d, "pacs.progress", widget.NewProgressBar())
	s.bar.Hide()
	s.table = name(d, "pacs.table", s.newTable())

	form := container.NewVBox(
		container.NewBorder(nil, nil, widget.NewLabel("PACS node"), nil, s.node),
		container.NewGridWithColumns(3, s.id, s.patient, s.accession),
		container.NewGridWithColumns(4, s.from, s.to, s.modality, s.search),
		s.count)
	bottom := container.NewVBox(s.selectedLbl, container.NewBorder(nil, nil, nil, container.NewHBox(s.retrieve, s.cancel), s.bar), s.msg)
	s.content = container.NewBorder(form, bottom, nil, nil, s.table)
	return s
}

func (s *pacsScreen) newTable() *widget.Table {
	t := widget.NewTableWithHeaders(
		func() (int, int) { return len(s.results), len(pacsColumns) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(id widget.TableCellID, o fyne.CanvasObject) {
			if id.Row < len(s.results) {
				o.(*widget.Label).SetText(pacsColumns[id.Col].value(s.results[id.Row]))
			}
		})
	t.ShowHeaderColumn = false
	t.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Row < 0 && id.Col >= 0 {
			o.(*widget.Label).SetText(pacsColumns[id.Col].title)
		}
	}
	for i, c := range pacsColumns {
		t.SetColumnWidth(i, c.width)
	}
	t.OnSelected = func(id widget.TableCellID) { s.choose(id.Row) }
	return t
}

// choose selects the result row for Retrieve.
func (s *pacsScreen) choose(row int) {
	if row < 0 || row >= len(s.results) {
		s.selected = -1
		s.selectedLbl.SetText("")
		s.retrieve.Disable()
		return
	}
	s.selected = row
	st := s.results[row]
	s.selectedLbl.SetText(fmt.Sprintf("Selected: %s, ID %s, %s %s", PersonName(st.PatientName), orDash(st.PatientID), orDash(isoDate(st.StudyDate)), orDash(st.StudyDescription)))
	if s.stop == nil {
		s.retrieve.Enable()
	}
}

// filter reads the search fields; an error says which field is wrong.
func (s *pacsScreen) filter() (retrieve.Filter, error) {
	from, errFrom := parseDateInput(s.from.Text)
	to, errTo := parseDateInput(s.to.Text)
	markEntry(s.from, errFrom)
	markEntry(s.to, errTo)
	if err := errors.Join(errFrom, errTo); err != nil {
		return retrieve.Filter{}, err
	}
	dates, err := retrieve.DateRange(from, to)
	if err != nil {
		return retrieve.Filter{}, err
	}
	f := retrieve.Filter{PatientID: strings.TrimSpace(s.id.Text), PatientName: strings.TrimSpace(s.patient.Text),
		AccessionNumber: strings.TrimSpace(s.accession.Text), StudyDate: dates}
	if s.modality.SelectedIndex() > 0 {
		f.Modality = s.modality.Selected
	}
	return f, f.Check()
}

// openNode resolves the chosen node with the settings as saved now.
func (s *pacsScreen) openNode() (*retrieve.Node, error) {
	cur, err := s.d.svc.Settings.Get()
	if err != nil {
		return nil, err
	}
	return retrieve.Configured(cur, s.node.Selected, nil)
}

// find searches the chosen node in the background.
func (s *pacsScreen) find() {
	f, err := s.filter()
	if err != nil {
		s.count.SetText(plain(err))
		return
	}
	node, err := s.openNode()
	if err != nil {
		s.count.SetText(plain(err))
		return
	}
	s.search.Disable()
	s.count.SetText("Searching " + s.node.Selected + "…")
	go func() {
		res, err := node.Find(context.Background(), f)
		s.d.uiDo(func() {
			s.search.Enable()
			if err != nil {
				s.count.SetText("The search did not work: " + plain(err))
				return
			}
			s.results = res
			s.table.UnselectAll()
			s.choose(-1)
			s.table.Refresh()
			s.count.SetText(plural(len(res), "study", "studies") + " found on " + s.node.Selected + ".")
		})
	}()
}

// fetch retrieves the selected study into the library in the background,
// with progress and Cancel.
func (s *pacsScreen) fetch() {
	if s.selected < 0 || s.stop != nil {
		return
	}
	st := s.results[s.selected]
	node, err := s.openNode()
	if err != nil {
		s.msg.SetText(plain(err))
		return
	}
	cur, err := s.d.svc.Settings.Get()
	if err != nil {
		s.msg.SetText(plain(err))
		return
	}
	opt := retrieve.Options{Host: s.d.svc.ReceiveHost, Port: cur.Receive.Port, Expected: st.Instances, Progress: s.progress}
	if s.d.svc.ReceiverAddr() != nil {
		opt.MoveTo = cur.LocalAE // the desk's own receiver files into the same library
	}
	ctx, stop := context.WithCancel(context.Background())
	s.stop = stop
	s.retrieve.Disable()
	s.search.Disable()
	s.cancel.Enable()
	s.cancel.Show()
	s.bar.SetValue(0)
	s.bar.Show()
	s.msg.SetText("Retrieving from " + s.node.Selected + "…")
	into := retrieve.Library(s.d.svc.Lib, s.d.svc.DataDir)
	go func() {
		res, err := node.Retrieve(ctx, st.StudyInstanceUID, into, opt)
		stop()
		s.d.uiDo(func() { s.finished(res, err) })
	}()
}

// progress is Options.Progress: it keeps the latest count and posts one
// redraw at a time to the UI.
func (s *pacsScreen) progress(done, total int) {
	s.progressMu.Lock()
	s.progressDone, s.progressAll = done, total
	post := !s.progressPosted
	s.progressPosted = true
	s.progressMu.Unlock()
	if !post {
		return
	}
	s.d.uiDo(func() {
		s.progressMu.Lock()
		done, total := s.progressDone, s.progressAll
		s.progressPosted = false
		s.progressMu.Unlock()
		if total > 0 {
			s.bar.Max = float64(total)
		} else {
			s.bar.Max = float64(done + 1)
		}
		s.bar.SetValue(float64(done))
	})
}

// finished shows the outcome of a retrieve and brings the Studies screen
// up to date.
func (s *pacsScreen) finished(res retrieve.Result, err error) {
	s.stop = nil
	s.cancel.Hide()
	s.bar.Hide()
	s.search.Enable()
	if s.selected >= 0 {
		s.retrieve.Enable()
	}
	switch {
	case errors.Is(err, context.Canceled):
		s.msg.SetText(fmt.Sprintf("Retrieve cancelled: %s had arrived; they stay in the library, and retrieving the study again fetches the rest.", plural(res.Stored+res.Held, "image", "images")))
	case err != nil:
		s.msg.SetText("The retrieve did not finish: " + plain(err) + " " + res.Summary())
	default:
		s.msg.SetText(res.Summary() + " The study is in the Studies list.")
	}
	if s.d.studies != nil && s.d.user != nil && res.Stored > 0 {
		s.d.studies.refresh()
	}
}

// abort cancels the retrieve running.
func (s *pacsScreen) abort() {
	if s.stop != nil {
		s.stop()
		s.cancel.Disable()
		s.msg.SetText("Cancelling…")
	}
}
