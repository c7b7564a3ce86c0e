package cli

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"discdesk/app/pacs/pacstest"
	"discdesk/internal/corpus"
)

// startServe runs `discdesk serve` in the background and returns its port.
func startServe(t *testing.T, extra ...string) int {
	t.Helper()
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	var errb bytes.Buffer
	done := make(chan int, 1)
	args := append([]string{"--data", dir, "serve", "--host", "127.0.0.1", "--port", "0"}, extra...)
	go func() {
		done <- Run(ctx, args, pw, &errb)
		pw.Close()
	}()
	t.Cleanup(func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("serve exited %d: %s", code, errb.String())
		}
	})
	sc := bufio.NewScanner(pr)
	if !sc.Scan() {
		t.Fatalf("serve printed nothing; stderr: %s", errb.String())
	}
	go io.Copy(io.Discard, pr)
	var port int
	line := sc.Text()
	if _, err := fmt.Sscanf(line[strings.LastIndex(line, ":")+1:], "%d", &port); err != nil {
		t.Fatalf("serve said %q", line)
	}
	return port
}

func TestServeEchoAndStore(t *testing.T) {
	out := t.TempDir()
	port := startServe(t, "--ae", "DESK", "--allow", "MODALITY,DISCDESK@127.0.0.1", "--out", out)
	node := fmt.Sprintf("DESK@127.0.0.1:%d", port)
	var so, se bytes.Buffer
	if code := Run(context.Background(), []string{"echo", node}, &so, &se); code != 0 || !strings.Contains(so.String(), "answered C-ECHO") {
		t.Fatalf("echo: exit %d, %s %s", code, so.String(), se.String())
	}
	so.Reset()
	se.Reset()
	if code := Run(context.Background(), []string{"echo", "--ae", "STRANGER", node}, &so, &se); code != 1 || !strings.Contains(se.String(), "calling AE title not recognized") {
		t.Fatalf("echo from a stranger: exit %d, %s", code, se.String())
	}
	src := corpus.Path(t, "generated", "ct_slice_variants", "ct_explicit_le_source.dcm")
	if o, err := pacstest.Tool(t, 20*time.Second, "storescu", "-aet", "MODALITY", "-aec", "DESK", "127.0.0.1", fmt.Sprint(port), src); err != nil {
		t.Fatalf("storescu: %v\n%s", err, o)
	}
	var stored []string
	filepath.WalkDir(out, func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".dcm") {
			stored = append(stored, p)
		}
		return nil
	})
	if len(stored) != 1 {
		t.Fatalf("stored %v", stored)
	}
	a, _ := pacstest.Tool(t, 10*time.Second, "dcmdump", "-q", src)
	b, _ := pacstest.Tool(t, 10*time.Second, "dcmdump", "-q", stored[0])
	if dataPart(a) != dataPart(b) {
		t.Errorf("stored object differs from the sent one")
	}
}

func TestServeNeedsAllowedCallers(t *testing.T) {
	var so, se bytes.Buffer
	if code := Run(context.Background(), []string{"--data", t.TempDir(), "serve", "--port", "0"}, &so, &se); code != 2 {
		t.Fatalf("serve without --allow: exit %d, %s", code, se.String())
	}
}

func TestEchoBadNode(t *testing.T) {
	var so, se bytes.Buffer
	if code := Run(context.Background(), []string{"echo", "localhost:104"}, &so, &se); code != 2 {
		t.Fatalf("exit %d: %s", code, se.String())
	}
}

// dataPart drops dcmdump's meta header section.
func dataPart(dump string) string {
	if i := strings.Index(dump, "# Dicom-Data-Set"); i >= 0 {
		return dump[i:]
	}
	return dump
}
