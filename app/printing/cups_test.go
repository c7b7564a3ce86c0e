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
	"syscall"
	"testing"
	"time"

	"discdesk/app/handoff"
	"discdesk/app/handoff/docs"
)

// cups is a CUPS scheduler started by the test: its own configuration,
// spool, logs and socket in a temp folder, and a cups-pdf queue that writes
// what it prints into out.
type cups struct {
	socket, out, dir string
}

// startCUPS runs cupsd -f in a private mount namespace in which
// /etc/cups/cups-pdf.conf (the one path cups-pdf reads its settings from)
// is the test's own, so the machine's CUPS and cups-pdf are untouched.
func startCUPS(t *testing.T) *cups {
	t.Helper()
	for _, tool := range []string{"cupsd", "lp", "lpadmin", "lpstat", "unshare", "/usr/lib/cups/backend/cups-pdf"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is needed (packaging/install-deps.sh installs cups, cups-client, printer-driver-cups-pdf): %v", tool, err)
		}
	}
	dir := t.TempDir()
	// Filters run as the lp user: they must reach the spool.
	for _, d := range []string{filepath.Dir(dir), dir} {
		os.Chmod(d, 0o755)
	}
	c := &cups{dir: dir, socket: filepath.Join(dir, "cups.sock"), out: filepath.Join(dir, "out")}
	for _, d := range []string{"etc", "spool", "tmp", "cache", "state", "log", "out", "cups-pdf-spool"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	os.Chmod(filepath.Join(dir, "spool"), 0o710)
	os.Chmod(filepath.Join(dir, "tmp"), 0o1777)
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	conf := write("etc/cupsd.conf", fmt.Sprintf(`Listen %s
LogLevel info
WebInterface No
Browsing Off
DefaultAuthType None
MaxJobs 50
<Location />
  Order allow,deny
  Allow all
</Location>
<Policy default>
  <Limit All>
    Order deny,allow
  </Limit>
</Policy>
`, c.socket))
	files := write("etc/cups-files.conf", fmt.Sprintf(`ServerRoot %[1]s/etc
RequestRoot %[1]s/spool
TempDir %[1]s/tmp
CacheDir %[1]s/cache
StateDir %[1]s/state
AccessLog %[1]s/log/access_log
ErrorLog %[1]s/log/error_log
PageLog %[1]s/log/page_log
Printcap %[1]s/printcap
ServerBin /usr/lib/cups
DataDir /usr/share/cups
SystemGroup root
`, dir))
	pdfconf := write("cups-pdf.conf", fmt.Sprintf("Out %s\nSpool %s\nAnonDirName %s\nLabel 0\nGrp root\nLog %s\nLogType 3\n",
		c.out, filepath.Join(dir, "cups-pdf-spool"), c.out, filepath.Join(dir, "log")))
	cmd := exec.Command("unshare", "--mount", "--propagation", "private", "sh", "-c",
		`mount --bind "$1" /etc/cups/cups-pdf.conf && exec cupsd -f -c "$2" -s "$3"`, "sh", pdfconf, conf, files)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	var waitErr error
	go func() { waitErr = cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
		if t.Failed() {
			log, _ := os.ReadFile(filepath.Join(dir, "log", "error_log"))
			t.Logf("cupsd output:\n%s\nerror_log:\n%s", stderr.String(), log)
		}
	})
	deadline := time.Now().Add(20 * time.Second)
	for {
		if out, err := exec.Command("lpstat", "-h", c.socket, "-r").CombinedOutput(); err == nil && strings.Contains(string(out), "is running") {
			break
		}
		select {
		case <-done:
			t.Fatalf("cupsd exited: %v\n%s", waitErr, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("cupsd did not start: %s", stderr.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	return c
}

// addPDFQueue adds a cups-pdf queue. cups-pdf takes PostScript: CUPS's
// pdftops filter makes it with poppler here (its Ghostscript renderer
// drops the text's Unicode mapping, so pdftotext could not read back what
// was printed); printers that take PDF get the PDF as it is.
func (c *cups) addPDFQueue(t *testing.T, name string) {
	t.Helper()
	out, err := exec.Command("lpadmin", "-h", c.socket, "-p", name, "-E", "-v", "cups-pdf:/",
		"-P", "/usr/share/ppd/cups-pdf/CUPS-PDF_noopt.ppd", "-o", "pdftops-renderer-default=pdftops").CombinedOutput()
	if err != nil {
		t.Fatalf("lpadmin: %v\n%s", err, out)
	}
}

// printed waits for the n-th PDF cups-pdf writes and returns its path.
func (c *cups) printed(t *testing.T, n int) string {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) {
		m, _ := filepath.Glob(filepath.Join(c.out, "*.pdf"))
		if len(m) >= n {
			// cups-pdf writes in place: wait until the size settles.
			p := newest(m)
			a, _ := os.Stat(p)
			time.Sleep(300 * time.Millisecond)
			if b, _ := os.Stat(p); b != nil && a != nil && a.Size() == b.Size() && b.Size() > 0 {
				return p
			}
			continue
		}
		time.Sleep(200 * time.Millisecond)
	}
	log, _ := os.ReadFile(filepath.Join(c.dir, "log", "error_log"))
	t.Fatalf("cups-pdf wrote no PDF %d; error_log:\n%s", n, log)
	return ""
}

func newest(paths []string) string {
	var best string
	var bt time.Time
	for _, p := range paths {
		if st, err := os.Stat(p); err == nil && (best == "" || st.ModTime().After(bt)) {
			best, bt = p, st.ModTime()
		}
	}
	return best
}

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
	c := startCUPS(t)
	c.addPDFQueue(t, "DeskPDF")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	list, err := Printers(ctx, c.socket)
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
		res, err := Print(ctx, p, Options{Printer: "DeskPDF", Server: c.socket, Title: "2E3F-4A5B " + strings.TrimSuffix(doc.name, ".pdf")})
		if err != nil {
			t.Fatal(err)
		}
		if res.Opened || res.Printer != "DeskPDF" || !strings.HasPrefix(res.Job, "DeskPDF-") {
			t.Fatalf("%s: result %+v", doc.name, res)
		}
		out := c.printed(t, i+1)
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
	_, err = Print(ctx, write("x.pdf", func(b *bytes.Buffer) error { return docs.Receipt(b, fac, r, now) }), Options{Printer: "NoSuchQueue", Server: c.socket})
	if err == nil || !strings.Contains(err.Error(), "NoSuchQueue") {
		t.Fatalf("unknown queue: %v", err)
	}
}

func TestNoDocument(t *testing.T) {
	if _, err := Print(context.Background(), filepath.Join(t.TempDir(), "none.pdf"), Options{Printer: "x"}); err == nil {
		t.Fatal("printing a missing file succeeded")
	}
}
