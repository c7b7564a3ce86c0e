package printing

// Settings is the desk's printer choice, kept with the desk's settings
// (settings.Settings.Printing) and edited on the Settings screen.
type Settings struct {
	// Printer takes the request form, the invoice and the receipt slip;
	// empty: the PDF is opened for staff to print from the viewer.
	Printer string `json:"printer,omitempty"`
	// LabelPrinter takes disc labels and jewel-case inserts; empty: Printer.
	LabelPrinter string `json:"label_printer,omitempty"`
	// LabelLayout is the label stock (docs.LabelLayout: "letter", "a4",
	// "disc"); empty: US Letter sheets.
	LabelLayout string `json:"label_layout,omitempty"`
	// Server is a CUPS server other than the system's (host:port or a
	// socket path); empty: the system's.
	Server string `json:"cups_server,omitempty"`
}

// For returns the print options of a kind of document ("form", "invoice",
// "receipt", "label", "insert").
func (s Settings) For(kind string) Options {
	o := Options{Printer: s.Printer, Server: s.Server}
	if (kind == "label" || kind == "insert") && s.LabelPrinter != "" {
		o.Printer = s.LabelPrinter
	}
	return o
}
