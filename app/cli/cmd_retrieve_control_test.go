package cli

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"

	"discdesk/app/library"
	"discdesk/app/pacs/pacstest"
	"discdesk/app/store"
)

// A retrieve started while `serve` owns the library asks serve, over the
// control socket, to do it: dcmqrscp's C-MOVE goes to serve's own
// receiver and the study lands in the library (issue 16.6).
func TestRetrieveThroughTheRunningServe(t *testing.T) {
	files := mrFiles(t)
	// A short data folder: Unix socket paths are limited to ~108 bytes.
	dir, err := os.MkdirTemp("", "dd")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	var errb bytes.Buffer
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, []string{"--data", dir, "serve", "--host", "127.0.0.1", "--port", "0", "--allow", "QRSCP"}, pw, &errb)
		pw.Close()
	}()
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			cancel()
			if code := <-done; code != 0 {
				t.Errorf("serve exited %d: %s", code, errb.String())
			}
		}
	}
	t.Cleanup(stop)
	sc := bufio.NewScanner(pr)
	if !sc.Scan() {
		t.Fatalf("serve printed nothing; stderr: %s", errb.String())
	}
	go io.Copy(io.Discard, pr)
	line := sc.Text()
	var port int
	if _, err := fmt.Sscanf(line[strings.LastIndex(line, ":")+1:], "%d", &port); err != nil {
		t.Fatalf("serve said %q", line)
	}
	qr := pacstest.Dcmqrscp(t, "QRSCP", files, []pacstest.Peer{{AETitle: "DISCDESK", Host: "127.0.0.1", Port: port}})
	node := fmt.Sprintf("QRSCP@127.0.0.1:%d", qr.Port)

	var so, se bytes.Buffer
	code := Run(context.Background(), []string{"--data", dir, "retrieve", node, mrStudyUID}, &so, &se)
	if code != 0 || !strings.Contains(so.String(), fmt.Sprintf("retrieved %d instances, 0 failed", len(files))) {
		t.Fatalf("retrieve beside serve: exit %d: %s%s", code, so.String(), se.String())
	}
	if !strings.Contains(se.String(), "in use by the running DiscDesk process") {
		t.Errorf("the command did not say who did the work: %q", se.String())
	}
	stop()
	db, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	lib, err := library.Open(db, dir)
	if err != nil {
		t.Fatal(err)
	}
	st, err := lib.Study(mrStudyUID)
	if err != nil || st.InstanceCount != len(files) {
		t.Fatalf("library after the retrieve: %+v %v", st, err)
	}
	// With nobody answering on the socket the command says so at once.
	so.Reset()
	se.Reset()
	if code := Run(context.Background(), []string{"--data", dir, "retrieve", node, mrStudyUID}, &so, &se); code == 0 && strings.Contains(se.String(), "in use") {
		t.Errorf("retrieve with the store free still asked a process: %s", se.String())
	}
}
