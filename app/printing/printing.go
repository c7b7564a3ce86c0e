package printing

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
)

// Options say where and how a document is printed.
type Options struct {
	// Printer is the print queue: a CUPS destination (Linux, macOS) or a
	// Windows printer name. Empty means no printer is set: the PDF is
	// opened in the system's viewer instead.
	Printer string
	// Server is a CUPS server (host:port or a socket path) other than the
	// system's default; empty for the default. Not used on Windows.
	Server string
	// Title is the job's name in the queue (no patient data: the desk uses
	// the request code and the kind of document).
	Title string
	// Copies is how many copies (0 is one).
	Copies int
}

// Result is what happened to a document.
type Result struct {
	Printer string // the queue it went to; "" when it was opened instead
	Job     string // the print service's job ID ("Lakeside-12"), when it says
	Opened  bool   // no printer set: the PDF was opened in the viewer
}

// String is the result in words for the desk's status line.
func (r Result) String() string {
	switch {
	case r.Opened:
		return "no printer is set in Settings: the PDF was opened, print it from there"
	case r.Job != "":
		return fmt.Sprintf("sent to %s (job %s)", r.Printer, r.Job)
	}
	return "sent to " + r.Printer
}

// ErrNoFile is returned for a document that does not exist or is empty.
var ErrNoFile = errors.New("printing: no document to print")

// Print sends the PDF at path to o.Printer, or opens it when no printer is
// set.
func Print(ctx context.Context, path string, o Options) (Result, error) {
	st, err := os.Stat(path)
	if err != nil || st.Size() == 0 {
		return Result{}, fmt.Errorf("%w: %s", ErrNoFile, path)
	}
	if strings.TrimSpace(o.Printer) == "" {
		if err := openFile(ctx, path); err != nil {
			return Result{}, fmt.Errorf("printing: open %s: %w", path, err)
		}
		return Result{Opened: true}, nil
	}
	job, err := printFile(ctx, path, o)
	if err != nil {
		return Result{}, err
	}
	return Result{Printer: o.Printer, Job: job}, nil
}

// Printers lists the print queues the desk can choose from in Settings.
func Printers(ctx context.Context, server string) ([]string, error) { return printers(ctx, server) }

// run runs a command and returns its output, or an error carrying what the
// command said.
func run(ctx context.Context, name string, args ...string) (string, error) {
	var out, errb bytes.Buffer
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(errb.String())
		if msg == "" {
			msg = strings.TrimSpace(out.String())
		}
		if msg != "" {
			return "", fmt.Errorf("%s: %w: %s", name, err, msg)
		}
		return "", fmt.Errorf("%s: %w", name, err)
	}
	return out.String(), nil
}

var lpJob = regexp.MustCompile(`request id is (\S+)`)

// lpArgs are the arguments of CUPS lp for the document: the queue, the
// server, the title, copies, and the page size of the PDF so that labels
// and slips print at their own size, unscaled.
func lpArgs(path string, o Options) []string {
	var a []string
	if o.Server != "" {
		a = append(a, "-h", o.Server)
	}
	a = append(a, "-d", o.Printer)
	if o.Title != "" {
		a = append(a, "-t", o.Title)
	}
	if o.Copies > 1 {
		a = append(a, "-n", strconv.Itoa(o.Copies))
	}
	if m := Media(path); m != "" {
		a = append(a, "-o", "media="+m)
	}
	a = append(a, "-o", "print-scaling=none", "--", path)
	return a
}

var mediaBox = regexp.MustCompile(`/MediaBox\s*\[\s*0\s+0\s+([0-9.]+)\s+([0-9.]+)\s*\]`)

// Media is the CUPS media name of the PDF's first page size: "Letter",
// "A4", or "Custom.WxHmm"; "" when the file shows none.
func Media(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	buf := make([]byte, 1<<20)
	n, _ := f.Read(buf)
	m := mediaBox.FindSubmatch(buf[:n])
	if m == nil {
		return ""
	}
	w, _ := strconv.ParseFloat(string(m[1]), 64)
	h, _ := strconv.ParseFloat(string(m[2]), 64)
	if w <= 0 || h <= 0 {
		return ""
	}
	near := func(a, b float64) bool { return math.Abs(a-b) < 2 }
	switch {
	case near(w, 612) && near(h, 792), near(w, 792) && near(h, 612):
		return "Letter"
	case near(w, 595.28) && near(h, 841.89), near(w, 841.89) && near(h, 595.28):
		return "A4"
	}
	mm := func(pt float64) string { return strconv.FormatFloat(math.Round(pt/72*25.4*10)/10, 'f', -1, 64) }
	return "Custom." + mm(w) + "x" + mm(h) + "mm"
}
