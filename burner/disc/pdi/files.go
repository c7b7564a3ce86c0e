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
		Windows, MacOS, Linux string
		Autorun               bool
	}{Content: c, DiscOf: c.discOf(), Created: c.Created.Format("2006-01-02 15:04"),
		Windows: c.program("Windows"), MacOS: strings.ReplaceAll(c.program("macOS"), `\`, "/"), Linux: strings.ReplaceAll(c.program("Linux"), `\`, "/"),
		Autorun: autorun(c) != nil}
	if data.FacilityName == "" {
		data.FacilityName = "(facility not set)"
	}
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
	ps := make([]Patient, len(c.Patients))
	for i, p := range c.Patients {
		p.Name, p.ID, p.BirthDate, p.Sex = s(p.Name), s(p.ID), s(p.BirthDate), s(p.Sex)
		st := make([]Study, len(p.Studies))
		for j, y := range p.Studies {
			y.Date, y.Time, y.Description, y.Accession, y.ID = s(y.Date), s(y.Time), s(y.Description), s(y.Accession), s(y.ID)
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
