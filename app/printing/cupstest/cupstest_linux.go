//go:build linux

package cupstest

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Server is a CUPS scheduler started by a test: its own configuration,
// spool, logs and socket in a temp folder, and a cups-pdf queue that writes
// what it prints into out.
type Server struct {
	// Socket is the scheduler's socket: pass it as lp -h, or as
	// printing.Options.Server.
	Socket   string
	out, dir string
}

// Start runs cupsd -f in a private mount namespace in which
// /etc/cups/cups-pdf.conf (the one path cups-pdf reads its settings from)
// is the test's own, so the machine's CUPS and cups-pdf are untouched.
func Start(t testing.TB) *Server {
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
	c := &Server{dir: dir, Socket: filepath.Join(dir, "cups.sock"), out: filepath.Join(dir, "out")}
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
`, c.Socket))
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
		if out, err := exec.Command("lpstat", "-h", c.Socket, "-r").CombinedOutput(); err == nil && strings.Contains(string(out), "is running") {
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

// AddPDFQueue adds a cups-pdf queue. cups-pdf takes PostScript: CUPS's
// pdftops filter makes it with poppler here (its Ghostscript renderer
// drops the text's Unicode mapping, so pdftotext could not read back what
// was printed); printers that take PDF get the PDF as it is.
func (c *Server) AddPDFQueue(t testing.TB, name string) {
	t.Helper()
	out, err := exec.Command("lpadmin", "-h", c.Socket, "-p", name, "-E", "-v", "cups-pdf:/",
		"-P", "/usr/share/ppd/cups-pdf/CUPS-PDF_noopt.ppd", "-o", "pdftops-renderer-default=pdftops").CombinedOutput()
	if err != nil {
		t.Fatalf("lpadmin: %v\n%s", err, out)
	}
}

// Printed waits for the n-th PDF cups-pdf writes and returns its path.
func (c *Server) Printed(t testing.TB, n int) string {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) {
		m, _ := filepath.Glob(filepath.Join(c.out, "*.pdf"))
		if len(m) >= n {
			// cups-pdf (Ghostscript) writes in place: the file is done
			// when it ends with %%EOF and its size has settled.
			p := newest(m)
			a, _ := os.ReadFile(p)
			time.Sleep(300 * time.Millisecond)
			b, _ := os.ReadFile(p)
			if len(b) > 0 && len(a) == len(b) && bytes.HasSuffix(bytes.TrimRight(b, "\r\n "), []byte("%%EOF")) {
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
