package pdi

import (
	"bytes"
	"fmt"
	"html/template"
	"strings"
	"sync"
	texttemplate "text/template"

	assets "discdesk/assets/pdi"
)

var (
	tmplOnce sync.Once
	pages    *template.Template
	readme   *texttemplate.Template
	tmplErr  error
)

func templates() (*template.Template, *texttemplate.Template, error) {
	tmplOnce.Do(func() {
		pages, tmplErr = template.ParseFS(assets.FS, "*.htm.tmpl")
		if tmplErr != nil {
			return
		}
		readme, tmplErr = texttemplate.ParseFS(assets.FS, "README.TXT.tmpl")
	})
	return pages, readme, tmplErr
}

// Files renders README.TXT, AUTORUN.INF and, when c.Web is set, INDEX.HTM
// and the IHE_PDI/ pages and images of one disc.
func Files(c Content) ([]File, error) {
	pt, rt, err := templates()
	if err != nil {
		return nil, fmt.Errorf("pdi: templates: %w", err)
	}
	c = clean(c)
	var out []File
	rd, err := readmeText(rt, c)
	if err != nil {
		return nil, err
	}
	out = append(out, File{Path: "README.TXT", Data: rd})
	if a := autorun(c); a != nil {
		out = append(out, File{Path: "AUTORUN.INF", Data: a})
	}
	if !c.Web {
		return out, nil
	}
	web, err := webFiles(pt, c)
	if err != nil {
		return nil, err
	}
	return append(out, web...), nil
}

// crlf turns line ends into CR LF, which every platform's text viewer
// shows correctly (Notepad before Windows 10 did not understand LF).
func crlf(b []byte) []byte {
	return bytes.ReplaceAll(bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n")), []byte("\n"), []byte("\r\n"))
}

func (c Content) discOf() string { return fmt.Sprintf("disc %d of %d", c.DiscIndex, c.DiscCount) }

func (c Content) program(platform string) string {
	for _, p := range c.ViewerPrograms {
		if p.Platform == platform {
			return strings.ReplaceAll(p.Path, "/", `\`)
		}
	}
	return ""
}

func readmeText(rt *texttemplate.Template, c Content) ([]byte, error) {
	data := struct {
		Content
		DiscOf, Created       string
		AddressLines          []string
		ContactLines          []string
		Configured            bool
		Windows, MacOS, Linux string
		Autorun               bool
	}{Content: c, DiscOf: c.discOf(), Created: c.Created.Format("2006-01-02 15:04"),
		ContactLines: c.contactLines(), Configured: c.facilityConfigured(),
		Windows: c.program("Windows"), MacOS: strings.ReplaceAll(c.program("macOS"), `\`, "/"), Linux: strings.ReplaceAll(c.program("Linux"), `\`, "/"),
		Autorun: autorun(c) != nil}
	for _, l := range strings.Split(c.FacilityAddress, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			data.AddressLines = append(data.AddressLines, l)
		}
	}
	var buf bytes.Buffer
	if err := rt.Execute(&buf, data); err != nil {
		return nil, fmt.Errorf("pdi: README.TXT: %w", err)
	}
	return crlf(buf.Bytes()), nil
}

// facilityConfigured reports whether any facility detail is known.
func (c Content) facilityConfigured() bool {
	return strings.TrimSpace(c.FacilityName+c.FacilityAddress+c.FacilityPhone+c.FacilityEmail+c.FacilityContact) != ""
}

// reach says how to reach the facility: "call 555-0100 / desk@example.org
// and ask for the reading room"; "" when neither a phone number nor an
// e-mail address is known.
func (c Content) reach() string {
	var ways []string
	if p := strings.TrimSpace(c.FacilityPhone); p != "" {
		ways = append(ways, "call "+p)
	}
	if e := strings.TrimSpace(c.FacilityEmail); e != "" {
		if len(ways) == 0 {
			ways = append(ways, "write to "+e)
		} else {
			ways = append(ways, e)
		}
	}
	if len(ways) == 0 {
		return ""
	}
	r := strings.Join(ways, " / ")
	if who := strings.TrimSpace(c.FacilityContact); who != "" {
		r += " and ask for " + who
	}
	return r
}

// contactSentence invites the patient to talk with the radiologist ("" when
// the facility cannot be reached by phone or e-mail).
func (c Content) contactSentence() string {
	r := c.reach()
	if r == "" {
		return ""
	}
	return contactLead + ", " + r + "."
}

const contactLead = "To talk about these images or the report with the radiologist"

// contactLines is the contact sentence for README.TXT, broken after its
// first clause and wrapped to 72 columns.
func (c Content) contactLines() []string {
	r := c.reach()
	if r == "" {
		return nil
	}
	return append([]string{contactLead + ","}, wrap(r+".", 72)...)
}

// Line is the patient for README.TXT: "NAME  (ID x, born 1970-01-01)",
// leaving out what is not known.
func (p Patient) Line() string {
	var in []string
	if p.ID != "" {
		in = append(in, "ID "+p.ID)
	}
	if p.BirthDate != "" {
		in = append(in, "born "+p.BirthDate)
	}
	name := p.Name
	if name == "" {
		name = "(name not recorded)"
	}
	if len(in) == 0 {
		return name
	}
	return name + "  (" + strings.Join(in, ", ") + ")"
}

// Line is the study for README.TXT: "DATE DESCRIPTION  accession X",
// leaving out what is not known.
func (s Study) Line() string {
	l := strings.TrimSpace(s.Date + " " + s.Description)
	if l == "" {
		l = "(no date or description recorded)"
	}
	if s.Accession != "" {
		l += "  accession " + s.Accession
	}
	return l
}

// Line is the series for README.TXT: "3 CT HEAD", leaving out what is not
// known.
func (s Series) Line() string {
	return strings.Join(strings.Fields(fmt.Sprintf("%d %s %s", s.Number, s.Modality, s.Description)), " ")
}

// Title names the series on the pages and in links: its description, or
// "Series 3 (CT)" when it has none.
func (s Series) Title() string {
	if d := strings.TrimSpace(s.Description); d != "" {
		return d
	}
	t := fmt.Sprintf("Series %d", s.Number)
	if s.Modality != "" {
		t += " (" + s.Modality + ")"
	}
	return t
}

// Title names the study on the pages and in links: its description, or
// "Study of DATE" (or "Study") when it has none.
func (s Study) Title() string {
	if d := strings.TrimSpace(s.Description); d != "" {
		return d
	}
	if s.Date != "" {
		return "Study of " + s.Date
	}
	return "Study"
}

// ReadBy names the study's reading radiologists for the README and pages.
func (s Study) ReadBy() string { return strings.Join(s.Radiologists, "; ") }

// wrap breaks text into lines of at most width bytes at spaces (a longer
// word gets a line of its own).
func wrap(text string, width int) []string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(text) {
		switch {
		case line == "":
			line = w
		case len(line)+1+len(w) <= width:
			line += " " + w
		default:
			lines = append(lines, line)
			line = w
		}
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}

// autorun is a convenience for Windows sites that still allow autorun; the
// disc never depends on it (README.TXT and INDEX.HTM say how to start).
func autorun(c Content) []byte {
	var b strings.Builder
	b.WriteString("[autorun]\n")
	switch {
	case c.program("Windows") != "":
		fmt.Fprintf(&b, "open=%s\n", c.program("Windows"))
	case c.Web:
		b.WriteString("shellexecute=INDEX.HTM\n")
	default:
		return nil
	}
	fmt.Fprintf(&b, "label=%s\n", c.FileSetID)
	return crlf([]byte(b.String()))
}

// clean removes characters XML 1.0 forbids from every text of c.
func clean(c Content) Content {
	s := xmlSafe
	c.FacilityName, c.FacilityAddress, c.FacilityPhone = s(c.FacilityName), s(c.FacilityAddress), s(c.FacilityPhone)
	c.FacilityEmail, c.FacilityContact = s(c.FacilityEmail), s(c.FacilityContact)
	ps := make([]Patient, len(c.Patients))
	for i, p := range c.Patients {
		p.Name, p.ID, p.BirthDate, p.Sex = s(p.Name), s(p.ID), s(p.BirthDate), s(p.Sex)
		st := make([]Study, len(p.Studies))
		for j, y := range p.Studies {
			y.Date, y.Time, y.Description, y.Accession, y.ID = s(y.Date), s(y.Time), s(y.Description), s(y.Accession), s(y.ID)
			if y.Radiologists != nil {
				rad := make([]string, len(y.Radiologists))
				for k, n := range y.Radiologists {
					rad[k] = s(n)
				}
				y.Radiologists = rad
			}
			se := make([]Series, len(y.Series))
			for k, r := range y.Series {
				r.Modality, r.Description, r.Note = s(r.Modality), s(r.Description), s(r.Note)
				se[k] = r
			}
			y.Series = se
			rs := make([]Report, len(y.Reports))
			for k, r := range y.Reports {
				r.Title, r.Date, r.Text = s(r.Title), s(r.Date), s(r.Text)
				r.Tree = cleanNodes(r.Tree)
				rs[k] = r
			}
			y.Reports = rs
			st[j] = y
		}
		p.Studies = st
		ps[i] = p
	}
	c.Patients = ps
	return c
}

func cleanNodes(ns []Node) []Node {
	if ns == nil {
		return nil
	}
	out := make([]Node, len(ns))
	for i, n := range ns {
		out[i] = Node{Name: xmlSafe(n.Name), Value: xmlSafe(n.Value), Children: cleanNodes(n.Children)}
	}
	return out
}

func xmlSafe(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			return r
		case r < 0x20, r == 0xFFFE, r == 0xFFFF, r >= 0xD800 && r <= 0xDFFF:
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, "?"))
}
