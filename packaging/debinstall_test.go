package packaging

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"discdesk/internal/corpus"
)

// The .deb installs, upgrades and is removed in a throwaway root (dpkg
// --root on a temp folder: its own database, nothing on this machine is
// touched), and a user's data survives the upgrade and the removal.
func TestDebInstallUpgradeRemove(t *testing.T) {
	repo := corpus.RepoRoot()
	tmp := t.TempDir()
	icon := filepath.Join(repo, "assets", "icon", "icon.png")
	debs := map[string]string{}
	for _, v := range []string{"0.1.0", "0.2.0"} {
		exe := standIn(t, tmp, v)
		viewer := filepath.Join(tmp, "viewer-"+v)
		os.MkdirAll(viewer, 0o700)
		b, _ := os.ReadFile(exe)
		os.WriteFile(filepath.Join(viewer, "DISCVIEW"), b, 0o700)
		if v == "0.1.0" {
			// A viewer the next version no longer ships: the upgrade
			// removes it.
			os.WriteFile(filepath.Join(viewer, "DISCVIEW.OLD"), b, 0o700)
		}
		o, err := exec.Command(filepath.Join(repo, "packaging", "make-deb.sh"), exe, viewer, icon, v+"-1", filepath.Join(tmp, "dist")).CombinedOutput()
		if err != nil {
			t.Fatalf("make-deb.sh %s: %v\n%s", v, err, o)
		}
		debs[v] = strings.TrimSpace(string(o))
	}

	root := filepath.Join(tmp, "root")
	for _, d := range []string{"var/lib/dpkg/info", "var/lib/dpkg/updates", "var/lib/dpkg/triggers", "home/clerk/.config/DiscDesk/library"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{"var/lib/dpkg/status", "var/lib/dpkg/available"} {
		os.WriteFile(filepath.Join(root, f), nil, 0o644)
	}
	// The throwaway root has no libc6 or xorriso packages: dependencies
	// are checked by the install on a real system, not here.
	dpkg := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("dpkg", append([]string{"--root=" + root, "--force-depends", "--force-not-root", "--log=" + filepath.Join(tmp, "dpkg.log")}, args...)...)
		o, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("dpkg %s: %v\n%s", strings.Join(args, " "), err, o)
		}
		return string(o)
	}
	installed := func() string {
		t.Helper()
		o, _ := exec.Command("dpkg-query", "--admindir="+filepath.Join(root, "var/lib/dpkg"), "-W", "-f=${Version} ${Status}", "discdesk").CombinedOutput()
		return strings.TrimSpace(string(o))
	}
	runDesk := func() string {
		t.Helper()
		// The menu entry's command, resolved as a shell would in the root.
		real, err := filepath.EvalSymlinks(filepath.Join(root, "usr/bin/discdesk"))
		if err != nil {
			t.Fatalf("usr/bin/discdesk: %v", err)
		}
		if want := filepath.Join(root, "usr/lib/discdesk/discdesk"); real != want {
			t.Fatalf("usr/bin/discdesk resolves to %s, want %s", real, want)
		}
		o, err := exec.Command(real).CombinedOutput()
		if err != nil {
			t.Fatalf("run the desk: %v\n%s", err, o)
		}
		return strings.TrimSpace(string(o))
	}
	data := filepath.Join(root, "home/clerk/.config/DiscDesk")
	writeData := func() {
		os.WriteFile(filepath.Join(data, "settings.json"), []byte(`{"facility":{"name":"Lakeside"}}`), 0o600)
		os.WriteFile(filepath.Join(data, "library", "study.dcm"), []byte("DICM stand-in"), 0o600)
	}
	checkData := func(when string) {
		t.Helper()
		for _, f := range []string{"settings.json", "library/study.dcm"} {
			if _, err := os.Stat(filepath.Join(data, f)); err != nil {
				t.Errorf("%s: the user's %s is gone: %v", when, f, err)
			}
		}
	}

	dpkg("--install", debs["0.1.0"])
	if got := installed(); got != "0.1.0-1 install ok installed" {
		t.Fatalf("after install: %q", got)
	}
	if got := runDesk(); got != "discdesk 0.1.0 true" {
		t.Fatalf("installed desk says %q", got)
	}
	desktop, err := os.ReadFile(filepath.Join(root, "usr/share/applications/discdesk.desktop"))
	if err != nil || !strings.Contains(string(desktop), "\nExec=discdesk\n") {
		t.Fatalf("menu entry: %v\n%s", err, desktop)
	}
	if _, err := os.Stat(filepath.Join(root, "usr/local")); err == nil {
		t.Error("the package created /usr/local")
	}
	writeData()

	dpkg("--install", debs["0.2.0"])
	if got := installed(); got != "0.2.0-1 install ok installed" {
		t.Fatalf("after upgrade: %q", got)
	}
	if got := runDesk(); got != "discdesk 0.2.0 true" {
		t.Fatalf("upgraded desk says %q", got)
	}
	if _, err := os.Stat(filepath.Join(root, "usr/lib/discdesk/viewer/DISCVIEW.OLD")); err == nil {
		t.Error("the upgrade left a file the new version does not ship")
	}
	checkData("after the upgrade")

	dpkg("--remove", "discdesk")
	for _, p := range []string{"usr/bin/discdesk", "usr/lib/discdesk", "usr/share/applications/discdesk.desktop"} {
		if _, err := os.Lstat(filepath.Join(root, p)); err == nil {
			t.Errorf("after remove: %s is still there", p)
		}
	}
	checkData("after the removal")
	dpkg("--purge", "discdesk")
	if got := installed(); strings.Contains(got, "installed") && !strings.Contains(got, "not-installed") {
		t.Errorf("after purge: %q", got)
	}
	checkData("after the purge")
}
