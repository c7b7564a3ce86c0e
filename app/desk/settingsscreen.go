package desk

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"discdesk/app/handoff"
	"discdesk/app/pacs/dicomweb"
	"discdesk/app/settings"
	"discdesk/app/staff"
	"discdesk/burner/disc"
)

// settingsScreen edits the facility's settings and the staff list
// (supervisors only; the domain packages check the role again).
type settingsScreen struct {
	d       *Desk
	content fyne.CanvasObject
}

func cents(c handoff.Cents) string { return fmt.Sprintf("%d.%02d", c/100, c%100) }

func parseCents(s string) (handoff.Cents, error) {
	s = strings.TrimPrefix(strings.TrimSpace(s), "$")
	whole, frac, _ := strings.Cut(s, ".")
	w, err := strconv.Atoi(whole)
	if err != nil {
		return 0, fmt.Errorf("%q is not an amount", s)
	}
	f := 0
	if frac != "" {
		if len(frac) == 1 {
			frac += "0"
		}
		if f, err = strconv.Atoi(frac); err != nil || len(frac) != 2 {
			return 0, fmt.Errorf("%q is not an amount", s)
		}
	}
	return handoff.Cents(w*100 + f), nil
}

// nodesText and parseNodes edit DIMSE PACS nodes one per line: NAME AE
// HOST:PORT (DICOMweb nodes have their own panel, webNodes).
func nodesText(ns []settings.Node) string {
	var out []string
	for _, n := range ns {
		if n.IsDICOMweb() {
			continue
		}
		out = append(out, fmt.Sprintf("%s %s %s:%d", n.Name, n.AETitle, n.Host, n.Port))
	}
	return strings.Join(out, "\n")
}

func parseNodes(text string) ([]settings.Node, error) {
	var out []settings.Node
	for _, l := range strings.Split(text, "\n") {
		f := strings.Fields(l)
		if len(f) == 0 {
			continue
		}
		if len(f) != 3 {
			return nil, fmt.Errorf("PACS node line %q: want NAME AE-TITLE HOST:PORT", l)
		}
		host, port, ok := strings.Cut(f[2], ":")
		p, err := strconv.Atoi(port)
		if !ok || err != nil {
			return nil, fmt.Errorf("PACS node line %q: want HOST:PORT", l)
		}
		out = append(out, settings.Node{Name: f[0], AETitle: f[1], Host: host, Port: p})
	}
	return out, nil
}

func newSettingsScreen(d *Desk) *settingsScreen {
	s := &settingsScreen{d: d}
	cur, _ := d.svc.Settings.Get()
	e := func(key, text string) *widget.Entry {
		w := name(d, "settings."+key, widget.NewEntry())
		w.SetText(text)
		return w
	}
	facName := e("facility.name", cur.Facility.Name)
	facAddr := name(d, "settings.facility.address", widget.NewMultiLineEntry())
	facAddr.SetText(cur.Facility.Address)
	facPhone := e("facility.phone", cur.Facility.Phone)
	facFax := e("facility.fax", cur.Facility.Fax)
	facEmail := e("facility.email", cur.Facility.Email)
	facContact := e("facility.contact", cur.Facility.Contact)
	facContact.SetPlaceHolder("whom patients and physicians ask, e.g. the reading room, Mon-Fri 8-17")
	ws := e("workstation", cur.Workstation)
	var targetNames []string
	var tl []string
	for _, t := range cur.Targets {
		targetNames = append(targetNames, t.Name)
		tl = append(tl, fmt.Sprintf("%s: %s %s", t.Name, t.Kind, t.Path))
	}
	targets := name(d, "settings.targets", widget.NewLabel(strings.Join(tl, "\n")))
	def := name(d, "settings.target", widget.NewSelect(targetNames, nil))
	def.SetSelected(cur.Target)
	isoDir := e("iso.folder", "")
	isoDir.SetPlaceHolder("add an ISO-file folder (path)")
	media := name(d, "settings.media", widget.NewSelect([]string{string(disc.CD), string(disc.DVD), string(disc.DVDDL), string(disc.BD), string(disc.USB)}, nil))
	media.SetSelected(string(cur.Media))
	ae := e("ae", cur.LocalAE)
	nodes := name(d, "settings.nodes", widget.NewMultiLineEntry())
	nodes.SetText(nodesText(cur.Nodes))
	nodes.SetPlaceHolder("one per line: NAME AE-TITLE HOST:PORT")
	webPanel, webRead := webNodes(d, cur.Nodes)
	recvOn := name(d, "settings.receive.enabled", widget.NewCheck("Receive from PACS", nil))
	recvOn.SetChecked(cur.Receive.Enabled)
	recvPort := e("receive.port", strconv.Itoa(cur.Receive.Port))
	burnAE := e("receive.burnae", cur.Receive.BurnAE)
	burnAE.SetPlaceHolder("e.g. DISCDESK_BURN (empty: no auto-burn)")
	quiet := e("receive.quiet", strconv.Itoa(int(cur.Receive.Quiet()/time.Second)))
	countNode := e("receive.countnode", cur.Receive.CountNode)
	countNode.SetPlaceHolder("PACS node name (empty: the sending node)")
	tlsCert := e("receive.tlscert", cur.Receive.TLSCert)
	tlsCert.SetPlaceHolder("PEM certificate file (empty: no TLS)")
	tlsKey := e("receive.tlskey", cur.Receive.TLSKey)
	tlsKey.SetPlaceHolder("PEM key file")
	recvStatus := name(d, "settings.receive.status", widget.NewLabel(d.svc.ReceiverStatus()))
	recvStatus.Wrapping = fyne.TextWrapWord
	method := name(d, "settings.fee.method", widget.NewSelect([]string{string(handoff.FeeFlat), string(handoff.FeeActual), string(handoff.FeeAverage)}, nil))
	method.SetSelected(string(cur.Fees.Method))
	flat := e("fee.flat", cents(cur.Fees.Flat))
	avg := e("fee.average", cents(cur.Fees.Average))
	labour := e("fee.labour", cents(cur.Fees.LabourPerHour))
	legal := e("legal", strconv.Itoa(cur.LegalDays))
	dl := map[handoff.Urgency]*widget.Entry{}
	for _, u := range []handoff.Urgency{handoff.UrgencyRoutine, handoff.UrgencyExpedited, handoff.UrgencyDischarge} {
		dl[u] = e("deadline."+string(u), daysText(cur.Deadlines[u]))
	}
	idle := e("kiosk.idle", strconv.Itoa(cur.Kiosk.IdleSeconds))
	lang := name(d, "settings.kiosk.language", widget.NewSelect([]string{"en", "es"}, nil))
	lang.SetSelected(cur.Kiosk.Language)
	large := name(d, "settings.kiosk.large", widget.NewCheck("Large text", nil))
	large.SetChecked(cur.Kiosk.LargeText)
	contrast := name(d, "settings.kiosk.contrast", widget.NewCheck("High contrast", nil))
	contrast.SetChecked(cur.Kiosk.HighContrast)
	printItems, printRead := printingForm(d, cur.Printing) // print.go
	msg := name(d, "settings.msg", widget.NewLabel(""))
	msg.Wrapping = fyne.TextWrapWord
	save := name(d, "settings.save", widget.NewButton("Save settings", func() {
		n := cur
		n.Printing = printRead()
		n.Facility = settings.Facility{Name: facName.Text, Address: facAddr.Text, Phone: facPhone.Text, Fax: facFax.Text, Email: facEmail.Text, Contact: facContact.Text}
		n.Workstation, n.Target, n.Media, n.LocalAE = ws.Text, def.Selected, disc.Media(media.Selected), strings.TrimSpace(ae.Text)
		if p := strings.TrimSpace(isoDir.Text); p != "" {
			n.Targets = append(append([]settings.Target(nil), n.Targets...), settings.Target{Name: "ISO files in " + p, Kind: settings.TargetISO, Path: p})
		}
		var err error
		fail := func(e error) bool {
			if e != nil && err == nil {
				err = e
			}
			return err != nil
		}
		n.Nodes, err = parseNodes(nodes.Text)
		if err == nil {
			n.Nodes, err = mergeNodes(n.Nodes, webRead())
		}
		n.Fees.Method = handoff.FeeMethod(method.Selected)
		if c, err2 := parseCents(flat.Text); !fail(err2) {
			n.Fees.Flat = c
		}
		if c, err2 := parseCents(avg.Text); !fail(err2) {
			n.Fees.Average = c
		}
		if c, err2 := parseCents(labour.Text); !fail(err2) {
			n.Fees.LabourPerHour = c
		}
		num := func(w *widget.Entry, what string) int {
			v, e := strconv.Atoi(strings.TrimSpace(w.Text))
			if e != nil {
				fail(fmt.Errorf("%s: %q is not a number", what, w.Text))
			}
			return v
		}
		n.LegalDays = num(legal, "legal limit")
		n.Deadlines = map[handoff.Urgency]int{}
		for u, w := range dl {
			h, e := parseDays(w.Text)
			if e != nil {
				fail(fmt.Errorf("target for %s requests: %w", u, e))
			}
			n.Deadlines[u] = h
		}
		n.Kiosk = settings.Kiosk{IdleSeconds: num(idle, "kiosk idle timeout"), Language: lang.Selected, LargeText: large.Checked, HighContrast: contrast.Checked}
		n.Receive = settings.Receive{Enabled: recvOn.Checked, Port: num(recvPort, "receive port"), BurnAE: strings.TrimSpace(burnAE.Text),
			QuietSeconds: num(quiet, "quiet time"), CountNode: strings.TrimSpace(countNode.Text),
			TLSCert: strings.TrimSpace(tlsCert.Text), TLSKey: strings.TrimSpace(tlsKey.Text)}
		if err == nil {
			_, err = d.svc.Settings.Save(*d.user, n)
		}
		if err == nil {
			// Fees and deadlines apply to the next request, no restart.
			err = d.svc.Handoff.SetConfig(n.HandoffConfig())
		}
		if err != nil {
			msg.Importance = widget.DangerImportance
			msg.SetText(plain(err))
			return
		}
		msg.Importance = widget.SuccessImportance
		text := "Saved. The next request uses the new fees and deadlines."
		if receiveChanged(cur, n) {
			if rerr := d.svc.RestartReceiver(); rerr != nil {
				msg.Importance = widget.WarningImportance
			}
			text += " " + d.svc.ReceiverStatus()
		}
		recvStatus.SetText(d.svc.ReceiverStatus())
		cur = n
		msg.SetText(text)
		d.svc.Logger.Printf("settings saved by %s", d.user.ID)
	}))
	save.Importance = widget.HighImportance
	section := func(title, note string, items ...*widget.FormItem) fyne.CanvasObject {
		head := widget.NewLabelWithStyle(title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		parts := []fyne.CanvasObject{head}
		if note != "" {
			l := widget.NewLabel(note)
			l.Wrapping = fyne.TextWrapWord
			l.Importance = widget.LowImportance
			parts = append(parts, l)
		}
		parts = append(parts, widget.NewForm(items...))
		return widget.NewCard("", "", container.NewVBox(parts...))
	}
	sections := container.NewVBox(
		section("Facility", "Printed on every disc's README.TXT and web pages, on labels, invoices and request forms.",
			widget.NewFormItem("Facility name", facName), widget.NewFormItem("Address", facAddr), widget.NewFormItem("Phone", facPhone),
			widget.NewFormItem("Fax", facFax), widget.NewFormItem("E-mail", facEmail), widget.NewFormItem("Contact", facContact),
			widget.NewFormItem("Workstation", ws)),
		section("Discs and drives", "",
			widget.NewFormItem("Burn targets", targets), widget.NewFormItem("Default target", def),
			widget.NewFormItem("Add ISO folder", isoDir), widget.NewFormItem("Default media", media)),
		section("Fees", "HIPAA limits what a patient pays for a copy: a flat fee (up to $6.50 per request, any medium), or the actual or average cost of labour and supplies.",
			widget.NewFormItem("Fee method", method), widget.NewFormItem("Flat fee $", flat), widget.NewFormItem("Average cost $", avg), widget.NewFormItem("Labour per hour $", labour)),
		section("Deadlines", "The legal limit is the longest a patient may wait (30 days under HIPAA). The targets are the facility's own, in days (0.5 is half a day).",
			widget.NewFormItem("Legal limit (days)", legal),
			widget.NewFormItem("Routine target (days)", dl[handoff.UrgencyRoutine]), widget.NewFormItem("Expedited target (days)", dl[handoff.UrgencyExpedited]),
			widget.NewFormItem("Discharge target (days)", dl[handoff.UrgencyDischarge])),
		section("DICOM network", "Changes to the receiver apply when you save: it restarts.",
			widget.NewFormItem("Our AE title", ae), widget.NewFormItem("PACS nodes (DIMSE)", nodes),
			widget.NewFormItem("DICOMweb nodes", webPanel),
			widget.NewFormItem("DICOM receiver", recvOn), widget.NewFormItem("Receive port", recvPort),
			widget.NewFormItem("Auto-burn AE title", burnAE), widget.NewFormItem("Quiet time (seconds)", quiet),
			widget.NewFormItem("Ask for instance count", countNode), widget.NewFormItem("TLS certificate", tlsCert), widget.NewFormItem("TLS key", tlsKey),
			widget.NewFormItem("Receiver", recvStatus)),
		section("Printing", "Documents and disc labels go to these printers; with none set, the PDF opens for you to print.", printItems...),
		section("Patient kiosk", "",
			widget.NewFormItem("Kiosk idle (seconds)", idle), widget.NewFormItem("Kiosk language", lang), widget.NewFormItem("Kiosk display", container.NewHBox(large, contrast))),
	)
	s.content = container.NewVScroll(container.NewVBox(sections, container.NewHBox(save), msg, widget.NewSeparator(), s.staffPanel()))
	return s
}

// daysText shows a deadline kept in hours as days ("1", "0.5", "3").
func daysText(hours int) string {
	return strconv.FormatFloat(float64(hours)/24, 'f', -1, 64)
}

// parseDays reads a number of days (a decimal point allowed) as hours.
func parseDays(s string) (int, error) {
	d, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || d < 0 || d > 366 {
		return 0, fmt.Errorf("%q is not a number of days", s)
	}
	return int(d*24 + 0.5), nil
}

// receiveChanged reports whether saving b over a changes what the receiver
// does: its own settings, our AE title or the PACS nodes (its callers).
func receiveChanged(a, b settings.Settings) bool {
	return a.Receive != b.Receive || a.LocalAE != b.LocalAE || !slices.Equal(a.Nodes, b.Nodes)
}

// mergeNodes puts the DICOMweb nodes after the DIMSE ones; a name may
// stand for one node only.
func mergeNodes(dimse, web []settings.Node) ([]settings.Node, error) {
	seen := map[string]bool{}
	out := append([]settings.Node(nil), dimse...)
	for _, n := range append(dimse, web...) {
		if seen[n.Name] {
			return nil, fmt.Errorf("PACS node %q is named twice: give each node its own name", n.Name)
		}
		seen[n.Name] = true
	}
	return append(out, web...), nil
}

// webNodeText is one line of the DICOMweb node list (no secret: only the
// file that holds it).
func webNodeText(n settings.Node) string {
	var auth []string
	switch {
	case n.User != "":
		auth = append(auth, "Basic auth as "+n.User)
	case n.SecretFile != "":
		auth = append(auth, "bearer token")
	}
	if n.SecretFile != "" {
		auth = append(auth, "secret in "+n.SecretFile)
	}
	if n.CAFile != "" {
		auth = append(auth, "CA "+n.CAFile)
	}
	if len(auth) == 0 {
		auth = append(auth, "no authentication")
	}
	return fmt.Sprintf("%s: %s (%s)", n.Name, n.URL, strings.Join(auth, ", "))
}

// webNodes is the panel that adds, changes and removes DICOMweb PACS nodes
// (QIDO-RS search, WADO-RS retrieve under a base URL): name, base URL,
// user (HTTP Basic; empty with a secret file: a bearer token), the secret
// file and a CA file for https. The secret itself is never kept in the
// settings. read returns the nodes as edited, for Save.
func webNodes(d *Desk, all []settings.Node) (panel fyne.CanvasObject, read func() []settings.Node) {
	var web []settings.Node
	for _, n := range all {
		if n.IsDICOMweb() {
			web = append(web, n)
		}
	}
	list := name(d, "settings.web.list", widget.NewLabel(""))
	list.Wrapping = fyne.TextWrapWord
	pick := name(d, "settings.web.pick", widget.NewSelect(nil, nil))
	pick.PlaceHolder = "Change a node…"
	entry := func(key, hint string) *widget.Entry {
		e := name(d, "settings.web."+key, widget.NewEntry())
		e.SetPlaceHolder(hint)
		return e
	}
	nodeName := entry("name", "node name, e.g. archive")
	base := entry("url", "base URL, e.g. https://pacs.example.org/dicom-web")
	user := entry("user", "user for HTTP Basic (empty: bearer token or none)")
	secret := entry("secret", "file holding the password or token (chmod 600)")
	ca := entry("ca", "PEM CA file for https (empty: the system's)")
	msg := name(d, "settings.web.msg", widget.NewLabel(""))
	msg.Wrapping = fyne.TextWrapWord
	refresh := func() {
		var lines, names []string
		for _, n := range web {
			lines = append(lines, webNodeText(n))
			names = append(names, n.Name)
		}
		if len(lines) == 0 {
			lines = []string{"No DICOMweb nodes."}
		}
		list.SetText(strings.Join(lines, "\n"))
		pick.Options = names
		pick.ClearSelected()
		pick.Refresh()
	}
	pick.OnChanged = func(s string) {
		for _, n := range web {
			if n.Name == s {
				nodeName.SetText(n.Name)
				base.SetText(n.URL)
				user.SetText(n.User)
				secret.SetText(n.SecretFile)
				ca.SetText(n.CAFile)
			}
		}
	}
	fail := func(text string) {
		msg.Importance = widget.DangerImportance
		msg.SetText(text)
	}
	add := name(d, "settings.web.add", widget.NewButton("Add or change node", func() {
		n := settings.Node{Name: strings.TrimSpace(nodeName.Text), URL: strings.TrimSpace(base.Text), User: strings.TrimSpace(user.Text),
			SecretFile: strings.TrimSpace(secret.Text), CAFile: strings.TrimSpace(ca.Text)}
		if n.Name == "" || strings.ContainsAny(n.Name, " \t") {
			fail("Give the node a name without spaces.")
			return
		}
		if !dicomweb.IsURL(n.URL) {
			fail("The base URL starts with http:// or https://, e.g. https://pacs.example.org/dicom-web.")
			return
		}
		if n.User != "" && n.SecretFile == "" {
			fail("Name the file that holds " + n.User + "'s password.")
			return
		}
		check := n
		check.CAFile = "" // read when the node is used; here only named
		if _, err := dicomweb.Resolve(check, func(string) string { return "" }); err != nil {
			fail(plain(err))
			return
		}
		i := slices.IndexFunc(web, func(x settings.Node) bool { return x.Name == n.Name })
		if i >= 0 {
			web[i] = n
		} else {
			web = append(web, n)
		}
		refresh()
		msg.Importance = widget.MediumImportance
		msg.SetText("Node " + n.Name + " set. Save settings to keep it.")
	}))
	remove := name(d, "settings.web.remove", widget.NewButton("Remove node", func() {
		n := strings.TrimSpace(nodeName.Text)
		i := slices.IndexFunc(web, func(x settings.Node) bool { return x.Name == n })
		if i < 0 {
			fail("No DICOMweb node is named " + strconv.Quote(n) + ".")
			return
		}
		web = slices.Delete(web, i, i+1)
		refresh()
		msg.Importance = widget.MediumImportance
		msg.SetText("Node " + n + " removed. Save settings to keep it so.")
	}))
	refresh()
	form := widget.NewForm(widget.NewFormItem("Name", nodeName), widget.NewFormItem("Base URL", base), widget.NewFormItem("User", user),
		widget.NewFormItem("Secret file", secret), widget.NewFormItem("CA file", ca))
	panel = container.NewVBox(list, pick, form, container.NewHBox(add, remove), msg)
	return panel, func() []settings.Node { return append([]settings.Node(nil), web...) }
}

// staffPanel lists staff with, for supervisors, removal (the member is
// made inactive: their past actions stay in the log under their name) and
// a PIN reset; and adds members. Every change is logged.
func (s *settingsScreen) staffPanel() fyne.CanvasObject {
	d := s.d
	box := container.NewVBox(widget.NewLabelWithStyle("Staff", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	rows := container.NewVBox()
	msg := name(d, "settings.staff.msg", widget.NewLabel(""))
	msg.Wrapping = fyne.TextWrapWord
	var fill func()
	fill = func() {
		d.forget("settings.staff.row.")
		rows.RemoveAll()
		ms, err := d.svc.Staff.List()
		if err != nil {
			rows.Add(widget.NewLabel(plain(err)))
			return
		}
		var l []string
		for _, m := range ms {
			state := ""
			if !m.Active {
				state = " (removed)"
			}
			l = append(l, fmt.Sprintf("%s · %s%s", m.Name, m.Role.Label(), state))
			rows.Add(s.staffRow(m, msg, fill))
		}
		if lab, ok := d.Named("settings.staff.list").(*widget.Label); ok {
			lab.SetText(strings.Join(l, "\n"))
		}
		rows.Refresh()
	}
	list := name(d, "settings.staff.list", widget.NewLabel(""))
	list.Hide() // the plain list, for tests and the e2e hook; rows show the same
	nm := name(d, "settings.staff.name", widget.NewEntry())
	nm.SetPlaceHolder("Name")
	var roles []string
	for _, r := range staff.Roles {
		roles = append(roles, r.Label())
	}
	role := name(d, "settings.staff.role", widget.NewSelect(roles, nil))
	role.SetSelected(staff.FrontDesk.Label())
	pin := name(d, "settings.staff.pin", widget.NewPasswordEntry())
	pin.SetPlaceHolder("PIN (4-8 digits)")
	add := name(d, "settings.staff.add", widget.NewButton("Add member", func() {
		r, err := staff.ParseRole(role.Selected)
		if err == nil {
			_, err = d.svc.Staff.Add(*d.user, nm.Text, r, pin.Text)
		}
		pin.SetText("")
		if err != nil {
			msg.SetText(plain(err))
			return
		}
		d.svc.Logger.Printf("staff member added by %s", d.user.ID)
		msg.SetText("Added " + nm.Text + ".")
		nm.SetText("")
		fill()
	}))
	own := name(d, "settings.staff.ownpin", widget.NewPasswordEntry())
	own.SetPlaceHolder("new PIN for you")
	change := name(d, "settings.staff.setpin", widget.NewButton("Change my PIN", func() {
		err := d.svc.Staff.SetPIN(*d.user, d.user.ID, own.Text)
		own.SetText("")
		if err != nil {
			msg.SetText(plain(err))
			return
		}
		d.svc.Logger.Printf("PIN changed by %s", d.user.ID)
		msg.SetText("Your PIN was changed.")
	}))
	fill()
	box.Add(list)
	box.Add(rows)
	box.Add(container.NewGridWithColumns(4, nm, role, pin, add))
	box.Add(container.NewGridWithColumns(2, own, change))
	box.Add(msg)
	return box
}

// staffRow is one member: name and role, and for a supervisor a new-PIN
// entry with "Reset PIN" and "Remove" (or "Restore").
func (s *settingsScreen) staffRow(m staff.Member, msg *widget.Label, fill func()) fyne.CanvasObject {
	d := s.d
	state := ""
	if !m.Active {
		state = " (removed)"
	}
	label := widget.NewLabel(fmt.Sprintf("%s · %s%s", m.Name, m.Role.Label(), state))
	if !d.user.Role.Can(staff.ActionManageStaff) {
		return label
	}
	newPIN := name(d, "settings.staff.row.pin."+m.ID, widget.NewPasswordEntry())
	newPIN.SetPlaceHolder("new PIN")
	reset := name(d, "settings.staff.row.reset."+m.ID, widget.NewButton("Reset PIN", func() {
		err := d.svc.Staff.SetPIN(*d.user, m.ID, newPIN.Text)
		newPIN.SetText("")
		if err != nil {
			msg.SetText(plain(err))
			return
		}
		d.svc.Logger.Printf("PIN of staff member %s reset by %s", m.ID, d.user.ID)
		msg.SetText("The PIN of " + m.Name + " was reset; give them the new one in person.")
	}))
	verb := "Remove"
	if !m.Active {
		verb = "Restore"
	}
	toggle := name(d, "settings.staff.row.active."+m.ID, widget.NewButton(verb, func() {
		if _, err := d.svc.Staff.Update(*d.user, m.ID, m.Name, m.Role, !m.Active); err != nil {
			msg.SetText(plain(err))
			return
		}
		d.svc.Logger.Printf("staff member %s %s by %s", m.ID, map[bool]string{true: "restored", false: "removed"}[!m.Active], d.user.ID)
		if m.Active {
			msg.SetText(m.Name + " was removed: they can no longer sign in; their past work stays in the log under their name.")
		} else {
			msg.SetText(m.Name + " can sign in again.")
		}
		fill()
	}))
	if m.ID == d.user.ID {
		toggle.Disable() // nobody removes themselves
	}
	return container.NewBorder(nil, nil, nil, container.NewHBox(newPIN, reset, toggle), label)
}
