package desk

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"discdesk/app/handoff"
	"discdesk/app/handoff/docs"
	"discdesk/app/printing"
)

// PrintDoc writes one of a request's documents (WriteDoc) and prints it on
// the printer chosen in Settings (app/printing: CUPS lp, or the Windows
// print verb); with no printer set it opens the PDF for staff to print from
// the viewer. It returns what happened in words for the status line,
// including characters of the patient's name no installed font can print.
func (s *Services) PrintDoc(kind string, r handoff.Request) (string, error) {
	cur, err := s.Settings.Get()
	if err != nil {
		return "", err
	}
	path, err := s.WriteDoc(kind, r)
	if err != nil {
		return "", err
	}
	warn := ""
	if m := docs.MissingGlyphs(r.Patient.Name, r.Requester.Name, r.Recipient); len(m) > 0 {
		warn = fmt.Sprintf(" Warning: %q print as \uFFFD: %v", string(m), docs.CJKFontProblem())
	}
	opts := cur.Printing.For(kind)
	if opts.Printer == "" {
		if err := s.OpenFile(path); err != nil {
			return "Written to " + path + " (no printer is set in Settings, and it could not be opened: " + err.Error() + ")" + warn, nil
		}
		return "No printer is set in Settings: " + filepath.Base(path) + " is open, print it from there." + warn, nil
	}
	// The job's title names the request code and the document, never the
	// patient.
	opts.Title = docs.RequestCode(r.ID) + " " + kind
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	res, err := printing.Print(ctx, path, opts)
	if err != nil {
		return "", err
	}
	return "Printed: " + res.String() + "." + warn, nil
}

// printingForm is the Settings screen's Printing section: the printer for
// documents and the one for disc labels (the print service's queues, or
// none: open the PDF), the label stock and a CUPS server. read returns what
// is on the form.
func printingForm(d *Desk, cur printing.Settings) (items []*widget.FormItem, read func() printing.Settings) {
	const none, same = "(none: open the PDF)", "(same as documents)"
	find := func(server string) ([]string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		return printing.Printers(ctx, server)
	}
	queues, err := find(cur.Server)
	with := func(first string, keep ...string) []string {
		out := append([]string{first}, queues...)
		for _, k := range keep {
			if k != "" && !slices.Contains(out, k) {
				out = append(out, k) // chosen before, not listed now (offline)
			}
		}
		return out
	}
	pick := func(key string, opts []string, chosen, empty string) *widget.Select {
		w := name(d, "settings.printing."+key, widget.NewSelect(opts, nil))
		if chosen == "" {
			chosen = empty
		}
		w.SetSelected(chosen)
		return w
	}
	printer := pick("printer", with(none, cur.Printer), cur.Printer, none)
	labels := pick("labelprinter", with(same, cur.LabelPrinter), cur.LabelPrinter, same)
	var layouts []string
	for _, l := range docs.LabelLayouts {
		layouts = append(layouts, l.Describe())
	}
	layout := pick("labellayout", layouts, docs.LabelLayout(cur.LabelLayout).Describe(), docs.LayoutLetter.Describe())
	server := name(d, "settings.printing.server", widget.NewEntry())
	server.SetText(cur.Server)
	server.SetPlaceHolder("the system's")
	status := name(d, "settings.printing.status", widget.NewLabel(""))
	status.Wrapping = fyne.TextWrapWord
	found := func(err error) {
		status.SetText(fmt.Sprintf("%d printers found", len(queues)))
		if err != nil {
			status.SetText("No print service answered: " + plain(err))
		}
	}
	found(err)
	// Look again (after the CUPS server changed, or a printer was added).
	look := name(d, "settings.printing.find", widget.NewButton("Find printers", func() {
		var err error
		queues, err = find(strings.TrimSpace(server.Text))
		printer.Options, labels.Options = with(none, printer.Selected), with(same, labels.Selected)
		printer.Refresh()
		labels.Refresh()
		found(err)
	}))
	items = []*widget.FormItem{widget.NewFormItem("Printer", printer), widget.NewFormItem("Disc label printer", labels),
		widget.NewFormItem("Label stock", layout), widget.NewFormItem("CUPS server", server), widget.NewFormItem("", container.NewHBox(look, status))}
	return items, func() printing.Settings {
		s := printing.Settings{Server: strings.TrimSpace(server.Text)}
		if printer.Selected != none {
			s.Printer = printer.Selected
		}
		if labels.Selected != same {
			s.LabelPrinter = labels.Selected
		}
		for _, l := range docs.LabelLayouts {
			if l.Describe() == layout.Selected && l != docs.LayoutLetter {
				s.LabelLayout = string(l)
			}
		}
		return s
	}
}
