package printing

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestMediaAndLPArgs(t *testing.T) {
	dir := t.TempDir()
	for body, want := range map[string]string{
		"<< /Type /Pages /MediaBox [0 0 595.28 841.89] >>": "A4",
		"<< /MediaBox [0 0 612.00 792.00] >>":              "Letter",
		"<< /MediaBox [0 0 340.16 340.16] >>":              "Custom.120x120mm",
		"not a PDF at all":                                 "",
		"<< /MediaBox [0 0 -3 0] >>":                       "",
	} {
		p := filepath.Join(dir, "d.pdf")
		os.WriteFile(p, []byte("%PDF-1.4\n"+body), 0o600)
		if got := Media(p); got != want {
			t.Errorf("Media(%q) = %q, want %q", body, got, want)
		}
	}
	p := filepath.Join(dir, "d.pdf")
	os.WriteFile(p, []byte("%PDF-1.4\n<< /MediaBox [0 0 340.16 340.16] >>"), 0o600)
	got := strings.Join(lpArgs(p, Options{Printer: "Labels", Server: "cups.sock", Title: "2E3F-4A5B label", Copies: 2}), " ")
	want := "-h cups.sock -d Labels -t 2E3F-4A5B label -n 2 -o media=Custom.120x120mm -o print-scaling=none -- " + p
	if got != want {
		t.Errorf("lp arguments:\n got %s\nwant %s", got, want)
	}
}

func TestResultInWords(t *testing.T) {
	if s := (Result{Opened: true}).String(); !strings.Contains(s, "no printer is set") {
		t.Error(s)
	}
	if s := (Result{Printer: "Front", Job: "Front-3"}).String(); s != "sent to Front (job Front-3)" {
		t.Error(s)
	}
}

func TestSettingsFor(t *testing.T) {
	s := Settings{Printer: "Front", LabelPrinter: "Discs", Server: "cups:631"}
	if o := s.For("invoice"); o.Printer != "Front" || o.Server != "cups:631" {
		t.Errorf("invoice: %+v", o)
	}
	if o := s.For("label"); o.Printer != "Discs" {
		t.Errorf("label: %+v", o)
	}
	if o := (Settings{Printer: "Front"}).For("insert"); o.Printer != "Front" {
		t.Errorf("insert without a label printer: %+v", o)
	}
}
