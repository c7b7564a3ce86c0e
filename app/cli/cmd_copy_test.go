package cli

import (
	"archive/zip"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"discdesk/app/handoff"
	"discdesk/internal/corpus"
)

// fakeViewer makes a viewer folder so the copy carries VIEWER/ like a disc.
func fakeViewer(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "linux"), 0o700)
	os.WriteFile(filepath.Join(dir, "DISCVIEW.EXE"), []byte("MZ fake viewer"), 0o600)
	os.WriteFile(filepath.Join(dir, "linux", "discview"), []byte("\x7fELF fake viewer"), 0o600)
	return dir
}

// unzip extracts an archive into dir, refusing names that leave it.
func unzip(t *testing.T, archive, dir string) []string {
	t.Helper()
	zr, err := zip.OpenReader(archive)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var names []string
	for _, f := range zr.File {
		if !filepath.IsLocal(f.Name) {
			t.Fatalf("entry %q leaves the folder", f.Name)
		}
		names = append(names, f.Name)
		dst := filepath.Join(dir, filepath.FromSlash(f.Name))
		os.MkdirAll(filepath.Dir(dst), 0o700)
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(out, rc); err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		out.Close()
		rc.Close()
	}
	return names
}

func TestCopyZIPValidatedAndLogged(t *testing.T) {
	data := t.TempDir()
	mr := corpus.Path(t, "mr_series", "dcm4che_mr16")
	r := mustNewRequest(t, data, "--format", "ZIP")
	// The patient's synced folder, with a name they chose.
	synced := filepath.Join(t.TempDir(), "OneDrive", "Imaging")
	os.MkdirAll(synced, 0o700)
	out := filepath.Join(synced, "Jane Doe MR.zip")
	args := []string{"copy", "--to", "zip:" + out, "--viewer-dir", fakeViewer(t), "--files", mr}
	// No report: refused until acknowledged, nothing written.
	if code, _, stderr := run(t, data, args...); code != exitDiscNeedsAck || !strings.Contains(stderr, "no report") {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if ents, _ := os.ReadDir(synced); len(ents) != 0 {
		t.Fatalf("refused copy left %d files", len(ents))
	}
	args = append([]string{"copy", "--to", "zip:" + out, "--viewer-dir", fakeViewer(t), "--ack-no-report", "Front Desk",
		"--request", r.ID, "--staff", "m.rivera", "--workstation", "FRONT-1",
		"--radiologist", "Dr Ada Okonkwo", "--facility-name", "Riverside Imaging", "--facility-phone", "+1 555 0100", "--files"}, mr)
	code, stdout, stderr := run(t, data, args...)
	if code != 0 {
		t.Fatalf("copy: exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "ZIP file "+out) || !strings.Contains(stdout, "read back and verified") || !strings.Contains(stdout, "logged as disc") {
		t.Errorf("stdout: %s", stdout)
	}
	fi, err := os.Stat(out)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("archive: %v, mode %v", err, fi.Mode())
	}
	if ents, _ := os.ReadDir(synced); len(ents) != 1 {
		t.Fatalf("synced folder holds %d entries; want only the archive", len(ents))
	}
	tree := t.TempDir()
	names := unzip(t, out, tree)
	joined := "\n" + strings.Join(names, "\n")
	for _, want := range []string{"\nDICOMDIR", "\nREADME.TXT", "\nINDEX.HTM", "\nIHE_PDI/", "\nVIEWER/", "\nDICOM/"} {
		if !strings.Contains(joined, want) {
			t.Errorf("archive lacks %s: %v", strings.TrimSpace(want), names)
		}
	}
	validateDisc(t, tree)
	// --radiologist and --facility-* reach the copy's README and pages.
	readme := readmeOf(t, tree)
	for _, want := range []string{"  Riverside Imaging\r\n  Telephone: +1 555 0100\r\n", "    Read by Dr Ada Okonkwo\r\n", "radiologist,\r\ncall +1 555 0100."} {
		if !strings.Contains(readme, want) {
			t.Errorf("README.TXT lacks %q:\n%s", want, readme)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(tree, "INDEX.HTM")); !strings.Contains(string(b), "<td>Dr Ada Okonkwo</td>") {
		t.Errorf("INDEX.HTM lacks the radiologist:\n%s", b)
	}
	// The log records it like a disc: format, destination, manifest hash.
	code, logOut, stderr := run(t, data, "log", "--json", "--request", r.ID)
	if code != 0 {
		t.Fatalf("log: %d %s", code, stderr)
	}
	var burned *handoff.Event
	for _, line := range strings.Split(strings.TrimSpace(logOut), "\n") {
		var ev handoff.Event
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		if ev.Kind == handoff.EventBurned {
			burned = &ev
		}
	}
	if burned == nil || burned.Burn.Format != handoff.FormatZIP || burned.Burn.Destination != out || len(burned.Burn.ManifestHash) != 64 || !burned.Burn.Verified || burned.Burn.Instances == 0 {
		t.Fatalf("burn event %+v", burned)
	}
	if !strings.Contains(stdout, burned.Burn.ManifestHash) {
		t.Errorf("stdout does not show the logged manifest hash %s", burned.Burn.ManifestHash)
	}
	// The same name again: refused (never overwritten).
	if code, _, stderr := run(t, data, args...); code == 0 || !strings.Contains(strings.ToLower(stderr), "not blank") && !strings.Contains(stderr, "already") {
		t.Fatalf("second copy to the same file: exit %d: %s", code, stderr)
	}
}

func TestCopyISOAndUSB(t *testing.T) {
	data := t.TempDir()
	mr := corpus.Path(t, "mr_series", "dcm4che_mr16")
	iso := filepath.Join(t.TempDir(), "Jane.iso")
	code, _, stderr := run(t, data, "copy", "--to", "iso:"+iso, "--no-viewer", "--ack-no-report", "x", "--files", mr)
	if code != 0 {
		t.Fatalf("iso: exit %d: %s", code, stderr)
	}
	if fi, err := os.Stat(iso); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("iso %v mode %v, want 0600", err, fi.Mode())
	}
	validateDisc(t, iso)
	stick := t.TempDir()
	if code, _, stderr := run(t, data, "copy", "--to", "usb:"+stick, "--no-viewer", "--ack-no-report", "x", "--files", mr); code != 0 {
		t.Fatalf("usb: exit %d: %s", code, stderr)
	}
	validateDisc(t, stick)
	for _, bad := range [][]string{{"copy", "--to", "dvd:/dev/sr0", "x"}, {"copy", "--to", "zip:", "x"}, {"copy", "--to", "zip:a.zip"}} {
		if code, _, _ := run(t, data, bad...); code != 2 {
			t.Errorf("%v: exit %d, want 2", bad, code)
		}
	}
}
