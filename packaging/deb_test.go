package packaging

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"discdesk/internal/corpus"
)

// make-deb.sh lays out the .deb so that the desk finds the viewer beside
// its real executable, installs a desktop entry and icon, and derives
// Depends from the executable's libraries. A stand-in executable keeps the
// test to a second.
func TestMakeDeb(t *testing.T) {
	root := corpus.RepoRoot()
	tmp := t.TempDir()
	exe := filepath.Join(tmp, "discdesk")
	b, err := os.ReadFile("/bin/true") // links libc.so.6 only
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(exe, b, 0o700); err != nil {
		t.Fatal(err)
	}
	viewer := filepath.Join(tmp, "viewer")
	os.MkdirAll(viewer, 0o700)
	os.WriteFile(filepath.Join(viewer, "DISCVIEW"), b, 0o700)
	os.WriteFile(filepath.Join(viewer, "DISCVIEW.EXE"), []byte("MZ stand-in"), 0o600)
	icon := filepath.Join(root, "assets", "icon", "icon.png")
	out := filepath.Join(tmp, "dist")

	run := func(args ...string) (string, error) {
		cmd := exec.Command(filepath.Join(root, "packaging", "make-deb.sh"), args...)
		o, err := cmd.CombinedOutput()
		return strings.TrimSpace(string(o)), err
	}
	deb, err := run(exe, viewer, icon, "0.1.0-1", out)
	if err != nil {
		t.Fatalf("make-deb.sh: %v\n%s", err, deb)
	}
	if deb != filepath.Join(out, "discdesk_0.1.0-1_amd64.deb") {
		t.Fatalf("make-deb.sh printed %q", deb)
	}
	field := func(name string) string {
		o, err := exec.Command("dpkg-deb", "-f", deb, name).Output()
		if err != nil {
			t.Fatalf("dpkg-deb -f %s: %v", name, err)
		}
		return strings.TrimSpace(string(o))
	}
	if got := field("Package"); got != "discdesk" {
		t.Errorf("Package = %q", got)
	}
	if got := field("Version"); got != "0.1.0-1" {
		t.Errorf("Version = %q", got)
	}
	if got := field("Depends"); !strings.Contains(got, "libc6") || !strings.Contains(got, "xorriso") {
		t.Errorf("Depends = %q, want libc6 (from the executable) and xorriso", got)
	}
	list, err := exec.Command("dpkg-deb", "-c", deb).Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"-rwxr-xr-x root/root", "./usr/local/lib/discdesk/discdesk\n",
		"./usr/local/lib/discdesk/viewer/DISCVIEW\n", "./usr/local/lib/discdesk/viewer/DISCVIEW.EXE\n",
		"./usr/local/bin/discdesk -> ../lib/discdesk/discdesk\n",
		"./usr/share/applications/discdesk.desktop\n", "./usr/share/icons/hicolor/512x512/apps/discdesk.png\n",
	} {
		if !strings.Contains(string(list), want) {
			t.Errorf("the .deb lacks %q:\n%s", want, list)
		}
	}
	x := filepath.Join(tmp, "x")
	if o, err := exec.Command("dpkg-deb", "-x", deb, x).CombinedOutput(); err != nil {
		t.Fatalf("dpkg-deb -x: %v\n%s", err, o)
	}
	desktop, err := os.ReadFile(filepath.Join(x, "usr/share/applications/discdesk.desktop"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"[Desktop Entry]\n", "Type=Application\n", "Name=DiscDesk\n", "Exec=/usr/local/bin/discdesk\n", "Icon=discdesk\n"} {
		if !strings.Contains(string(desktop), want) {
			t.Errorf("desktop entry lacks %q:\n%s", want, desktop)
		}
	}
	// The symlink resolves to the real executable, beside which the desk
	// looks for "viewer" (burner/disc.ViewerDir after os.Executable).
	real, err := filepath.EvalSymlinks(filepath.Join(x, "usr/local/bin/discdesk"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(real), "viewer", "DISCVIEW")); err != nil {
		t.Errorf("no viewer beside the real executable %s: %v", real, err)
	}

	// Refusals: no viewer binaries, a version Debian would reject.
	empty := filepath.Join(tmp, "empty")
	os.MkdirAll(empty, 0o700)
	if o, err := run(exe, empty, icon, "0.1.0-1", out); err == nil || !strings.Contains(o, "no viewer binaries") {
		t.Errorf("without viewer binaries: %v %q", err, o)
	}
	if o, err := run(exe, viewer, icon, "v0.1", out); err == nil || !strings.Contains(o, "must start with a digit") {
		t.Errorf("bad version: %v %q", err, o)
	}
}
