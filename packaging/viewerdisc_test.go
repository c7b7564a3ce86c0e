package packaging

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"discdesk/burner"
	"discdesk/burner/disc"
	"discdesk/burner/drive"
	"discdesk/internal/corpus"
	"discdesk/internal/xvfbtest"
)

// buildLinuxViewer runs packaging/build-viewer.sh linux (the Go build cache
// keeps repeated runs to seconds) and returns packaging/out/viewer.
func buildLinuxViewer(t *testing.T) string {
	t.Helper()
	root := corpus.RepoRoot()
	start := time.Now()
	cmd := exec.Command(filepath.Join(root, "packaging", "build-viewer.sh"), "linux")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build-viewer.sh linux: %v\n%s", err, out)
	}
	t.Logf("build-viewer.sh linux took %v", time.Since(start).Round(time.Millisecond))
	dir := filepath.Join(root, "packaging", "out", "viewer")
	fi, err := os.Stat(filepath.Join(dir, "DISCVIEW"))
	if err != nil || fi.Mode()&0o111 == 0 || fi.Size() == 0 {
		t.Fatalf("build-viewer.sh made no executable DISCVIEW: %v", err)
	}
	// The viewer runs on the patient's PC: no codec libraries that a
	// Debian package brings to the desk.
	ldd, err := exec.Command("ldd", filepath.Join(dir, "DISCVIEW")).CombinedOutput()
	if err != nil {
		t.Fatalf("ldd DISCVIEW: %v\n%s", err, ldd)
	}
	for _, lib := range []string{"libcharls", "libopenjp2"} {
		if strings.Contains(string(ldd), lib) {
			t.Errorf("the disc viewer links %s, which a patient's PC may not have:\n%s", lib, ldd)
		}
	}
	return dir
}

// entry is what the snapshot records of one path.
type entry struct {
	mode  fs.FileMode
	size  int64
	mtime time.Time
}

func snapshot(t *testing.T, dir string) map[string]entry {
	t.Helper()
	out := map[string]entry{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out[rel] = entry{fi.Mode(), fi.Size(), fi.ModTime()}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// copyReadOnly copies the disc folder src to dst the way a mounted ISO 9660
// disc without Rock Ridge looks on Linux (files r-x for everyone), then
// takes write permission away from everything (chmod -R a-w).
func copyReadOnly(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o755)
	})
	if err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("chmod", "-R", "a-w", dst).CombinedOutput(); err != nil {
		t.Fatalf("chmod -R a-w: %v\n%s", err, out)
	}
	t.Cleanup(func() { exec.Command("chmod", "-R", "u+w", dst).Run() })
}

// screen captures the root window of display as an image (ImageMagick's
// import, as the GUI tests do).
func screen(display string) (image.Image, error) {
	out, err := exec.Command("import", "-display", display, "-window", "root", "png:-").Output()
	if err != nil {
		return nil, err
	}
	return png.Decode(bytes.NewReader(out))
}

// imageLike counts grey levels and the share of non-black pixels in area:
// a shown medical image has many levels, a text message a few.
func imageLike(img image.Image, area image.Rectangle) (levels int, nonBlack float64) {
	seen := map[uint32]bool{}
	n, nb := 0, 0
	for y := area.Min.Y; y < area.Max.Y; y += 2 {
		for x := area.Min.X; x < area.Max.X; x += 2 {
			r, g, b, _ := img.At(x, y).RGBA()
			if r == g && g == b {
				seen[r>>8] = true
			}
			if r+g+b > 3*0x0800 {
				nb++
			}
			n++
		}
	}
	return len(seen), float64(nb) / float64(max(n, 1))
}

// A disc made after packaging carries the viewer, README.TXT says so, and
// the Linux viewer starts from a read-only copy of the disc, shows the
// images it finds through the DICOMDIR and writes nothing to the disc.
func TestDiscCarriesViewerThatRunsReadOnly(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the disc viewer and starts it under Xvfb: skipped with -short")
	}
	var files []string
	for i := 1; i <= 6; i++ {
		files = append(files, corpus.Path(t, "mr_series", "dcm4che_mr16", fmt.Sprintf("MR%02d.dcm", i)))
	}
	viewerDir := buildLinuxViewer(t)

	tmp := t.TempDir()
	p, err := disc.NewPlan(context.Background(), disc.Input{
		Files:      files,
		Facility:   disc.Facility{Name: "Riverside Imaging", Address: "1 River Road", Phone: "+1 555 0100"},
		ReportText: "No acute findings.",
	}, disc.Options{ViewerDir: viewerDir, WorkDir: filepath.Join(tmp, "work"),
		Now: func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }})
	if err != nil {
		t.Fatalf("NewPlan: %v", err)
	}
	defer p.Close()
	if !p.HasViewer() {
		t.Fatalf("the plan found no viewer in %s: %v", viewerDir, p.Warnings)
	}
	for _, w := range p.Unacknowledged() {
		p.Acknowledge(w.Code, "packaging test")
	}
	trees, err := p.Build(context.Background(), nil)
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	discDir := filepath.Join(tmp, "disc")
	burnTo(t, trees[0], "dir:"+discDir)

	// The viewer folder holds every binary packaging built, byte for byte.
	built, _ := os.ReadDir(viewerDir)
	for _, e := range built {
		want, _ := os.ReadFile(filepath.Join(viewerDir, e.Name()))
		got, err := os.ReadFile(filepath.Join(discDir, disc.ViewerFolder, strings.ToUpper(e.Name())))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s/%s on the disc differs from packaging's %s: %v", disc.ViewerFolder, strings.ToUpper(e.Name()), e.Name(), err)
		}
	}
	readme, err := os.ReadFile(filepath.Join(discDir, "README.TXT"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{disc.ViewerFolder + `\       A DICOM viewer that runs from the disc`, "The viewer in the " + disc.ViewerFolder + " folder runs directly from the disc"} {
		if !strings.Contains(string(readme), want) {
			t.Errorf("README.TXT lacks %q:\n%s", want, readme)
		}
	}
	// When packaging also built the Windows viewer (make viewer-bins), README
	// tells Windows users to start it.
	if _, err := os.Stat(filepath.Join(viewerDir, "DISCVIEW.EXE")); err == nil &&
		!strings.Contains(string(readme), `double-click VIEWER\DISCVIEW.EXE`) {
		t.Errorf("README.TXT does not say how to start VIEWER\\DISCVIEW.EXE:\n%s", readme)
	}
	if strings.Contains(string(readme), "No viewer program is on this disc") {
		t.Errorf("README.TXT says there is no viewer")
	}

	// The ISO image that is burned carries the viewer under its 8.3 name.
	iso := filepath.Join(tmp, "disc.iso")
	burnTo(t, trees[0], "iso:"+iso)
	// ISO 9660 level 1 writes a name without extension as "NAME.;1".
	if out, err := exec.Command("isoinfo", "-f", "-i", iso).Output(); err != nil || !strings.Contains(string(out), "/"+disc.ViewerFolder+"/DISCVIEW.;1\n") {
		t.Errorf("the ISO lacks /%s/DISCVIEW.;1: %v\n%s", disc.ViewerFolder, err, out)
	}
	os.Remove(iso)

	// A read-only copy, as a mounted disc is.
	ro := filepath.Join(tmp, "ro")
	copyReadOnly(t, discDir, ro)
	before := snapshot(t, ro)
	if len(before) < len(files)+5 {
		t.Fatalf("read-only copy has only %d entries", len(before))
	}

	display := xvfbtest.Start(t)
	home := filepath.Join(tmp, "home")
	os.MkdirAll(home, 0o700)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// No argument: the viewer finds the DICOMDIR beside its own folder.
	viewer := exec.CommandContext(ctx, filepath.Join(ro, disc.ViewerFolder, "DISCVIEW"))
	viewer.Dir = home
	viewer.Env = append(os.Environ(), "DISPLAY="+display, "LANG=en_US.UTF-8", "HOME="+home,
		"XDG_CONFIG_HOME="+filepath.Join(home, ".config"), "XDG_CACHE_HOME="+filepath.Join(home, ".cache"), "TMPDIR="+home)
	var log bytes.Buffer
	viewer.Stdout, viewer.Stderr = &log, &log
	start := time.Now()
	if err := viewer.Start(); err != nil {
		t.Fatalf("start the viewer from the read-only disc: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- viewer.Wait() }()

	area := image.Rect(250, 120, 900, 650)
	var levels int
	var nonBlack float64
	shown := time.Duration(0)
	for deadline := time.Now().Add(40 * time.Second); time.Now().Before(deadline); time.Sleep(250 * time.Millisecond) {
		select {
		case err := <-exited:
			t.Fatalf("the viewer exited after %v: %v\n%s", time.Since(start), err, log.String())
		default:
		}
		if img, err := screen(display); err == nil {
			if levels, nonBlack = imageLike(img, area); levels >= 32 && nonBlack > 0.05 {
				shown = time.Since(start)
				break
			}
		}
	}
	if shown == 0 {
		t.Fatalf("no image on screen within 40 s (%d grey levels, %.1f%% non-black): the viewer did not open the disc\n%s", levels, 100*nonBlack, log.String())
	}
	t.Logf("image on screen %v after start (%d grey levels)", shown.Round(time.Millisecond), levels)
	// It stays up.
	select {
	case err := <-exited:
		t.Fatalf("the viewer exited while showing the disc: %v\n%s", err, log.String())
	case <-time.After(3 * time.Second):
	}
	cancel()
	<-exited

	after := snapshot(t, ro)
	for p, e := range after {
		if b, ok := before[p]; !ok {
			t.Errorf("the viewer created %s on the disc", p)
		} else if b != e {
			t.Errorf("the viewer changed %s on the disc: %+v -> %+v", p, b, e)
		}
	}
	for p := range before {
		if _, ok := after[p]; !ok {
			t.Errorf("the viewer removed %s from the disc", p)
		}
	}
}

// burnTo writes a disc tree to a burner/drive target (dir:FOLDER or
// iso:FILE), as the desk does.
func burnTo(t *testing.T, tree *burner.Tree, spec string) {
	t.Helper()
	d, err := drive.Open(spec, drive.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Burn(context.Background(), tree, nil); err != nil {
		t.Fatalf("burn %s: %v", spec, err)
	}
}
