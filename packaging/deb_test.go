package packaging

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"discdesk/internal/corpus"
)

// standIn builds a small cgo program the way package-linux.sh builds the
// desk (PIE, full RELRO, immediate binding, stripped), printing its
// version: the packaging mechanics and lintian's binary checks see a Go
// executable like the desk without the minutes the real desk takes.
func standIn(t *testing.T, dir, version string) string {
	t.Helper()
	src := filepath.Join(dir, "src-"+version)
	os.MkdirAll(src, 0o700)
	os.WriteFile(filepath.Join(src, "go.mod"), []byte("module standin\n\ngo 1.26\n"), 0o600)
	os.WriteFile(filepath.Join(src, "main.go"), []byte(`package main

// #include <unistd.h>
import "C"

import "fmt"

var version = "dev"

func main() { fmt.Println("discdesk", version, C.getpid() > 0) }
`), 0o600)
	exe := filepath.Join(dir, "discdesk-"+version)
	cmd := exec.Command("go", "build", "-trimpath", "-buildmode=pie",
		"-ldflags", "-s -w -linkmode=external -extldflags=-Wl,-z,relro,-z,now -X main.version="+version, "-o", exe, ".")
	cmd.Dir = src
	cmd.Env = append(os.Environ(), "GOFLAGS=", "CGO_ENABLED=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build stand-in: %v\n%s", err, out)
	}
	return exe
}

// make-deb.sh lays out the .deb under /usr/bin and /usr/lib/discdesk (never
// /usr/local), so that the desk finds the viewer beside its real
// executable, installs a menu entry, icon, manual page and copyright, and
// derives Depends from the executable's libraries; lintian finds no error
// or warning. The executable is a stand-in (standIn).
func TestMakeDeb(t *testing.T) {
	root := corpus.RepoRoot()
	tmp := t.TempDir()
	exe := standIn(t, tmp, "0.1.0")
	viewer := filepath.Join(tmp, "viewer")
	os.MkdirAll(viewer, 0o700)
	b, err := os.ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
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
		"-rwxr-xr-x root/root", "./usr/lib/discdesk/discdesk\n",
		"./usr/lib/discdesk/viewer/DISCVIEW\n", "./usr/lib/discdesk/viewer/DISCVIEW.EXE\n",
		"./usr/bin/discdesk -> ../lib/discdesk/discdesk\n",
		"./usr/share/applications/discdesk.desktop\n", "./usr/share/icons/hicolor/512x512/apps/discdesk.png\n",
		"./usr/share/man/man1/discdesk.1.gz\n", "./usr/share/doc/discdesk/copyright\n", "./usr/share/doc/discdesk/changelog.Debian.gz\n",
	} {
		if !strings.Contains(string(list), want) {
			t.Errorf("the .deb lacks %q:\n%s", want, list)
		}
	}
	if strings.Contains(string(list), "usr/local") {
		t.Errorf("the .deb installs under /usr/local, which belongs to the local administrator:\n%s", list)
	}
	lint := exec.Command("lintian", "--no-cfg", "--fail-on", "error,warning", "--pedantic", deb)
	if o, err := lint.CombinedOutput(); err != nil {
		t.Errorf("lintian: %v\n%s", err, o)
	} else {
		t.Logf("lintian (errors and warnings fail the test):\n%s", o)
	}
	x := filepath.Join(tmp, "x")
	if o, err := exec.Command("dpkg-deb", "-x", deb, x).CombinedOutput(); err != nil {
		t.Fatalf("dpkg-deb -x: %v\n%s", err, o)
	}
	desktop, err := os.ReadFile(filepath.Join(x, "usr/share/applications/discdesk.desktop"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"[Desktop Entry]\n", "Type=Application\n", "Name=DiscDesk\n", "Exec=discdesk\n", "Icon=discdesk\n"} {
		if !strings.Contains(string(desktop), want) {
			t.Errorf("desktop entry lacks %q:\n%s", want, desktop)
		}
	}
	// The symlink resolves to the real executable, beside which the desk
	// looks for "viewer" (burner/disc.ViewerDir after os.Executable).
	real, err := filepath.EvalSymlinks(filepath.Join(x, "usr/bin/discdesk"))
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
