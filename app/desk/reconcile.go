package desk

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"discdesk/app/handoff"
	"discdesk/app/library"
	"discdesk/app/pacs"
	"discdesk/app/reconcile"
	"discdesk/app/settings"
)

// reconcileScreen imports a patient's disc from another facility (package
// reconcile): choose the folder, see the disc's patients and the local
// matches, map the outside Patient ID and Accession Numbers to local ones,
// run (import, optional forward to a PACS node, receipt recorded). Staff
// only: it is one of the main tabs, which the kiosk never builds.
type reconcileScreen struct {
	d       *Desk
	content fyne.CanvasObject
	folder  *widget.Entry
	body    *fyne.Container
	msg     *widget.Label
	disc    *reconcile.Disc
	done    chan struct{} // closed when a run finishes (tests)
}

func newReconcileScreen(d *Desk) *reconcileScreen {
	s := &reconcileScreen{d: d, body: container.NewVBox()}
	s.folder = name(d, "reconcile.folder", widget.NewEntry())
	s.folder.SetPlaceHolder("Folder of the outside disc (the mounted disc or a copy)")
	browse := name(d, "reconcile.browse", widget.NewButton("Choose folder…", func() {
		dialog.ShowFolderOpen(func(u fyne.ListableURI, err error) {
			if err == nil && u != nil {
				s.folder.SetText(u.Path())
				s.scan()
			}
		}, d.win)
	}))
	scan := name(d, "reconcile.scan", widget.NewButton("Read the disc", s.scan))
	scan.Importance = widget.HighImportance
	s.msg = name(d, "reconcile.msg", widget.NewLabel(""))
	s.msg.Wrapping = fyne.TextWrapWord
	top := container.NewVBox(widget.NewLabelWithStyle("A patient's disc from another facility", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		container.NewBorder(nil, nil, nil, container.NewHBox(browse, scan), s.folder))
	s.content = container.NewBorder(top, s.msg, nil, nil, container.NewVScroll(s.body))
	return s
}

// scan reads the disc and shows its patients.
func (s *reconcileScreen) scan() {
	d := s.d
	d.forget("reconcile.p.")
	s.body.RemoveAll()
	s.msg.SetText("")
	disc, err := reconcile.Scan(strings.TrimSpace(s.folder.Text))
	if err != nil {
		s.msg.SetText("The disc cannot be read: " + plain(err))
		s.body.Refresh()
		return
	}
	s.disc = disc
	if len(disc.Problems) > 0 {
		s.msg.SetText(fmt.Sprintf("%d file(s) on the disc could not be read; the rest can be imported.", len(disc.Problems)))
	}
	for i := range disc.Patients {
		s.body.Add(s.patient(i, disc.Patients[i]))
	}
	s.body.Refresh()
}

// patient is one outside patient: studies, local matches, the mapping
// fields and Run.
func (s *reconcileScreen) patient(i int, p reconcile.OutsidePatient) fyne.CanvasObject {
	d := s.d
	key := fmt.Sprintf("reconcile.p.%d.", i)
	var lines []string
	lines = append(lines, fmt.Sprintf("Outside patient %s · ID %s%s · born %s", PersonName(p.Name), orDash(p.ID), issuerText(p.Issuer), orDash(isoDate(p.BirthDate))))
	for _, st := range p.Studies {
		lines = append(lines, fmt.Sprintf("  %s %s %s · accession %s · %d object(s) · from %s", orDash(isoDate(st.Date)), strings.Join(st.Modalities, "/"),
			st.Description, orDash(st.Accession), len(st.Objects), orDash(st.Institution)))
	}
	info := name(d, key+"info", widget.NewLabel(strings.Join(lines, "\n")))
	info.Wrapping = fyne.TextWrapWord

	localID := name(d, key+"localid", widget.NewEntry())
	localID.SetPlaceHolder("Local Patient ID (MRN)")
	localName := name(d, key+"localname", widget.NewEntry())
	localName.SetText(PersonName(p.Name))
	birth := isoDate(p.BirthDate)
	issuer := name(d, key+"issuer", widget.NewEntry())
	issuer.SetPlaceHolder("Local issuer of the ID (optional)")

	matches, err := reconcile.Matches(d.svc.Lib, p)
	var opts []string
	byOpt := map[string]reconcile.Match{}
	for _, m := range matches {
		o := fmt.Sprintf("%s · ID %s · born %s · matches on %s · %d local study(ies)", PersonName(m.Patient.Name), m.Patient.ID,
			orDash(isoDate(m.Patient.BirthDate)), strings.Join(m.Reasons, ", "), m.Studies)
		opts = append(opts, o)
		byOpt[o] = m
	}
	pick := name(d, key+"match", widget.NewRadioGroup(opts, func(o string) {
		if m, ok := byOpt[o]; ok {
			localID.SetText(m.Patient.ID)
			localName.SetText(PersonName(m.Patient.Name))
			birth = isoDate(m.Patient.BirthDate)
		}
	}))
	matchHead := "Local patients who may be the same person (check name and birth date):"
	switch {
	case err != nil:
		matchHead = "The library could not be searched: " + plain(err)
	case len(matches) == 0:
		matchHead = "No local patient matches on ID, name and birth date. Search the library below (another spelling, a maiden name, the local ID), or create the patient in the RIS/EHR first and type the local ID."
	}
	// Staff search for the local patient when the automatic match finds
	// nobody (or the wrong people): the hits join the choices above.
	find := name(d, key+"find", widget.NewEntry())
	find.SetPlaceHolder("Search local patients: name, ID or accession")
	findMsg := name(d, key+"find.msg", widget.NewLabel(""))
	findBtn := name(d, key+"find.run", widget.NewButton("Search", func() {
		hits, err := d.svc.Lib.Search(library.Query{Text: find.Text, Limit: 50})
		if err != nil {
			findMsg.SetText(plain(err))
			return
		}
		seen := map[string]bool{}
		added := 0
		for _, st := range hits {
			pt := st.Patient
			if seen[pt.Key] {
				continue
			}
			seen[pt.Key] = true
			o := fmt.Sprintf("%s · ID %s%s · born %s · found by search", PersonName(pt.Name), pt.ID, issuerText(pt.Issuer), orDash(isoDate(pt.BirthDate)))
			if _, dup := byOpt[o]; dup {
				continue
			}
			byOpt[o] = reconcile.Match{Patient: pt}
			pick.Options = append(pick.Options, o)
			added++
		}
		pick.Refresh()
		findMsg.SetText(fmt.Sprintf("%s found: pick one above if it is this patient.", plural(added, "local patient", "local patients")))
	}))

	form := widget.NewForm(widget.NewFormItem("Local Patient ID", localID), widget.NewFormItem("Local name", localName), widget.NewFormItem("Issuer", issuer))
	accs := map[string]*widget.Entry{}
	for _, st := range p.Studies {
		if st.Accession == "" || accs[st.Accession] != nil {
			continue
		}
		e := name(d, key+"acc."+st.Accession, widget.NewEntry())
		e.SetPlaceHolder("local accession (blank: keep " + st.Accession + ")")
		accs[st.Accession] = e
		form.Append("Accession "+st.Accession+" →", e)
	}
	sender := name(d, key+"sender", widget.NewEntry())
	sender.SetText(s.disc.Sender())
	sender.SetPlaceHolder("Who made the disc")
	form.Append("Sent by", sender)

	cur, _ := d.svc.Settings.Get()
	var nodes []string
	for _, n := range cur.Nodes {
		if n.IsDICOMweb() {
			continue // forwarding is C-STORE; no STOW-RS yet
		}
		nodes = append(nodes, n.Name)
	}
	node := name(d, key+"node", widget.NewSelect(nodes, nil))
	forward := name(d, key+"forward", widget.NewCheck("Also send to the PACS", nil))
	if len(nodes) == 0 {
		forward.Disable()
		node.Disable()
	} else {
		node.SetSelectedIndex(0)
	}
	form.Append("Forward", container.NewHBox(forward, node))

	result := name(d, key+"result", widget.NewLabel(""))
	result.Wrapping = fyne.TextWrapWord
	receipt := name(d, key+"receipt", widget.NewMultiLineEntry())
	receipt.Wrapping = fyne.TextWrapWord
	receipt.Hide()
	var run *widget.Button
	run = name(d, key+"run", widget.NewButton("Import and record the receipt", func() {
		m := reconcile.Mapping{PatientID: strings.TrimSpace(localID.Text), Issuer: issuer.Text, Accessions: map[string]string{}}
		for o, e := range accs {
			if v := strings.TrimSpace(e.Text); v != "" {
				m.Accessions[o] = v
			}
		}
		opt := reconcile.Options{Mapping: m, Sender: sender.Text, Facility: cur.Facility.Name, Log: d.svc.Handoff, Actor: d.svc.actor(*d.user), Now: d.svc.Now}
		if forward.Checked {
			if n, ok := nodeNamed(cur, node.Selected); ok {
				pn := pacs.Node{AETitle: n.AETitle, Host: n.Host, Port: n.Port}
				opt.Forward, opt.PACSName = reconcile.ForwardTo(&pacs.Client{AETitle: cur.LocalAE}, pn), n.Name
			}
		}
		local := handoff.Patient{ID: m.PatientID, Name: localName.Text, BirthDate: birth}
		run.Disable()
		result.SetText("Importing…")
		done := make(chan struct{})
		s.done = done
		go func() {
			defer close(done)
			res, err := reconcile.Run(context.Background(), d.svc.Lib, p, local, opt)
			d.uiDo(func() {
				run.Enable()
				if err != nil {
					result.Importance = widget.DangerImportance
					text := "Nothing was added to the patient's record and no receipt was recorded: " + plain(err)
					if res != nil {
						for _, p := range res.Problems {
							text += "\nProblem: " + p
						}
					}
					result.SetText(text)
					return
				}
				result.Importance = widget.SuccessImportance
				if len(res.Problems) > 0 {
					result.Importance = widget.WarningImportance
				}
				result.SetText(resultText(res))
				receipt.SetText(res.Receipt)
				receipt.Show()
				d.svc.Logger.Printf("outside disc imported, record %s, by %s", res.Record, d.user.ID)
			})
		}()
	}))
	run.Importance = widget.HighImportance
	head := widget.NewLabel(matchHead)
	head.Wrapping = fyne.TextWrapWord
	search := container.NewBorder(nil, nil, nil, findBtn, find)
	return widget.NewCard("", "", container.NewVBox(info, head, pick, search, findMsg, form, run, result, receipt))
}

// resultText says what a run did, for staff.
func resultText(res *reconcile.Result) string {
	dup := 0
	if res.Import != nil {
		dup = res.Import.Duplicates
	}
	lines := []string{fmt.Sprintf("Took %d of the %d objects on the disc (%d were already here), %d sent to the PACS. Receipt recorded in the log: confirm receipt to the sender and give the patient the receipt below.",
		res.Held, res.Offered, dup, res.Forwarded)}
	if k := res.Offered - res.Held; k > 0 {
		lines = append(lines, fmt.Sprintf("%s refused, with the reasons below.", plural(k, "object was", "objects were")))
	}
	for _, c := range res.Changes {
		lines = append(lines, fmt.Sprintf("%s %s → %s (the outside value is kept in the images)", c.Attribute, orDash(c.Outside), orDash(c.Local)))
	}
	for _, p := range res.Problems {
		lines = append(lines, "Problem: "+p)
	}
	return strings.Join(lines, "\n")
}

func issuerText(s string) string {
	if s == "" {
		return ""
	}
	return " (issuer " + s + ")"
}

func nodeNamed(s settings.Settings, n string) (settings.Node, bool) {
	for _, x := range s.Nodes {
		if x.Name == n {
			return x, true
		}
	}
	return settings.Node{}, false
}
