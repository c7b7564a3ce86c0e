package discview_test

import (
	"context"
	"fmt"
	"image"
	"image/png"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/kbinani/screenshot"

	"discdesk/internal/corpus"
	"discdesk/internal/xvfbtest"
	"discdesk/viewer/study/studytest"
)

// snapshot lists every file under dir with its size and modification time.
func snapshot(t *testing.T, dir string) map[string]string {
	m := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := e.Info()
		if err != nil {
			return err
		}
		m[p] = fmt.Sprint(fi.Size(), fi.ModTime().UnixNano(), fi.Mode())
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// imageLike reports whether a region looks like a medical image: many
// distinct grey levels, unlike the UI chrome or an empty background.
func imageLike(img *image.RGBA, r image.Rectangle) (levels int, nonBlack float64) {
	seen := map[uint8]bool{}
	n, nb := 0, 0
	for y := r.Min.Y; y < r.Max.Y; y += 2 {
		for x := r.Min.X; x < r.Max.X; x += 2 {
			c := img.RGBAAt(x, y)
			seen[c.R] = true
			n++
			if c.R > 8 || c.G > 8 || c.B > 8 {
				nb++
			}
		}
	}
	return len(seen), float64(nb) / float64(max(1, n))
}

func TestDiscViewerOnXvfb(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test under Xvfb skipped with -short")
	}
	corpus.Dir(t)
	disp := xvfbtest.Start(t)
	tmp := t.TempDir()
	disc := studytest.MakeDisc(t, filepath.Join(tmp, "disc"), studytest.Default)
	exe := filepath.Join(disc, "VIEWER", "DISCVIEW")
	if err := os.MkdirAll(filepath.Dir(exe), 0o755); err != nil {
		t.Fatal(err)
	}
	build := exec.Command("go", "build", "-o", exe, "discdesk/viewer/cmd/discviewer")
	build.Dir = corpus.RepoRoot()
	build.Env = append(os.Environ(), "GOFLAGS=-mod=mod")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	before := snapshot(t, disc)

	home := filepath.Join(tmp, "home")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// No argument: the viewer finds the DICOMDIR in its parent folder.
	cmd := exec.CommandContext(ctx, exe)
	cmd.Dir = tmp
	cmd.Env = append(os.Environ(), "DISPLAY="+disp, "LANG=en_US.UTF-8", "HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, ".config"))
	logf, _ := os.Create(filepath.Join(tmp, "viewer.log"))
	cmd.Stdout, cmd.Stderr = logf, logf
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()

	t.Setenv("DISPLAY", disp)
	// The viewer pane: right of the series strip, below the toolbar.
	area := image.Rect(250, 120, 900, 650)
	var last *image.RGBA
	var levels int
	var nonBlack float64
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			log, _ := os.ReadFile(logf.Name())
			t.Fatalf("viewer exited early: %v\n%s", err, log)
		default:
		}
		img, err := screenshot.CaptureRect(image.Rect(0, 0, 1280, 800))
		if err == nil {
			last = img
			levels, nonBlack = imageLike(img, area)
			if levels >= 32 && nonBlack > 0.05 {
				break
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	shown := time.Since(start)
	if last == nil || levels < 32 || nonBlack <= 0.05 {
		if last != nil {
			_ = os.MkdirAll(filepath.Join("testdata", "failed"), 0o755)
			if f, err := os.Create(filepath.Join("testdata", "failed", "e2e_screen.png")); err == nil {
				_ = png.Encode(f, last)
				f.Close()
			}
		}
		log, _ := os.ReadFile(logf.Name())
		t.Fatalf("no image on screen after %v: %d grey levels, %.1f%% non-black in %v (screen in testdata/failed/e2e_screen.png)\n%s",
			shown, levels, 100*nonBlack, area, log)
	}
	t.Logf("image on screen %v after start: %d grey levels, %.0f%% non-black", shown.Round(time.Millisecond), levels, 100*nonBlack)
	cancel()
	<-exited
	after := snapshot(t, disc)
	for p, v := range after {
		if before[p] != v {
			t.Errorf("the viewer wrote to the disc: %s", p)
		}
	}
	for p := range before {
		if _, ok := after[p]; !ok {
			t.Errorf("the viewer removed %s from the disc", p)
		}
	}
}
