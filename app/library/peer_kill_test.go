package library_test

import (
	"bufio"
	"context"
	"fmt"
	"math/rand"
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
	"discdesk/app/store"
	"discdesk/viewer/dcm/dcmtest"
)

// Issue 16.8 end to end: a receiving child process (Storage SCP into the
// library) is killed with SIGKILL while dcmtk's storescu sends; every
// instance storescu saw answered Success is in the library after reopening,
// with the bytes it sent.
func TestKilledReceiverKeepsEveryAcknowledgedInstance(t *testing.T) {
	if data := os.Getenv("DISCDESK_SCP_CHILD"); data != "" {
		childSCP(t, data)
		return
	}
	src := t.TempDir()
	var files []string
	for n := 1; n <= 400; n++ {
		p := filepath.Join(src, fmt.Sprintf("ct%03d.dcm", n))
		os.WriteFile(p, dcmtest.CT(n, 128, 128).Bytes(), 0o600)
		files = append(files, p)
	}
	data := t.TempDir()
	rng := rand.New(rand.NewSource(3))
	acked := map[string]bool{} // file -> answered Success
	sent := 0
	for trial := 0; trial < 4 && sent < len(files); trial++ {
		child := exec.Command(os.Args[0], "-test.run=^TestKilledReceiverKeepsEveryAcknowledgedInstance$")
		child.Env = append(os.Environ(), "DISCDESK_SCP_CHILD="+data)
		out, _ := child.StdoutPipe()
		if err := child.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(out)
		port := ""
		for sc.Scan() {
			if p, ok := strings.CutPrefix(sc.Text(), "PORT "); ok {
				port = p
				break
			}
		}
		if port == "" {
			child.Process.Kill()
			child.Wait()
			t.Fatal("child did not listen")
		}
		go func() {
			for sc.Scan() {
			}
		}()
		batch := files[sent:]
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		scu := exec.CommandContext(ctx, "storescu", append([]string{"-v", "-aet", "KILLTEST", "-aec", "DISCDESK", "127.0.0.1", port}, batch...)...)
		scu.Env = append(os.Environ(), "TCP_NODELAY=1")
		so, _ := scu.StdoutPipe()
		scu.Stderr = scu.Stdout
		if err := scu.Start(); err != nil {
			t.Fatal(err)
		}
		killAt := time.AfterFunc(time.Duration(150+rng.Intn(600))*time.Millisecond, func() { child.Process.Kill() })
		cur := ""
		ss := bufio.NewScanner(so)
		for ss.Scan() {
			line := ss.Text()
			if f, ok := strings.CutPrefix(line, "I: Sending file: "); ok {
				cur = strings.TrimSpace(f)
			}
			if strings.Contains(line, "Received Store Response (Success)") && cur != "" {
				acked[cur] = true
				sent++
			}
		}
		scu.Wait()
		cancel()
		killAt.Stop()
		child.Process.Kill()
		child.Wait()
		sent++ // the instance in flight at the kill may or may not be kept
	}
	if len(acked) < 10 {
		t.Fatalf("only %d instances acknowledged", len(acked))
	}
	db, err := store.Open(data)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	lib, err := library.Open(db, data)
	if err != nil {
		t.Fatal(err)
	}
	study, _, _ := dcmtest.UIDs(1)
	d, err := lib.Study(study)
	if err != nil {
		t.Fatal(err)
	}
	held := map[string]library.Instance{}
	for _, s := range d.Series {
		for _, in := range s.Instances {
			held[in.SOPInstanceUID] = in
		}
	}
	for f := range acked {
		var n int
		fmt.Sscanf(filepath.Base(f), "ct%03d.dcm", &n)
		_, _, sop := dcmtest.UIDs(n)
		in, ok := held[sop]
		if !ok {
			t.Errorf("%s was answered Success but is not in the library", filepath.Base(f))
			continue
		}
		want, _ := os.ReadFile(f)
		got, err := os.ReadFile(lib.FilePath(in))
		// the stored file is storescu's data set behind our File Meta
		if err != nil || len(got) < len(want)-400 {
			t.Errorf("%s: stored copy unreadable or short: %v", filepath.Base(f), err)
		}
	}
	if err := lib.CheckContent(context.Background(), d.Series[0].Instances); err != nil {
		t.Error(err)
	}
	t.Logf("%d acknowledged over 4 kills, %d held", len(acked), len(held))
}

func childSCP(t *testing.T, data string) {
	db, err := store.Open(data)
	if err != nil {
		t.Fatal(err)
	}
	lib, err := library.Open(db, data)
	if err != nil {
		t.Fatal(err)
	}
	spool := intake.SpoolDir(data)
	os.MkdirAll(spool, 0o700)
	srv, err := pacs.NewServer(pacs.Config{AETitles: []string{"DISCDESK"}, AnyCaller: true, SpoolDir: spool}, intake.LibrarySink{Lib: lib})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := srv.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("PORT %d\n", ln.Addr().(*net.TCPAddr).Port)
	srv.Serve(ln) // until killed
}
