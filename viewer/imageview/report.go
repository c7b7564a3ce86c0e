package imageview

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"discdesk/viewer/study"
)

// NewReportView shows a report instance: SR text in a scrolling label, or
// for an encapsulated document a button that copies it to the user's
// temporary folder (never to the disc) and opens it with open (typically
// fyne.App.OpenURL, which hands it to the system's PDF viewer).
func NewReportView(d *study.Disc, in *study.Instance, open func(*url.URL) error) fyne.CanvasObject {
	switch in.Kind {
	case study.KindSR:
		text, err := d.Report(in)
		if err != nil {
			text = "The report cannot be read: " + err.Error()
		}
		l := widget.NewLabel(text)
		l.Wrapping = fyne.TextWrapWord
		l.Selectable = true
		return container.NewScroll(l)
	case study.KindDocument:
		status := widget.NewLabel("")
		status.Wrapping = fyne.TextWrapWord
		b := widget.NewButton("Open the report (PDF) in the system viewer", func() {
			p, err := ExportDocument(d, in)
			if err == nil && open != nil {
				err = open(&url.URL{Scheme: "file", Path: filepath.ToSlash(p)})
			}
			if err != nil {
				status.SetText("The report cannot be opened: " + err.Error())
				return
			}
			status.SetText("Opened " + p)
		})
		return container.NewVBox(widget.NewLabel("This series holds an encapsulated document."), b, status)
	}
	return widget.NewLabel("This object cannot be shown.")
}

// ExportDocument writes an encapsulated document to a new file (0600) in
// the user's temporary folder and returns its path.
func ExportDocument(d *study.Disc, in *study.Instance) (string, error) {
	b, mime, err := d.Document(in)
	if err != nil {
		return "", err
	}
	ext := ".bin"
	switch mime {
	case "application/pdf":
		ext = ".pdf"
	case "text/xml", "application/xml":
		ext = ".xml"
	}
	f, err := os.CreateTemp("", "discview-*"+ext)
	if err != nil {
		return "", fmt.Errorf("export document %s: %w", in.Path, err)
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return "", fmt.Errorf("export document %s: %w", in.Path, err)
	}
	if err := f.Close(); err != nil {
		return "", fmt.Errorf("export document %s: %w", in.Path, err)
	}
	return f.Name(), nil
}
