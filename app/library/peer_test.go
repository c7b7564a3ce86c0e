package library_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"discdesk/app/intake"
	"discdesk/app/library"
	"discdesk/app/pacs"
	"discdesk/app/store/storetest"
	"discdesk/viewer/dcm/dcmtest"
)

// Issue 16.1 against a real peer: dcmtk's storescu sends an instance, then
// the same instance compressed (JPEG-LS lossless) and decompressed again,
// then one with other content under the same SOP Instance UID. The repeats
// are answered success and stored once; the conflict is refused with a
// status that is not A700 and kept in quarantine; a data set without a
// Study Instance UID is refused as not understood.
func TestReceiverJudgesRepeatsFromStorescu(t *testing.T) {
	dir := t.TempDir()
	db := storetest.MustOpen(t, dir)
	lib, err := library.Open(db, dir)
	if err != nil {
		t.Fatal(err)
	}
	spool := filepath.Join(dir, "pacs-spool")
	os.MkdirAll(spool, 0o700)
	srv, err := pacs.NewServer(pacs.Config{AETitles: []string{"DISCDESK"}, AnyCaller: true, SpoolDir: spool}, intake.LibrarySink{Lib: lib})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := srv.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	port := fmt.Sprint(ln.Addr().(*net.TCPAddr).Port)

	src := t.TempDir()
	orig := filepath.Join(src, "orig.dcm")
	os.WriteFile(orig, dcmtest.CT(1, 64, 64).Bytes(), 0o600)
	run := func(name string, args ...string) string {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		out, err := exec.CommandContext(ctx, name, args...).CombinedOutput()
		if err != nil && name != "storescu" {
			t.Fatalf("%s: %v %s", name, err, out)
		}
		return string(out)
	}
	jls := filepath.Join(src, "jls.dcm")
	run("dcmcjpls", orig, jls)
	back := filepath.Join(src, "back.dcm")
	run("dcmdjpls", jls, back)
	other := filepath.Join(src, "other.dcm")
	run("cp", orig, other)
	run("dcmodify", "-nb", "-m", "PatientID=SOMEONE-ELSE", other)
	nostudy := filepath.Join(src, "nostudy.dcm")
	os.WriteFile(nostudy, dcmtest.CT(2, 8, 8).Bytes(), 0o600)
	run("dcmodify", "-nb", "-ea", "(0020,000d)", nostudy)

	send := func(f string, extra ...string) string {
		return run("storescu", append(append([]string{"-v", "-aet", "TESTSCU", "-aec", "DISCDESK"}, extra...), "127.0.0.1", port, f)...)
	}
	for _, f := range []string{orig, jls, back, orig} {
		var extra []string
		if f == jls {
			extra = []string{"-xt"} // propose JPEG-LS lossless, send as stored
		}
		if out := send(f, extra...); !strings.Contains(out, "Received Store Response (Success)") {
			t.Fatalf("%s: not answered success:\n%s", filepath.Base(f), out)
		}
	}
	status := func(out string) string {
		for _, l := range strings.Split(out, "\n") {
			if strings.Contains(l, "Store Response") {
				return strings.TrimSpace(l)
			}
		}
		return "no response"
	}
	out := send(other)
	t.Logf("conflict: %s", status(out))
	if strings.Contains(out, "(Success)") || strings.Contains(out, "0xa700") || strings.Contains(out, "Out of Resources") {
		t.Errorf("conflict answered wrongly:\n%s", out)
	}
	out = send(nostudy)
	t.Logf("no Study Instance UID: %s", status(out))
	if strings.Contains(out, "(Success)") || strings.Contains(out, "Out of Resources") {
		t.Errorf("no Study Instance UID answered wrongly:\n%s", out)
	}
	study, _, _ := dcmtest.UIDs(1)
	d, err := lib.Study(study)
	if err != nil || d.InstanceCount != 1 {
		t.Fatalf("study: %v %+v", err, d)
	}
	q, err := lib.Quarantined()
	if err != nil || len(q) != 1 || !strings.Contains(q[0].Reason, "(0010,0020)") || q[0].Source != "received from TESTSCU" {
		t.Fatalf("quarantine: %v %+v", err, q)
	}
	if err := lib.CheckContent(context.Background(), d.Series[0].Instances); err != nil {
		t.Fatal(err)
	}
}
