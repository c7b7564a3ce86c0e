package desk

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/widget"

	"discdesk/app/settings"
	"discdesk/app/staff"
)

// TestSettingsDICOMwebNode (issue 16.7): a supervisor adds a DICOMweb node
// beside a DIMSE one (base URL, user, secret file, CA file), changes and
// removes one; the settings keep the file names, never the secret.
func TestSettingsDICOMwebNode(t *testing.T) {
	f := newFixture(t, true)
	f.signIn(staff.DemoName, staff.DemoPIN)
	f.d.selectTab("Settings")
	dir := t.TempDir()
	secret := filepath.Join(dir, "archive.secret")
	if err := os.WriteFile(secret, []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	open := filepath.Join(dir, "open.secret")
	if err := os.WriteFile(open, []byte("s3cret\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := f.label("settings.web.list"); got != "No DICOMweb nodes." {
		t.Errorf("list before: %q", got)
	}
	w[*widget.Entry](f, "settings.nodes").SetText("pacs PACS1 10.0.0.5:104")

	set := func(nameText, url, user, secretFile, ca string) {
		w[*widget.Entry](f, "settings.web.name").SetText(nameText)
		w[*widget.Entry](f, "settings.web.url").SetText(url)
		w[*widget.Entry](f, "settings.web.user").SetText(user)
		w[*widget.Entry](f, "settings.web.secret").SetText(secretFile)
		w[*widget.Entry](f, "settings.web.ca").SetText(ca)
		f.tap("settings.web.add")
	}
	for _, bad := range []struct{ url, user, secret, want string }{
		{"pacs.example.org/dicom-web", "", "", "http://"},
		{"https://pacs.example.org/dicom-web", "desk", "", "password"},
		{"https://pacs.example.org/dicom-web", "desk", open, "chmod 600"},
	} {
		set("archive", bad.url, bad.user, bad.secret, "")
		if got := f.label("settings.web.msg"); !strings.Contains(got, bad.want) {
			t.Errorf("%+v: message %q, want %q in it", bad, got, bad.want)
		}
	}
	set("archive", "https://pacs.example.org/dicom-web", "desk", secret, filepath.Join(dir, "ca.pem"))
	set("cloud", "https://cloud.example.org/dicomweb", "", secret, "")
	if got, want := f.label("settings.web.list"), "archive: https://pacs.example.org/dicom-web (Basic auth as desk, secret in "+secret+", CA "+filepath.Join(dir, "ca.pem")+")\ncloud: https://cloud.example.org/dicomweb (bearer token, secret in "+secret+")"; got != want {
		t.Errorf("list:\n got %q\nwant %q", got, want)
	}
	// Change one: pick it, the form fills, edit, add again.
	f.choose("settings.web.pick", "archive")
	if got := w[*widget.Entry](f, "settings.web.user").Text; got != "desk" {
		t.Errorf("picked node's user: %q", got)
	}
	w[*widget.Entry](f, "settings.web.url").SetText("https://pacs2.example.org/dicom-web")
	f.tap("settings.web.add")
	f.choose("settings.web.pick", "cloud")
	f.tap("settings.web.remove")
	// A DICOMweb node may be the auto-burn count node.
	w[*widget.Entry](f, "settings.receive.countnode").SetText("archive")
	f.tap("settings.save")
	if got := f.label("settings.msg"); !strings.HasPrefix(got, "Saved") {
		t.Fatalf("save: %q", got)
	}
	cur, _ := f.svc.Settings.Get()
	want := []settings.Node{{Name: "pacs", AETitle: "PACS1", Host: "10.0.0.5", Port: 104},
		{Name: "archive", URL: "https://pacs2.example.org/dicom-web", User: "desk", SecretFile: secret, CAFile: filepath.Join(dir, "ca.pem")}}
	if len(cur.Nodes) != 2 || cur.Nodes[0] != want[0] || cur.Nodes[1] != want[1] || cur.Receive.CountNode != "archive" {
		t.Errorf("saved nodes %+v, count node %q; want %+v", cur.Nodes, cur.Receive.CountNode, want)
	}
	// The DIMSE list shows only the DIMSE node; a name used twice is refused.
	if got := w[*widget.Entry](f, "settings.nodes").Text; got != "pacs PACS1 10.0.0.5:104" {
		t.Errorf("DIMSE nodes shown as %q", got)
	}
	set("pacs", "https://pacs.example.org/dicom-web", "", "", "")
	f.tap("settings.save")
	if got := f.label("settings.msg"); !strings.Contains(got, "named twice") {
		t.Errorf("a DICOMweb node named as a DIMSE node: %q", got)
	}
}
