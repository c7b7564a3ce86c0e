//go:build linux

package printing

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"discdesk/app/handoff"
	"discdesk/app/handoff/docs"
	"discdesk/app/printing/cupstest"
)

func pdftotext(t *testing.T, path string) string {
	t.Helper()
	out, err := exec.Command("pdftotext", path, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext %s: %v\n%s", path, err, out)
	}
	return strings.Join(strings.Fields(string(out)), " ")
}

// rasterDiff renders both PDFs' first pages at 50 dpi and returns the
// fraction of pixels that differ clearly, over the area both cover (a
// printed page may be a point smaller: CUPS rounds custom sizes).
func rasterDiff(t *testing.T, a, b string) float64 {
	t.Helper()
	wa, ha, ra := raster(t, a)
	wb, hb, rb := raster(t, b)
	if abs(wa-wb) > 2 || abs(ha-hb) > 2 {
		t.Errorf("printed page is %dx%d pixels, the PDF %dx%d", wb, hb, wa, ha)
		return 1
	}
	n, all := 0, 0
	for y := 0; y < min(ha, hb); y++ {
		for x := 0; x < min(wa, wb); x++ {
			all++
			if d := int(ra[y*wa+x]) - int(rb[y*wb+x]); d > 96 || d < -96 {
				n++
			}
		}
	}
	return float64(n) / float64(all)
}

func abs(a int) int {
	if a < 0 {
		return -a
	}
	return a
}

func raster(t *testing.T, pdf string) (w, h int, pix []byte) {
	t.Helper()
	out, err := exec.Command("pdftoppm", "-r", "50", "-gray", "-f", "1", "-l", "1", "-singlefile", pdf).Output()
	if err != nil {
		t.Fatalf("pdftoppm %s: %v", pdf, err)
	}
	var maxval int
	if _, err := fmt.Sscan(string(out[:min(len(out), 40)]), new(string), &w, &h, &maxval); err != nil || w*h > len(out) {
		t.Fatalf("pdftoppm %s: %v", pdf, err)
	}
	pix = out[len(out)-w*h:]
	return w, h, pix
}

// sameSize compares "W x H ..." page sizes to within 1.5 pt.
func sameSize(got, want string) bool {
	var gw, gh, ww, wh float64
	if _, err := fmt.Sscanf(got, "%g x %g", &gw, &gh); err != nil {
		return false
	}
	fmt.Sscanf(want, "%g x %g", &ww, &wh)
	return math.Abs(gw-ww) < 1.5 && math.Abs(gh-wh) < 1.5
}

func pageSize(t *testing.T, path string) string {
	out, err := exec.Command("pdfinfo", path).CombinedOutput()
	if err != nil {
		t.Fatalf("pdfinfo: %v\n%s", err, out)
	}
	for _, l := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(l, "Page size:") {
			return strings.Join(strings.Fields(strings.TrimPrefix(l, "Page size:")), " ")
		}
	}
	return ""
}

// The Linux path end to end: the desk's documents go through lp to a real
// CUPS scheduler and come out of the cups-pdf virtual printer with their
// text and their page size.
func TestPrintThroughCUPS(t *testing.T) {
	c := cupstest.Start(t)
	c.AddPDFQueue(t, "DeskPDF")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	list, err := Printers(ctx, c.Socket)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(list, ",") != "DeskPDF" {
		t.Fatalf("Printers = %q, want the test's queue", list)
	}

	now := time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC)
	r := handoff.Request{ID: "0195a1b2-3c4d-7e5f-8a9b-0c1d2e3f4a5b", Created: now, Due: now.Add(48 * time.Hour),
		RequestInput: handoff.RequestInput{Patient: handoff.Patient{Name: "山田, 太郎", BirthDate: "1970-05-17"}, Format: handoff.FormatCD, Delivery: handoff.DeliveryPickup}}
	fac := docs.Facility{Name: "Lakeside Imaging Center", Phone: "+1 608 555 0100"}
	dir := t.TempDir()
	r.Patient.Name = "山田, 太郎"
	write := func(name string, f func(*bytes.Buffer) error) string {
		var b bytes.Buffer
		if err := f(&b); err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, name)
		os.WriteFile(p, b.Bytes(), 0o600)
		os.Chmod(dir, 0o755)
		os.Chmod(p, 0o644)
		return p
	}
	l := docs.LabelFor(fac, r)
	l.DiscUUID, l.Burned, l.Layout = "0195a1b2-3c4d-7e5f-8a9b-0c1d2e3f4a5b", now, docs.LayoutDisc
	l.Studies = []docs.LabelStudy{{Date: "2024-02-01", Modality: "CT", Description: "CT chest with contrast"}}
	for i, doc := range []struct {
		name, media, size string
		want              []string
		render            func(*bytes.Buffer) error
	}{
		{"receipt.pdf", "Custom.80x150mm", "226.77 x 425.2", []string{"Your request code", "2E3F-4A5B", "Ready by 2025-03-12"},
			func(b *bytes.Buffer) error { return docs.Receipt(b, fac, r, now) }},
		{"label.pdf", "Custom.120x120mm", "340.16 x 340.16", []string{"DICOM PLUS WEB", "Request 2E3F-4A5B", "2024-02-01 CT CT chest with contrast"},
			func(b *bytes.Buffer) error { return docs.DiscLabel(b, l) }},
		{"invoice.pdf", "Letter", "612 x 792", []string{"Invoice", "INV-2E3F-4A5B", "Lakeside Imaging Center"},
			func(b *bytes.Buffer) error { return docs.Invoice(b, fac, r, docs.InvoiceNumber(r.ID), now) }},
	} {
		p := write(doc.name, doc.render)
		if m := Media(p); m != doc.media {
			t.Errorf("%s: Media = %q, want %q", doc.name, m, doc.media)
		}
		res, err := Print(ctx, p, Options{Printer: "DeskPDF", Server: c.Socket, Title: "2E3F-4A5B " + strings.TrimSuffix(doc.name, ".pdf")})
		if err != nil {
			t.Fatal(err)
		}
		if res.Opened || res.Printer != "DeskPDF" || !strings.HasPrefix(res.Job, "DeskPDF-") {
			t.Fatalf("%s: result %+v", doc.name, res)
		}
		out := c.Printed(t, i+1)
		text := pdftotext(t, out)
		for _, w := range doc.want {
			if !strings.Contains(text, w) {
				t.Errorf("%s came out of cups-pdf without %q:\n%s", doc.name, w, text)
			}
		}
		// The text survives the PostScript round trip except the CJK
		// font's Unicode map; that the Japanese name was printed with its
		// glyphs shows on paper: the printed page looks like the PDF.
		d := rasterDiff(t, p, out)
		if d > 0.01 {
			t.Errorf("%s: %.2f%% of the printed page differs from the PDF sent", doc.name, 100*d)
		}
		if got := pageSize(t, out); !sameSize(got, doc.size) {
			t.Errorf("%s printed on %q, want %s pt (its own size, unscaled)", doc.name, got, doc.size)
		}
		t.Logf("%s: %s, printed on %s, %.3f%% of pixels differ from the PDF", doc.name, res, pageSize(t, out), 100*d)
	}

	// A queue that does not exist is an error naming it, with lp's words.
	_, err = Print(ctx, write("x.pdf", func(b *bytes.Buffer) error { return docs.Receipt(b, fac, r, now) }), Options{Printer: "NoSuchQueue", Server: c.Socket})
	if err == nil || !strings.Contains(err.Error(), "NoSuchQueue") {
		t.Fatalf("unknown queue: %v", err)
	}
}

func TestNoDocument(t *testing.T) {
	if _, err := Print(context.Background(), filepath.Join(t.TempDir(), "none.pdf"), Options{Printer: "x"}); err == nil {
		t.Fatal("printing a missing file succeeded")
	}
}
