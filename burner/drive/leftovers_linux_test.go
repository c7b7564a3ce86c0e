//go:build linux

package drive

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"discdesk/burner"
)

// 15.13: generated files (a DICOMDIR and README naming the patient) are
// staged in the data folder's private staging folder, and what a killed
// burn left there is removed at start-up; nothing else is touched.
func TestStagingLivesInTheDataFolderAndIsCleaned(t *testing.T) {
	stagingMu.Lock()
	before := stagingDir
	stagingMu.Unlock()
	t.Cleanup(func() { stagingMu.Lock(); stagingDir = before; stagingMu.Unlock() })

	data := t.TempDir()
	dir := filepath.Join(data, StagingFolderName)
	os.MkdirAll(filepath.Join(dir, "discdesk-stage-123", "DICOM"), 0o755)
	os.WriteFile(filepath.Join(dir, "discdesk-stage-123", "README.TXT"), []byte("Patient: DOE^JANE"), 0o644)
	os.MkdirAll(filepath.Join(dir, "discdesk-image-9"), 0o755)
	os.WriteFile(filepath.Join(dir, "keep.txt"), []byte("not ours"), 0o600)
	removed, err := UseStagingIn(data)
	if err != nil || removed != 2 {
		t.Fatalf("UseStagingIn: removed %d, %v", removed, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "keep.txt")); err != nil {
		t.Errorf("a file that is not a staging leftover was removed: %v", err)
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("staging folder: %v %v", fi, err)
	}
	st, err := stage(&burner.Tree{Files: []burner.File{{Path: "README.TXT", Data: []byte("Patient: DOE^JANE")}}}, "", false)
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Dir(st.dir) != dir || strings.HasPrefix(st.dir, os.TempDir()+string(filepath.Separator)) && !strings.HasPrefix(dir, os.TempDir()) {
		t.Errorf("staged in %s, want inside %s", st.dir, dir)
	}
	if fi, err := os.Stat(st.dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("stage folder mode: %v %v", fi, err)
	}
	if fi, err := os.Stat(st.paths["README.TXT"]); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("staged file mode: %v %v", fi, err)
	}
	st.Close()
	if _, err := os.Stat(st.dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Close left %s", st.dir)
	}
}

// leftoverHelperEnv makes the test binary act as a desk that starts the
// burning tool and then waits to be killed.
const leftoverHelperEnv = "DISCDESK_DRIVE_TEST_PARENT"

func TestMain(m *testing.M) {
	if tool := os.Getenv(leftoverHelperEnv); tool != "" {
		d, err := newXorriso("stdio:/dev/null", Options{Xorriso: tool})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		d.run(context.Background(), []string{"-version"}, nil)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// alive reports whether pid is a process that is not a zombie.
func alive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i > 0 && i+2 < len(s) && s[i+2] != 'Z'
}

// 15.13: the xorriso child dies with its parent. A helper process (this
// test binary) starts the burning tool through the drive's own run (a
// stand-in for xorriso that records its PID and sleeps); the helper is
// killed with SIGKILL, as a crashed desk would be, and the tool must be
// gone within seconds.
func TestBurnToolDiesWithItsParent(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("needs /proc (Linux)")
	}
	dir := t.TempDir()
	pidFile := filepath.Join(dir, "tool.pid")
	tool := filepath.Join(dir, "xorriso")
	script := "#!/bin/sh\necho $$ > " + pidFile + ".tmp && mv " + pidFile + ".tmp " + pidFile + "\nexec sleep 120\n"
	if err := os.WriteFile(tool, []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	parent := exec.Command(self, "-test.run=^$")
	parent.Env = append(os.Environ(), leftoverHelperEnv+"="+tool)
	if err := parent.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { parent.Process.Kill(); parent.Wait() })
	var pid int
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if b, err := os.ReadFile(pidFile); err == nil {
			pid, _ = strconv.Atoi(strings.TrimSpace(string(b)))
			break
		}
	}
	if pid == 0 {
		t.Fatal("the helper never started the tool")
	}
	t.Cleanup(func() { syscall.Kill(pid, syscall.SIGKILL) })
	if !alive(pid) {
		t.Fatal("the tool is not running")
	}
	if err := parent.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	parent.Wait()
	deadline := time.Now().Add(5 * time.Second)
	for alive(pid) && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if alive(pid) {
		t.Fatalf("the burning tool (pid %d) kept running after its parent was killed", pid)
	}
}
