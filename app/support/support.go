package support

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/kbinani/screenshot"
)

// Warning is shown before a bundle is written and kept inside it.
const Warning = "This problem report may contain patient data: it includes pictures of the screen, which can show names and images. " +
	"Send it only to your IT team or DiscDesk support through a secure channel, and delete it when the problem is solved."

// ErrNoScreen means no display could be captured.
var ErrNoScreen = errors.New("support: no screen to capture")

// CaptureScreens captures every active display.
func CaptureScreens() ([]image.Image, error) {
	n := screenshot.NumActiveDisplays()
	if n <= 0 {
		return nil, ErrNoScreen
	}
	var out []image.Image
	for i := 0; i < n; i++ {
		img, err := screenshot.CaptureDisplay(i)
		if err != nil {
			return out, fmt.Errorf("support: capture display %d: %w", i, err)
		}
		out = append(out, img)
	}
	return out, nil
}

// Blank reports whether img is a single colour (a failed capture).
func Blank(img image.Image) bool {
	if img == nil {
		return true
	}
	b := img.Bounds()
	if b.Empty() {
		return true
	}
	r0, g0, b0, a0 := img.At(b.Min.X, b.Min.Y).RGBA()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, a := img.At(x, y).RGBA()
			if r != r0 || g != g0 || bl != b0 || a != a0 {
				return false
			}
		}
	}
	return true
}

// Ring is an io.Writer that keeps the last lines written to it, for the
// desk's log. It is safe for concurrent use.
type Ring struct {
	mu    sync.Mutex
	max   int
	lines []string
	part  string
}

// NewRing keeps the last max lines.
func NewRing(max int) *Ring { return &Ring{max: max} }

// Write splits p into lines and keeps them.
func (r *Ring) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.part + string(p)
	parts := strings.Split(s, "\n")
	r.part = parts[len(parts)-1]
	r.lines = append(r.lines, parts[:len(parts)-1]...)
	if over := len(r.lines) - r.max; over > 0 {
		r.lines = append([]string(nil), r.lines[over:]...)
	}
	return len(p), nil
}

// Lines returns the kept lines, oldest first.
func (r *Ring) Lines() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := append([]string(nil), r.lines...)
	if r.part != "" {
		out = append(out, r.part)
	}
	return out
}

// Report is what goes into a bundle.
type Report struct {
	Note    string            // what the person saw, in their words
	By      string            // staff member
	Screens []image.Image     // screen captures
	Logs    []string          // recent log lines
	About   map[string]string // version, workstation, data folder, ...
	Time    time.Time
}

// Write writes the report as a ZIP file in dir (created 0700) and returns
// its path. The file is 0600.
func Write(dir string, r Report) (string, error) {
	if r.Time.IsZero() {
		r.Time = time.Now()
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("support: create %s: %w", dir, err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	add := func(name string, data []byte) error {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: r.Time})
		if err != nil {
			return err
		}
		_, err = w.Write(data)
		return err
	}
	var about strings.Builder
	fmt.Fprintf(&about, "DiscDesk problem report\n\nWARNING: %s\n\nTime: %s\nReported by: %s\n", Warning, r.Time.Format(time.RFC3339), r.By)
	keys := make([]string, 0, len(r.About))
	for k := range r.About {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&about, "%s: %s\n", k, r.About[k])
	}
	fmt.Fprintf(&about, "\nWhat happened:\n%s\n", r.Note)
	if err := add("ABOUT.TXT", []byte(about.String())); err != nil {
		return "", fmt.Errorf("support: bundle: %w", err)
	}
	for i, img := range r.Screens {
		var p bytes.Buffer
		if err := png.Encode(&p, img); err != nil {
			return "", fmt.Errorf("support: encode screen %d: %w", i+1, err)
		}
		if err := add(fmt.Sprintf("screen-%d.png", i+1), p.Bytes()); err != nil {
			return "", fmt.Errorf("support: bundle: %w", err)
		}
	}
	if err := add("log.txt", []byte(strings.Join(r.Logs, "\n")+"\n")); err != nil {
		return "", fmt.Errorf("support: bundle: %w", err)
	}
	if err := zw.Close(); err != nil {
		return "", fmt.Errorf("support: bundle: %w", err)
	}
	path := filepath.Join(dir, "problem-report-"+r.Time.Format("20060102-150405")+".zip")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		return "", fmt.Errorf("support: write %s: %w", path, err)
	}
	return path, nil
}
