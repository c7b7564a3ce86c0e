package control

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func shortDir(t *testing.T) string {
	t.Helper()
	// Unix socket paths are limited to ~108 bytes: a short temp folder.
	d, err := os.MkdirTemp("", "ctl")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(d) })
	return d
}

func TestCallRunsTheOperationAndStreamsItsOutput(t *testing.T) {
	dir := shortDir(t)
	s, err := Listen(dir, map[string]Handler{
		"echo": func(ctx context.Context, args json.RawMessage, out io.Writer) error {
			var a struct{ N int }
			if err := json.Unmarshal(args, &a); err != nil {
				return err
			}
			for i := 0; i < a.N; i++ {
				fmt.Fprintf(out, "line %d\n", i)
			}
			return nil
		},
		"fail": func(context.Context, json.RawMessage, io.Writer) error { return errors.New("the PACS refused") },
	})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	fi, err := os.Stat(Path(dir))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("socket mode %v (%v), want 0600", fi.Mode().Perm(), err)
	}
	var out strings.Builder
	if err := Call(context.Background(), dir, "echo", map[string]int{"N": 3}, &out); err != nil {
		t.Fatal(err)
	}
	if out.String() != "line 0\nline 1\nline 2\n" {
		t.Errorf("output %q", out.String())
	}
	var re *RemoteError
	if err := Call(context.Background(), dir, "fail", nil, io.Discard); !errors.As(err, &re) || re.Msg != "the PACS refused" {
		t.Errorf("failing op: %v", err)
	}
	if err := Call(context.Background(), dir, "nosuch", nil, io.Discard); err == nil || !strings.Contains(err.Error(), "does not know") {
		t.Errorf("unknown op: %v", err)
	}
	// A second server on the same folder is refused while the first lives.
	if s2, err := Listen(dir, nil); err == nil {
		s2.Close()
		t.Error("two servers on one data folder")
	}
}

func TestNobodyListening(t *testing.T) {
	dir := shortDir(t)
	if err := Call(context.Background(), dir, "echo", nil, io.Discard); !errors.Is(err, ErrNoServer) {
		t.Errorf("no server: %v", err)
	}
	// A stale socket file (a killed process) is replaced by the next server.
	if err := os.WriteFile(filepath.Join(dir, SocketName), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := Listen(dir, map[string]Handler{})
	if err != nil {
		t.Fatalf("stale socket: %v", err)
	}
	s.Close()
	if _, err := os.Stat(Path(dir)); !os.IsNotExist(err) {
		t.Errorf("socket left after Close: %v", err)
	}
}

func TestCloseCancelsRunningOperations(t *testing.T) {
	dir := shortDir(t)
	started := make(chan struct{})
	s, err := Listen(dir, map[string]Handler{"wait": func(ctx context.Context, _ json.RawMessage, _ io.Writer) error {
		close(started)
		<-ctx.Done()
		return ctx.Err()
	}})
	if err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() { errc <- Call(context.Background(), dir, "wait", nil, io.Discard) }()
	<-started
	s.Close()
	select {
	case err := <-errc:
		if err == nil {
			t.Error("an operation cut short reported success")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not end the running operation")
	}
}

// A hostile or broken caller cannot crash the server.
func FuzzHandle(f *testing.F) {
	f.Add([]byte(`{"op":"echo","args":{"N":1}}` + "\n"))
	f.Add([]byte("{"))
	f.Add([]byte(`{"op":"echo","args":"x"}`))
	f.Add([]byte(`[]`))
	dir, err := os.MkdirTemp("", "ctlfz")
	if err != nil {
		f.Fatal(err)
	}
	defer os.RemoveAll(dir)
	s, err := Listen(dir, map[string]Handler{"echo": func(_ context.Context, args json.RawMessage, out io.Writer) error {
		var a struct{ N int }
		if err := json.Unmarshal(args, &a); err != nil {
			return err
		}
		fmt.Fprintln(out, a.N)
		return nil
	}})
	if err != nil {
		f.Fatal(err)
	}
	defer s.Close()
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := dialRaw(dir)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(5 * time.Second))
		_, _ = c.Write(b)
		_ = c.CloseWrite()
		_, _ = io.ReadAll(c)
	})
}
